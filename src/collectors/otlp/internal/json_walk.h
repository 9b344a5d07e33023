// Typed reads of simdjson on-demand values for the OTLP/JSON reader, with the JSON path of
// the value being read ("resourceSpans[0].scopeSpans[1].spans[3].traceId"), so that a problem
// names where it is. Two kinds of problem: a value of the wrong type or out of range spoils
// the record being read (record_error(), cleared per record), while broken JSON ends the
// document (broken(), sticky: the on-demand iterator cannot go past it). Not thread-safe; one
// per document.
#ifndef TAPIO_COLLECTORS_OTLP_INTERNAL_JSON_WALK_H_
#define TAPIO_COLLECTORS_OTLP_INTERNAL_JSON_WALK_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "simdjson.h"

namespace tapio::collectors::otlp::internal {

namespace ondemand = ::simdjson::ondemand;

// One OTLP AnyValue as far as the reader needs it: its text (strings as they are, numbers and
// booleans spelled out, arrays and key-value lists rendered compactly), cut at the caller's
// limit, and its integer when it is one (intValue, or a stringValue of decimal digits).
struct AnyValue {
  std::string text;
  bool has_integer = false;
  int64_t integer = 0;
};

class JsonWalk {
 public:
  // Names one path segment while a nested value is read. `key` must outlive the scope (a
  // literal); the path is spelled out only when a problem is recorded.
  class Scope {
   public:
    Scope(JsonWalk& walk, absl::string_view key) : walk_(walk) { walk_.Push({key, 0}); }
    Scope(JsonWalk& walk, size_t index) : walk_(walk) { walk_.Push({{}, index}); }
    ~Scope() { --walk_.depth_; }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    JsonWalk& walk_;
  };

  // True while neither the record nor the document has a problem.
  bool ok() const { return record_error_.ok() && broken_.ok(); }
  bool broken() const { return !broken_.ok(); }
  // The first problem of the current record, "path: problem".
  const absl::Status& record_error() const { return record_error_; }
  // Why the document ended early, "path: problem".
  const absl::Status& broken_error() const { return broken_; }
  // Where the document ended early ("" at the top).
  const std::string& broken_path() const { return broken_path_; }
  // The path of the value being read ("" at the top).
  std::string path() const { return Path(); }
  void ClearRecordError() { record_error_ = absl::OkStatus(); }

  // Records a problem with the current record at the current path (the first one wins).
  void Fail(absl::string_view problem);
  // Records what `error` means: a type or number error spoils the record, anything else
  // ends the document.
  void Fail(simdjson::error_code error, absl::string_view expected);

  // Each returns the value read, or an empty/zero value when the JSON value is null or
  // when it records a problem.
  // A string, cut at `max_bytes` (at a UTF-8 character boundary).
  std::string Text(ondemand::value value, size_t max_bytes);
  // A protobuf int64 or uint64 field: a JSON number or a decimal string, in [0, INT64_MAX].
  int64_t Unsigned(ondemand::value value);
  // Unix nanoseconds (fixed64 in the proto: a decimal string or a number).
  int64_t Nanos(ondemand::value value) { return Unsigned(value); }
  // A protobuf enum: its number, or its name when `names[i]` names value i ("" for gaps).
  int32_t Enum(ondemand::value value, absl::Span<const absl::string_view> names);
  // A trace id (16 bytes) or span id (8 bytes) in hex, either case; "" and null are all
  // zeros.
  void HexId(ondemand::value value, absl::Span<uint8_t> out);
  // An AnyValue object, its text cut at `max_bytes`.
  AnyValue Any(ondemand::value value, size_t max_bytes);

  // True when `value` is null.
  static bool IsNull(ondemand::value& value);
  // Gets `value` as an object; returns false when it is not one, recording a problem unless
  // it is null.
  bool GetObject(ondemand::value value, ondemand::object* object);
  // Calls `visit(key, value)` for each field of an object (null is an empty object).
  template <typename Visit>
  void ForEachField(ondemand::value value, Visit&& visit);
  // As above, from where the iteration of `object` stands (its start, or after reset()).
  template <typename Visit>
  void ForEachField(ondemand::object& object, Visit&& visit);
  // Calls `visit(index, value)` for each element of an array (null is an empty array), with
  // the index scoped on the path. Stops at the first problem; a visitor that reads one record
  // per element reports and clears the record's problem to go on with the next.
  template <typename Visit>
  void ForEachElement(ondemand::value value, Visit&& visit);

 private:
  struct Segment {
    absl::string_view key;  // empty: an array index
    size_t index;
  };
  // OTLP nests about eight deep; deeper segments (inside kvlist values) are not named.
  static constexpr size_t kMaxDepth = 16;

  void FailType(ondemand::value& value, absl::string_view expected);
  // As Fail(error, expected), naming the type found when it is the wrong one.
  void FailValue(ondemand::value& value, simdjson::error_code error, absl::string_view expected);
  AnyValue AnyAt(ondemand::value value, size_t max_bytes, int depth);
  // Appends an arrayValue or kvlistValue (`keyed`) as "[a, b]" or "{k=v, k2=v2}".
  void Render(ondemand::value value, bool keyed, size_t max_bytes, int depth, std::string* out);
  std::string Path() const;
  void Push(Segment segment) {
    if (depth_ < kMaxDepth) path_[depth_] = segment;
    ++depth_;
  }

  std::array<Segment, kMaxDepth> path_{};
  size_t depth_ = 0;
  absl::Status record_error_;
  absl::Status broken_;
  std::string broken_path_;
};

template <typename Visit>
void JsonWalk::ForEachField(ondemand::value value, Visit&& visit) {
  ondemand::object object;
  if (!ok() || !GetObject(value, &object)) return;
  ForEachField(object, std::forward<Visit>(visit));
}

template <typename Visit>
void JsonWalk::ForEachField(ondemand::object& object, Visit&& visit) {
  if (!ok()) return;
  for (auto field : object) {
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return Fail(error, "a key");
    ondemand::value inner;
    if (auto error = field.value().get(inner)) return Fail(error, "a value");
    visit(absl::string_view(key.data(), key.size()), inner);
    if (!ok()) return;
  }
}

template <typename Visit>
void JsonWalk::ForEachElement(ondemand::value value, Visit&& visit) {
  if (!ok()) return;
  ondemand::array array;
  if (auto error = value.get_array().get(array)) {
    if (!IsNull(value)) FailValue(value, error, "an array");
    return;
  }
  size_t index = 0;
  for (auto element : array) {
    ondemand::value inner;
    if (auto error = element.get(inner)) return Fail(error, "an element");
    Scope scope(*this, index);
    visit(index, inner);
    ++index;
    if (!ok()) return;
  }
}

}  // namespace tapio::collectors::otlp::internal

#endif  // TAPIO_COLLECTORS_OTLP_INTERNAL_JSON_WALK_H_
