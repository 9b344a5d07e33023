#include "server/status_service.h"

#include "absl/strings/str_cat.h"

namespace tapio::server {

v1::ServerStatus StatusNow(const std::string& version, storage::Store& store,
                           LiveAnalysis& analysis, const CollectorStream& collectors) {
  v1::ServerStatus out;
  out.set_version(version);
  absl::StatusOr<uint64_t> events = store.EventCount();
  out.set_ready(events.ok());
  if (!events.ok()) {
    out.set_problem(absl::StrCat("the store does not answer: ", events.status().message()));
  }
  out.set_incidents_open(analysis.counts().incidents_open);
  for (v1::CollectorStatus& c : collectors.Collectors()) *out.add_collectors() = std::move(c);
  return out;
}

grpc::Status StatusService::Status(grpc::ServerContext* context, const v1::StatusRequest*,
                                   v1::ServerStatus* response) {
  if (grpc::Status auth = token_.Check(*context); !auth.ok()) return auth;
  *response = StatusNow(version_, store_, analysis_, collectors_);
  return grpc::Status::OK;
}

}  // namespace tapio::server
