// How bad a cause is, from what it hits: the pattern's own severity, raised to critical when
// it reaches a system namespace or takes every pod of a workload, and to error when it takes
// some of a workload's pods, breaks a service others call or one exposed outside the cluster,
// or puts more pods on a node at risk. Each raise says why. Thread-safe (reads only).
#ifndef TAPIO_INTELLIGENCE_RCA_SEVERITY_H_
#define TAPIO_INTELLIGENCE_RCA_SEVERITY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "domain/event.h"
#include "intelligence/patterns/pattern_match.h"
#include "intelligence/rca/impact.h"
#include "intelligence/rca/root_cause_ranker.h"
#include "intelligence/topology/topology_graph.h"

namespace tapio::intelligence {

struct SeverityAssessment {
  domain::Severity level = domain::Severity::kUnspecified;
  // Why it is that bad, one clause each, the pattern's own level first.
  std::vector<std::string> reasons;
};

SeverityAssessment AssessSeverity(const TopologyGraph& graph, const PatternMatch& best,
                                  const RankedCause& cause, const Impact& impact, int64_t at_ns);

}  // namespace tapio::intelligence

#endif  // TAPIO_INTELLIGENCE_RCA_SEVERITY_H_
