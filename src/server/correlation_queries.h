// The server side of CorrelationService: why an entity failed, the incidents and a stream of
// insights, answered from the live analysis, and what one trace touched, from the store.
// Thread-safe.
#ifndef TAPIO_SERVER_CORRELATION_QUERIES_H_
#define TAPIO_SERVER_CORRELATION_QUERIES_H_

#include <atomic>

#include "server/bearer_token.h"
#include "server/live_analysis.h"
#include "storage/store.h"
#include "tapio/v1/correlation_service.grpc.pb.h"

namespace tapio::server {

// The most causes one answer may hold.
inline constexpr uint32_t kMaxCauses = 20;

// The answer to `request`. Fails with InvalidArgument for a malformed entity or too many
// causes asked, and NotFound for an entity the analysis does not know.
absl::StatusOr<tapio::v1::WhyReport> AnswerWhy(LiveAnalysis& analysis,
                                               const tapio::v1::WhyRequest& request);

// The trace's stored events and the likeliest causes of its failures. Fails with
// InvalidArgument for a trace id that is not 32 hex digits and Unavailable when the store
// cannot answer.
absl::StatusOr<tapio::v1::Correlation> CorrelateTrace(storage::Store& store, LiveAnalysis& analysis,
                                                      const tapio::v1::CorrelateRequest& request);

class CorrelationQueries final : public tapio::v1::CorrelationService::Service {
 public:
  // `store` and `analysis` must outlive the service.
  CorrelationQueries(storage::Store& store, LiveAnalysis& analysis, const BearerToken& token)
      : store_(store), analysis_(analysis), token_(token) {}

  grpc::Status Why(grpc::ServerContext* context, const tapio::v1::WhyRequest* request,
                   tapio::v1::WhyReport* response) override;
  grpc::Status ListIncidents(grpc::ServerContext* context,
                             const tapio::v1::ListIncidentsRequest* request,
                             tapio::v1::IncidentList* response) override;
  grpc::Status GetIncident(grpc::ServerContext* context,
                           const tapio::v1::GetIncidentRequest* request,
                           tapio::v1::Incident* response) override;
  grpc::Status SubscribeInsights(grpc::ServerContext* context,
                                 const tapio::v1::InsightsRequest* request,
                                 grpc::ServerWriter<tapio::v1::Insight>* writer) override;
  grpc::Status Correlate(grpc::ServerContext* context, const tapio::v1::CorrelateRequest* request,
                         tapio::v1::Correlation* response) override;

  // Ends every subscription: the server is stopping.
  void Stop() { stopping_ = true; }

 private:
  storage::Store& store_;
  LiveAnalysis& analysis_;
  const BearerToken& token_;
  std::atomic<bool> stopping_{false};
};

}  // namespace tapio::server

#endif  // TAPIO_SERVER_CORRELATION_QUERIES_H_
