#include "pipeline/latency_histogram.h"

#include <algorithm>
#include <cmath>

namespace tapio::pipeline {

uint64_t HistogramSnapshot::UpperBoundOf(int bucket) {
  if (bucket < kSubBuckets) return static_cast<uint64_t>(bucket);
  int exponent = bucket / kSubBuckets + kSubBucketBits - 1;
  uint64_t sub = static_cast<uint64_t>(bucket % kSubBuckets);
  uint64_t base = (uint64_t{1} << exponent) | (sub << (exponent - kSubBucketBits));
  return base + (uint64_t{1} << (exponent - kSubBucketBits)) - 1;
}

void HistogramSnapshot::Merge(const HistogramSnapshot& other) {
  for (int i = 0; i < kBuckets; ++i) counts[i] += other.counts[i];
  total += other.total;
  max_ns = std::max(max_ns, other.max_ns);
  sum_ns += other.sum_ns;
}

uint64_t HistogramSnapshot::CountAtMost(uint64_t bound_ns) const {
  uint64_t count = 0;
  for (int i = 0; i < kBuckets - 1 && UpperBoundOf(i) <= bound_ns; ++i) count += counts[i];
  return count;
}

uint64_t HistogramSnapshot::Quantile(double quantile) const {
  if (total == 0) return 0;
  auto rank = static_cast<uint64_t>(std::ceil(std::clamp(quantile, 0.0, 1.0) * total));
  rank = std::max<uint64_t>(rank, 1);
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += counts[i];
    if (seen >= rank) return i == kBuckets - 1 ? max_ns : std::min(UpperBoundOf(i), max_ns);
  }
  return max_ns;
}

HistogramSnapshot LatencyHistogram::Snapshot() const {
  HistogramSnapshot snapshot;
  for (int i = 0; i < HistogramSnapshot::kBuckets; ++i) {
    snapshot.counts[i] = counts_[i].load(std::memory_order_relaxed);
    snapshot.total += snapshot.counts[i];
  }
  snapshot.max_ns = max_ns_.load(std::memory_order_relaxed);
  snapshot.sum_ns = sum_ns_.load(std::memory_order_relaxed);
  return snapshot;
}

}  // namespace tapio::pipeline
