#include "pipeline/bounded_event_queue.h"

#include <malloc.h>

#include <algorithm>
#include <cstdlib>

namespace tapio::pipeline {
namespace {

// Relaxed: a statistic, read only for reports.
std::atomic<size_t> queue_bytes{0};

}  // namespace

void* CountingQueueTraits::malloc(size_t size) {
  void* ptr = std::malloc(size);
  if (ptr != nullptr) queue_bytes.fetch_add(malloc_usable_size(ptr), std::memory_order_relaxed);
  return ptr;
}

void CountingQueueTraits::free(void* ptr) {
  if (ptr != nullptr) queue_bytes.fetch_sub(malloc_usable_size(ptr), std::memory_order_relaxed);
  std::free(ptr);
}

size_t CountingQueueTraits::allocated_bytes() {
  return queue_bytes.load(std::memory_order_relaxed);
}

BoundedEventQueue::BoundedEventQueue(size_t capacity)
    : capacity_(capacity), queue_(capacity), consumer_token_(queue_) {}

size_t BoundedEventQueue::TryReserve(size_t wanted) {
  size_t depth = depth_.load(std::memory_order_relaxed);
  size_t granted;
  do {
    granted = std::min(wanted, capacity_ - std::min(depth, capacity_));
    if (granted == 0) return 0;
  } while (!depth_.compare_exchange_weak(depth, depth + granted, std::memory_order_acq_rel,
                                         std::memory_order_relaxed));
  return granted;
}

size_t BoundedEventQueue::ReserveBySeverity(absl::Span<const QueuedEvent> items,
                                            absl::Span<uint8_t> admitted) {
  size_t depth = depth_.load(std::memory_order_relaxed);
  size_t granted;
  do {
    granted = 0;
    for (size_t i = 0; i < items.size(); ++i) {
      bool admit = depth + granted < AdmissionLimit(items[i].event.severity, capacity_);
      admitted[i] = admit ? 1 : 0;
      granted += admit ? 1 : 0;
    }
    if (granted == 0) return 0;
  } while (!depth_.compare_exchange_weak(depth, depth + granted, std::memory_order_acq_rel,
                                         std::memory_order_relaxed));
  return granted;
}

void BoundedEventQueue::Push(absl::Span<QueuedEvent> items) {
  // enqueue_bulk fails only when memory runs out; the reservation above keeps the queue within
  // its preallocated blocks plus one block per producer thread.
  queue_.enqueue_bulk(std::make_move_iterator(items.begin()), items.size());
}

bool BoundedEventQueue::WaitForRoom(const std::atomic<bool>& closed) {
  absl::MutexLock lock(&room_mu_);
  // Sequentially consistent with the consumer's depth decrement and waiter check: either we
  // see the room it made, or it sees us waiting and signals under room_mu_.
  waiters_.fetch_add(1, std::memory_order_seq_cst);
  while (depth_.load(std::memory_order_seq_cst) >= capacity_ &&
         !closed.load(std::memory_order_acquire)) {
    room_cv_.Wait(&room_mu_);
  }
  waiters_.fetch_sub(1, std::memory_order_relaxed);
  return !closed.load(std::memory_order_acquire);
}

size_t BoundedEventQueue::Pop(absl::Span<QueuedEvent> out, absl::Duration timeout) {
  size_t taken = queue_.wait_dequeue_bulk_timed(consumer_token_, out.data(), out.size(),
                                                absl::ToInt64Microseconds(timeout));
  if (taken > 0) {
    depth_.fetch_sub(taken, std::memory_order_seq_cst);
    if (waiters_.load(std::memory_order_seq_cst) > 0) {
      absl::MutexLock lock(&room_mu_);
      room_cv_.SignalAll();
    }
  }
  return taken;
}

void BoundedEventQueue::WakeAll() {
  absl::MutexLock lock(&room_mu_);
  room_cv_.SignalAll();
}

}  // namespace tapio::pipeline
