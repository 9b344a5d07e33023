#include "server/event_query.h"

#include "absl/strings/str_cat.h"

namespace tapio::server {

grpc::Status EventQueryService::Query(grpc::ServerContext* context, const v1::EventQuery* request,
                                      v1::EventPage* response) {
  if (grpc::Status auth = token_.Check(*context); !auth.ok()) return auth;
  if (request->limit() > kMaxPage) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("limit ", request->limit(), " is above ", kMaxPage));
  }
  storage::EventQuery q;
  q.kind = request->kind();
  q.namespace_name = request->namespace_();
  q.name = request->name();
  q.type = request->type();
  q.since_ns = request->since_unix_nano();
  q.until_ns = request->until_unix_nano();
  q.limit = request->limit() == 0 ? 100 : request->limit();
  q.page_token = request->page_token();
  absl::StatusOr<storage::EventPage> page = store_.Events(q);
  if (!page.ok()) {
    grpc::StatusCode code = page.status().code() == absl::StatusCode::kInvalidArgument
                                ? grpc::StatusCode::INVALID_ARGUMENT
                                : grpc::StatusCode::UNAVAILABLE;
    return grpc::Status(code, std::string(page.status().message()));
  }
  for (v1::UnifiedEvent& e : page->events) *response->add_events() = std::move(e);
  response->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

}  // namespace tapio::server
