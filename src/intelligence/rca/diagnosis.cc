#include "intelligence/rca/diagnosis.h"

#include <algorithm>

namespace tapio::intelligence {
namespace {

std::vector<ChainLink> Chain(const PatternMatch& best) {
  std::vector<ChainLink> chain = {{&best.trigger, "trigger", "trigger", false}};
  for (const MatchEvidence& e : best.evidence) {
    for (const domain::Event& ev : e.events)
      chain.push_back({&ev, e.id, e.relation, e.contradicting});
  }
  std::stable_sort(chain.begin(), chain.end(), [](const ChainLink& a, const ChainLink& b) {
    return a.event->time_ns < b.event->time_ns;
  });
  return chain;
}

}  // namespace

std::vector<Diagnosis> Diagnose(const TopologyGraph& graph,
                                const std::vector<PatternMatch>& matches, const Symptom& symptom,
                                size_t limit, const RankOptions& options) {
  std::vector<RankedCause> ranked = RankCauses(graph, matches, symptom, options);
  if (ranked.size() > limit) ranked.resize(limit);
  std::vector<Diagnosis> result;
  for (RankedCause& cause : ranked) {
    Diagnosis d;
    d.best = &matches[cause.matches.front()];
    for (size_t i : cause.matches) {
      const std::string& name = matches[i].pattern;
      if (std::find(d.patterns.begin(), d.patterns.end(), name) == d.patterns.end()) {
        d.patterns.push_back(name);
      }
    }
    d.impact = AssessImpact(graph, matches, cause, symptom.at_ns);
    d.severity = AssessSeverity(graph, *d.best, cause, d.impact, symptom.at_ns);
    d.chain = Chain(*d.best);
    d.first_event_ns = d.best->trigger.time_ns;
    for (const ChainLink& link : d.chain) {
      if (!link.against) d.first_event_ns = std::min(d.first_event_ns, link.event->time_ns);
    }
    d.detected_ns = d.best->concluded_ns;
    d.time_to_detection_ns = std::max<int64_t>(0, d.detected_ns - d.first_event_ns);
    d.cause = std::move(cause);
    result.push_back(std::move(d));
  }
  return result;
}

}  // namespace tapio::intelligence
