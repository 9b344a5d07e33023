// What a cause hits beyond the symptom, through the graph: the pods its matches saw fail,
// their workloads, the services selecting them and those services' callers, and — for a
// node-level cause — the other pods on that node, at risk. Thread-safe (reads only).
#ifndef TAPIO_INTELLIGENCE_RCA_IMPACT_H_
#define TAPIO_INTELLIGENCE_RCA_IMPACT_H_

#include <cstdint>
#include <vector>

#include "domain/entity.h"
#include "intelligence/patterns/pattern_match.h"
#include "intelligence/rca/root_cause_ranker.h"
#include "intelligence/topology/topology_graph.h"

namespace tapio::intelligence {

struct Impact {
  // Pods whose events are among the cause's triggers and evidence, in the order met.
  std::vector<domain::EntityId> pods;
  // The top owners of those pods.
  std::vector<domain::EntityId> workloads;
  // Services selecting those pods, and the services seen calling them.
  std::vector<domain::EntityId> services;
  std::vector<domain::EntityId> callers;
  // When the cause is a Node: its other pods as of `at`, not yet hit.
  std::vector<domain::EntityId> at_risk;
};

Impact AssessImpact(const TopologyGraph& graph, const std::vector<PatternMatch>& matches,
                    const RankedCause& cause, int64_t at_ns);

}  // namespace tapio::intelligence

#endif  // TAPIO_INTELLIGENCE_RCA_IMPACT_H_
