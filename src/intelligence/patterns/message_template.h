// A text with placeholders, as patterns write root causes and actions:
// "raise the memory limit of {trigger.container} in {at_fault} above {kill.memcg_usage_kb|kib}".
// A placeholder names a scope (trigger, at_fault, or an evidence id) and, after a dot, a
// member (an event field, "entity" or "count"); "|kib" prints a KiB figure as a size.
// Immutable once parsed, so thread-safe.
#ifndef TAPIO_INTELLIGENCE_PATTERNS_MESSAGE_TEMPLATE_H_
#define TAPIO_INTELLIGENCE_PATTERNS_MESSAGE_TEMPLATE_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tapio::intelligence {

struct TemplateVariable {
  std::string scope;
  // Empty for "{at_fault}".
  std::string member;
  bool kib = false;
};

class MessageTemplate {
 public:
  // Checks one placeholder when parsing; returns an error saying what is wrong with it.
  using Checker = std::function<absl::Status(const TemplateVariable&)>;
  // Gives a placeholder's text; nullopt when it has no value for this match.
  using Resolver = std::function<std::optional<std::string>(const TemplateVariable&)>;

  // Fails with InvalidArgument on an unclosed or empty "{…}", an unknown filter, or any error
  // `check` returns (prefixed with the placeholder). "{{" and "}}" stand for braces.
  static absl::StatusOr<MessageTemplate> Parse(absl::string_view text, const Checker& check);

  // Placeholders without a value print as "unknown".
  std::string Render(const Resolver& resolve) const;
  const std::string& source() const { return source_; }

 private:
  struct Segment {
    std::string literal;
    std::optional<TemplateVariable> variable;
  };
  std::string source_;
  std::vector<Segment> segments_;
};

// "2.1 GiB", "512 MiB", "900 KiB".
std::string FormatKib(int64_t kib);

}  // namespace tapio::intelligence

#endif  // TAPIO_INTELLIGENCE_PATTERNS_MESSAGE_TEMPLATE_H_
