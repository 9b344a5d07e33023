// The server side of TapioService.Status: the version, whether the store answers, the open
// incidents and every collector seen since start. Thread-safe.
#ifndef TAPIO_SERVER_STATUS_SERVICE_H_
#define TAPIO_SERVER_STATUS_SERVICE_H_

#include <string>

#include "server/bearer_token.h"
#include "server/collector_stream.h"
#include "server/live_analysis.h"
#include "storage/store.h"
#include "tapio/v1/tapio_service.grpc.pb.h"

namespace tapio::server {

// What StatusService answers; the parts must outlive the call.
tapio::v1::ServerStatus StatusNow(const std::string& version, storage::Store& store,
                                  LiveAnalysis& analysis, const CollectorStream& collectors);

class StatusService final : public tapio::v1::TapioService::Service {
 public:
  // All must outlive the service.
  StatusService(std::string version, storage::Store& store, LiveAnalysis& analysis,
                const CollectorStream& collectors, const BearerToken& token)
      : version_(std::move(version)),
        store_(store),
        analysis_(analysis),
        collectors_(collectors),
        token_(token) {}

  grpc::Status Status(grpc::ServerContext* context, const tapio::v1::StatusRequest* request,
                      tapio::v1::ServerStatus* response) override;

 private:
  const std::string version_;
  storage::Store& store_;
  LiveAnalysis& analysis_;
  const CollectorStream& collectors_;
  const BearerToken& token_;
};

}  // namespace tapio::server

#endif  // TAPIO_SERVER_STATUS_SERVICE_H_
