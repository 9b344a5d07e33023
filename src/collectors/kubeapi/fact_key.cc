#include "collectors/kubeapi/fact_key.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace tapio::collectors::kubeapi {

std::string ContainerFactKey(absl::string_view pod_uid, absl::string_view container,
                             absl::string_view state, absl::string_view reason) {
  return absl::StrCat("fact:", pod_uid, "/", container, "/", state, "/", reason);
}

std::string PodFactKey(absl::string_view pod_uid, absl::string_view fact) {
  return absl::StrCat("fact:", pod_uid, "/", fact);
}

std::string NodeConditionFactKey(absl::string_view node, absl::string_view condition,
                                 absl::string_view status) {
  return absl::StrCat("fact:node/", node, "/", condition, "=", status);
}

std::string JobFailedFactKey(absl::string_view job_uid) {
  return absl::StrCat("fact:", job_uid, "/job-failed");
}

domain::Symbol ContainerFromFieldPath(absl::string_view field_path) {
  size_t open = field_path.find('{');
  size_t close = field_path.rfind('}');
  if (open == absl::string_view::npos || close == absl::string_view::npos || close <= open) {
    return {};
  }
  return domain::Intern(field_path.substr(open + 1, close - open - 1));
}

std::string EventFactKey(const domain::EventObject& event) {
  absl::string_view reason = domain::Resolve(event.reason);
  absl::string_view message = domain::Resolve(event.message);
  absl::string_view uid = domain::Resolve(event.regarding_uid);
  absl::string_view container =
      domain::Resolve(ContainerFromFieldPath(domain::Resolve(event.field_path)));
  if (event.regarding_kind == domain::KubeKind::kNode) {
    absl::string_view node = domain::Resolve(event.regarding_name);
    if (reason == "NodeNotReady") return NodeConditionFactKey(node, "Ready", "False");
    if (reason == "NodeHasInsufficientMemory") {
      return NodeConditionFactKey(node, "MemoryPressure", "True");
    }
    if (reason == "NodeHasDiskPressure") return NodeConditionFactKey(node, "DiskPressure", "True");
    if (reason == "NodeHasInsufficientPID")
      return NodeConditionFactKey(node, "PIDPressure", "True");
    return "";
  }
  if (uid.empty()) return "";
  if (event.regarding_kind == domain::KubeKind::kJob && reason == "BackoffLimitExceeded") {
    return JobFailedFactKey(uid);
  }
  if (event.regarding_kind != domain::KubeKind::kPod) return "";
  if (reason == "Evicted") return PodFactKey(uid, "evicted");
  if (reason == "FailedScheduling") return PodFactKey(uid, "unschedulable");
  if (container.empty()) return "";
  // The kubelet's messages, as pkg/kubelet writes them.
  if (reason == "BackOff") {
    if (absl::StrContains(message, "restarting failed container")) {
      return ContainerFactKey(uid, container, "waiting", "CrashLoopBackOff");
    }
    if (absl::StrContains(message, "pulling image")) {
      return ContainerFactKey(uid, container, "waiting", "ImagePullBackOff");
    }
  }
  if (reason == "Failed") {
    if (absl::StrContains(message, "ErrImagePull")) {
      return ContainerFactKey(uid, container, "waiting", "ErrImagePull");
    }
    if (absl::StrContains(message, "ImagePullBackOff")) {
      return ContainerFactKey(uid, container, "waiting", "ImagePullBackOff");
    }
    if (absl::StartsWith(message, "Error: configmap") ||
        absl::StartsWith(message, "Error: secret") ||
        absl::StrContains(message, "couldn't find key")) {
      return ContainerFactKey(uid, container, "waiting", "CreateContainerConfigError");
    }
  }
  return "";
}

}  // namespace tapio::collectors::kubeapi
