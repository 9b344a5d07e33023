// Names the pod and container that own a cgroup, from the cgroup's path alone: the kubelet
// and the container runtimes lay their cgroups out in a fixed shape under "kubepods". Covers
// cgroup v1 and v2, the cgroupfs and systemd drivers, and containerd, CRI-O and Docker:
//   /kubepods/burstable/pod<uid>/<64-hex id>                       (cgroupfs; also besteffort,
//   /kubepods/pod<uid>/<id>                                          or none for guaranteed)
//   /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid_with_underscores>.slice/
//       cri-containerd-<id>.scope | crio-<id>.scope | crio-conmon-<id>.scope | docker-<id>.scope
// Anything before the kubepods component is skipped (a v1 controller mount such as
// /sys/fs/cgroup/memory, an outer container's cgroup, a kubelet --cgroup-root), and so is
// anything below the container's cgroup. Pure functions; thread-safe.
#ifndef TAPIO_COLLECTORS_CGROUP_CGROUP_PATH_H_
#define TAPIO_COLLECTORS_CGROUP_CGROUP_PATH_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tapio::collectors::cgroup {

// Longest path accepted (the kernel's PATH_MAX).
inline constexpr size_t kMaxCgroupPathBytes = 4096;

enum class QosClass : uint8_t { kGuaranteed, kBurstable, kBestEffort };

enum class ContainerRuntime : uint8_t {
  // The cgroupfs driver names a container by its bare id, whichever runtime made it.
  kUnknown,
  kContainerd,
  kCrio,
  kDocker,
};

// What the cgroup is, inside its pod.
enum class CgroupRole : uint8_t {
  // The pod's own cgroup, or one under it that names no container.
  kPod,
  // A container's cgroup, or one under it.
  kContainer,
  // CRI-O's conmon, which monitors a container: it belongs to the pod, not to the container.
  kConmon,
};

struct PodCgroup {
  // Canonical: lower case, with dashes ("3f1c9a2e-7b4d-4e8a-9c61-0d2b5e8f4a17"); a static
  // pod's cgroup carries its 32-hex config hash instead, kept as it is.
  std::string pod_uid;
  // 64 lower-case hex digits when `role` is kContainer; empty otherwise.
  std::string container_id;
  // The container conmon monitors when `role` is kConmon; empty otherwise.
  std::string monitored_container_id;
  QosClass qos = QosClass::kGuaranteed;
  ContainerRuntime runtime = ContainerRuntime::kUnknown;
  CgroupRole role = CgroupRole::kPod;

  friend bool operator==(const PodCgroup&, const PodCgroup&) = default;
};

// Parses `path` (absolute or not; repeated and trailing slashes are fine).
// Returns NotFound when the path belongs to no pod: outside kubepods (host services such as
// /system.slice/containerd.service, a plain cgroup such as /tapiotest) or only down to the
// kubepods or QoS level. Returns InvalidArgument when the path is longer than
// kMaxCgroupPathBytes, or reaches a pod-level cgroup whose uid is malformed.
absl::StatusOr<PodCgroup> ParseCgroupPath(absl::string_view path);

// "guaranteed", "burstable", "besteffort".
absl::string_view QosClassName(QosClass qos);
// "unknown", "containerd", "cri-o", "docker".
absl::string_view ContainerRuntimeName(ContainerRuntime runtime);

}  // namespace tapio::collectors::cgroup

#endif  // TAPIO_COLLECTORS_CGROUP_CGROUP_PATH_H_
