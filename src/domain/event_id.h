// Event ids that are unique across every collector of a deployment without coordination:
// 24 random bits chosen per generator, then a 40-bit sequence (a trillion events per
// generator). Thread-safe.
#ifndef TAPIO_DOMAIN_EVENT_ID_H_
#define TAPIO_DOMAIN_EVENT_ID_H_

#include <atomic>
#include <cstdint>

namespace tapio::domain {

class EventIdGenerator {
 public:
  // `instance` supplies the 24-bit prefix; pass a random number (tests pass a fixed one).
  explicit EventIdGenerator(uint32_t instance)
      : prefix_(static_cast<uint64_t>(instance & 0xffffff) << 40) {}

  // Returns a fresh id; never 0.
  uint64_t Next() {
    // Relaxed: only uniqueness matters, which the atomic increment gives on its own.
    uint64_t sequence = next_.fetch_add(1, std::memory_order_relaxed);
    return prefix_ | (sequence & kSequenceMask);
  }

  // Reserves `count` consecutive ids and returns the first.
  uint64_t NextBlock(uint32_t count) {
    uint64_t sequence = next_.fetch_add(count, std::memory_order_relaxed);
    return prefix_ | (sequence & kSequenceMask);
  }

 private:
  static constexpr uint64_t kSequenceMask = (uint64_t{1} << 40) - 1;
  const uint64_t prefix_;
  std::atomic<uint64_t> next_{1};
};

}  // namespace tapio::domain

#endif  // TAPIO_DOMAIN_EVENT_ID_H_
