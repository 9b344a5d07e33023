#include "domain/entity.h"

#include "absl/strings/str_cat.h"

namespace tapio::domain {

std::string ToString(const EntityRef& ref) {
  if (ref.namespace_name.empty()) return absl::StrCat(Resolve(ref.kind), "/", Resolve(ref.name));
  return absl::StrCat(Resolve(ref.kind), "/", Resolve(ref.namespace_name), "/", Resolve(ref.name));
}

absl::StatusOr<EntityId> EntityRegistry::Register(const EntityRef& ref) {
  if (ref.kind.empty() || ref.name.empty()) {
    return absl::InvalidArgumentError("an entity needs a kind and a name");
  }
  NameKey name_key{ref.cluster, ref.kind, ref.namespace_name, ref.name};
  UidKey uid_key{ref.cluster, ref.uid};
  {
    absl::ReaderMutexLock lock(&mu_);
    if (!ref.uid.empty()) {
      if (auto it = by_uid_.find(uid_key); it != by_uid_.end()) return it->second;
    } else if (auto it = by_name_.find(name_key); it != by_name_.end()) {
      return it->second;
    }
  }
  absl::MutexLock lock(&mu_);
  auto named = by_name_.find(name_key);
  if (ref.uid.empty()) {
    if (named != by_name_.end()) return named->second;
  } else {
    if (auto it = by_uid_.find(uid_key); it != by_uid_.end()) return it->second;
    if (named != by_name_.end()) {
      EntityId existing = named->second;
      if (refs_.Get(existing.value - 1).uid.empty() && !late_uids_.contains(existing)) {
        late_uids_.emplace(existing, ref.uid);
        by_uid_.emplace(uid_key, existing);
        return existing;
      }
    }
  }
  size_t index = refs_.Append(ref);
  if (index == refs_.capacity()) {
    return absl::ResourceExhaustedError(
        absl::StrCat("entity registry is full (", refs_.capacity(), " entities)"));
  }
  EntityId id{static_cast<uint32_t>(index + 1)};
  by_name_.insert_or_assign(name_key, id);
  if (!ref.uid.empty()) by_uid_.emplace(uid_key, id);
  return id;
}

std::optional<EntityId> EntityRegistry::FindByUid(Symbol cluster, Symbol uid) const {
  absl::ReaderMutexLock lock(&mu_);
  if (auto it = by_uid_.find(UidKey{cluster, uid}); it != by_uid_.end()) return it->second;
  return std::nullopt;
}

std::optional<EntityId> EntityRegistry::FindByName(Symbol cluster, Symbol kind,
                                                   Symbol namespace_name, Symbol name) const {
  absl::ReaderMutexLock lock(&mu_);
  if (auto it = by_name_.find(NameKey{cluster, kind, namespace_name, name}); it != by_name_.end()) {
    return it->second;
  }
  return std::nullopt;
}

EntityRef EntityRegistry::Get(EntityId id) const {
  EntityRef ref = refs_.Get(id.value - 1);
  if (ref.uid.empty()) {
    absl::ReaderMutexLock lock(&mu_);
    if (auto it = late_uids_.find(id); it != late_uids_.end()) ref.uid = it->second;
  }
  return ref;
}

}  // namespace tapio::domain
