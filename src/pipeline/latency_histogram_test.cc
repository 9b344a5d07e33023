#include "pipeline/latency_histogram.h"

#include <algorithm>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace tapio::pipeline {
namespace {

TEST(LatencyHistogramTest, QuantilesAreWithinTheBucketPrecision) {
  std::mt19937_64 random(11);
  std::lognormal_distribution<double> latency(10.0, 1.5);
  std::vector<uint64_t> values;
  LatencyHistogram histogram;
  for (int i = 0; i < 200000; ++i) {
    auto v = static_cast<uint64_t>(latency(random));
    values.push_back(v);
    histogram.Record(v);
  }
  std::sort(values.begin(), values.end());
  HistogramSnapshot snapshot = histogram.Snapshot();
  EXPECT_EQ(snapshot.total, values.size());
  EXPECT_EQ(snapshot.max_ns, values.back());
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    double exact = static_cast<double>(values[static_cast<size_t>(q * values.size()) - 1]);
    double got = static_cast<double>(snapshot.Quantile(q));
    EXPECT_GE(got, exact) << q;
    EXPECT_LE(got, exact * 1.0625 + 1) << q;
  }
}

TEST(LatencyHistogramTest, SmallValuesAreExactAndHugeOnesAreKept) {
  LatencyHistogram histogram;
  for (uint64_t v = 0; v < 16; ++v) histogram.Record(v);
  HistogramSnapshot snapshot = histogram.Snapshot();
  EXPECT_EQ(snapshot.Quantile(0.5), 7u);
  EXPECT_EQ(snapshot.Quantile(1.0), 15u);
  histogram.Record(uint64_t{1} << 62);
  EXPECT_EQ(histogram.Snapshot().Quantile(1.0), uint64_t{1} << 62);
  EXPECT_EQ(HistogramSnapshot().Quantile(0.99), 0u);
}

TEST(LatencyHistogramTest, BucketBoundsCoverEveryValueOnce) {
  for (uint64_t v : {uint64_t{16}, uint64_t{17}, uint64_t{31}, uint64_t{32}, uint64_t{1000},
                     uint64_t{123456789}, (uint64_t{1} << 44) - 1}) {
    int bucket = HistogramSnapshot::BucketOf(v);
    EXPECT_LE(v, HistogramSnapshot::UpperBoundOf(bucket)) << v;
    EXPECT_GT(v, HistogramSnapshot::UpperBoundOf(bucket - 1)) << v;
  }
}

TEST(LatencyHistogramTest, MergeAddsCounts) {
  LatencyHistogram a, b;
  for (int i = 0; i < 100; ++i) a.Record(1000);
  for (int i = 0; i < 300; ++i) b.Record(100000);
  HistogramSnapshot merged = a.Snapshot();
  merged.Merge(b.Snapshot());
  EXPECT_EQ(merged.total, 400u);
  EXPECT_EQ(merged.sum_ns, 100u * 1000 + 300u * 100000);
  EXPECT_LE(merged.Quantile(0.25), 1000u * 1.0625);
  EXPECT_GE(merged.Quantile(0.26), 100000u);
}

// What a Prometheus histogram's `le` buckets are made of: a value is counted under a bound only
// when its bucket lies wholly below it.
TEST(LatencyHistogramTest, CountAtMostCountsOnlyValuesKnownToBeUnderTheBound) {
  LatencyHistogram histogram;
  histogram.Record(5, 3);
  histogram.Record(1000, 2);
  histogram.Record(1000000);
  HistogramSnapshot snapshot = histogram.Snapshot();
  EXPECT_EQ(snapshot.sum_ns, 3u * 5 + 2u * 1000 + 1000000);
  EXPECT_EQ(snapshot.CountAtMost(4), 0u);
  EXPECT_EQ(snapshot.CountAtMost(5), 3u);
  EXPECT_EQ(snapshot.CountAtMost(999), 3u);
  const uint64_t thousands_bound =
      HistogramSnapshot::UpperBoundOf(HistogramSnapshot::BucketOf(1000));
  EXPECT_EQ(snapshot.CountAtMost(thousands_bound - 1), 3u);
  EXPECT_EQ(snapshot.CountAtMost(thousands_bound), 5u);
  EXPECT_EQ(snapshot.CountAtMost(uint64_t{1} << 50), 6u);
}

}  // namespace
}  // namespace tapio::pipeline
