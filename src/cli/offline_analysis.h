// Wiring for the offline commands: reads dumps with the scenario reader and sends what they
// hold through the same path live data takes — object changes into the topology graph and the
// transition detector, every event through the pipeline — and keeps what reached the sink.
#ifndef TAPIO_CLI_OFFLINE_ANALYSIS_H_
#define TAPIO_CLI_OFFLINE_ANALYSIS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "collectors/scenario/scenario_reader.h"
#include "domain/entity.h"
#include "domain/event.h"
#include "intelligence/incidents/incident_tracker.h"
#include "intelligence/patterns/pattern.h"
#include "intelligence/patterns/pattern_engine.h"
#include "intelligence/patterns/pattern_match.h"
#include "intelligence/report/analysis_view.h"
#include "intelligence/topology/topology_graph.h"
#include "pipeline/pipeline_metrics.h"

namespace tapio::cli {

struct OfflineAnalysis {
  domain::EntityRegistry registry;
  std::unique_ptr<intelligence::TopologyGraph> graph;
  // Events that passed the pipeline, in time order.
  std::vector<domain::Event> events;
  collectors::scenario::ScenarioReport report;
  pipeline::MetricsSnapshot metrics;
  // The newest time any record showed.
  int64_t last_time_ns = 0;
  // What the pattern library concluded, in the order concluded; those withdrawn later are
  // kept, marked retracted, so that incidents can index into the list.
  std::vector<intelligence::PatternMatch> matches;
  intelligence::PatternEngineCounts pattern_counts;
  // The matches grouped into incidents, open or resolved as of the last record.
  std::vector<intelligence::Incident> incidents;

  intelligence::AnalysisView view() const {
    return {registry, *graph, matches, incidents, last_time_ns};
  }
};

// Reads every path in turn, then runs `patterns` over the delivered events in time order, as
// the live engine sees them. Fails when a path does not exist or the pipeline cannot start.
absl::StatusOr<std::unique_ptr<OfflineAnalysis>> AnalyzeOffline(
    const std::vector<std::string>& paths, absl::string_view cluster,
    std::vector<intelligence::Pattern> patterns);

}  // namespace tapio::cli

#endif  // TAPIO_CLI_OFFLINE_ANALYSIS_H_
