#include "storage/sqlite/entity_ids.h"

#include "absl/strings/str_cat.h"

namespace tapio::storage::sqlite {

absl::StatusOr<EntityIds> EntityIds::Prepare(Connection& db) {
  absl::StatusOr<Statement> find =
      db.Prepare("SELECT id FROM entities WHERE kind = ? AND namespace = ? AND name = ?");
  if (!find.ok()) return find.status();
  absl::StatusOr<Statement> add =
      db.Prepare("INSERT INTO entities (kind, namespace, name) VALUES (?, ?, ?)");
  if (!add.ok()) return add.status();
  return EntityIds(db, *std::move(find), *std::move(add));
}

absl::StatusOr<int64_t> EntityIds::IdOf(const tapio::v1::EntityRef& entity) {
  key_.clear();
  absl::StrAppend(&key_, entity.kind().size(), ":", entity.kind(), entity.namespace_().size(), ":",
                  entity.namespace_(), entity.name());
  if (auto known = cache_.find(key_); known != cache_.end()) return known->second;
  find_.Bind(1, entity.kind()).Bind(2, entity.namespace_()).Bind(3, entity.name());
  absl::StatusOr<bool> row = find_.Step();
  int64_t id = row.ok() && *row ? find_.Int(0) : 0;
  find_.Reset();
  if (!row.ok()) return row.status();
  if (!*row) {
    add_.Bind(1, entity.kind()).Bind(2, entity.namespace_()).Bind(3, entity.name());
    absl::Status added = add_.Run();
    add_.Reset();
    if (!added.ok()) return added;
    id = db_->LastInsertId();
  }
  cache_.emplace(key_, id);
  return id;
}

}  // namespace tapio::storage::sqlite
