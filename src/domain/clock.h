// The wall clock as an interface, so that code stamping or ageing events can be tested with
// time under the test's control. Implementations are thread-safe.
#ifndef TAPIO_DOMAIN_CLOCK_H_
#define TAPIO_DOMAIN_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace tapio::domain {

class Clock {
 public:
  virtual ~Clock() = default;
  // Unix nanoseconds.
  virtual int64_t NowNanos() const = 0;

  // The system's real-time clock; lives for the whole process.
  static const Clock& Real();
};

// A clock that moves only when told to.
class FakeClock : public Clock {
 public:
  explicit FakeClock(int64_t start_nanos) : now_(start_nanos) {}
  int64_t NowNanos() const override { return now_.load(std::memory_order_relaxed); }
  void Advance(int64_t nanos) { now_.fetch_add(nanos, std::memory_order_relaxed); }
  void Set(int64_t nanos) { now_.store(nanos, std::memory_order_relaxed); }

 private:
  // Relaxed: the clock orders nothing but itself.
  std::atomic<int64_t> now_;
};

}  // namespace tapio::domain

#endif  // TAPIO_DOMAIN_CLOCK_H_
