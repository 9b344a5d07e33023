// Answers "why did this entity fail at this time?" from the pattern matches made so far: it
// walks the graph from the symptom — the entity itself, its owners, its node, its claims and
// configuration, the services it calls — keeps the matches whose cause or evidence lies on
// that walk, scores each as the product of the match's confidence (supporting evidence
// raises it, contradicting evidence lowers it), how close the cause is to the symptom in the
// graph, whether and how long before the symptom it came, and how deep its layer lies, and
// merges matches that name the same cause. Thread-safe (reads only).
#ifndef TAPIO_INTELLIGENCE_RCA_ROOT_CAUSE_RANKER_H_
#define TAPIO_INTELLIGENCE_RCA_ROOT_CAUSE_RANKER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "domain/entity.h"
#include "intelligence/patterns/pattern_match.h"
#include "intelligence/topology/topology_graph.h"

namespace tapio::intelligence {

struct Symptom {
  domain::EntityId entity;
  int64_t at_ns = 0;
};

// One term of a cause's score: its name ("confidence", "proximity", "timing", "layer",
// "agreement"), its value and why it has that value.
struct ScoreFactor {
  std::string name;
  double value = 0;
  std::string reason;
};

struct RankedCause {
  std::string category;
  domain::EntityId entity;
  // In [0, 1]: the product of the best match's factors, plus the agreement bonus.
  double score = 0;
  // How the cause is linked to the symptom: "self", "owner", "node", "claims", "callees", ….
  std::string relation;
  // Indexes into the matches given, best first.
  std::vector<size_t> matches;
  // How the score was made: the factors multiplied, then the agreement bonus added.
  std::vector<ScoreFactor> factors;
  // The factors in one line, for --explain.
  std::string explanation;
};

struct RankOptions {
  // Matches triggered this long after the symptom's time are not its cause.
  int64_t after_slack_ns = int64_t{5} * 60 * 1000000000;
  // Nor are those older than this before it.
  int64_t lookback_ns = int64_t{6} * 3600 * 1000000000;
  // Causes older than this before the symptom count less.
  int64_t recent_ns = int64_t{3600} * 1000000000;
};

// Ranks the causes of `symptom` among `matches`, best first; empty when nothing explains it.
std::vector<RankedCause> RankCauses(const TopologyGraph& graph,
                                    const std::vector<PatternMatch>& matches,
                                    const Symptom& symptom, const RankOptions& options = {});

}  // namespace tapio::intelligence

#endif  // TAPIO_INTELLIGENCE_RCA_ROOT_CAUSE_RANKER_H_
