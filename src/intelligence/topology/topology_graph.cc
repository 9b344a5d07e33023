#include "intelligence/topology/topology_graph.h"

#include <algorithm>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"

namespace tapio::intelligence {
namespace {

using domain::EntityId;
using domain::KubeKind;
using domain::Symbol;

constexpr absl::string_view kRelationNames[kRelationCount] = {
    "owns", "runs-on", "selects", "mounts", "binds", "uses", "limited-by", "calls", "isolates"};

bool Matches(const domain::Labels& selector, const domain::Labels& labels) {
  if (selector.empty()) return false;
  for (const auto& [key, value] : selector) {
    std::optional<Symbol> have = domain::LabelValue(labels, key);
    if (!have.has_value() || *have != value) return false;
  }
  return true;
}

// Hashes the fields of `object` that decide its edges: owners, labels, and per kind the node,
// claims, config references, selector and bound volume. A pod's container ids are not among
// them: a restart changes them and no edge.
uint64_t RelationsHash(const domain::KubeObject& object) {
  size_t hash = absl::HashOf(object.kind, object.meta.labels.size());
  auto mix = [&hash](auto... values) { hash = absl::HashOf(hash, values...); };
  for (const domain::OwnerRef& owner : object.meta.owners) mix(owner.kind, owner.name, owner.uid);
  for (const auto& [key, value] : object.meta.labels) mix(key, value);
  if (const auto* pod = object.pod()) {
    mix(pod->node_name);
    for (Symbol claim : pod->pvc_names) mix(claim);
    for (const domain::ConfigRef& ref : pod->volume_config_refs) mix(ref.kind, ref.name);
    for (const domain::ContainerSpec& c : pod->containers) {
      for (const domain::ConfigRef& ref : c.config_refs) mix(ref.kind, ref.name);
    }
  } else if (const auto* service = object.service()) {
    for (const auto& [key, value] : service->selector) mix(key, value);
  } else if (const auto* volume = object.volume()) {
    mix(volume->volume_name, volume->storage_class);
  } else if (object.network_policy() != nullptr) {
    // Any spec change makes a new version of the policy.
    mix(object.meta.generation, object.meta.resource_version);
  }
  return hash == 0 ? 1 : hash;
}

void AddUnique(std::vector<EntityId>& ids, EntityId id) {
  if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
}

}  // namespace

absl::string_view RelationName(Relation relation) {
  return kRelationNames[static_cast<int>(relation)];
}

TopologyGraph::TopologyGraph(Symbol cluster, domain::EntityRegistry& registry)
    : cluster_(cluster), registry_(registry) {}

EntityId TopologyGraph::Entity(KubeKind kind, Symbol namespace_name, Symbol name, Symbol uid,
                               int64_t at_ns, bool* met) {
  domain::EntityRef ref{cluster_, domain::Intern(domain::KubeKindName(kind)),
                        domain::IsClusterScoped(kind) ? Symbol{} : namespace_name, name, uid};
  absl::StatusOr<EntityId> id = registry_.Register(ref);
  if (!id.ok()) return EntityId{};
  auto [it, inserted] = info_.try_emplace(*id);
  if (met != nullptr) *met = inserted;
  if (inserted) {
    it->second.id = *id;
    it->second.kind = kind;
    it->second.since_ns = at_ns;
  } else {
    it->second.since_ns = std::min(it->second.since_ns, at_ns);
  }
  return *id;
}

void TopologyGraph::SetEdges(EntityId entity, Relation relation, bool incoming,
                             const std::vector<EntityId>& targets, int64_t at_ns) {
  Adjacency& adjacency = adjacency_[entity];
  std::vector<uint32_t>& mine = incoming ? adjacency.in : adjacency.out;
  std::vector<EntityId> open;
  for (uint32_t index : mine) {
    Edge& edge = edges_[index];
    if (edge.relation != relation || edge.until_ns != kForever) continue;
    EntityId other = incoming ? edge.from : edge.to;
    if (std::find(targets.begin(), targets.end(), other) == targets.end()) {
      edge.until_ns = std::max(at_ns, edge.since_ns);
    } else {
      open.push_back(other);
    }
  }
  for (EntityId target : targets) {
    if (!target.valid() || target == entity ||
        std::find(open.begin(), open.end(), target) != open.end()) {
      continue;
    }
    auto index = static_cast<uint32_t>(edges_.size());
    Edge edge{incoming ? target : entity, incoming ? entity : target, relation, at_ns, kForever};
    edges_.push_back(edge);
    adjacency_[edge.from].out.push_back(index);
    adjacency_[edge.to].in.push_back(index);
    open.push_back(target);
  }
}

void TopologyGraph::CloseAll(EntityId entity, int64_t at_ns) {
  auto it = adjacency_.find(entity);
  if (it == adjacency_.end()) return;
  for (const std::vector<uint32_t>* list : {&it->second.out, &it->second.in}) {
    for (uint32_t index : *list) {
      Edge& edge = edges_[index];
      if (edge.until_ns == kForever) edge.until_ns = std::max(at_ns, edge.since_ns);
    }
  }
}

std::vector<EntityId> TopologyGraph::Owners(const domain::KubeObject& object, int64_t at_ns) {
  std::vector<EntityId> owners;
  for (const domain::OwnerRef& owner : object.meta.owners) {
    KubeKind kind = domain::KubeKindFromName(domain::Resolve(owner.kind));
    if (kind == KubeKind::kUnknown || owner.name.empty()) continue;
    AddUnique(owners, Entity(kind, object.meta.namespace_name, owner.name, owner.uid, at_ns));
  }
  return owners;
}

absl::Status TopologyGraph::Apply(const domain::ObjectChange& change) {
  const domain::KubeObject& object = change.object;
  if (object.kind == KubeKind::kUnknown || object.kind == KubeKind::kEvent) {
    return absl::OkStatus();
  }
  if (object.meta.name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(domain::KubeKindName(object.kind), " without metadata.name"));
  }
  absl::MutexLock lock(&mu_);
  const Symbol ns = object.meta.namespace_name;
  // Known to the graph, not merely to the registry: an event may have named the object first.
  bool met = false;
  const EntityId id =
      Entity(object.kind, ns, object.meta.name, object.meta.uid, change.time_ns, &met);
  if (!id.valid()) return absl::InvalidArgumentError("object could not be registered");
  EntityInfo& info = info_[id];
  // A newly met object's relations hold from its creation, not from when Tapio first saw it
  // (a dump taken after an incident must still explain the incident).
  int64_t at = change.time_ns;
  if (met && object.meta.created_ns > 0) {
    at = std::min(at, object.meta.created_ns);
    info.since_ns = at;
  }

