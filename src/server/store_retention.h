// Keeps the store within its limits while the server runs: every interval, events older than
// the retention age (by event time) go with their raw records, then raw records beyond the
// size limit, earliest first. Each pass that removed something is logged; every pass is
// counted. A failed pass is reported and the next one tries again. Thread-safe.
#ifndef TAPIO_SERVER_STORE_RETENTION_H_
#define TAPIO_SERVER_STORE_RETENTION_H_

#include <atomic>
#include <cstdint>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "domain/clock.h"
#include "storage/store.h"

namespace tapio::server {

struct RetentionSettings {
  // Zero: events are kept however old.
  absl::Duration age = absl::ZeroDuration();
  // Zero: raw records are kept whatever room they take.
  uint64_t max_raw_bytes = 0;
  absl::Duration every = absl::Minutes(1);
};

struct RetentionCounts {
  std::atomic<uint64_t> passes{0};
  std::atomic<uint64_t> failed_passes{0};
  std::atomic<uint64_t> events_removed{0};
  std::atomic<uint64_t> raw_records_removed{0};
};

class StoreRetention {
 public:
  // The first pass comes one interval after the start, so that a restarted server has
  // rebuilt from what its store held. Runs no thread when neither limit is set. `store` and
  // `clock` must outlive the retention.
  StoreRetention(storage::Store& store, RetentionSettings settings, const domain::Clock& clock);
  // Stops; a pass under way ends first.
  ~StoreRetention();
  StoreRetention(const StoreRetention&) = delete;
  StoreRetention& operator=(const StoreRetention&) = delete;

  const RetentionCounts& counts() const { return counts_; }

 private:
  void Run();
  void Pass();

  storage::Store& store_;
  const RetentionSettings settings_;
  const domain::Clock& clock_;
  RetentionCounts counts_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace tapio::server

#endif  // TAPIO_SERVER_STORE_RETENTION_H_
