// The store's entity dictionary: each (kind, namespace, name) an integer id in the entities
// table, which events refer to, so that their entity index holds integers rather than three
// strings. Ids are cached in memory; Forget() drops the cache when ids it holds may be gone
// (a rolled-back transaction, pruned entities). Used under the store's lock.
#ifndef TAPIO_STORAGE_SQLITE_ENTITY_IDS_H_
#define TAPIO_STORAGE_SQLITE_ENTITY_IDS_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "storage/sqlite/connection.h"
#include "tapio/v1/event.pb.h"

namespace tapio::storage::sqlite {

class EntityIds {
 public:
  static absl::StatusOr<EntityIds> Prepare(Connection& db);

  // The entity's id, added within the caller's transaction when it is new.
  absl::StatusOr<int64_t> IdOf(const tapio::v1::EntityRef& entity);
  void Forget() { cache_.clear(); }

 private:
  EntityIds(Connection& db, Statement find, Statement add)
      : db_(&db), find_(std::move(find)), add_(std::move(add)) {}

  Connection* db_;
  Statement find_;
  Statement add_;
  absl::flat_hash_map<std::string, int64_t> cache_;
  std::string key_;
};

}  // namespace tapio::storage::sqlite

#endif  // TAPIO_STORAGE_SQLITE_ENTITY_IDS_H_
