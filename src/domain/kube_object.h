// The Kubernetes objects Tapio understands, reduced to the fields that topology and failure
// analysis use. The kubeapi collector decodes API JSON into these; the topology graph and the
// transition detector read them. Strings are interned; times are Unix nanoseconds (0 when
// absent). Plain values: safe to copy and to share read-only across threads.
#ifndef TAPIO_DOMAIN_KUBE_OBJECT_H_
#define TAPIO_DOMAIN_KUBE_OBJECT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/string_view.h"
#include "domain/symbol_table.h"

namespace tapio::domain {

enum class KubeKind : uint8_t {
  kUnknown,
  kPod,
  kNode,
  kNamespace,
  kEvent,
  kDeployment,
  kReplicaSet,
  kStatefulSet,
  kDaemonSet,
  kJob,
  kCronJob,
  kService,
  kEndpointSlice,
  kPersistentVolumeClaim,
  kPersistentVolume,
  kStorageClass,
  kResourceQuota,
  kConfigMap,
  kSecret,
  kNetworkPolicy,
};

// The API kind name ("Pod", "PersistentVolumeClaim"); "" for kUnknown.
absl::string_view KubeKindName(KubeKind kind);
// Maps an API kind name to a KubeKind; kUnknown when Tapio does not model it.
KubeKind KubeKindFromName(absl::string_view name);
// True for kinds without a namespace (Node, Namespace, PersistentVolume, StorageClass).
bool IsClusterScoped(KubeKind kind);

using Labels = std::vector<std::pair<Symbol, Symbol>>;

// Returns the value of `key` in `labels`, or nullopt.
std::optional<Symbol> LabelValue(const Labels& labels, Symbol key);

struct OwnerRef {
  Symbol kind;
  Symbol name;
  Symbol uid;
  bool controller = false;
};

struct ObjectMeta {
  Symbol name;
  Symbol namespace_name;
  Symbol uid;
  // Opaque and different on every change, so kept as text rather than interned.
  std::string resource_version;
  int64_t generation = 0;
  int64_t created_ns = 0;
  int64_t deleted_ns = 0;
  Labels labels;
  std::vector<OwnerRef> owners;
  // deployment.kubernetes.io/revision, when present.
  Symbol revision;
};

// A status condition ("Ready", "MemoryPressure", "Progressing", …).
struct Condition {
  Symbol type;
  Symbol status;  // "True", "False", "Unknown"
  Symbol reason;
  Symbol message;
  int64_t last_transition_ns = 0;
  // lastUpdateTime, which Deployments' conditions carry: it moves when the reason changes
  // while the status stays (Progressing stays True from NewReplicaSetAvailable to
  // ReplicaSetUpdated). 0 when absent.
  int64_t last_update_ns = 0;
};

const Condition* FindCondition(const std::vector<Condition>& conditions, absl::string_view type);

// A container's state, as in ContainerStatus.state and .lastState.
struct ContainerState {
  enum class Phase : uint8_t { kNone, kWaiting, kRunning, kTerminated };
  Phase phase = Phase::kNone;
  Symbol reason;
  Symbol message;
  int32_t exit_code = 0;
  int32_t signal = 0;
  int64_t started_ns = 0;
  int64_t finished_ns = 0;
  Symbol container_id;
};

struct ContainerStatus {
  Symbol name;
  bool init = false;
  bool ready = false;
  uint32_t restart_count = 0;
  Symbol image;
  // Without the runtime prefix ("containerd://").
  Symbol container_id;
  ContainerState state;
  ContainerState last_state;
};

// A ConfigMap or Secret a container or volume refers to.
struct ConfigRef {
  enum class Kind : uint8_t { kConfigMap, kSecret };
  Kind kind = Kind::kConfigMap;
  Symbol name;
  // A single key (env valueFrom), or empty for the whole object.
  Symbol key;
  bool optional = false;
};

struct ContainerSpec {
  Symbol name;
  bool init = false;
  Symbol image;
  int64_t memory_limit_bytes = 0;
  int64_t memory_request_bytes = 0;
  int64_t cpu_limit_millis = 0;
  int64_t cpu_request_millis = 0;
  std::vector<ConfigRef> config_refs;
  bool has_liveness_probe = false;
  bool has_readiness_probe = false;
};

struct PodObject {
  Symbol node_name;
  Symbol phase;
  Symbol reason;
  Symbol message;
  Symbol qos_class;
  Symbol pod_ip;
  int64_t start_ns = 0;
  std::vector<Condition> conditions;
  std::vector<ContainerSpec> containers;
  std::vector<ContainerStatus> statuses;
  std::vector<Symbol> pvc_names;
  std::vector<ConfigRef> volume_config_refs;
};

struct Taint {
  Symbol key;
  Symbol value;
  Symbol effect;
};

struct NodeObject {
  bool unschedulable = false;
  std::vector<Taint> taints;
  std::vector<Condition> conditions;
  int64_t memory_capacity_bytes = 0;
  int64_t memory_allocatable_bytes = 0;
};

// core/v1 Event and events.k8s.io/v1 Event, normalised.
struct EventObject {
  KubeKind regarding_kind = KubeKind::kUnknown;
  Symbol regarding_kind_name;
  Symbol regarding_namespace;
  Symbol regarding_name;
  Symbol regarding_uid;
  Symbol field_path;
  Symbol reason;
  Symbol message;
  Symbol type;  // "Normal" or "Warning"
  Symbol component;
  Symbol host;
  uint32_t count = 0;
  int64_t first_ns = 0;
  int64_t last_ns = 0;
};

// Deployment, ReplicaSet, StatefulSet, DaemonSet and Job share this shape.
struct WorkloadObject {
  int32_t replicas = 0;
  int32_t ready_replicas = 0;
  int32_t available_replicas = 0;
  int32_t updated_replicas = 0;
  int32_t unavailable_replicas = 0;
  int64_t observed_generation = 0;
  Labels selector;
  std::vector<Condition> conditions;
  // Jobs: pods that failed and succeeded, and the retry limit.
  int32_t failed = 0;
  int32_t succeeded = 0;
  int32_t backoff_limit = 0;
};

struct ServiceObject {
  Labels selector;
  Symbol type;
  Symbol cluster_ip;
};

struct EndpointSliceObject {
  Symbol service_name;
  struct Endpoint {
    bool ready = false;
    Symbol target_kind;
    Symbol target_name;
    Symbol target_uid;
  };
  std::vector<Endpoint> endpoints;
};

struct VolumeObject {
  // PVC: the bound volume; PV: the claim's namespace/name.
  Symbol volume_name;
  Symbol claim_namespace;
  Symbol claim_name;
  Symbol storage_class;
  Symbol phase;
  // StorageClass: its provisioner.
  Symbol provisioner;
};

struct QuotaObject {
  std::vector<std::pair<Symbol, Symbol>> hard;
  std::vector<std::pair<Symbol, Symbol>> used;
};

// metav1.LabelSelector: every matchLabels pair and every expression must hold; an empty
// selector selects everything.
struct LabelSelector {
  struct Requirement {
    enum class Op : uint8_t { kIn, kNotIn, kExists, kDoesNotExist };
    Symbol key;
    Op op = Op::kExists;
    std::vector<Symbol> values;
  };
  Labels match_labels;
  std::vector<Requirement> expressions;

