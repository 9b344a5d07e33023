// The store's index of events by entity, in the table entity_events keyed by (entity, time,
// id). Events join it in bulk: the newest, after the arrival entity_index_through records,
// are held in memory until `every` have come, then sorted into the table within an append's
// transaction, so that a stream of appends rewrites each index page once per so many events
// rather than once per commit. What is held is rebuilt from the events table on open, so a
// crash loses nothing. Used under the store's lock.
#ifndef TAPIO_STORAGE_SQLITE_ENTITY_INDEX_H_
#define TAPIO_STORAGE_SQLITE_ENTITY_INDEX_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "storage/page_token.h"
#include "storage/sqlite/connection.h"

namespace tapio::storage::sqlite {

class EntityIndex {
 public:
  struct Row {
    int64_t entity = 0;
    int64_t time_ns = 0;
    int64_t id = 0;
    int64_t arrival = 0;
  };

  // Reads where the table ends and takes the events stored after it.
  static absl::StatusOr<EntityIndex> Load(Connection& db, size_t every);

  void Add(const Row& row) { held_.push_back(row); }
  // How many are held: where RollBack returns to when a transaction fails.
  size_t Mark() const { return held_.size(); }
  void RollBack(size_t mark) {
    held_.resize(mark);
    written_through_.reset();
  }

  // Writes what is held into the table, within the caller's transaction, once `every` are held;
  // Committed() must follow the commit.
  absl::Status WriteWhenDue();
  void Committed();

  // The arrivals held, not yet in the table, of events of `entities` after `after` and in
  // [since, until) (0: open), in time order.
  std::vector<int64_t> HeldArrivals(const absl::flat_hash_set<int64_t>& entities,
                                    const PageToken& after, int64_t since_ns,
                                    int64_t until_ns) const;
  // Drops held events older than `before_ns`, which retention removed from the table.
  void DropBefore(int64_t before_ns);
  // Every event stored after this arrival is held, not in the table.
  int64_t through() const { return through_; }

 private:
  EntityIndex(size_t every, Statement insert, Statement insert_one, Statement advance)
      : every_(every),
        insert_(std::move(insert)),
        insert_one_(std::move(insert_one)),
        advance_(std::move(advance)) {}

  size_t every_;
  // Rows at once, one row, and the new end of the table.
  Statement insert_;
  Statement insert_one_;
  Statement advance_;
  int64_t through_ = 0;
  // In the order stored.
  std::vector<Row> held_;
  // Written by WriteWhenDue, until the commit.
  std::optional<int64_t> written_through_;
};

}  // namespace tapio::storage::sqlite

#endif  // TAPIO_STORAGE_SQLITE_ENTITY_INDEX_H_
