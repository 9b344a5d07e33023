// The fixed root-cause categories every pattern concludes with one of (the scenario format's
// vocabulary, so results compare across versions). Thread-safe (constant data).
#ifndef TAPIO_INTELLIGENCE_PATTERNS_CATEGORY_H_
#define TAPIO_INTELLIGENCE_PATTERNS_CATEGORY_H_

#include <array>

#include "absl/strings/string_view.h"

namespace tapio::intelligence {

inline constexpr std::array<absl::string_view, 24> kCategories = {
    "memory-limit",
    "node-memory-pressure",
    "node-disk-pressure",
    "node-pid-pressure",
    "node-not-ready",
    "app-crash",
    "config-missing",
    "image-pull",
    "probe-failure",
    "scheduling-resources",
    "scheduling-constraints",
    "volume",
    "network-cni",
    "network-policy",
    "dns",
    "dependency-failure",
    "bad-rollout",
    "cpu-throttling",
    "etcd",
    "certificate",
    "quota",
    "job-failure",
    "init-failure",
    "kernel",
};

inline bool IsCategory(absl::string_view name) {
  for (absl::string_view c : kCategories) {
    if (c == name) return true;
  }
  return false;
}

}  // namespace tapio::intelligence

#endif  // TAPIO_INTELLIGENCE_PATTERNS_CATEGORY_H_
