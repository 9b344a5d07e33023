// The steps a pattern's relation path takes through the topology ("node.pods",
// "workload", "services.callers"): each maps a set of entities to the entities related to
// them as the graph stood at a given time. Thread-safe (reads the graph).
#ifndef TAPIO_INTELLIGENCE_PATTERNS_RELATION_STEP_H_
#define TAPIO_INTELLIGENCE_PATTERNS_RELATION_STEP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "domain/entity.h"
#include "intelligence/topology/topology_graph.h"

namespace tapio::intelligence {

enum class RelationStep : uint8_t {
  // Every owner up the chain: ReplicaSet, then Deployment.
  kOwner,
  // The top owner (Deployment, StatefulSet, DaemonSet, CronJob), or the entity itself when it
  // has no owner.
  kWorkload,
  // What the entity owns directly: a Deployment's ReplicaSets, a ReplicaSet's Pods.
  kOwned,
  // The pods of an entity: those running on a Node, owned (at any depth) by a workload,
  // selected by a Service or a NetworkPolicy, mounting a claim, or using a ConfigMap or
  // Secret. A Pod is its own.
  kPods,
  // The Node a pod runs on.
  kNode,
  // The Services selecting a pod; a Service is its own.
  kServices,
  // The PersistentVolumeClaims a pod mounts.
  kClaims,
  // The PersistentVolumes and StorageClasses a claim binds.
  kVolumes,
  // The ConfigMaps and Secrets a pod uses.
  kConfigs,
  // Services that call the entity's services (learnt from traces).
  kCallers,
  // Services the entity's services call.
  kCallees,
  // The Namespace of a namespaced entity.
  kNamespace,
  // The ResourceQuotas limiting the entity's namespace.
  kQuotas,
  // The cluster's DNS Service, kube-system/kube-dns by the Kubernetes convention (whatever
  // serves it, CoreDNS or kube-dns), whichever entity the step starts from.
  kClusterDns,
  // The NetworkPolicies selecting a pod; a NetworkPolicy is its own.
  kPolicies,
  // The NetworkPolicies that keep the path's origin and these pods apart: those isolating
  // these pods for ingress when none of them admits a pod of the origin, and those isolating
  // a pod of the origin for egress when none of them admits one of these pods.
  kBlockingPolicies,
};

std::optional<RelationStep> ParseRelationStep(absl::string_view name);
std::vector<std::string> RelationStepNames();
absl::string_view RelationStepName(RelationStep step);

// Follows `step` from every entity of `from` as of `at_ns`; the result has no duplicates and
// keeps the order found. `origin` is where the whole path started (the trigger's entity, or
// the entities of the evidence it starts from), for the steps that judge against it.
std::vector<domain::EntityId> FollowStep(const TopologyGraph& graph,
                                         const std::vector<domain::EntityId>& from,
                                         RelationStep step, int64_t at_ns,
                                         const std::vector<domain::EntityId>& origin = {});

}  // namespace tapio::intelligence

#endif  // TAPIO_INTELLIGENCE_PATTERNS_RELATION_STEP_H_
