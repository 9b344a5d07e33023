#include "collectors/kubeapi/internal/json_fields.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "collectors/kubeapi/quantity.h"
#include "collectors/simdjson_text.h"
#include "domain/time.h"

namespace tapio::collectors::kubeapi::internal {
using collectors::JsonTypeName;
using collectors::View;

void JsonFields::Fail(absl::string_view problem) {
  if (status_.ok()) {
    std::string path;
    for (size_t i = 0; i < std::min(depth_, kMaxDepth); ++i) {
      const Segment& segment = path_[i];
      if (segment.key.empty()) {
        absl::StrAppend(&path, "[", segment.index, "]");
      } else {
        absl::StrAppend(&path, path.empty() ? "" : ".", segment.key);
      }
    }
    status_ = absl::InvalidArgumentError(path.empty() ? std::string(problem)
                                                      : absl::StrCat(path, ": ", problem));
  }
}

bool JsonFields::MemoChanged() {
  if (next_ == nullptr) return false;
  if (!differs_ && offset_ != previous_->bytes()) {
    // The object has fewer positions than last time.
    next_->AssignPrefix(previous_, offset_);
    differs_ = true;
  }
  return differs_;
}

bool JsonFields::IsNull(ondemand::value& value) {
  bool is_null = false;
  return value.is_null().get(is_null) == simdjson::SUCCESS && is_null;
}

void JsonFields::FailType(ondemand::value& value, absl::string_view expected) {
  ondemand::json_type type;
  if (value.type().get(type) != simdjson::SUCCESS) {
    Fail(absl::StrCat("expected ", expected, ", got malformed JSON"));
    return;
  }
  Fail(absl::StrCat("expected ", expected, ", got ", JsonTypeName(type)));
}

std::string JsonFields::String(ondemand::value value) {
  if (!ok()) return {};
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    if (!IsNull(value)) FailType(value, "a string");
    return {};
  }
  return std::string(text.substr(0, kMaxKeptString));
}

domain::Symbol JsonFields::InternString(ondemand::value value, bool container_id) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    if (!IsNull(value)) FailType(value, "a string");
    return {};
  }
  if (container_id) {
    size_t scheme = text.find("://");
    if (scheme != std::string_view::npos) text.remove_prefix(scheme + 3);
  }
  return domain::Intern(View(text.substr(0, kMaxKeptString)));
}

domain::Symbol JsonFields::Symbol(ondemand::value value) {
  if (!ok()) return {};
  return domain::Symbol{static_cast<uint32_t>(
      Remembered('s', value.raw_json_token(), [&] { return InternString(value, false).value; }))};
}

domain::Symbol JsonFields::ContainerId(ondemand::value value) {
  if (!ok()) return {};
  return domain::Symbol{static_cast<uint32_t>(
      Remembered('c', value.raw_json_token(), [&] { return InternString(value, true).value; }))};
}

domain::Symbol JsonFields::KeySymbol(absl::string_view key) {
  if (!ok()) return {};
  return domain::Symbol{
      static_cast<uint32_t>(Remembered('k', std::string_view(key.data(), key.size()), [&] {
        return domain::Intern(key.substr(0, kMaxKeptString)).value;
      }))};
}

int64_t JsonFields::Int(ondemand::value value) {
  if (!ok()) return 0;
  int64_t number;
  if (value.get_int64().get(number) != simdjson::SUCCESS) {
    if (!IsNull(value)) FailType(value, "an integer");
    return 0;
  }
  return number;
}

bool JsonFields::Bool(ondemand::value value) {
  if (!ok()) return false;
  bool flag;
  if (value.get_bool().get(flag) != simdjson::SUCCESS) {
    if (!IsNull(value)) FailType(value, "a boolean");
    return false;
  }
  return flag;
}

int64_t JsonFields::Time(ondemand::value value) {
  if (!ok()) return 0;
  return static_cast<int64_t>(Remembered('t', value.raw_json_token(), [&]() -> uint64_t {
    std::string_view text;
    if (value.get_string().get(text) != simdjson::SUCCESS) {
      if (!IsNull(value)) FailType(value, "an RFC 3339 time string");
      return 0;
    }
    absl::StatusOr<int64_t> nanos = domain::ParseRfc3339Nanos(View(text));
    if (!nanos.ok()) {
      Fail(nanos.status().message());
      return 0;
    }
    return static_cast<uint64_t>(*nanos);
  }));
}

int64_t JsonFields::Quantity(ondemand::value value, int64_t scale) {
  if (!ok()) return 0;
  char reader = scale == 1 ? 'b' : scale == 1000 ? 'm' : 'q';
  auto decode = [&]() -> uint64_t {
    if (IsNull(value)) return 0;
    ondemand::json_type type;
    if (value.type().get(type) == simdjson::SUCCESS && type == ondemand::json_type::number) {
      double number;
      if (value.get_double().get(number) != simdjson::SUCCESS) return 0;
      return static_cast<uint64_t>(std::llround(number * static_cast<double>(scale)));
    }
    std::string_view text;
    if (value.get_string().get(text) != simdjson::SUCCESS) {
      FailType(value, "a quantity");
      return 0;
    }
    absl::StatusOr<int64_t> parsed = ParseQuantity(View(text), scale);
    if (!parsed.ok()) {
      Fail(parsed.status().message());
      return 0;
    }
    return static_cast<uint64_t>(*parsed);
  };
  // Only the two scales decoders use are remembered: the reader must say what made a result.
  if (reader == 'q') return static_cast<int64_t>(decode());
  return static_cast<int64_t>(Remembered(reader, value.raw_json_token(), decode));
}

domain::Labels JsonFields::StringMap(ondemand::value value) {
  domain::Labels labels;
  ForEachField(value, [&](JsonKey key, ondemand::value inner) {
    Scope scope(*this, key);
    domain::Symbol k = KeySymbol(key);
    labels.emplace_back(k, Symbol(inner));
  });
  return labels;
}

}  // namespace tapio::collectors::kubeapi::internal
