// Typed reads of simdjson on-demand values for the Kubernetes decoders, recording the first
// problem with the JSON path where it happened ("status.containerStatuses[1].restartCount:
// expected an integer"). Not thread-safe; one per decode.
#ifndef TAPIO_COLLECTORS_KUBEAPI_INTERNAL_JSON_FIELDS_H_
#define TAPIO_COLLECTORS_KUBEAPI_INTERNAL_JSON_FIELDS_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "collectors/kubeapi/internal/decode_memo.h"
#include "domain/kube_object.h"
#include "domain/symbol_table.h"
#include "simdjson.h"

namespace tapio::collectors::kubeapi::internal {

namespace ondemand = ::simdjson::ondemand;

// Longest string kept from an object; longer ones are cut (a 10 MB message helps nobody).
inline constexpr size_t kMaxKeptString = 32 * 1024;

// An object's key. Compared with a literal, it costs a length test and a few inlined loads:
// decoders try each key against a chain of names, where a call to memcmp per name showed.
class JsonKey {
 public:
  explicit JsonKey(absl::string_view text) : text_(text) {}
  operator absl::string_view() const { return text_; }  // NOLINT: used where text is wanted

  template <size_t N>
  bool operator==(const char (&name)[N]) const {
    return text_.size() == N - 1 && __builtin_memcmp(text_.data(), name, N - 1) == 0;
  }
  bool operator==(absl::string_view name) const { return text_ == name; }

 private:
  absl::string_view text_;
};

class JsonFields {
 public:
  // Scopes a path segment for the duration of a nested read. `segment` must outlive the
  // scope (a literal, or a key in the parser's buffer). The path is only spelled out when a
  // problem is recorded: building it on every field cost 8 % of decoding.
  class Scope {
   public:
    Scope(JsonFields& fields, absl::string_view segment) : fields_(fields) {
      fields_.Push({segment, 0});
    }
    Scope(JsonFields& fields, size_t index) : fields_(fields) { fields_.Push({{}, index}); }
    ~Scope() { --fields_.depth_; }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    JsonFields& fields_;
  };

  // Reads results through `previous`, the memo of the object's last decode (may be null), and
  // builds this decode's memo in `next`, which is only written once the two differ. Without a
  // call, nothing is remembered.
  void UseMemo(const DecodeMemo* previous, DecodeMemo* next) {
    previous_ = previous;
    next_ = next;
    offset_ = 0;
    differs_ = previous == nullptr;
    if (differs_) next_->Clear();
  }
  // After the decode: whether `next` holds this decode's memo; when false, `previous` does.
  bool MemoChanged();

  bool ok() const { return status_.ok(); }
  const absl::Status& status() const { return status_; }
  // Records a problem at the current path (the first one wins).
  void Fail(absl::string_view problem);

  // Each returns the value, or a default when the JSON value is null; a value of the wrong
  // type records a problem.
  domain::Symbol Symbol(ondemand::value value);
  // A container id, without its runtime's prefix ("containerd://").
  domain::Symbol ContainerId(ondemand::value value);
  // An object key that is itself data (a label's key).
  domain::Symbol KeySymbol(absl::string_view key);
  std::string String(ondemand::value value);
  int64_t Int(ondemand::value value);
  bool Bool(ondemand::value value);
  // RFC 3339 time (null → 0).
  int64_t Time(ondemand::value value);
  // A quantity ("256Mi", "1.5G", "200m") scaled by `scale` (1 for bytes, 1000 for millicores).
  int64_t Quantity(ondemand::value value, int64_t scale);
  // A map of strings to strings (labels, selectors).
  domain::Labels StringMap(ondemand::value value);

  // Iterates the fields of an object; records a problem if `value` is not an object (null is
  // an empty object). `visit(key, value)` is called for each field.
  template <typename Visit>
  void ForEachField(ondemand::value value, Visit&& visit);
  // Iterates the elements of an array (null is an empty array).
  template <typename Visit>
  void ForEachElement(ondemand::value value, Visit&& visit);

 private:
  static bool IsNull(ondemand::value& value);
  // The result of `decode` for the next position, taken from the memo when `reader` read the
  // same token there last time.
  template <typename Decode>
  uint64_t Remembered(char reader, std::string_view token, Decode&& decode);
  domain::Symbol InternString(ondemand::value value, bool container_id);
  void FailType(ondemand::value& value, absl::string_view expected);

  // A key, or an array index when the key is empty.
  struct Segment {
    absl::string_view key;
    size_t index;
  };
  // Kubernetes objects nest about ten deep; segments below kMaxDepth are not named.
  static constexpr size_t kMaxDepth = 24;
  void Push(Segment segment) {
    if (depth_ < kMaxDepth) path_[depth_] = segment;
    ++depth_;
  }
  std::array<Segment, kMaxDepth> path_;
  size_t depth_ = 0;
  absl::Status status_;
  const DecodeMemo* previous_ = nullptr;
  DecodeMemo* next_ = nullptr;
  // Where the next position starts in `previous_`.
  size_t offset_ = 0;
  bool differs_ = false;
};

template <typename Decode>
uint64_t JsonFields::Remembered(char reader, std::string_view token, Decode&& decode) {
  if (next_ == nullptr) return decode();
  size_t start = offset_;
  std::optional<uint64_t> kept;
  if (previous_ != nullptr) kept = previous_->Read(&offset_, reader, token);
  if (kept.has_value() && !differs_) return *kept;
  if (!differs_) {
    next_->AssignPrefix(previous_, start);
    differs_ = true;
  }
  uint64_t result = kept.has_value() ? *kept : decode();
  next_->Append(reader, token, result);
  return result;
}

template <typename Visit>
void JsonFields::ForEachField(ondemand::value value, Visit&& visit) {
  if (!ok()) return;
  ondemand::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) {
    if (!IsNull(value)) FailType(value, "an object");
    return;
  }
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return Fail("unreadable key");
    ondemand::value inner;
    if (field.value().get(inner) != simdjson::SUCCESS) return Fail("unreadable value");
    visit(JsonKey(absl::string_view(key.data(), key.size())), inner);
    if (!ok()) return;
  }
}

template <typename Visit>
void JsonFields::ForEachElement(ondemand::value value, Visit&& visit) {
  if (!ok()) return;
  ondemand::array array;
  if (value.get_array().get(array) != simdjson::SUCCESS) {
    if (!IsNull(value)) FailType(value, "an array");
    return;
  }
  size_t index = 0;
  for (auto element : array) {
    ondemand::value inner;
    if (element.get(inner) != simdjson::SUCCESS) return Fail("unreadable element");
    Scope scope(*this, index++);
    visit(inner);
    if (!ok()) return;
  }
}

}  // namespace tapio::collectors::kubeapi::internal

#endif  // TAPIO_COLLECTORS_KUBEAPI_INTERNAL_JSON_FIELDS_H_
