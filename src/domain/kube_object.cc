#include "domain/kube_object.h"

#include <array>

namespace tapio::domain {
namespace {

struct KindName {
  KubeKind kind;
  absl::string_view name;
  bool cluster_scoped;
};

constexpr std::array<KindName, 18> kKinds = {{
    {KubeKind::kPod, "Pod", false},
    {KubeKind::kNode, "Node", true},
    {KubeKind::kNamespace, "Namespace", true},
    {KubeKind::kEvent, "Event", false},
    {KubeKind::kDeployment, "Deployment", false},
    {KubeKind::kReplicaSet, "ReplicaSet", false},
    {KubeKind::kStatefulSet, "StatefulSet", false},
    {KubeKind::kDaemonSet, "DaemonSet", false},
    {KubeKind::kJob, "Job", false},
    {KubeKind::kCronJob, "CronJob", false},
    {KubeKind::kService, "Service", false},
    {KubeKind::kEndpointSlice, "EndpointSlice", false},
    {KubeKind::kPersistentVolumeClaim, "PersistentVolumeClaim", false},
    {KubeKind::kPersistentVolume, "PersistentVolume", true},
    {KubeKind::kStorageClass, "StorageClass", true},
    {KubeKind::kResourceQuota, "ResourceQuota", false},
    {KubeKind::kConfigMap, "ConfigMap", false},
    {KubeKind::kSecret, "Secret", false},
}};

}  // namespace

absl::string_view KubeKindName(KubeKind kind) {
  for (const KindName& k : kKinds) {
    if (k.kind == kind) return k.name;
  }
  return "";
}

KubeKind KubeKindFromName(absl::string_view name) {
  for (const KindName& k : kKinds) {
    if (k.name == name) return k.kind;
  }
  return KubeKind::kUnknown;
}

bool IsClusterScoped(KubeKind kind) {
  for (const KindName& k : kKinds) {
    if (k.kind == kind) return k.cluster_scoped;
  }
  return false;
}

std::optional<Symbol> LabelValue(const Labels& labels, Symbol key) {
  for (const auto& [k, v] : labels) {
    if (k == key) return v;
  }
  return std::nullopt;
}

const Condition* FindCondition(const std::vector<Condition>& conditions, absl::string_view type) {
  for (const Condition& condition : conditions) {
    if (Resolve(condition.type) == type) return &condition;
  }
  return nullptr;
}

}  // namespace tapio::domain
