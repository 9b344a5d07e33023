// The live graph of the cluster (DESIGN §4): entities and the typed edges between them —
// owns, runs-on, selects, mounts, binds, uses, limited-by, calls, isolates — maintained
// incrementally from object changes, with history: every edge knows when it started and ended, so a
// query can ask for the graph as it was at time T. Thread-safe: one writer at a time, many readers.
#ifndef TAPIO_INTELLIGENCE_TOPOLOGY_TOPOLOGY_GRAPH_H_
#define TAPIO_INTELLIGENCE_TOPOLOGY_TOPOLOGY_GRAPH_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "domain/entity.h"
#include "domain/kube_object.h"
#include "intelligence/topology/network_policy.h"

namespace tapio::intelligence {

enum class Relation : uint8_t {
  // Deployment→ReplicaSet→Pod, StatefulSet/DaemonSet/Job→Pod, CronJob→Job.
  kOwns,
  // Pod→Node.
  kRunsOn,
  // Service→Pod, from the service's selector and the pod's labels.
  kSelects,
  // Pod→PersistentVolumeClaim.
  kMounts,
  // PersistentVolumeClaim→PersistentVolume, and either→StorageClass.
  kBinds,
  // Pod→ConfigMap or Secret, by volume, env or envFrom.
  kUses,
  // Namespace→ResourceQuota.
  kLimitedBy,
  // Service→Service, learnt from traces.
  kCalls,
  // NetworkPolicy→Pod, from the policy's podSelector and the pod's labels.
  kIsolates,
};
inline constexpr int kRelationCount = 9;

// "owns", "runs-on", …
absl::string_view RelationName(Relation relation);

inline constexpr int64_t kForever = std::numeric_limits<int64_t>::max();

struct Edge {
  domain::EntityId from;
  domain::EntityId to;
  Relation relation = Relation::kOwns;
  int64_t since_ns = 0;
  // kForever while the edge holds.
  int64_t until_ns = kForever;

  bool HoldsAt(int64_t at_ns) const { return since_ns <= at_ns && at_ns < until_ns; }
};

// What the graph knows of one entity.
struct EntityInfo {
  domain::EntityId id;
  domain::KubeKind kind = domain::KubeKind::kUnknown;
  // When first seen (creation time when known) and, once gone, when deleted.
  int64_t since_ns = 0;
  int64_t deleted_ns = kForever;
  domain::Labels labels;
  // A Service's spec.type ("ClusterIP", "NodePort", "LoadBalancer"); empty for other kinds.
  domain::Symbol service_type;
  // A hash of every field the entity's edges depend on; an update that leaves it unchanged
  // (most are status updates) touches no edge.
  uint64_t relations_hash = 0;
};

class TopologyGraph {
 public:
  // `registry` assigns the ids of every entity the graph meets; it must outlive the graph.
  TopologyGraph(domain::Symbol cluster, domain::EntityRegistry& registry);
  TopologyGraph(const TopologyGraph&) = delete;
  TopologyGraph& operator=(const TopologyGraph&) = delete;

  // Applies one object change at its time: registers the object and the entities it refers
  // to, and opens or closes edges so that they match it. Changes of one object must come in
  // time order. Fails with InvalidArgument for an object without a name.
  absl::Status Apply(const domain::ObjectChange& change);

  // Records a call from one service to another, seen in a trace at `at_ns`.
  void AddCall(domain::EntityId caller, domain::EntityId callee, int64_t at_ns);

  // Edges of `entity` that held at `at_ns`: outgoing ones (entity is `from`) or incoming ones.
  std::vector<Edge> Outgoing(domain::EntityId entity, Relation relation, int64_t at_ns) const;
  std::vector<Edge> Incoming(domain::EntityId entity, Relation relation, int64_t at_ns) const;

  // Owners from the nearest up (ReplicaSet, then Deployment), as of `at_ns`.
  std::vector<domain::EntityId> OwnerChain(domain::EntityId entity, int64_t at_ns) const;
  std::optional<domain::EntityId> NodeOf(domain::EntityId pod, int64_t at_ns) const;

