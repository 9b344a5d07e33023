#include "server/correlation_queries.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/status_codes.h"

namespace tapio::server {
namespace {

// How often a subscription looks whether its client is still there.
constexpr absl::Duration kSubscriberPoll = absl::Milliseconds(250);

}  // namespace

absl::StatusOr<v1::WhyReport> AnswerWhy(LiveAnalysis& analysis, const v1::WhyRequest& request) {
  if (request.causes() > kMaxCauses) {
    return absl::InvalidArgumentError(
        absl::StrCat("causes ", request.causes(), " is above ", kMaxCauses));
  }
  int64_t at_ns = 0;
  if (request.has_at()) {
    at_ns = google::protobuf::util::TimeUtil::TimestampToNanoseconds(request.at());
  }
  int causes = request.causes() == 0 ? 3 : static_cast<int>(request.causes());
  return analysis.Why(request.entity(), at_ns, causes);
}

grpc::Status CorrelationQueries::Why(grpc::ServerContext* context, const v1::WhyRequest* request,
                                     v1::WhyReport* response) {
  if (grpc::Status auth = token_.Check(*context); !auth.ok()) return auth;
  absl::StatusOr<v1::WhyReport> report = AnswerWhy(analysis_, *request);
  if (!report.ok()) return ToGrpcStatus(report.status());
  *response = *std::move(report);
  return grpc::Status::OK;
}

grpc::Status CorrelationQueries::ListIncidents(grpc::ServerContext* context,
                                               const v1::ListIncidentsRequest* request,
                                               v1::IncidentList* response) {
  if (grpc::Status auth = token_.Check(*context); !auth.ok()) return auth;
  for (v1::Incident& incident : analysis_.Incidents(request->open_only())) {
    *response->add_incidents() = std::move(incident);
  }
  return grpc::Status::OK;
}

grpc::Status CorrelationQueries::GetIncident(grpc::ServerContext* context,
                                             const v1::GetIncidentRequest* request,
                                             v1::Incident* response) {
  if (grpc::Status auth = token_.Check(*context); !auth.ok()) return auth;
  absl::StatusOr<v1::Incident> incident = analysis_.GetIncident(request->id());
  if (!incident.ok()) return ToGrpcStatus(incident.status());
  *response = *std::move(incident);
  return grpc::Status::OK;
}

grpc::Status CorrelationQueries::SubscribeInsights(grpc::ServerContext* context,
                                                   const v1::InsightsRequest* request,
                                                   grpc::ServerWriter<v1::Insight>* writer) {
  if (grpc::Status auth = token_.Check(*context); !auth.ok()) return auth;
  uint64_t last = 0;
  std::vector<v1::Insight> current = analysis_.Current(&last);
  // From here on every change reaches this subscriber: the client may rely on that once it
  // has the initial metadata.
  writer->SendInitialMetadata();
  if (request->current()) {
    for (const v1::Insight& insight : current) {
      if (!writer->Write(insight)) return grpc::Status::OK;
    }
  }
  while (!context->IsCancelled() && !stopping_) {
    for (const v1::Insight& insight : analysis_.InsightsAfter(last, kSubscriberPoll)) {
      if (!writer->Write(insight)) return grpc::Status::OK;
      last = insight.sequence();
    }
  }
  return grpc::Status::OK;
}

}  // namespace tapio::server
