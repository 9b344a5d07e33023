// What an answer is built from, wherever the analysis ran: the entities, the graph, the
// matches that stand and the incidents they form. Offline commands point it at what a replay
// produced; the server at its live state, under its lock.
#ifndef TAPIO_INTELLIGENCE_REPORT_ANALYSIS_VIEW_H_
#define TAPIO_INTELLIGENCE_REPORT_ANALYSIS_VIEW_H_

#include <cstdint>
#include <vector>

#include "domain/entity.h"
#include "intelligence/incidents/incident_tracker.h"
#include "intelligence/patterns/pattern_match.h"
#include "intelligence/topology/topology_graph.h"

namespace tapio::intelligence {

struct AnalysisView {
  const domain::EntityRegistry& registry;
  const TopologyGraph& graph;
  // Matches in the order made, those withdrawn marked retracted; incidents index into them.
  const std::vector<PatternMatch>& matches;
  const std::vector<Incident>& incidents;
  // The newest time any record showed: "now" for a question that names no time.
  int64_t last_time_ns = 0;
};

}  // namespace tapio::intelligence

#endif  // TAPIO_INTELLIGENCE_REPORT_ANALYSIS_VIEW_H_
