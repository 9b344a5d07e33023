// A bound on how many events each collector may send per second: a token bucket per
// collector id, filled at `events_per_second` up to `burst`. A batch is let through while its
// collector's bucket holds any token, and takes what it needs even into debt, which later
// refills pay back; so a batch larger than the burst is slowed, never starved. Thread-safe.
#ifndef TAPIO_SERVER_COLLECTOR_RATE_LIMIT_H_
#define TAPIO_SERVER_COLLECTOR_RATE_LIMIT_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "domain/clock.h"

namespace tapio::server {

class CollectorRateLimit {
 public:
  // 0 events per second: no limit. `clock` must outlive the limit.
  CollectorRateLimit(double events_per_second, double burst, const domain::Clock& clock)
      : clock_(clock), rate_(events_per_second), burst_(burst) {}

  // A new rate and burst for every bucket from now on; what buckets hold is kept.
  void SetRate(double events_per_second, double burst);
  // Takes `events` tokens from `collector`'s bucket; false (taking none) while it is empty.
  // `retry_after` then says when it holds a token again.
  bool Take(const std::string& collector, uint64_t events, absl::Duration* retry_after);

 private:
  struct Bucket {
    double tokens = 0;
    int64_t filled_ns = 0;
  };

  const domain::Clock& clock_;
  absl::Mutex mu_;
  double rate_ ABSL_GUARDED_BY(mu_);
  double burst_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tapio::server

#endif  // TAPIO_SERVER_COLLECTOR_RATE_LIMIT_H_
