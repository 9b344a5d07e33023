// One shard's queue: many producers, one consumer, a hard capacity. Built on moodycamel's
// BlockingConcurrentQueue (lock-free, FIFO per producer thread) with an exact count of queued
// events kept beside it, since that queue has no bound of its own. Thread-safe.
#ifndef TAPIO_PIPELINE_BOUNDED_EVENT_QUEUE_H_
#define TAPIO_PIPELINE_BOUNDED_EVENT_QUEUE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "concurrentqueue/blockingconcurrentqueue.h"
#include "pipeline/overflow.h"
#include "pipeline/stage.h"

namespace tapio::pipeline {

// Counts the bytes moodycamel allocates for every queue in the process, so the memory an
// in-flight event costs is measured rather than estimated.
struct CountingQueueTraits : moodycamel::ConcurrentQueueDefaultTraits {
  static void* malloc(size_t size);
  static void free(void* ptr);
  static size_t allocated_bytes();
};

class BoundedEventQueue {
 public:
  explicit BoundedEventQueue(size_t capacity);
  BoundedEventQueue(const BoundedEventQueue&) = delete;
  BoundedEventQueue& operator=(const BoundedEventQueue&) = delete;

  // Reserves room for up to `wanted` events and returns how many it got (possibly 0).
  size_t TryReserve(size_t wanted);

  // Reserves room for the events of `items` that the drop-lowest-severity watermarks admit at
  // the current depth, marking each admitted one in `admitted`; returns how many.
  size_t ReserveBySeverity(absl::Span<const QueuedEvent> items, absl::Span<uint8_t> admitted);

  // Enqueues events for which room was reserved. Never blocks.
  void Push(absl::Span<QueuedEvent> items);

  // Waits until the queue has room or `closed` is set (then WakeAll() must follow); returns
  // false when it stopped waiting because of `closed`.
  bool WaitForRoom(const std::atomic<bool>& closed);

  // Takes up to out.size() events, waiting up to `timeout` for the first; returns how many.
  // REQUIRES: only the shard's worker calls it.
  size_t Pop(absl::Span<QueuedEvent> out, absl::Duration timeout);

  // Wakes producers waiting in WaitForRoom (e.g. because the pipeline closed).
  void WakeAll();

  size_t depth() const { return depth_.load(std::memory_order_acquire); }
  size_t capacity() const { return capacity_; }

 private:
  using Queue = moodycamel::BlockingConcurrentQueue<QueuedEvent, CountingQueueTraits>;

  const size_t capacity_;
  Queue queue_;
  moodycamel::ConsumerToken consumer_token_;
  // Events reserved or queued and not yet popped. Producers reserve with a CAS so the count
  // never passes capacity_.
  std::atomic<size_t> depth_{0};
  std::atomic<int> waiters_{0};
  absl::Mutex room_mu_;
  absl::CondVar room_cv_;
};

}  // namespace tapio::pipeline

#endif  // TAPIO_PIPELINE_BOUNDED_EVENT_QUEUE_H_