  bool Matches(const Labels& labels) const;
};

// One `from` (ingress) or `to` (egress) entry of a NetworkPolicy rule. A pod selector alone
// means pods of the policy's namespace; a namespace selector alone, every pod of the
// namespaces it selects; both, the pods it selects in those namespaces.
struct NetworkPolicyPeer {
  std::optional<LabelSelector> pod_selector;
  std::optional<LabelSelector> namespace_selector;
  // An ipBlock: addresses, not pods.
  bool ip_block = false;
};

// A rule admits every peer when it names none (no `from`/`to`). Its ports are not kept.
struct NetworkPolicyRule {
  std::vector<NetworkPolicyPeer> peers;
};

// networking.k8s.io/v1 NetworkPolicy: the pods it selects are isolated in the directions of
// its policyTypes, and only what its rules admit may pass.
struct NetworkPolicyObject {
  LabelSelector pod_selector;
  bool ingress = false;
  bool egress = false;
  std::vector<NetworkPolicyRule> ingress_rules;
  std::vector<NetworkPolicyRule> egress_rules;
};

using KubeSpec =
    std::variant<std::monostate, PodObject, NodeObject, EventObject, WorkloadObject, ServiceObject,
                 EndpointSliceObject, VolumeObject, QuotaObject, NetworkPolicyObject>;

struct KubeObject {
  KubeKind kind = KubeKind::kUnknown;
  ObjectMeta meta;
  KubeSpec spec;

  const PodObject* pod() const { return std::get_if<PodObject>(&spec); }
  const NodeObject* node() const { return std::get_if<NodeObject>(&spec); }
  const EventObject* event() const { return std::get_if<EventObject>(&spec); }
  const WorkloadObject* workload() const { return std::get_if<WorkloadObject>(&spec); }
  const ServiceObject* service() const { return std::get_if<ServiceObject>(&spec); }
  const EndpointSliceObject* endpoint_slice() const {
    return std::get_if<EndpointSliceObject>(&spec);
  }
  const VolumeObject* volume() const { return std::get_if<VolumeObject>(&spec); }
  const QuotaObject* quota() const { return std::get_if<QuotaObject>(&spec); }
  const NetworkPolicyObject* network_policy() const {
    return std::get_if<NetworkPolicyObject>(&spec);
  }
};

// One change to an object, as a watch reports it or as a dump implies it.
struct ObjectChange {
  enum class Type : uint8_t { kAdded, kModified, kDeleted };
  Type type = Type::kAdded;
  // When the change happened, as well as the object tells (its newest timestamp), else when
  // it was observed.
  int64_t time_ns = 0;
  KubeObject object;
  // The object's JSON as it was read, when the reader was asked to keep it; else empty.
  std::string raw = {};
};

}  // namespace tapio::domain

#endif  // TAPIO_DOMAIN_KUBE_OBJECT_H_