  if (change.type == domain::ObjectChange::Type::kDeleted) {
    CloseAll(id, change.time_ns);
    info.deleted_ns = change.time_ns;
    if (object.kind == KubeKind::kPod) pods_by_namespace_[ns].erase(id);
    if (object.kind == KubeKind::kNetworkPolicy) std::erase(policies_by_namespace_[ns], id);
    if (object.kind == KubeKind::kService) {
      auto& selectors = selectors_by_namespace_[ns];
      selectors.erase(std::remove_if(selectors.begin(), selectors.end(),
                                     [&](const Selector& s) { return s.service == id; }),
                      selectors.end());
    }
    return absl::OkStatus();
  }
  if (object.kind == KubeKind::kService) info.service_type = object.service()->type;
  if (object.kind == KubeKind::kPod) RecordContainers(*object.pod(), id);
  uint64_t relations = RelationsHash(object);
  if (info.deleted_ns == kForever && info.relations_hash == relations) return absl::OkStatus();
  info.deleted_ns = kForever;
  info.labels = object.meta.labels;
  info.relations_hash = relations;
  SetEdges(id, Relation::kOwns, /*incoming=*/true, Owners(object, at), at);

  switch (object.kind) {
    case KubeKind::kPod:
      ApplyPod(object, id, at);
      break;
    case KubeKind::kService:
      ApplyService(object, id, at);
      break;
    case KubeKind::kPersistentVolumeClaim:
    case KubeKind::kPersistentVolume: {
      const domain::VolumeObject& volume = *object.volume();
      std::vector<EntityId> targets;
      if (object.kind == KubeKind::kPersistentVolumeClaim && !volume.volume_name.empty()) {
        targets.push_back(Entity(KubeKind::kPersistentVolume, {}, volume.volume_name, {}, at));
      }
      if (!volume.storage_class.empty()) {
        targets.push_back(Entity(KubeKind::kStorageClass, {}, volume.storage_class, {}, at));
      }
      SetEdges(id, Relation::kBinds, /*incoming=*/false, targets, at);
      break;
    }
    case KubeKind::kNetworkPolicy:
      ApplyNetworkPolicy(object, id, at);
      break;
    case KubeKind::kResourceQuota:
      SetEdges(id, Relation::kLimitedBy, /*incoming=*/true,
               {Entity(KubeKind::kNamespace, {}, ns, {}, at)}, at);
      break;
    default:
      break;
  }
  return absl::OkStatus();
}

