#include "server/correlation_queries.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/event_query.h"
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

absl::StatusOr<v1::Correlation> CorrelateTrace(storage::Store& store, LiveAnalysis& analysis,
                                               const v1::CorrelateRequest& request) {
  std::string trace = absl::AsciiStrToLower(request.trace_id());
  if (trace.size() != 32 || !std::all_of(trace.begin(), trace.end(), absl::ascii_isxdigit)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "trace_id \"", absl::CHexEscape(trace.substr(0, 40)), "\" is not 32 hex digits"));
  }
  v1::EventQuery query;
  query.set_trace_id(trace);
  query.set_limit(kMaxPage);
  absl::StatusOr<v1::EventPage> page = QueryEvents(store, query);
  if (!page.ok()) return page.status();
  v1::Correlation out;
  out.set_trace_id(trace);
  // Entity text ("Service/shop/cart") → the time of its latest failure in the trace, 0 if none.
  std::vector<std::pair<std::string, int64_t>> entities;
  for (v1::UnifiedEvent& e : *page->mutable_events()) {
    const v1::EntityRef& ref = e.entity();
    std::string text = ref.namespace_().empty()
                           ? absl::StrCat(ref.kind(), "/", ref.name())
                           : absl::StrCat(ref.kind(), "/", ref.namespace_(), "/", ref.name());
    auto known = std::find_if(entities.begin(), entities.end(),
                              [&](const auto& entry) { return entry.first == text; });
    if (known == entities.end()) {
      *out.add_entities() = ref;
      known = entities.insert(entities.end(), {text, 0});
    }
    if (e.severity() >= v1::SEVERITY_ERROR) {
      known->second = std::max(known->second, static_cast<int64_t>(e.time_unix_nano()));
    }
    *out.add_events() = std::move(e);
  }
  std::set<std::string> given;
  for (const auto& [entity, failed_ns] : entities) {
    if (failed_ns == 0) continue;
    absl::StatusOr<v1::WhyReport> why = analysis.Why(entity, failed_ns, 1);
    if (!why.ok() || why->causes().empty()) continue;
    const v1::Cause& cause = why->causes(0);
    std::string key = absl::StrCat(cause.category(), " ", cause.entity().kind(), "/",
                                   cause.entity().namespace_(), "/", cause.entity().name());
    if (given.insert(key).second) *out.add_causes() = cause;
  }
  std::stable_sort(
      out.mutable_causes()->begin(), out.mutable_causes()->end(),
      [](const v1::Cause& a, const v1::Cause& b) { return a.confidence() > b.confidence(); });
  for (int i = 0; i < out.causes_size(); ++i) out.mutable_causes(i)->set_rank(i + 1);
  if (out.events().empty()) {
    out.set_note(absl::StrCat("No event of trace ", trace, " is stored."));
  } else if (out.causes().empty()) {
    out.set_note("No known failure pattern explains what failed in this trace.");
  }
  return out;
}

grpc::Status CorrelationQueries::Correlate(grpc::ServerContext* context,
                                           const v1::CorrelateRequest* request,
                                           v1::Correlation* response) {
  if (grpc::Status auth = token_.Check(*context); !auth.ok()) return auth;
  absl::StatusOr<v1::Correlation> found = CorrelateTrace(store_, analysis_, *request);
  if (!found.ok()) return ToGrpcStatus(found.status());
  *response = *std::move(found);
  return grpc::Status::OK;
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
