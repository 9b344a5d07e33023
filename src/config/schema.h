// The one place tapio.yaml's keys are defined: their types, defaults, allowed values and
// meaning. The loader validates against it, DefaultConfig() parses its defaults, and the
// reference in docs/configuration.md is generated from it.
#ifndef TAPIO_CONFIG_SCHEMA_H_
#define TAPIO_CONFIG_SCHEMA_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "config/config.h"

namespace tapio::config {

enum class ValueType { kInteger, kDuration, kString, kEnum };

// A parsed value of a key.
struct Value {
  int64_t integer = 0;
  absl::Duration duration;
  std::string text;
};

struct Key {
  // Dotted path; one "*" segment stands for a name the key's `name_check` accepts.
  std::string path;
  ValueType type = ValueType::kString;
  std::string default_text;
  // Inclusive bounds for integers and durations.
  int64_t min = 0;
  int64_t max = 0;
  absl::Duration min_duration;
  absl::Duration max_duration;
  std::vector<std::string> values;
  std::string doc;
  // For wildcard keys: what the "*" may be, and what a wrong name gets told.
  std::function<bool(absl::string_view)> name_check;
  std::string name_rule;
  // Stores a valid value; `name` is what "*" matched ("" for plain keys).
  std::function<void(Config&, const Value&, absl::string_view name)> apply;
};

const std::vector<Key>& Schema();

// Parses `text` as a value of `key`; on failure returns InvalidArgument with a message that
// names what was expected (without file, line or key, which the caller adds).
absl::Status ParseValue(const Key& key, absl::string_view text, Value* value);

// The reference table of every key, in Markdown.
std::string ConfigReferenceMarkdown();

}  // namespace tapio::config

#endif  // TAPIO_CONFIG_SCHEMA_H_
