// Everything known about one ranked cause of a symptom, assembled for a report: the cause and
// its score, the match that best shows it, what it hits and how bad that is, the chain of
// events that links it to the symptom in time order, and when it was detected. Thread-safe
// (reads only).
#ifndef TAPIO_INTELLIGENCE_RCA_DIAGNOSIS_H_
#define TAPIO_INTELLIGENCE_RCA_DIAGNOSIS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "domain/event.h"
#include "intelligence/patterns/pattern_match.h"
#include "intelligence/rca/impact.h"
#include "intelligence/rca/root_cause_ranker.h"
#include "intelligence/rca/severity.h"
#include "intelligence/topology/topology_graph.h"

namespace tapio::intelligence {

struct ChainLink {
  const domain::Event* event = nullptr;
  // "trigger", or the id of the evidence item that found it.
  std::string evidence;
  // The relation path that reached it ("trigger.node"); "trigger" for the trigger.
  std::string relation;
  // Evidence that speaks against the cause and lowered its confidence.
  bool against = false;
};

struct Diagnosis {
  RankedCause cause;
  // The cause's best match; points into the matches diagnosed.
  const PatternMatch* best = nullptr;
  // Every pattern behind the cause, best first.
  std::vector<std::string> patterns;
  Impact impact;
  SeverityAssessment severity;
  std::vector<ChainLink> chain;
  // The first event of the chain that is not against the cause: when the failure showed.
  int64_t first_event_ns = 0;
  // Stream time when the engine concluded, and the time from the first event to then.
  int64_t detected_ns = 0;
  int64_t time_to_detection_ns = 0;
};

// The top `limit` causes of `symptom` among `matches`, diagnosed; the results point into
// `matches`, which must outlive them.
std::vector<Diagnosis> Diagnose(const TopologyGraph& graph,
                                const std::vector<PatternMatch>& matches, const Symptom& symptom,
                                size_t limit, const RankOptions& options = {});

}  // namespace tapio::intelligence

#endif  // TAPIO_INTELLIGENCE_RCA_DIAGNOSIS_H_
