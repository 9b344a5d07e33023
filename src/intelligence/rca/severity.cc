#include "intelligence/rca/severity.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "domain/kube_object.h"
#include "intelligence/patterns/relation_step.h"

namespace tapio::intelligence {
namespace {

using domain::EntityId;
using domain::Severity;

bool IsSystemNamespace(absl::string_view ns) {
  return absl::StartsWith(ns, "kube-") || ns == "tapio-system";
}

std::string Name(const TopologyGraph& graph, EntityId id) {
  return domain::ToString(graph.registry().Get(id));
}

}  // namespace

SeverityAssessment AssessSeverity(const TopologyGraph& graph, const PatternMatch& best,
                                  const RankedCause& cause, const Impact& impact, int64_t at_ns) {
  SeverityAssessment result;
  result.level = best.severity == Severity::kUnspecified ? Severity::kError : best.severity;
  result.reasons.push_back(
      absl::StrCat("pattern ", best.pattern, " is ", domain::SeverityName(result.level)));
  auto raise = [&](Severity level, std::string reason) {
    if (level > result.level) result.level = level;
    result.reasons.push_back(std::move(reason));
  };

  std::vector<EntityId> touched = impact.pods;
  touched.push_back(cause.entity);
  for (EntityId id : touched) {
    absl::string_view ns = domain::Resolve(graph.registry().Get(id).namespace_name);
    if (IsSystemNamespace(ns)) {
      // The cluster's own machinery: one level worse than the same failure elsewhere.
      raise(result.level >= Severity::kError ? Severity::kCritical : Severity::kError,
            absl::StrCat("hits the system namespace ", ns));
      break;
    }
  }

  for (EntityId workload : impact.workloads) {
    int64_t at = graph.LastSeenBy(workload, at_ns);
    std::vector<EntityId> pods = FollowStep(graph, {workload}, RelationStep::kPods, at);
    size_t hit = 0;
    for (EntityId pod : pods) {
      if (std::find(impact.pods.begin(), impact.pods.end(), pod) != impact.pods.end()) ++hit;
    }
    if (hit == 0) continue;
    if (hit == pods.size() && pods.size() > 1) {
      raise(Severity::kCritical,
            absl::StrCat("all ", pods.size(), " pods of ", Name(graph, workload), " are hit"));
    } else if (hit == pods.size()) {
      raise(Severity::kError, absl::StrCat("the only pod of ", Name(graph, workload), " is hit"));
    } else {
      raise(Severity::kError,
            absl::StrCat(hit, " of ", pods.size(), " pods of ", Name(graph, workload), " are hit"));
    }
  }

  for (EntityId service : impact.services) {
    std::optional<EntityInfo> info = graph.Info(service);
    absl::string_view type = info.has_value() ? domain::Resolve(info->service_type) : "";
    if (type == "LoadBalancer" || type == "NodePort") {
      raise(Severity::kError,
            absl::StrCat(Name(graph, service), " is exposed outside the cluster (", type, ")"));
    }
  }
  if (!impact.callers.empty()) {
    raise(Severity::kError,
          absl::StrCat(impact.callers.size(), " calling service(s) see the failure"));
  }
  if (!impact.at_risk.empty()) {
    raise(Severity::kError, absl::StrCat(impact.at_risk.size(), " more pod(s) on ",
                                         Name(graph, cause.entity), " are at risk"));
  }
  return result;
}

}  // namespace tapio::intelligence
