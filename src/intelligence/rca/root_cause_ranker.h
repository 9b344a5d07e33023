// Answers "why did this entity fail at this time?" from the pattern matches made so far: it
// walks the graph from the symptom — the entity itself, its owners, its node, its claims and
// configuration, the services it calls — keeps the matches whose cause or evidence lies on
// that walk, scores each by the pattern's confidence, how close the cause is to the symptom
// and how near in time it came before it, and merges matches that name the same cause.
// Thread-safe (reads only).
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

struct RankedCause {
  std::string category;
  domain::EntityId entity;
  // In [0, 1]: the best match's confidence, weighed by closeness in the graph and in time.
  double score = 0;
  // How the cause is linked to the symptom: "self", "owner", "node", "claims", "callees", ….
  std::string relation;
  // Indexes into the matches given, best first.
  std::vector<size_t> matches;
  // How the score was made, one clause per factor, for --explain.
  std::string explanation;
};

struct RankOptions {
  // Matches triggered this long after the symptom's time are not its cause.
  int64_t after_slack_ns = int64_t{5} * 60 * 1000000000;
  // Nor are those older than this before it.
  int64_t lookback_ns = int64_t{6} * 3600 * 1000000000;
};

// Ranks the causes of `symptom` among `matches`, best first; empty when nothing explains it.
std::vector<RankedCause> RankCauses(const TopologyGraph& graph,
                                    const std::vector<PatternMatch>& matches,
                                    const Symptom& symptom, const RankOptions& options = {});

}  // namespace tapio::intelligence

#endif  // TAPIO_INTELLIGENCE_RCA_ROOT_CAUSE_RANKER_H_
