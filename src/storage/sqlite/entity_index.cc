#include "storage/sqlite/entity_index.h"

#include <algorithm>
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"

namespace tapio::storage::sqlite {
namespace {

// Rows one insert statement writes.
constexpr size_t kRowsPerInsert = 64;

std::string InsertSql(size_t rows) {
  std::string sql = "INSERT OR IGNORE INTO entity_events (entity, time_ns, id, arrival) VALUES ";
  for (size_t r = 0; r < rows; ++r) absl::StrAppend(&sql, r == 0 ? "" : ",", "(?,?,?,?)");
  return sql;
}

bool Earlier(const EntityIndex::Row& a, const EntityIndex::Row& b) {
  return std::tie(a.time_ns, a.id) < std::tie(b.time_ns, b.id);
}

}  // namespace

absl::StatusOr<EntityIndex> EntityIndex::Load(Connection& db, size_t every) {
  absl::StatusOr<Statement> insert = db.Prepare(InsertSql(kRowsPerInsert));
  if (!insert.ok()) return insert.status();
  absl::StatusOr<Statement> insert_one = db.Prepare(InsertSql(1));
  if (!insert_one.ok()) return insert_one.status();
  absl::StatusOr<Statement> advance = db.Prepare("UPDATE entity_index_through SET arrival = ?");
  if (!advance.ok()) return advance.status();
  EntityIndex index(std::max<size_t>(every, 1), *std::move(insert), *std::move(insert_one),
                    *std::move(advance));
  {
    absl::StatusOr<Statement> end = db.Prepare("SELECT arrival FROM entity_index_through");
    if (!end.ok()) return end.status();
    absl::StatusOr<bool> row = end->Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::DataLossError("the store's entity index does not record its end");
    index.through_ = end->Int(0);
  }
  absl::StatusOr<Statement> held = db.Prepare(
      "SELECT entity, time_ns, id, arrival FROM events WHERE arrival > ? ORDER BY arrival");
  if (!held.ok()) return held.status();
  held->Bind(1, index.through_);
  while (true) {
    absl::StatusOr<bool> row = held->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    index.held_.push_back({held->Int(0), held->Int(1), held->Int(2), held->Int(3)});
  }
  return index;
}

absl::Status EntityIndex::WriteWhenDue() {
  written_through_.reset();
  if (held_.size() < every_) return absl::OkStatus();
  std::vector<Row> sorted = held_;
  std::sort(sorted.begin(), sorted.end(), [](const Row& a, const Row& b) {
    return std::tie(a.entity, a.time_ns, a.id) < std::tie(b.entity, b.time_ns, b.id);
  });
  size_t begin = 0;
  auto write = [&](Statement& insert, size_t rows) {
    for (size_t r = 0; r < rows; ++r) {
      const Row& row = sorted[begin + r];
      const int at = static_cast<int>(r) * 4;
      insert.Bind(at + 1, row.entity)
          .Bind(at + 2, row.time_ns)
          .Bind(at + 3, row.id)
          .Bind(at + 4, row.arrival);
    }
    absl::Status s = insert.Run();
    insert.Reset();
    begin += rows;
    return s;
  };
  while (sorted.size() - begin >= kRowsPerInsert) {
    if (absl::Status s = write(insert_, kRowsPerInsert); !s.ok()) return s;
  }
  while (begin < sorted.size()) {
    if (absl::Status s = write(insert_one_, 1); !s.ok()) return s;
  }
  const int64_t end = held_.back().arrival;
  advance_.Bind(1, end);
  absl::Status advanced = advance_.Run();
  advance_.Reset();
  if (!advanced.ok()) return advanced;
  written_through_ = end;
  return absl::OkStatus();
}

void EntityIndex::Committed() {
  if (!written_through_.has_value()) return;
  through_ = *written_through_;
  written_through_.reset();
  held_.clear();
}

std::vector<int64_t> EntityIndex::HeldArrivals(const absl::flat_hash_set<int64_t>& entities,
                                               const PageToken& after, int64_t since_ns,
                                               int64_t until_ns) const {
  std::vector<Row> found;
  const Row cursor{0, after.time_ns, after.id, 0};
  for (const Row& row : held_) {
    if (!entities.contains(row.entity) || !Earlier(cursor, row)) continue;
    if (since_ns != 0 && row.time_ns < since_ns) continue;
    if (until_ns != 0 && row.time_ns >= until_ns) continue;
    found.push_back(row);
  }
  std::sort(found.begin(), found.end(), Earlier);
  std::vector<int64_t> arrivals;
  arrivals.reserve(found.size());
  for (const Row& row : found) arrivals.push_back(row.arrival);
  return arrivals;
}

void EntityIndex::DropBefore(int64_t before_ns) {
  held_.erase(std::remove_if(held_.begin(), held_.end(),
                             [&](const Row& row) { return row.time_ns < before_ns; }),
              held_.end());
}

}  // namespace tapio::storage::sqlite