void TopologyGraph::ApplyPod(const domain::KubeObject& object, EntityId pod, int64_t at_ns) {
  const domain::PodObject& spec = *object.pod();
  const Symbol ns = object.meta.namespace_name;
  std::vector<EntityId> node;
  if (!spec.node_name.empty()) {
    node.push_back(Entity(KubeKind::kNode, {}, spec.node_name, {}, at_ns));
  }
  SetEdges(pod, Relation::kRunsOn, /*incoming=*/false, node, at_ns);

  std::vector<EntityId> claims;
  for (Symbol claim : spec.pvc_names) {
    AddUnique(claims, Entity(KubeKind::kPersistentVolumeClaim, ns, claim, {}, at_ns));
  }
  SetEdges(pod, Relation::kMounts, /*incoming=*/false, claims, at_ns);

  std::vector<EntityId> used;
  auto use = [&](const domain::ConfigRef& ref) {
    KubeKind kind =
        ref.kind == domain::ConfigRef::Kind::kSecret ? KubeKind::kSecret : KubeKind::kConfigMap;
    AddUnique(used, Entity(kind, ns, ref.name, {}, at_ns));
  };
  for (const domain::ContainerSpec& container : spec.containers) {
    for (const domain::ConfigRef& ref : container.config_refs) use(ref);
  }
  for (const domain::ConfigRef& ref : spec.volume_config_refs) use(ref);
  SetEdges(pod, Relation::kUses, /*incoming=*/false, used, at_ns);
  pods_by_namespace_[ns].insert(pod);
  RecomputeSelectedBy(pod, ns, at_ns);
}

void TopologyGraph::RecordContainers(const domain::PodObject& pod, EntityId id) {
  for (const domain::ContainerStatus& status : pod.statuses) {
    for (Symbol container : {status.container_id, status.last_state.container_id}) {
      if (!container.empty()) pod_by_container_.insert_or_assign(container, id);
    }
  }
}

void TopologyGraph::ApplyService(const domain::KubeObject& object, EntityId service,
                                 int64_t at_ns) {
  const Symbol ns = object.meta.namespace_name;
  std::vector<Selector>& selectors = selectors_by_namespace_[ns];
  auto it = std::find_if(selectors.begin(), selectors.end(),
                         [&](const Selector& s) { return s.service == service; });
  if (it == selectors.end()) {
    selectors.push_back(Selector{service, object.service()->selector});
  } else {
    it->labels = object.service()->selector;
  }
  std::vector<EntityId> selected;
  for (EntityId pod : pods_by_namespace_[ns]) {
    if (Matches(object.service()->selector, info_[pod].labels)) selected.push_back(pod);
  }
  SetEdges(service, Relation::kSelects, /*incoming=*/false, selected, at_ns);
}

void TopologyGraph::ApplyNetworkPolicy(const domain::KubeObject& object, EntityId policy,
                                       int64_t at_ns) {
  const Symbol ns = object.meta.namespace_name;
  auto spec = std::make_shared<const domain::NetworkPolicyObject>(*object.network_policy());
  std::vector<PolicyVersion>& versions = policy_versions_[policy];
  if (!versions.empty() && versions.back().since_ns >= at_ns) {
    versions.back().spec = spec;
  } else {
    versions.push_back({at_ns, spec});
  }
  std::vector<EntityId>& live = policies_by_namespace_[ns];
  if (std::find(live.begin(), live.end(), policy) == live.end()) live.push_back(policy);
  std::vector<EntityId> selected;
  for (EntityId pod : pods_by_namespace_[ns]) {
    if (spec->pod_selector.Matches(info_[pod].labels)) selected.push_back(pod);
  }
  SetEdges(policy, Relation::kIsolates, /*incoming=*/false, selected, at_ns);
}

