// A failure pattern as the engine runs it, compiled from one patterns/*.yaml file
// (docs/patterns.md): the events that trigger it, the evidence it looks for on related
// entities around the trigger, and the root cause and actions it concludes. Immutable once
// loaded.
#ifndef TAPIO_INTELLIGENCE_PATTERNS_PATTERN_H_
#define TAPIO_INTELLIGENCE_PATTERNS_PATTERN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "domain/event.h"
#include "intelligence/patterns/event_matcher.h"
#include "intelligence/patterns/message_template.h"
#include "intelligence/patterns/relation_step.h"

namespace tapio::intelligence {

// Where a relation path starts and the steps it takes: "trigger.node.pods" starts at the
// trigger's entity; "pressure.pods" at the entities where evidence "pressure" was found.
struct RelationPath {
  // -1 for the trigger's entity, else the index of an earlier-evaluated evidence item.
  int origin = -1;
  std::vector<RelationStep> steps;
  // As written, for explanations.
  std::string text;
};

struct Evidence {
  enum class Role : uint8_t {
    // Without it the pattern does not match.
    kRequired,
    // Raises the confidence by `weight` when found.
    kSupporting,
    // When found, the pattern does not match (the symptom has another cause); with a weight,
    // it lowers the confidence by that much instead.
    kContradicting,
  };

  std::string id;
  RelationPath on;
  // Without a match the item is about the entities themselves: it is found when its path
  // reaches at least `min_count` entities, and has no window.
  bool has_match = true;
  EventMatcher match;
  // The window around the trigger's time.
  int64_t before_ns = 0;
  int64_t after_ns = 0;
  uint32_t min_count = 1;
  Role role = Role::kRequired;
  double weight = 0;
};

struct Pattern {
  std::string name;
  // The file it came from, and the line where it starts.
  std::string file;
  std::string description;
  std::string category;
  // The layer the cause lives in: kernel, node, network, kubernetes, application.
  std::string layer;
  domain::Severity severity = domain::Severity::kError;
  double confidence = 0.5;
  // Any of these starts an evaluation.
  std::vector<EventMatcher> triggers;
  // Evaluated in order; a path may start from an earlier item.
  std::vector<Evidence> evidence;
  RelationPath at_fault;
  MessageTemplate root_cause;
  std::vector<MessageTemplate> immediate;
  std::vector<MessageTemplate> short_term;
  std::vector<MessageTemplate> investigate;
  // Triggers for the same entity at fault within this time of a match join that match.
  int64_t dedup_ns = 0;

  // How long after a trigger its evidence can still arrive: the largest `after` window.
  int64_t settle_ns() const;
  // How long after a trigger its required evidence can still arrive: when the engine can
  // first conclude. Supporting and contradicting evidence is looked at again at settle_ns.
  int64_t conclude_ns() const;
};

}  // namespace tapio::intelligence

#endif  // TAPIO_INTELLIGENCE_PATTERNS_PATTERN_H_
