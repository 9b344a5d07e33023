// The embedded Store: one SQLite file in WAL mode, the schema brought up to date on open
// through numbered migrations recorded in a version table. Appends that arrive while another
// is being written are committed together, in one transaction and one fsync, each still told
// which of its events were new. Raw records beyond the size limit go in the order stored.
// Thread-safe: one connection, used under a lock.
#ifndef TAPIO_STORAGE_SQLITE_SQLITE_STORE_H_
#define TAPIO_STORAGE_SQLITE_SQLITE_STORE_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/entity_ids.h"
#include "storage/sqlite/entity_index.h"
#include "storage/store.h"

namespace tapio::storage::sqlite {

// The schema version this build writes; a file at a newer version is refused.
inline constexpr int kSchemaVersion = 5;
// Events one insert statement stores: running a statement costs about as much as storing a
// row, so a statement stores many.
inline constexpr size_t kRowsPerInsert = 64;

class SqliteStore : public Store {
 public:
  struct Options {
    std::string path;
    // fsync at every commit (synchronous=FULL) rather than at checkpoints (NORMAL): an
    // acknowledged batch then survives a power cut, not only a crash of the process.
    bool durable = true;
    // Events held out of the entity index until this many have come (EntityIndex).
    size_t index_every = 65536;
  };

  // Opens or creates the file and migrates its schema. Fails with Unavailable naming the file
  // when it cannot be opened, FailedPrecondition when its schema is newer than this build's.
  static absl::StatusOr<std::unique_ptr<SqliteStore>> Open(Options options);

  absl::StatusOr<std::vector<size_t>> Append(
      absl::Span<const tapio::v1::UnifiedEvent> events) override;
  absl::StatusOr<EventPage> Events(const EventQuery& query) override;
  absl::StatusOr<std::string> RawRecord(uint64_t event_id) override;
  absl::StatusOr<ArrivalPage> EventsInArrivalOrder(uint64_t after, size_t limit) override;
  absl::StatusOr<uint64_t> EventCount() override;
  absl::Status PutIncident(const tapio::v1::Incident& incident) override;
  absl::StatusOr<std::vector<tapio::v1::Incident>> OpenIncidents() override;
  absl::StatusOr<RetentionResult> Retain(int64_t before_ns, uint64_t max_raw_bytes) override;

 private:
  explicit SqliteStore(std::unique_ptr<Connection> db) : db_(std::move(db)) {}
  absl::Status Migrate() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // An Append waiting for its events to be written, by itself or by another's transaction.
  struct PendingAppend {
    absl::Span<const tapio::v1::UnifiedEvent> events;
    absl::StatusOr<std::vector<size_t>> added;
    bool done = false;
  };
  // Writes the appends in one transaction; on failure, none of them.
  void Write(absl::Span<PendingAppend* const> group) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status WriteEach(absl::Span<PendingAppend* const> group) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The prepared insert of `rows` events.
  absl::StatusOr<Statement*> InsertOf(size_t rows) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex queue_mu_;
  std::vector<PendingAppend*> queue_ ABSL_GUARDED_BY(queue_mu_);
  // An append is being written; the next waits to take the queue.
  bool writing_ ABSL_GUARDED_BY(queue_mu_) = false;

  absl::Mutex mu_;
  std::unique_ptr<Connection> db_ ABSL_GUARDED_BY(mu_);
  std::optional<EntityIds> entities_ ABSL_GUARDED_BY(mu_);
  std::optional<EntityIndex> by_entity_ ABSL_GUARDED_BY(mu_);
  // The insert of so many rows, by their number.
  std::map<size_t, Statement> inserts_ ABSL_GUARDED_BY(mu_);
  std::optional<Statement> insert_raw_ ABSL_GUARDED_BY(mu_);
  // The arrivals stored between two, in order.
  std::optional<Statement> stored_in_ ABSL_GUARDED_BY(mu_);
  // The arrival position the last stored event took.
  int64_t arrival_ ABSL_GUARDED_BY(mu_) = 0;
  // Reused across appends: an event without its raw record, and each row's serialised event
  // and trace id, kept until its insert is reset, and its entity's id.
  tapio::v1::UnifiedEvent without_raw_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> bodies_ ABSL_GUARDED_BY(mu_) = std::vector<std::string>(kRowsPerInsert);
  std::vector<std::string> traces_ ABSL_GUARDED_BY(mu_) = std::vector<std::string>(kRowsPerInsert);
  std::vector<int64_t> entity_of_ ABSL_GUARDED_BY(mu_) = std::vector<int64_t>(kRowsPerInsert);
  // The arrivals one insert stored, in order.
  std::vector<int64_t> stored_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tapio::storage::sqlite

#endif  // TAPIO_STORAGE_SQLITE_SQLITE_STORE_H_