void TopologyGraph::RecomputeSelectedBy(EntityId pod, Symbol namespace_name, int64_t at_ns) {
  const domain::Labels& labels = info_[pod].labels;
  std::vector<EntityId> services;
  for (const Selector& selector : selectors_by_namespace_[namespace_name]) {
    if (Matches(selector.labels, labels)) services.push_back(selector.service);
  }
  SetEdges(pod, Relation::kSelects, /*incoming=*/true, services, at_ns);
  std::vector<EntityId> policies;
  for (EntityId policy : policies_by_namespace_[namespace_name]) {
    const domain::NetworkPolicyObject* spec = PolicyAt(policy, kForever - 1);
    if (spec != nullptr && spec->pod_selector.Matches(labels)) policies.push_back(policy);
  }
  SetEdges(pod, Relation::kIsolates, /*incoming=*/true, policies, at_ns);
}

const domain::NetworkPolicyObject* TopologyGraph::PolicyAt(EntityId policy, int64_t at_ns) const {
  auto it = policy_versions_.find(policy);
  if (it == policy_versions_.end()) return nullptr;
  const domain::NetworkPolicyObject* spec = nullptr;
  for (const PolicyVersion& version : it->second) {
    if (version.since_ns > at_ns) break;
    spec = version.spec.get();
  }
  return spec;
}

std::vector<EntityId> TopologyGraph::IsolatingPolicies(EntityId pod, PolicyDirection direction,
                                                       int64_t at_ns) const {
  std::vector<EntityId> result;
  absl::ReaderMutexLock lock(&mu_);
  auto it = adjacency_.find(pod);
  if (it == adjacency_.end()) return result;
  for (uint32_t index : it->second.in) {
    const Edge& edge = edges_[index];
    if (edge.relation != Relation::kIsolates || !edge.HoldsAt(at_ns)) continue;
    const domain::NetworkPolicyObject* spec = PolicyAt(edge.from, at_ns);
    if (spec != nullptr && Isolates(*spec, direction)) AddUnique(result, edge.from);
  }
  return result;
}

bool TopologyGraph::PolicyAdmits(EntityId policy, EntityId peer, PolicyDirection direction,
                                 int64_t at_ns) const {
  absl::ReaderMutexLock lock(&mu_);
  const domain::NetworkPolicyObject* spec = PolicyAt(policy, at_ns);
  if (spec == nullptr) return true;
  domain::EntityRef peer_ref = registry_.Get(peer);
  static const domain::Labels kNone;
  auto labels_of = [&](EntityId id) -> const domain::Labels& {
    auto it = info_.find(id);
    return it == info_.end() ? kNone : it->second.labels;
  };
  static const Symbol kNamespaceKind = domain::Intern(domain::KubeKindName(KubeKind::kNamespace));
  std::optional<EntityId> ns =
      registry_.FindByName(cluster_, kNamespaceKind, Symbol{}, peer_ref.namespace_name);
  PolicyPeer other{labels_of(peer), peer_ref.namespace_name,
                   ns.has_value() ? labels_of(*ns) : kNone};
  return Admits(*spec, registry_.Get(policy).namespace_name, direction, other);
}

void TopologyGraph::AddCall(EntityId caller, EntityId callee, int64_t at_ns) {
  absl::MutexLock lock(&mu_);
  for (uint32_t index : adjacency_[caller].out) {
    const Edge& edge = edges_[index];
    if (edge.relation == Relation::kCalls && edge.to == callee && edge.until_ns == kForever) {
      if (at_ns < edge.since_ns) edges_[index].since_ns = at_ns;
      return;
    }
  }
  auto index = static_cast<uint32_t>(edges_.size());
  edges_.push_back(Edge{caller, callee, Relation::kCalls, at_ns, kForever});
  adjacency_[caller].out.push_back(index);
  adjacency_[callee].in.push_back(index);
}

std::vector<Edge> TopologyGraph::Outgoing(EntityId entity, Relation relation, int64_t at_ns) const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<Edge> result;
  auto it = adjacency_.find(entity);
  if (it == adjacency_.end()) return result;
  for (uint32_t index : it->second.out) {
    const Edge& edge = edges_[index];
    if (edge.relation == relation && edge.HoldsAt(at_ns)) result.push_back(edge);
  }
  return result;
}

std::vector<Edge> TopologyGraph::Incoming(EntityId entity, Relation relation, int64_t at_ns) const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<Edge> result;
  auto it = adjacency_.find(entity);
  if (it == adjacency_.end()) return result;
  for (uint32_t index : it->second.in) {
    const Edge& edge = edges_[index];
    if (edge.relation == relation && edge.HoldsAt(at_ns)) result.push_back(edge);
  }
  return result;
}

