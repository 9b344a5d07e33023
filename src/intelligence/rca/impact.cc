#include "intelligence/rca/impact.h"

#include <algorithm>

#include "domain/kube_object.h"
#include "intelligence/patterns/relation_step.h"

namespace tapio::intelligence {
namespace {

using domain::EntityId;

bool IsKind(const TopologyGraph& graph, EntityId id, domain::KubeKind kind) {
  std::optional<EntityInfo> info = graph.Info(id);
  return info.has_value() && info->kind == kind;
}

void Add(std::vector<EntityId>& list, EntityId id) {
  if (std::find(list.begin(), list.end(), id) == list.end()) list.push_back(id);
}

}  // namespace

Impact AssessImpact(const TopologyGraph& graph, const std::vector<PatternMatch>& matches,
                    const RankedCause& cause, int64_t at_ns) {
  Impact impact;
  for (size_t i : cause.matches) {
    const PatternMatch& m = matches[i];
    for (EntityId id : m.trigger_entities) {
      if (IsKind(graph, id, domain::KubeKind::kPod)) Add(impact.pods, id);
    }
    for (const MatchEvidence& e : m.evidence) {
      if (e.contradicting) continue;
      for (const domain::Event& ev : e.events) {
        if (IsKind(graph, ev.entity, domain::KubeKind::kPod)) Add(impact.pods, ev.entity);
      }
    }
  }
  for (EntityId pod : impact.pods) {
    int64_t at = graph.LastSeenBy(pod, at_ns);
    for (EntityId w : FollowStep(graph, {pod}, RelationStep::kWorkload, at)) {
      if (w != pod) Add(impact.workloads, w);
    }
    for (EntityId s : FollowStep(graph, {pod}, RelationStep::kServices, at)) {
      Add(impact.services, s);
    }
  }
  for (EntityId c : FollowStep(graph, impact.services, RelationStep::kCallers, at_ns)) {
    Add(impact.callers, c);
  }
  if (IsKind(graph, cause.entity, domain::KubeKind::kNode)) {
    for (EntityId pod : FollowStep(graph, {cause.entity}, RelationStep::kPods, at_ns)) {
      if (std::find(impact.pods.begin(), impact.pods.end(), pod) == impact.pods.end()) {
        Add(impact.at_risk, pod);
      }
    }
  }
  return impact;
}

}  // namespace tapio::intelligence
