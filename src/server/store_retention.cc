#include "server/store_retention.h"

#include <cstdio>
#include <limits>
#include <string>

namespace tapio::server {

StoreRetention::StoreRetention(storage::Store& store, RetentionSettings settings,
                               const domain::Clock& clock)
    : store_(store), settings_(settings), clock_(clock) {
  if (settings_.age > absl::ZeroDuration() || settings_.max_raw_bytes > 0) {
    thread_ = std::thread([this] { Run(); });
  }
}

StoreRetention::~StoreRetention() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void StoreRetention::Run() {
  absl::MutexLock lock(&mu_);
  while (!mu_.AwaitWithTimeout(absl::Condition(&stopping_), settings_.every)) {
    mu_.Unlock();
    Pass();
    mu_.Lock();
  }
}

void StoreRetention::Pass() {
  const int64_t before_ns = settings_.age > absl::ZeroDuration()
                                ? clock_.NowNanos() - absl::ToInt64Nanoseconds(settings_.age)
                                : std::numeric_limits<int64_t>::min();
  const uint64_t max_raw_bytes = settings_.max_raw_bytes > 0
                                     ? settings_.max_raw_bytes
                                     : uint64_t{std::numeric_limits<int64_t>::max()};
  absl::StatusOr<storage::RetentionResult> removed = store_.Retain(before_ns, max_raw_bytes);
  ++counts_.passes;
  if (!removed.ok()) {
    ++counts_.failed_passes;
    std::fprintf(stderr, "tapio serve: retention: %s\n",
                 std::string(removed.status().message()).c_str());
    return;
  }
  counts_.events_removed += removed->events_removed;
  counts_.raw_records_removed += removed->raw_records_removed;
  if (removed->events_removed == 0 && removed->raw_records_removed == 0) return;
  std::fprintf(stderr,
               "tapio serve: retention removed %llu event(s) and %llu raw record(s) from the "
               "store\n",
               static_cast<unsigned long long>(removed->events_removed),
               static_cast<unsigned long long>(removed->raw_records_removed));
}

}  // namespace tapio::server
