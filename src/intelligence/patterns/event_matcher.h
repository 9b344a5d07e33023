// A compiled test of one event: its type is one of a set and every field condition holds.
// Immutable once built, so thread-safe to share.
#ifndef TAPIO_INTELLIGENCE_PATTERNS_EVENT_MATCHER_H_
#define TAPIO_INTELLIGENCE_PATTERNS_EVENT_MATCHER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "domain/event.h"
#include "intelligence/patterns/event_field.h"
#include "re2/re2.h"

namespace tapio::intelligence {

struct FieldCondition {
  enum class Op : uint8_t {
    // The value is one of `texts` (or of `numbers`, for a numeric field).
    kEquals,
    // The text contains one of `texts`, ignoring case.
    kContains,
    // RE2 partial match.
    kMatches,
    kAtLeast,
    kAtMost,
    // The event has the field at all (a non-empty text).
    kExists,
  };

  EventField field;
  Op op = Op::kEquals;
  // The condition must not hold.
  bool negate = false;
  // Lower-cased for kContains.
  std::vector<std::string> texts;
  std::vector<int64_t> numbers;
  std::shared_ptr<const RE2> regex;

  bool Holds(const domain::Event& event) const;
};

struct EventMatcher {
  // Any of these types; never empty in a loaded pattern.
  std::vector<domain::Symbol> types;
  // All of these.
  std::vector<FieldCondition> conditions;

  bool Matches(const domain::Event& event) const;
};

}  // namespace tapio::intelligence

#endif  // TAPIO_INTELLIGENCE_PATTERNS_EVENT_MATCHER_H_
