#include "collectors/otlp/internal/json_walk.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "collectors/simdjson_text.h"

namespace tapio::collectors::otlp::internal {
namespace {

using collectors::JsonTypeName;
using collectors::View;

// Errors after which the iterator still stands on the same value and can move past it.
bool IsValueError(simdjson::error_code error) {
  switch (error) {
    case simdjson::INCORRECT_TYPE:
    case simdjson::NUMBER_OUT_OF_RANGE:
    case simdjson::NUMBER_ERROR:
    case simdjson::STRING_ERROR:
      return true;
    default:
      return false;
  }
}

// Appends as much of `piece` as fits in `max_bytes`, never splitting a UTF-8 sequence.
void AppendCut(absl::string_view piece, size_t max_bytes, std::string* out) {
  if (out->size() >= max_bytes) return;
  size_t room = max_bytes - out->size();
  if (piece.size() > room) {
    size_t cut = room;
    while (cut > 0 && (static_cast<unsigned char>(piece[cut]) & 0xC0) == 0x80) --cut;
    piece = piece.substr(0, cut);
  }
  out->append(piece.data(), piece.size());
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Longest kvlist or array nesting rendered; deeper values show as "…".
constexpr int kMaxRenderDepth = 8;

}  // namespace

std::string JsonWalk::Path() const {
  std::string path;
  for (size_t i = 0; i < std::min(depth_, kMaxDepth); ++i) {
    const Segment& segment = path_[i];
    if (segment.key.empty()) {
      absl::StrAppend(&path, "[", segment.index, "]");
    } else {
      absl::StrAppend(&path, path.empty() ? "" : ".", segment.key);
    }
  }
  if (depth_ > kMaxDepth) absl::StrAppend(&path, "…");
  return path;
}

void JsonWalk::Fail(absl::string_view problem) {
  if (!record_error_.ok() || broken()) return;
  std::string path = Path();
  record_error_ = absl::InvalidArgumentError(path.empty() ? std::string(problem)
                                                          : absl::StrCat(path, ": ", problem));
}

void JsonWalk::Fail(simdjson::error_code error, absl::string_view expected) {
  if (IsValueError(error)) {
    if (error == simdjson::INCORRECT_TYPE) {
      return Fail(absl::StrCat("expected ", expected));
    }
    return Fail(absl::StrCat("expected ", expected, ": ", simdjson::error_message(error)));
  }
  if (broken()) return;
  std::string path = Path();
  broken_path_ = path;
  std::string problem = absl::StrCat("malformed JSON: ", simdjson::error_message(error));
  broken_ = absl::InvalidArgumentError(path.empty() ? problem : absl::StrCat(path, ": ", problem));
}

bool JsonWalk::IsNull(ondemand::value& value) {
  bool is_null = false;
  return value.is_null().get(is_null) == simdjson::SUCCESS && is_null;
}

void JsonWalk::FailType(ondemand::value& value, absl::string_view expected) {
  ondemand::json_type type;
  if (auto error = value.type().get(type)) return Fail(error, expected);
  Fail(absl::StrCat("expected ", expected, ", got ", JsonTypeName(type)));
}

void JsonWalk::FailValue(ondemand::value& value, simdjson::error_code error,
                         absl::string_view expected) {
  if (error == simdjson::INCORRECT_TYPE) return FailType(value, expected);
  Fail(error, expected);
}

bool JsonWalk::GetObject(ondemand::value value, ondemand::object* object) {
  if (auto error = value.get_object().get(*object)) {
    if (!IsNull(value)) FailValue(value, error, "an object");
    return false;
  }
  return true;
}

std::string JsonWalk::Text(ondemand::value value, size_t max_bytes) {
  if (!ok()) return {};
  std::string_view text;
  if (auto error = value.get_string().get(text)) {
    if (error != simdjson::INCORRECT_TYPE || !IsNull(value)) FailValue(value, error, "a string");
    return {};
  }
  std::string out;
  AppendCut(View(text), max_bytes, &out);
  return out;
}

int64_t JsonWalk::Unsigned(ondemand::value value) {
  if (!ok()) return 0;
  ondemand::json_type type;
  if (auto error = value.type().get(type)) {
    Fail(error, "an integer");
    return 0;
  }
  uint64_t number = 0;
  if (type == ondemand::json_type::number) {
    if (auto error = value.get_uint64().get(number)) {
      Fail(error, "a non-negative integer");
      return 0;
    }
  } else if (type == ondemand::json_type::string) {
    std::string_view text;
    if (auto error = value.get_string().get(text)) {
      Fail(error, "a decimal string");
      return 0;
    }
    absl::string_view digits = View(text);
    if (digits.empty() || digits.size() > 20 ||
        !std::all_of(digits.begin(), digits.end(), absl::ascii_isdigit) ||
        !absl::SimpleAtoi(digits, &number)) {
      Fail(absl::StrCat("expected a non-negative decimal integer, got \"", digits.substr(0, 32),
                        digits.size() > 32 ? "…" : "", "\""));
      return 0;
    }
  } else if (type == ondemand::json_type::null) {
    return 0;
  } else {
    Fail(absl::StrCat("expected an integer, got ", JsonTypeName(type)));
    return 0;
  }
  if (number > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    Fail(absl::StrCat(number, " is out of range"));
    return 0;
  }
  return static_cast<int64_t>(number);
}

int32_t JsonWalk::Enum(ondemand::value value, absl::Span<const absl::string_view> names) {
  if (!ok()) return 0;
  ondemand::json_type type;
  if (auto error = value.type().get(type)) {
    Fail(error, "an enum value");
    return 0;
  }
  if (type == ondemand::json_type::number) {
    int64_t number = 0;
    if (auto error = value.get_int64().get(number)) {
      Fail(error, "an integer");
      return 0;
    }
    if (number < std::numeric_limits<int32_t>::min() ||
        number > std::numeric_limits<int32_t>::max()) {
      Fail(absl::StrCat(number, " is out of range"));
      return 0;
    }
    return static_cast<int32_t>(number);
  }
  if (type == ondemand::json_type::string) {
    std::string_view text;
    if (auto error = value.get_string().get(text)) {
      Fail(error, "an enum name");
      return 0;
    }
    for (size_t i = 0; i < names.size(); ++i) {
      if (!names[i].empty() && names[i] == View(text)) return static_cast<int32_t>(i);
    }
    Fail(absl::StrCat("unknown enum name \"", View(text).substr(0, 64), "\""));
    return 0;
  }
  if (type != ondemand::json_type::null) {
    Fail(absl::StrCat("expected an enum value, got ", JsonTypeName(type)));
  }
  return 0;
}

void JsonWalk::HexId(ondemand::value value, absl::Span<uint8_t> out) {
  std::fill(out.begin(), out.end(), 0);
  if (!ok()) return;
  std::string_view text;
  if (auto error = value.get_string().get(text)) {
    if (error != simdjson::INCORRECT_TYPE || !IsNull(value)) {
      FailValue(value, error, "a hex string");
    }
    return;
  }
  if (text.empty()) return;
  if (text.size() != out.size() * 2) {
    return Fail(
        absl::StrCat("expected ", out.size() * 2, " hex digits, got ", text.size(), " characters"));
  }
  for (size_t i = 0; i < out.size(); ++i) {
    int high = HexDigit(text[2 * i]);
    int low = HexDigit(text[2 * i + 1]);
    if (high < 0 || low < 0) {
      return Fail(absl::StrCat("expected hex digits, got a non-hex character at offset ",
                               high < 0 ? 2 * i : 2 * i + 1));
    }
    out[i] = static_cast<uint8_t>(high * 16 + low);
  }
}

AnyValue JsonWalk::Any(ondemand::value value, size_t max_bytes) {
  return AnyAt(value, max_bytes, 0);
}

AnyValue JsonWalk::AnyAt(ondemand::value value, size_t max_bytes, int depth) {
  AnyValue any;
  bool seen = false;
  ForEachField(value, [&](absl::string_view key, ondemand::value inner) {
    if (seen) return;
    if (key == "stringValue") {
      seen = true;
      Scope scope(*this, "stringValue");
      any.text = Text(inner, max_bytes);
      int64_t number = 0;
      if (!any.text.empty() && any.text.size() <= 18 &&
          std::all_of(any.text.begin(), any.text.end(), absl::ascii_isdigit) &&
          absl::SimpleAtoi(any.text, &number)) {
        any.has_integer = true;
        any.integer = number;
      }
    } else if (key == "intValue") {
      seen = true;
      Scope scope(*this, "intValue");
      ondemand::json_type type;
      if (auto error = inner.type().get(type)) return Fail(error, "an integer");
      int64_t number = 0;
      if (type == ondemand::json_type::number) {
        if (auto error = inner.get_int64().get(number)) return Fail(error, "an integer");
      } else {
        std::string text = Text(inner, 32);
        if (!ok()) return;
        if (!absl::SimpleAtoi(text, &number)) {
          return Fail(absl::StrCat("expected a decimal integer, got \"", text, "\""));
        }
      }
      any.has_integer = true;
      any.integer = number;
      any.text = absl::StrCat(number);
    } else if (key == "boolValue") {
      seen = true;
      Scope scope(*this, "boolValue");
      bool flag = false;
      if (auto error = inner.get_bool().get(flag)) return Fail(error, "a boolean");
      any.text = flag ? "true" : "false";
    } else if (key == "doubleValue") {
      seen = true;
      Scope scope(*this, "doubleValue");
      double number = 0;
      if (inner.get_double().get(number) == simdjson::SUCCESS) {
        any.text = absl::StrCat(number);
      } else {
        // Proto3 JSON spells NaN and the infinities as strings.
        any.text = Text(inner, 16);
      }
    } else if (key == "arrayValue") {
      seen = true;
      Scope scope(*this, "arrayValue");
      Render(inner, /*keyed=*/false, max_bytes, depth, &any.text);
    } else if (key == "kvlistValue") {
      seen = true;
      Scope scope(*this, "kvlistValue");
      Render(inner, /*keyed=*/true, max_bytes, depth, &any.text);
    } else if (key == "bytesValue") {
      seen = true;
      Scope scope(*this, "bytesValue");
      any.text = Text(inner, max_bytes);
    }
  });
  return any;
}

void JsonWalk::Render(ondemand::value value, bool keyed, size_t max_bytes, int depth,
                      std::string* out) {
  AppendCut(keyed ? "{" : "[", max_bytes, out);
  if (depth >= kMaxRenderDepth) {
    AppendCut("…", max_bytes, out);
  } else {
    // Both are {"values": [...]}: AnyValues in an array, KeyValues in a kvlist.
    ForEachField(value, [&](absl::string_view key, ondemand::value values) {
      if (key != "values") return;
      Scope scope(*this, "values");
      ForEachElement(values, [&](size_t index, ondemand::value element) {
        if (index > 0) AppendCut(", ", max_bytes, out);
        if (out->size() >= max_bytes) return;
        ondemand::value any = element;
        if (keyed) {
          ondemand::object object;
          if (auto error = element.get_object().get(object)) return Fail(error, "an object");
          std::string_view element_key;
          if (auto error = object.find_field_unordered("key").get_string().get(element_key)) {
            if (error != simdjson::NO_SUCH_FIELD) return Fail(error, "a string key");
          }
          AppendCut(View(element_key), max_bytes, out);
          AppendCut("=", max_bytes, out);
          if (auto error = object.find_field_unordered("value").get(any)) {
            if (error != simdjson::NO_SUCH_FIELD) Fail(error, "a value");
            return;
          }
        }
        AppendCut(AnyAt(any, max_bytes - std::min(max_bytes, out->size()), depth + 1).text,
                  max_bytes, out);
      });
    });
  }
  AppendCut(keyed ? "}" : "]", max_bytes, out);
}

}  // namespace tapio::collectors::otlp::internal
