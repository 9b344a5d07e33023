#include "collectors/cgroup/cgroup_path.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/types/span.h"

namespace tapio::collectors::cgroup {
namespace {

constexpr absl::string_view kCgroupfsRoot = "kubepods";
constexpr absl::string_view kSystemdRoot = "kubepods.slice";
constexpr absl::string_view kSliceSuffix = ".slice";
constexpr absl::string_view kScopeSuffix = ".scope";
constexpr size_t kContainerIdLength = 64;

bool IsHex(absl::string_view text) {
  for (char c : text) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// A pod uid as the kubelet writes it into a cgroup name: a UUID whose groups are joined by
// `separator` ('-' for cgroupfs, '_' for systemd, where '-' means nesting), or the 32-hex
// config hash of a static pod.
std::optional<std::string> CanonicalUid(absl::string_view text, char separator) {
  if (text.size() == 32 && IsHex(text)) return absl::AsciiStrToLower(text);
  if (text.size() != 36) return std::nullopt;
  std::string uid(text);
  for (size_t i = 0; i < uid.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (uid[i] != separator) return std::nullopt;
      uid[i] = '-';
    } else if (!absl::ascii_isxdigit(static_cast<unsigned char>(uid[i]))) {
      return std::nullopt;
    }
  }
  absl::AsciiStrToLower(&uid);
  return uid;
}

bool IsContainerId(absl::string_view text) {
  return text.size() == kContainerIdLength && IsHex(text);
}

// Fills the container part of `result` from the component below the pod's cgroup; leaves
// the role kPod when the component names no container.
void ParseContainerComponent(absl::string_view component, PodCgroup& result) {
  absl::ConsumeSuffix(&component, kScopeSuffix);
  ContainerRuntime runtime = ContainerRuntime::kUnknown;
  CgroupRole role = CgroupRole::kContainer;
  if (absl::ConsumePrefix(&component, "cri-containerd-")) {
    runtime = ContainerRuntime::kContainerd;
  } else if (absl::ConsumePrefix(&component, "crio-conmon-")) {
    runtime = ContainerRuntime::kCrio;
    role = CgroupRole::kConmon;
  } else if (absl::ConsumePrefix(&component, "crio-")) {
    runtime = ContainerRuntime::kCrio;
  } else if (absl::ConsumePrefix(&component, "docker-")) {
    runtime = ContainerRuntime::kDocker;
  }
  if (!IsContainerId(component)) return;
  std::string id = absl::AsciiStrToLower(component);
  result.runtime = runtime;
  result.role = role;
  if (role == CgroupRole::kConmon) {
    result.monitored_container_id = std::move(id);
  } else {
    result.container_id = std::move(id);
  }
}

absl::Status NoPod(absl::string_view path) {
  return absl::NotFoundError(absl::StrCat("cgroup ", path.substr(0, 256), " belongs to no pod"));
}

absl::Status BadPod(absl::string_view path, absl::string_view component) {
  return absl::InvalidArgumentError(absl::StrCat(
      "cgroup ", path.substr(0, 256), ": malformed pod cgroup ", component.substr(0, 128)));
}

// `parts` starts just below the "kubepods" component.
absl::StatusOr<PodCgroup> ParseCgroupfs(absl::string_view path,
                                        absl::Span<const absl::string_view> parts) {
  PodCgroup result;
  size_t i = 0;
  if (i < parts.size() && parts[i] == "burstable") {
    result.qos = QosClass::kBurstable;
    ++i;
  } else if (i < parts.size() && parts[i] == "besteffort") {
    result.qos = QosClass::kBestEffort;
    ++i;
  }
  if (i >= parts.size()) return NoPod(path);
  absl::string_view pod = parts[i];
  if (!absl::ConsumePrefix(&pod, "pod")) return NoPod(path);
  std::optional<std::string> uid = CanonicalUid(pod, '-');
  if (!uid.has_value()) return BadPod(path, parts[i]);
  result.pod_uid = *std::move(uid);
  if (i + 1 < parts.size()) ParseContainerComponent(parts[i + 1], result);
  return result;
}

// `stem` is the root slice's name without ".slice" ("kubepods", or "kubelet-kubepods" under
// a --cgroup-root); `parts` starts just below it.
absl::StatusOr<PodCgroup> ParseSystemd(absl::string_view path, std::string stem,
                                       absl::Span<const absl::string_view> parts) {
  PodCgroup result;
  size_t i = 0;
  if (i < parts.size() && parts[i] == absl::StrCat(stem, "-burstable", kSliceSuffix)) {
    result.qos = QosClass::kBurstable;
    absl::StrAppend(&stem, "-burstable");
    ++i;
  } else if (i < parts.size() && parts[i] == absl::StrCat(stem, "-besteffort", kSliceSuffix)) {
    result.qos = QosClass::kBestEffort;
    absl::StrAppend(&stem, "-besteffort");
    ++i;
  }
  if (i >= parts.size()) return NoPod(path);
  absl::string_view pod = parts[i];
  absl::StrAppend(&stem, "-pod");
  if (!absl::ConsumePrefix(&pod, stem)) return NoPod(path);
  if (!absl::ConsumeSuffix(&pod, kSliceSuffix)) return BadPod(path, parts[i]);
  std::optional<std::string> uid = CanonicalUid(pod, '_');
  if (!uid.has_value()) return BadPod(path, parts[i]);
  result.pod_uid = *std::move(uid);
  if (i + 1 < parts.size()) ParseContainerComponent(parts[i + 1], result);
  return result;
}

}  // namespace

absl::StatusOr<PodCgroup> ParseCgroupPath(absl::string_view path) {
  if (path.size() > kMaxCgroupPathBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("cgroup path of ", path.size(), " bytes, more than ", kMaxCgroupPathBytes));
  }
  std::vector<absl::string_view> parts = absl::StrSplit(path, '/', absl::SkipEmpty());
  for (size_t i = 0; i < parts.size(); ++i) {
    absl::Span<const absl::string_view> below = absl::MakeConstSpan(parts).subspan(i + 1);
    if (parts[i] == kCgroupfsRoot) return ParseCgroupfs(path, below);
    absl::string_view name = parts[i];
    if (absl::ConsumeSuffix(&name, kSystemdRoot) && (name.empty() || name.back() == '-')) {
      return ParseSystemd(
          path, std::string(parts[i].substr(0, parts[i].size() - kSliceSuffix.size())), below);
    }
  }
  return NoPod(path);
}

absl::string_view QosClassName(QosClass qos) {
  switch (qos) {
    case QosClass::kGuaranteed:
      return "guaranteed";
    case QosClass::kBurstable:
      return "burstable";
    case QosClass::kBestEffort:
      return "besteffort";
  }
  return "guaranteed";
}

absl::string_view ContainerRuntimeName(ContainerRuntime runtime) {
  switch (runtime) {
    case ContainerRuntime::kUnknown:
      return "unknown";
    case ContainerRuntime::kContainerd:
      return "containerd";
    case ContainerRuntime::kCrio:
      return "cri-o";
    case ContainerRuntime::kDocker:
      return "docker";
  }
  return "unknown";
}

}  // namespace tapio::collectors::cgroup
