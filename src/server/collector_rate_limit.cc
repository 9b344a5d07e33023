#include "server/collector_rate_limit.h"

#include <algorithm>

namespace tapio::server {

void CollectorRateLimit::SetRate(double events_per_second, double burst) {
  absl::MutexLock lock(&mu_);
  rate_ = events_per_second;
  burst_ = burst;
}

bool CollectorRateLimit::Take(const std::string& collector, uint64_t events,
                              absl::Duration* retry_after) {
  const int64_t now = clock_.NowNanos();
  absl::MutexLock lock(&mu_);
  if (rate_ <= 0) return true;
  auto [it, added] = buckets_.try_emplace(collector, Bucket{burst_, now});
  Bucket& bucket = it->second;
  if (!added) {
    double refill = static_cast<double>(now - bucket.filled_ns) * 1e-9 * rate_;
    bucket.tokens = std::min(burst_, bucket.tokens + std::max(0.0, refill));
    bucket.filled_ns = now;
  }
  if (bucket.tokens <= 0) {
    *retry_after = absl::Seconds((1 - bucket.tokens) / rate_);
    return false;
  }
  bucket.tokens -= static_cast<double>(events);
  return true;
}

}  // namespace tapio::server
