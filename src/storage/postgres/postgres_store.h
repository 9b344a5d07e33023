// The shared Store: PostgreSQL through libpq, for several servers using one store. The same
// schema and behaviour as the SQLite store (its tables, idempotent appends, pages, retention
// and numbered migrations recorded in a version table), with statements prepared once per
// connection and each Append one transaction. Thread-safe: one connection, used under a lock.
#ifndef TAPIO_STORAGE_POSTGRES_POSTGRES_STORE_H_
#define TAPIO_STORAGE_POSTGRES_POSTGRES_STORE_H_

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "storage/store.h"

namespace tapio::storage::postgres {

inline constexpr int kSchemaVersion = 3;

class PostgresStore : public Store {
 public:
  // Connects with a libpq connection string ("host=127.0.0.1 port=5432 dbname=tapio
  // user=tapio") and migrates the schema. Fails with Unavailable and libpq's reason when it
  // cannot connect, FailedPrecondition when the schema is newer than this build's.
  static absl::StatusOr<std::unique_ptr<PostgresStore>> Open(const std::string& conninfo);
  ~PostgresStore() override;

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
  explicit PostgresStore(PGconn* conn) : conn_(conn) {}
  absl::Status Migrate() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Prepare() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  PGconn* conn_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tapio::storage::postgres

#endif  // TAPIO_STORAGE_POSTGRES_POSTGRES_STORE_H_
