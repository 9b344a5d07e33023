// The one place tapio.yaml's keys are defined: their types, defaults, allowed values and
// meaning. The loader validates against it, DefaultConfig() parses its defaults with the code
// that parses user values, and the reference in docs/configuration.md is generated from it.
// Thread-safe: the schema is built once and never changes.
#ifndef TAPIO_CONFIG_SCHEMA_H_
#define TAPIO_CONFIG_SCHEMA_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "config/config.h"

namespace tapio::config {

enum class ValueType { kInteger, kDuration, kString, kEnum };

// A parsed value; only the member of the key's type is set.
struct Value {
  int64_t integer = 0;
  absl::Duration duration;
  std::string text;
};

struct Key {
  // Dotted path, split into `segments`. A segment written "<name>" (at most one per path)
  // stands for any of `names`: "pipeline.sources.<source>.overflow".
  std::string path;
  std::vector<std::string> segments;
  ValueType type = ValueType::kString;
  // Parsed like a user's value. Unset only for keys under a "<name>" segment.
  std::optional<std::string> default_text;
  // Inclusive bounds: integers' values, strings' length in bytes (max 0: no limit).
  int64_t min = 0;
  int64_t max = 0;
  // Inclusive bounds of durations.
  absl::Duration min_duration;
  absl::Duration max_duration;
  // The words an enum accepts.
  std::vector<std::string> words;
  // The names a "<name>" segment accepts, and what they are ("a source").
  std::vector<std::string> names;
  std::string names_are;
  // One line for the reference.
  std::string doc;
  // Stores a parsed value into `config`; `name` is what "<name>" matched ("" if none).
  std::function<void(const Value& value, absl::string_view name, Config& config)> apply;
};

// Every key, in the order the reference lists them.
const std::vector<Key>& Schema();

// Parses `text` as a value of `key`. On failure returns InvalidArgument whose message says
// what was expected and what was given, without file, line or key (the caller adds those).
absl::StatusOr<Value> ParseValue(const Key& key, absl::string_view text);

// `text` as an error message shows it: control characters, quotes and backslashes escaped, cut
// after 80 bytes (marked "…"), so hostile input can neither flood nor garble a terminal.
std::string Printable(absl::string_view text);
// Printable(text) in double quotes.
std::string Quoted(absl::string_view text);

// The reference table of every key, in Markdown: key, type, default, allowed values,
// meaning. docs/configuration.md holds exactly this between its GENERATED markers.
std::string ConfigReferenceMarkdown();

}  // namespace tapio::config

#endif  // TAPIO_CONFIG_SCHEMA_H_
