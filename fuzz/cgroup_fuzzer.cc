// Feeds arbitrary bytes to the cgroup path parser. A path it accepts must name a pod uid of
// canonical shape, and a container id only with the container role.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "collectors/cgroup/cgroup_path.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using tapio::collectors::cgroup::CgroupRole;
  absl::string_view path(reinterpret_cast<const char*>(data), size);
  auto parsed = tapio::collectors::cgroup::ParseCgroupPath(path);
  if (!parsed.ok()) return 0;
  size_t uid = parsed->pod_uid.size();
  if (uid != 36 && uid != 32) std::abort();
  for (char c : parsed->pod_uid) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-')) std::abort();
  }
  bool container = parsed->role == CgroupRole::kContainer;
  if (container != !parsed->container_id.empty()) std::abort();
  if (!parsed->container_id.empty() && parsed->container_id.size() != 64) std::abort();
  if ((parsed->role == CgroupRole::kConmon) != !parsed->monitored_container_id.empty()) {
    std::abort();
  }
  return 0;
}
