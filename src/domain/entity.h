// Entities are the things events are about: pods, nodes, workloads, services. Each distinct
// entity gets a small integer EntityId from the EntityRegistry, so events and indexes carry
// four bytes instead of five strings.
#ifndef TAPIO_DOMAIN_ENTITY_H_
#define TAPIO_DOMAIN_ENTITY_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "domain/append_only_array.h"
#include "domain/symbol_table.h"

namespace tapio::domain {

// A registered entity's handle; 0 means "no entity".
struct EntityId {
  uint32_t value = 0;

  bool valid() const { return value != 0; }
  friend bool operator==(EntityId a, EntityId b) = default;
  template <typename H>
  friend H AbslHashValue(H h, EntityId id) {
    return H::combine(std::move(h), id.value);
  }
};

// Names an entity. `kind` is a Kubernetes kind, "Node", or "Service" for an OTLP service;
// `namespace_name` is empty for cluster-scoped kinds; `uid` is metadata.uid when known.
struct EntityRef {
  Symbol cluster;
  Symbol kind;
  Symbol namespace_name;
  Symbol name;
  Symbol uid;

  friend bool operator==(const EntityRef&, const EntityRef&) = default;
};

// "Kind/namespace/name" (or "Kind/name" when cluster-scoped), for messages and reports.
std::string ToString(const EntityRef& ref);

// Assigns ids to entities and finds them again by uid or by name.
// Thread-safe: lookups take a shared lock, Get() is lock-free.
//
// Identity: an entity with a uid is the object with that uid; an entity without one is its
// cluster/kind/namespace/name. A name-only entity that later shows up with a uid becomes that
// uid's entity, so early events (a kernel line naming only a pod) and later ones (the pod
// object) share an id. A new uid under a known name (a replaced pod) is a new entity; the
// name then finds the newest one.
class EntityRegistry {
 public:
  EntityRegistry() = default;
  EntityRegistry(const EntityRegistry&) = delete;
  EntityRegistry& operator=(const EntityRegistry&) = delete;

  // Returns the id of `ref`, registering it when new. Fails with InvalidArgument when `ref`
  // has no kind or no name, and ResourceExhausted when the registry is full.
  absl::StatusOr<EntityId> Register(const EntityRef& ref);

  std::optional<EntityId> FindByUid(Symbol cluster, Symbol uid) const;
  // Returns the newest entity with this name.
  std::optional<EntityId> FindByName(Symbol cluster, Symbol kind, Symbol namespace_name,
                                     Symbol name) const;

  // Returns the entity's name and, when known, its uid.
  // REQUIRES: `id` came from this registry.
  EntityRef Get(EntityId id) const;

  size_t size() const { return refs_.size(); }

 private:
  struct NameKey {
    Symbol cluster, kind, namespace_name, name;
    friend bool operator==(const NameKey&, const NameKey&) = default;
    template <typename H>
    friend H AbslHashValue(H h, const NameKey& k) {
      return H::combine(std::move(h), k.cluster, k.kind, k.namespace_name, k.name);
    }
  };
  struct UidKey {
    Symbol cluster, uid;
    friend bool operator==(const UidKey&, const UidKey&) = default;
    template <typename H>
    friend H AbslHashValue(H h, const UidKey& k) {
      return H::combine(std::move(h), k.cluster, k.uid);
    }
  };

  mutable absl::Mutex mu_;
  absl::flat_hash_map<UidKey, EntityId> by_uid_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<NameKey, EntityId> by_name_ ABSL_GUARDED_BY(mu_);
  // Index i holds entity id i + 1, as first registered; appended under mu_.
  AppendOnlyArray<EntityRef> refs_;
  // Uids of entities first registered without one.
  absl::flat_hash_map<EntityId, Symbol> late_uids_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tapio::domain

#endif  // TAPIO_DOMAIN_ENTITY_H_
