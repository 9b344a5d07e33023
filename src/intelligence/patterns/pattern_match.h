// What the pattern engine concludes: a pattern that matched, the entity at fault, the
// evidence it found with the relation that reached each piece, the root-cause sentence and
// the actions, rendered for the entities involved. A plain value.
#ifndef TAPIO_INTELLIGENCE_PATTERNS_PATTERN_MATCH_H_
#define TAPIO_INTELLIGENCE_PATTERNS_PATTERN_MATCH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "domain/entity.h"
#include "domain/event.h"

namespace tapio::intelligence {

// At most this many events are kept per evidence item; `count` has them all.
inline constexpr size_t kMaxEventsPerEvidence = 5;
inline constexpr size_t kMaxTriggerEntities = 64;

struct MatchEvidence {
  std::string id;
  // Supporting or weighted contradicting evidence moved the confidence by this much (a
  // contradicting item by a negative amount); 0 for required evidence.
  double weight = 0;
  bool contradicting = false;
  // The relation path that reached it, as the pattern wrote it ("trigger.node").
  std::string relation;
  uint32_t count = 0;
  // The first events found, in time order.
  std::vector<domain::Event> events;
};

struct PatternMatch {
  std::string pattern;
  std::string category;
  std::string layer;
  domain::Severity severity = domain::Severity::kUnspecified;
  // The pattern's own confidence, then raised by the supporting evidence found and lowered by
  // weighted contradicting evidence; in [0, 1].
  double base_confidence = 0;
  double confidence = 0;
  domain::EntityId at_fault;
  // The first trigger; later triggers for the same cause only raise `occurrences`.
  domain::Event trigger;
  std::vector<MatchEvidence> evidence;
  std::string root_cause;
  std::vector<std::string> immediate;
  std::vector<std::string> short_term;
  std::vector<std::string> investigate;
  uint32_t occurrences = 1;
  // The entities of every trigger that joined this match, the first trigger's first; at most
  // kMaxTriggerEntities (what one cause hits, for ranking and impact).
  std::vector<domain::EntityId> trigger_entities;
  int64_t last_trigger_ns = 0;
  // Wall-clock time from the trigger reaching the engine to this match being emitted.
  int64_t detection_ns = 0;
  // Stream time when the engine concluded: the newest event time seen then, or, at the end of
  // a replay, when the trigger's required evidence window closed.
  int64_t concluded_ns = 0;
  // Evidence that arrived after the conclusion vetoed it: the match no longer stands.
  bool retracted = false;
};

}  // namespace tapio::intelligence

#endif  // TAPIO_INTELLIGENCE_PATTERNS_PATTERN_MATCH_H_
