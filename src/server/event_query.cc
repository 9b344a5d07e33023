#include "server/event_query.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "server/status_codes.h"

namespace tapio::server {

absl::StatusOr<v1::EventPage> QueryEvents(storage::Store& store, const v1::EventQuery& request) {
  if (request.limit() > kMaxPage) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit ", request.limit(), " is above ", kMaxPage));
  }
  storage::EventQuery q;
  q.kind = request.kind();
  q.namespace_name = request.namespace_();
  q.name = request.name();
  q.type = request.type();
  q.since_ns = request.since_unix_nano();
  q.until_ns = request.until_unix_nano();
  q.limit = request.limit() == 0 ? 100 : request.limit();
  q.page_token = request.page_token();
  q.trace_id = absl::AsciiStrToLower(request.trace_id());
  absl::StatusOr<storage::EventPage> page = store.Events(q);
  if (!page.ok()) {
    if (page.status().code() == absl::StatusCode::kInvalidArgument) return page.status();
    return absl::UnavailableError(page.status().message());
  }
  v1::EventPage out;
  for (v1::UnifiedEvent& e : page->events) *out.add_events() = std::move(e);
  out.set_next_page_token(page->next_page_token);
  return out;
}

grpc::Status EventQueryService::Query(grpc::ServerContext* context, const v1::EventQuery* request,
                                      v1::EventPage* response) {
  if (grpc::Status auth = token_.Check(*context); !auth.ok()) return auth;
  absl::StatusOr<v1::EventPage> page = QueryEvents(store_, *request);
  if (!page.ok()) return ToGrpcStatus(page.status());
  *response = *std::move(page);
  return grpc::Status::OK;
}

namespace {

// How long a tail waits for events before it looks whether its client is still there.
constexpr absl::Duration kTailPoll = absl::Milliseconds(200);

}  // namespace

bool TailMatches(const v1::EventTailRequest& r, const v1::UnifiedEvent& e) {
  return (r.kind().empty() || r.kind() == e.entity().kind()) &&
         (r.namespace_().empty() || r.namespace_() == e.entity().namespace_()) &&
         (r.name().empty() || r.name() == e.entity().name()) &&
         (r.type().empty() || r.type() == e.type()) &&
         (r.trace_id().empty() ||
          absl::AsciiStrToLower(r.trace_id()) == absl::BytesToHexString(e.trace().trace_id()));
}

grpc::Status EventQueryService::Tail(grpc::ServerContext* context,
                                     const v1::EventTailRequest* request,
                                     grpc::ServerWriter<v1::EventTailItem>* writer) {
  if (grpc::Status auth = token_.Check(*context); !auth.ok()) return auth;
  uint64_t last = tail_.Join();
  // From here on every event stored reaches this reader or is counted as missed.
  writer->SendInitialMetadata();
  bool open = true;
  while (open && !context->IsCancelled() && !stopping_) {
    EventTail::Read read = tail_.After(last, kTailPoll);
    last = read.last;
    v1::EventTailItem item;
    if (read.missed > 0) {
      item.set_missed(read.missed);
      open = writer->Write(item);
    }
    for (size_t i = 0; open && i < read.events.size(); ++i) {
      if (!TailMatches(*request, read.events[i])) continue;
      *item.mutable_event() = std::move(read.events[i]);
      item.clear_missed();
      open = writer->Write(item);
    }
  }
  tail_.Leave();
  return grpc::Status::OK;
}

}  // namespace tapio::server
