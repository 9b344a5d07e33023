// A log-linear histogram of durations in nanoseconds with about 6 % relative precision,
// for p50/p99 figures. One thread records, any thread may read: counts are relaxed atomics,
// so a reader sees each bucket's count at some recent moment, never a torn value.
#ifndef TAPIO_PIPELINE_LATENCY_HISTOGRAM_H_
#define TAPIO_PIPELINE_LATENCY_HISTOGRAM_H_

#include <array>
#include <atomic>
#include <bit>
#include <cstdint>

namespace tapio::pipeline {

// A point-in-time copy, mergeable across threads.
struct HistogramSnapshot {
  static constexpr int kSubBucketBits = 4;
  static constexpr int kSubBuckets = 1 << kSubBucketBits;
  // Values up to 2^44 ns (about 4.9 hours); larger ones land in the last bucket.
  static constexpr int kMaxExponent = 44;
  static constexpr int kBuckets = (kMaxExponent - kSubBucketBits + 1) * kSubBuckets + kSubBuckets;

  std::array<uint64_t, kBuckets> counts{};
  uint64_t total = 0;
  uint64_t max_ns = 0;
  // Of every value recorded, exactly.
  uint64_t sum_ns = 0;

  static int BucketOf(uint64_t value_ns) {
    if (value_ns < kSubBuckets) return static_cast<int>(value_ns);
    int exponent = std::bit_width(value_ns) - 1;
    if (exponent > kMaxExponent) return kBuckets - 1;
    int sub = static_cast<int>((value_ns >> (exponent - kSubBucketBits)) & (kSubBuckets - 1));
    return (exponent - kSubBucketBits + 1) * kSubBuckets + sub;
  }
  // The largest value that falls into `bucket`.
  static uint64_t UpperBoundOf(int bucket);

  void Merge(const HistogramSnapshot& other);
  // The value below which `quantile` (0 to 1) of the recorded values fall, as the upper bound
  // of its bucket (never more than the largest value seen). 0 when empty.
  uint64_t Quantile(double quantile) const;
  // How many values fell into buckets whose upper bound is at most `bound_ns`: those known to
  // be no larger than it, at the buckets' resolution.
  uint64_t CountAtMost(uint64_t bound_ns) const;
};

class LatencyHistogram {
 public:
  // REQUIRES: called from one thread at a time.
  void Record(uint64_t value_ns, uint64_t count = 1) {
    auto& bucket = counts_[HistogramSnapshot::BucketOf(value_ns)];
    // Relaxed load and store, not fetch_add: there is a single writer, and readers only need
    // untorn values.
    bucket.store(bucket.load(std::memory_order_relaxed) + count, std::memory_order_relaxed);
    sum_ns_.store(sum_ns_.load(std::memory_order_relaxed) + value_ns * count,
                  std::memory_order_relaxed);
    if (value_ns > max_ns_.load(std::memory_order_relaxed)) {
      max_ns_.store(value_ns, std::memory_order_relaxed);
    }
  }

  // Safe from any thread.
  HistogramSnapshot Snapshot() const;

 private:
  std::array<std::atomic<uint64_t>, HistogramSnapshot::kBuckets> counts_{};
  std::atomic<uint64_t> max_ns_{0};
  std::atomic<uint64_t> sum_ns_{0};
};

}  // namespace tapio::pipeline

#endif  // TAPIO_PIPELINE_LATENCY_HISTOGRAM_H_
