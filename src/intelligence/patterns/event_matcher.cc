#include "intelligence/patterns/event_matcher.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace tapio::intelligence {
namespace {

bool Test(const FieldCondition& c, const std::optional<FieldValue>& value) {
  if (c.op == FieldCondition::Op::kExists) return value.has_value();
  if (!value.has_value()) return false;
  if (value->number.has_value()) {
    int64_t n = *value->number;
    switch (c.op) {
      case FieldCondition::Op::kEquals:
        return std::find(c.numbers.begin(), c.numbers.end(), n) != c.numbers.end();
      case FieldCondition::Op::kAtLeast:
        return !c.numbers.empty() && n >= c.numbers.front();
      case FieldCondition::Op::kAtMost:
        return !c.numbers.empty() && n <= c.numbers.front();
      default:
        break;
    }
  }
  std::string text = FieldText(*value);
  switch (c.op) {
    case FieldCondition::Op::kEquals:
      return std::find(c.texts.begin(), c.texts.end(), text) != c.texts.end();
    case FieldCondition::Op::kContains: {
      std::string lower = absl::AsciiStrToLower(text);
      return std::any_of(c.texts.begin(), c.texts.end(), [&](const std::string& needle) {
        return absl::StrContains(lower, needle);
      });
    }
    case FieldCondition::Op::kMatches:
      return c.regex != nullptr && RE2::PartialMatch(text, *c.regex);
    default:
      return false;
  }
}

}  // namespace

bool FieldCondition::Holds(const domain::Event& event) const {
  return Test(*this, ReadField(event, field)) != negate;
}

bool EventMatcher::Matches(const domain::Event& event) const {
  if (std::find(types.begin(), types.end(), event.type) == types.end()) return false;
  return std::all_of(conditions.begin(), conditions.end(),
                     [&](const FieldCondition& c) { return c.Holds(event); });
}

}  // namespace tapio::intelligence