  std::optional<EntityInfo> Info(domain::EntityId entity) const;
  // `at_ns`, or the entity's last moment when it was deleted by then: the time to ask the
  // graph about a pod that is gone (an evicted pod still has its owners and node there).
  int64_t LastSeenBy(domain::EntityId entity, int64_t at_ns) const;
  // The pod running the container with this runtime id (without "containerd://").
  std::optional<domain::EntityId> PodByContainerId(domain::Symbol container_id) const;
  std::optional<domain::EntityId> PodByUid(domain::Symbol uid) const;
  // Looks an entity up by kind, namespace (empty for cluster-scoped) and name.
  std::optional<domain::EntityId> Find(domain::KubeKind kind, absl::string_view namespace_name,
                                       absl::string_view name) const;

  // The NetworkPolicies that selected `pod` at `at_ns` and isolate it in `direction`.
  std::vector<domain::EntityId> IsolatingPolicies(domain::EntityId pod, PolicyDirection direction,
                                                  int64_t at_ns) const;
  // Whether NetworkPolicy `policy`, as it stood at `at_ns`, admits pod `peer` in `direction`
  // (judged on the peer's and its namespace's labels as last seen).
  bool PolicyAdmits(domain::EntityId policy, domain::EntityId peer, PolicyDirection direction,
                    int64_t at_ns) const;

  // Every entity of `kind` that existed at `at_ns`.
  std::vector<domain::EntityId> EntitiesOfKind(domain::KubeKind kind, int64_t at_ns) const;

  size_t entity_count() const;
  size_t edge_count() const;
  // Heap bytes the graph's own structures hold (not the symbol table or registry).
  size_t memory_bytes() const;

  const domain::EntityRegistry& registry() const { return registry_; }
  domain::Symbol cluster() const { return cluster_; }

 private:
  struct Adjacency {
    std::vector<uint32_t> out;
    std::vector<uint32_t> in;
  };
  struct Selector {
    domain::EntityId service;
    domain::Labels labels;
  };
  // A NetworkPolicy's spec from `since_ns` until the next version (or its deletion).
  struct PolicyVersion {
    int64_t since_ns = 0;
    std::shared_ptr<const domain::NetworkPolicyObject> spec;
  };

  // Registers an entity the graph meets at `at_ns`; `met` (when given) tells whether the graph
  // did not know it before.
  domain::EntityId Entity(domain::KubeKind kind, domain::Symbol namespace_name, domain::Symbol name,
                          domain::Symbol uid, int64_t at_ns, bool* met = nullptr)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Makes the open `relation` edges from `from` (or into `to`, when `incoming`) exactly
  // `targets`, closing the others at `at_ns`.
  void SetEdges(domain::EntityId entity, Relation relation, bool incoming,
                const std::vector<domain::EntityId>& targets, int64_t at_ns)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CloseAll(domain::EntityId entity, int64_t at_ns) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ApplyPod(const domain::KubeObject& object, domain::EntityId pod, int64_t at_ns)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Files the pod's current and last container ids under it.
  void RecordContainers(const domain::PodObject& pod, domain::EntityId id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ApplyService(const domain::KubeObject& object, domain::EntityId service, int64_t at_ns)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ApplyNetworkPolicy(const domain::KubeObject& object, domain::EntityId policy, int64_t at_ns)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RecomputeSelectedBy(domain::EntityId pod, domain::Symbol namespace_name, int64_t at_ns)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  const domain::NetworkPolicyObject* PolicyAt(domain::EntityId policy, int64_t at_ns) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  std::vector<domain::EntityId> Owners(const domain::KubeObject& object, int64_t at_ns)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const domain::Symbol cluster_;
  domain::EntityRegistry& registry_;

  mutable absl::Mutex mu_;
  std::vector<Edge> edges_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<domain::EntityId, Adjacency> adjacency_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<domain::EntityId, EntityInfo> info_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<domain::Symbol, domain::EntityId> pod_by_container_ ABSL_GUARDED_BY(mu_);
  // Live pods and selecting services per namespace, for selector matching.
  absl::flat_hash_map<domain::Symbol, absl::flat_hash_set<domain::EntityId>> pods_by_namespace_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<domain::Symbol, std::vector<Selector>> selectors_by_namespace_
      ABSL_GUARDED_BY(mu_);
  // Live NetworkPolicies per namespace, and every version of each policy seen.
  absl::flat_hash_map<domain::Symbol, std::vector<domain::EntityId>> policies_by_namespace_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<domain::EntityId, std::vector<PolicyVersion>> policy_versions_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace tapio::intelligence

#endif  // TAPIO_INTELLIGENCE_TOPOLOGY_TOPOLOGY_GRAPH_H_
