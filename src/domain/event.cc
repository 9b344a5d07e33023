#include "domain/event.h"

#include <algorithm>
#include <cstring>

namespace tapio::domain {
namespace {

constexpr std::array<absl::string_view, kSourceCount> kSourceNames = {
    "unspecified", "kernel", "kmsg", "journal", "cni", "etcd", "kubernetes", "otlp", "tapio"};
constexpr std::array<absl::string_view, kSeverityCount> kSeverityNames = {
    "unspecified", "debug", "info", "warning", "error", "critical"};

}  // namespace

absl::string_view SourceName(Source source) {
  auto index = static_cast<size_t>(source);
  return index < kSourceNames.size() ? kSourceNames[index] : "unknown";
}

absl::string_view SeverityName(Severity severity) {
  auto index = static_cast<size_t>(severity);
  return index < kSeverityNames.size() ? kSeverityNames[index] : "unknown";
}

bool ParseSourceName(absl::string_view name, Source* source) {
  for (size_t i = 1; i < kSourceNames.size(); ++i) {
    if (kSourceNames[i] == name) {
      *source = static_cast<Source>(i);
      return true;
    }
  }
  return false;
}

absl::string_view Comm::view() const {
  size_t length = std::find(bytes.begin(), bytes.end(), '\0') - bytes.begin();
  return absl::string_view(bytes.data(), length);
}

void Comm::Assign(absl::string_view text) {
  bytes.fill('\0');
  if (text.empty()) return;
  std::memcpy(bytes.data(), text.data(), std::min(text.size(), bytes.size()));
}

}  // namespace tapio::domain
