// What the JSON-reading collectors (the Kubernetes API, OTLP) say about simdjson values in
// their errors, and its text as abseil's string view. Header-only; thread-safe (stateless).
#ifndef TAPIO_COLLECTORS_SIMDJSON_TEXT_H_
#define TAPIO_COLLECTORS_SIMDJSON_TEXT_H_

#include <string_view>

#include "absl/strings/string_view.h"
#include "simdjson.h"

namespace tapio::collectors {

// "an array", "a string", …, for "expected X, got Y".
inline absl::string_view JsonTypeName(simdjson::ondemand::json_type type) {
  switch (type) {
    case simdjson::ondemand::json_type::array:
      return "an array";
    case simdjson::ondemand::json_type::object:
      return "an object";
    case simdjson::ondemand::json_type::number:
      return "a number";
    case simdjson::ondemand::json_type::string:
      return "a string";
    case simdjson::ondemand::json_type::boolean:
      return "a boolean";
    case simdjson::ondemand::json_type::null:
      return "null";
  }
  return "something else";
}

// Debian's abseil has its own string_view; simdjson hands out std::string_view.
inline absl::string_view View(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

}  // namespace tapio::collectors

#endif  // TAPIO_COLLECTORS_SIMDJSON_TEXT_H_
