#include "server/event_tail.h"

#include <algorithm>

namespace tapio::server {

void EventTail::Publish(absl::Span<const v1::UnifiedEvent> events) {
  absl::MutexLock lock(&mu_);
  newest_ += events.size();
  if (readers_ == 0) return;
  for (size_t i = events.size() > capacity_ ? events.size() - capacity_ : 0; i < events.size();
       ++i) {
    ring_.push_back(events[i]);
  }
  while (ring_.size() > capacity_) ring_.pop_front();
}

uint64_t EventTail::Join() {
  absl::MutexLock lock(&mu_);
  ++readers_;
  return newest_;
}

void EventTail::Leave() {
  absl::MutexLock lock(&mu_);
  if (--readers_ == 0) ring_.clear();
}

EventTail::Read EventTail::After(uint64_t after, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto more = [this, after]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return newest_ > after; };
  mu_.AwaitWithTimeout(absl::Condition(&more), timeout);
  Read read;
  read.last = std::max(after, newest_);
  const uint64_t oldest_held = newest_ - ring_.size() + 1;
  uint64_t from = after + 1;
  if (from < oldest_held) {
    read.missed = oldest_held - from;
    from = oldest_held;
  }
  for (uint64_t n = from; n <= newest_; ++n) read.events.push_back(ring_[n - oldest_held]);
  return read;
}

}  // namespace tapio::server
