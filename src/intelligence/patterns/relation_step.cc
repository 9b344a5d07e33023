#include "intelligence/patterns/relation_step.h"

#include <algorithm>
#include <array>
#include <utility>

#include "domain/kube_object.h"

namespace tapio::intelligence {
namespace {

using domain::EntityId;
using domain::KubeKind;

constexpr std::array<std::pair<const char*, RelationStep>, 16> kNames = {{
    {"owner", RelationStep::kOwner},
    {"workload", RelationStep::kWorkload},
    {"owned", RelationStep::kOwned},
    {"pods", RelationStep::kPods},
    {"node", RelationStep::kNode},
    {"services", RelationStep::kServices},
    {"claims", RelationStep::kClaims},
    {"volumes", RelationStep::kVolumes},
    {"configs", RelationStep::kConfigs},
    {"callers", RelationStep::kCallers},
    {"callees", RelationStep::kCallees},
    {"namespace", RelationStep::kNamespace},
    {"quotas", RelationStep::kQuotas},
    {"cluster_dns", RelationStep::kClusterDns},
    {"policies", RelationStep::kPolicies},
    {"blocking_policies", RelationStep::kBlockingPolicies},
}};

KubeKind KindOf(const TopologyGraph& graph, EntityId id) {
  std::optional<EntityInfo> info = graph.Info(id);
  if (info.has_value() && info->kind != KubeKind::kUnknown) return info->kind;
  return domain::KubeKindFromName(domain::Resolve(graph.registry().Get(id).kind));
}

void Add(std::vector<EntityId>& out, EntityId id) {
  if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
}

void AddEnds(std::vector<EntityId>& out, const std::vector<Edge>& edges, bool take_from) {
  for (const Edge& e : edges) Add(out, take_from ? e.from : e.to);
}

void OwnedPods(const TopologyGraph& graph, EntityId id, int64_t at, int depth,
               std::vector<EntityId>& out) {
  if (depth > 4) return;
  for (const Edge& e : graph.Outgoing(id, Relation::kOwns, at)) {
    if (KindOf(graph, e.to) == KubeKind::kPod) {
      Add(out, e.to);
    } else {
      OwnedPods(graph, e.to, at, depth + 1, out);
    }
  }
}

void Services(const TopologyGraph& graph, EntityId id, int64_t at, std::vector<EntityId>& out) {
  if (KindOf(graph, id) == KubeKind::kService) {
    Add(out, id);
    return;
  }
  AddEnds(out, graph.Incoming(id, Relation::kSelects, at), /*take_from=*/true);
}

// Policies isolating `pod` in `direction` when none of them admits any of `peers`.
void Blocking(const TopologyGraph& graph, EntityId pod, const std::vector<EntityId>& peers,
              PolicyDirection direction, int64_t at, std::vector<EntityId>& out) {
  std::vector<EntityId> policies = graph.IsolatingPolicies(pod, direction, at);
  if (policies.empty()) return;
  for (EntityId policy : policies) {
    for (EntityId peer : peers) {
      if (peer != pod && graph.PolicyAdmits(policy, peer, direction, at)) return;
    }
  }
  for (EntityId policy : policies) Add(out, policy);
}

void Step(const TopologyGraph& graph, EntityId id, RelationStep step, int64_t at,
          std::vector<EntityId>& out) {
  switch (step) {
    case RelationStep::kOwner:
      for (EntityId owner : graph.OwnerChain(id, at)) Add(out, owner);
      return;
    case RelationStep::kWorkload: {
      std::vector<EntityId> chain = graph.OwnerChain(id, at);
      Add(out, chain.empty() ? id : chain.back());
      return;
    }
    case RelationStep::kOwned:
      AddEnds(out, graph.Outgoing(id, Relation::kOwns, at), /*take_from=*/false);
      return;
    case RelationStep::kPods:
      switch (KindOf(graph, id)) {
        case KubeKind::kPod:
          Add(out, id);
          return;
        case KubeKind::kNode:
          AddEnds(out, graph.Incoming(id, Relation::kRunsOn, at), /*take_from=*/true);
          return;
        case KubeKind::kService:
          AddEnds(out, graph.Outgoing(id, Relation::kSelects, at), /*take_from=*/false);
          return;
        case KubeKind::kNetworkPolicy:
          AddEnds(out, graph.Outgoing(id, Relation::kIsolates, at), /*take_from=*/false);
          return;
        case KubeKind::kPersistentVolumeClaim:
          AddEnds(out, graph.Incoming(id, Relation::kMounts, at), /*take_from=*/true);
          return;
        case KubeKind::kConfigMap:
        case KubeKind::kSecret:
          AddEnds(out, graph.Incoming(id, Relation::kUses, at), /*take_from=*/true);
          return;
        default:
          OwnedPods(graph, id, at, 0, out);
          return;
      }
    case RelationStep::kNode:
      if (KindOf(graph, id) == KubeKind::kNode) {
        Add(out, id);
      } else if (std::optional<EntityId> node = graph.NodeOf(id, at)) {
        Add(out, *node);
      }
      return;
    case RelationStep::kServices:
      Services(graph, id, at, out);
      return;
    case RelationStep::kClaims:
      AddEnds(out, graph.Outgoing(id, Relation::kMounts, at), /*take_from=*/false);
      return;
    case RelationStep::kVolumes:
      AddEnds(out, graph.Outgoing(id, Relation::kBinds, at), /*take_from=*/false);
      return;
    case RelationStep::kConfigs:
      AddEnds(out, graph.Outgoing(id, Relation::kUses, at), /*take_from=*/false);
      return;
    case RelationStep::kCallers:
    case RelationStep::kCallees: {
      std::vector<EntityId> services;
      Services(graph, id, at, services);
      bool callers = step == RelationStep::kCallers;
      for (EntityId service : services) {
        AddEnds(out,
                callers ? graph.Incoming(service, Relation::kCalls, at)
                        : graph.Outgoing(service, Relation::kCalls, at),
                /*take_from=*/callers);
      }
      return;
    }
    case RelationStep::kNamespace: {
      domain::EntityRef ref = graph.registry().Get(id);
      if (ref.namespace_name.empty()) return;
      if (std::optional<EntityId> ns =
              graph.Find(KubeKind::kNamespace, "", domain::Resolve(ref.namespace_name))) {
        Add(out, *ns);
      }
      return;
    }
    case RelationStep::kClusterDns:
      if (std::optional<EntityId> dns = graph.Find(KubeKind::kService, "kube-system", "kube-dns")) {
        Add(out, *dns);
      }
      return;
    case RelationStep::kPolicies:
      if (KindOf(graph, id) == KubeKind::kNetworkPolicy) {
        Add(out, id);
        return;
      }
      AddEnds(out, graph.Incoming(id, Relation::kIsolates, at), /*take_from=*/true);
      return;
    case RelationStep::kBlockingPolicies:
      // Needs the path's origin: FollowStep handles it.
      return;
    case RelationStep::kQuotas: {
      std::vector<EntityId> ns;
      Step(graph, id, RelationStep::kNamespace, at, ns);
      for (EntityId n : ns) {
        AddEnds(out, graph.Outgoing(n, Relation::kLimitedBy, at), /*take_from=*/false);
      }
      return;
    }
  }
}

}  // namespace

std::optional<RelationStep> ParseRelationStep(absl::string_view name) {
  for (const auto& [text, step] : kNames) {
    if (name == text) return step;
  }
  return std::nullopt;
}

std::vector<std::string> RelationStepNames() {
  std::vector<std::string> names;
  for (const auto& entry : kNames) names.emplace_back(entry.first);
  return names;
}

absl::string_view RelationStepName(RelationStep step) {
  for (const auto& [text, s] : kNames) {
    if (s == step) return text;
  }
  return "";
}

std::vector<EntityId> FollowStep(const TopologyGraph& graph, const std::vector<EntityId>& from,
                                 RelationStep step, int64_t at_ns,
                                 const std::vector<EntityId>& origin) {
  std::vector<EntityId> out;
  if (step != RelationStep::kBlockingPolicies) {
    for (EntityId id : from) Step(graph, id, step, at_ns, out);
    return out;
  }
  std::vector<EntityId> sources;
  for (EntityId id : origin) Step(graph, id, RelationStep::kPods, at_ns, sources);
  std::vector<EntityId> targets;
  for (EntityId id : from) Step(graph, id, RelationStep::kPods, at_ns, targets);
  if (sources.empty() || targets.empty()) return out;
  for (EntityId target : targets) {
    Blocking(graph, target, sources, PolicyDirection::kIngress, at_ns, out);
  }
  for (EntityId source : sources) {
    Blocking(graph, source, targets, PolicyDirection::kEgress, at_ns, out);
  }
  return out;
}

}  // namespace tapio::intelligence
