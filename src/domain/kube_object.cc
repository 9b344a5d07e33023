#include "domain/kube_object.h"

#include <algorithm>
#include <array>

namespace tapio::domain {
namespace {

struct KindName {
  KubeKind kind;
  absl::string_view name;
  bool cluster_scoped;
};

constexpr std::array<KindName, 19> kKinds = {{
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
    {KubeKind::kNetworkPolicy, "NetworkPolicy", false},
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

bool LabelSelector::Matches(const Labels& labels) const {
  for (const auto& [key, value] : match_labels) {
    std::optional<Symbol> have = LabelValue(labels, key);
    if (!have.has_value() || *have != value) return false;
  }
  for (const Requirement& r : expressions) {
    std::optional<Symbol> have = LabelValue(labels, r.key);
    bool listed =
        have.has_value() && std::find(r.values.begin(), r.values.end(), *have) != r.values.end();
    switch (r.op) {
      case Requirement::Op::kIn:
        if (!listed) return false;
        break;
      case Requirement::Op::kNotIn:
        if (listed) return false;
        break;
      case Requirement::Op::kExists:
        if (!have.has_value()) return false;
        break;
      case Requirement::Op::kDoesNotExist:
        if (have.has_value()) return false;
        break;
    }
  }
  return true;
}

const Condition* FindCondition(const std::vector<Condition>& conditions, absl::string_view type) {
  for (const Condition& condition : conditions) {
    if (Resolve(condition.type) == type) return &condition;
  }
  return nullptr;
}

}  // namespace tapio::domain