std::vector<EntityId> TopologyGraph::OwnerChain(EntityId entity, int64_t at_ns) const {
  std::vector<EntityId> chain;
  EntityId current = entity;
  // Kubernetes ownership is at most a few levels deep; the bound also stops a cycle that a
  // malformed object could create.
  for (int depth = 0; depth < 8; ++depth) {
    std::vector<Edge> owners = Incoming(current, Relation::kOwns, at_ns);
    if (owners.empty()) break;
    current = owners.front().from;
    if (std::find(chain.begin(), chain.end(), current) != chain.end()) break;
    chain.push_back(current);
  }
  return chain;
}

std::optional<EntityId> TopologyGraph::NodeOf(EntityId pod, int64_t at_ns) const {
  std::vector<Edge> nodes = Outgoing(pod, Relation::kRunsOn, at_ns);
  if (nodes.empty()) return std::nullopt;
  return nodes.front().to;
}

std::optional<EntityInfo> TopologyGraph::Info(EntityId entity) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = info_.find(entity);
  if (it == info_.end()) return std::nullopt;
  return it->second;
}

std::optional<EntityId> TopologyGraph::PodByContainerId(Symbol container_id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = pod_by_container_.find(container_id);
  if (it == pod_by_container_.end()) return std::nullopt;
  return it->second;
}

std::optional<EntityId> TopologyGraph::PodByUid(Symbol uid) const {
  std::optional<EntityId> id = registry_.FindByUid(cluster_, uid);
  if (!id.has_value()) return std::nullopt;
  absl::ReaderMutexLock lock(&mu_);
  auto it = info_.find(*id);
  if (it == info_.end() || it->second.kind != KubeKind::kPod) return std::nullopt;
  return id;
}

int64_t TopologyGraph::LastSeenBy(EntityId entity, int64_t at_ns) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = info_.find(entity);
  if (it == info_.end()) return at_ns;
  return std::min(at_ns, it->second.deleted_ns - 1);
}

std::optional<EntityId> TopologyGraph::Find(KubeKind kind, absl::string_view namespace_name,
                                            absl::string_view name) const {
  domain::SymbolTable& symbols = domain::SymbolTable::Global();
  std::optional<Symbol> kind_symbol = symbols.Find(domain::KubeKindName(kind));
  std::optional<Symbol> ns = symbols.Find(domain::IsClusterScoped(kind) ? "" : namespace_name);
  std::optional<Symbol> name_symbol = symbols.Find(name);
  if (!kind_symbol || !ns || !name_symbol) return std::nullopt;
  return registry_.FindByName(cluster_, *kind_symbol, *ns, *name_symbol);
}

std::vector<EntityId> TopologyGraph::EntitiesOfKind(KubeKind kind, int64_t at_ns) const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<EntityId> result;
  for (const auto& [id, info] : info_) {
    if (info.kind == kind && info.since_ns <= at_ns && at_ns < info.deleted_ns) {
      result.push_back(id);
    }
  }
  std::sort(result.begin(), result.end(), [](EntityId a, EntityId b) { return a.value < b.value; });
  return result;
}

size_t TopologyGraph::entity_count() const {
  absl::ReaderMutexLock lock(&mu_);
  return info_.size();
}

size_t TopologyGraph::edge_count() const {
  absl::ReaderMutexLock lock(&mu_);
  return edges_.size();
}

size_t TopologyGraph::memory_bytes() const {
  absl::ReaderMutexLock lock(&mu_);
  size_t bytes = edges_.capacity() * sizeof(Edge);
  bytes += adjacency_.capacity() * (sizeof(EntityId) + sizeof(Adjacency));
  for (const auto& [id, adjacency] : adjacency_) {
    bytes += (adjacency.out.capacity() + adjacency.in.capacity()) * sizeof(uint32_t);
  }
  bytes += info_.capacity() * (sizeof(EntityId) + sizeof(EntityInfo));
  for (const auto& [id, info] : info_) {
    bytes += info.labels.capacity() * sizeof(info.labels[0]);
  }
  bytes += pod_by_container_.capacity() * (sizeof(Symbol) + sizeof(EntityId));
  for (const auto& [ns, pods] : pods_by_namespace_) bytes += pods.capacity() * sizeof(EntityId);
  return bytes;
}

}  // namespace tapio::intelligence
