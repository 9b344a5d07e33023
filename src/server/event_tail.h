// The events a server has just stored, for EventService.Tail: the newest in a ring of bounded
// size, numbered in the order stored. A reader asks for what came after the last number it
// saw and waits for more; one that fell further behind than the ring holds is told how many
// it missed. Events are copied only while someone reads. Thread-safe.
#ifndef TAPIO_SERVER_EVENT_TAIL_H_
#define TAPIO_SERVER_EVENT_TAIL_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "tapio/v1/event.pb.h"

namespace tapio::server {

class EventTail {
 public:
  explicit EventTail(size_t capacity) : capacity_(capacity) {}

  void Publish(absl::Span<const tapio::v1::UnifiedEvent> events);

  // A reader from now on; pair with Leave. Returns the number of the newest event.
  uint64_t Join();
  void Leave();

  struct Read {
    std::vector<tapio::v1::UnifiedEvent> events;
    // Events after `after` no longer held.
    uint64_t missed = 0;
    // The number of the last event read (or missed): the next `after`.
    uint64_t last = 0;
  };
  // What was stored after number `after`, waiting up to `timeout` for something.
  Read After(uint64_t after, absl::Duration timeout) const;

 private:
  const size_t capacity_;
  mutable absl::Mutex mu_;
  // The number of the newest event published, and the ring's events, oldest first.
  uint64_t newest_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<tapio::v1::UnifiedEvent> ring_ ABSL_GUARDED_BY(mu_);
  int readers_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace tapio::server

#endif  // TAPIO_SERVER_EVENT_TAIL_H_
