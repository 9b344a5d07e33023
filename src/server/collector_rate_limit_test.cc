#include "server/collector_rate_limit.h"

#include "gtest/gtest.h"

namespace tapio::server {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

TEST(CollectorRateLimitTest, ACollectorOverItsRateWaitsForItsBucketAndOthersDoNot) {
  domain::FakeClock clock(kSecond);
  CollectorRateLimit limit(/*events_per_second=*/1000, /*burst=*/2000, clock);
  absl::Duration retry;
  EXPECT_TRUE(limit.Take("agent/a", 1500, &retry));
  EXPECT_TRUE(limit.Take("agent/a", 1500, &retry)) << "500 tokens left: let through, into debt";
  EXPECT_FALSE(limit.Take("agent/a", 1, &retry));
  EXPECT_EQ(retry, absl::Milliseconds(1001)) << "1,000 events of debt, then one token";
  EXPECT_TRUE(limit.Take("agent/b", 1500, &retry)) << "each collector has its own bucket";

  clock.Advance(kSecond / 2);
  EXPECT_FALSE(limit.Take("agent/a", 1, &retry)) << "half the debt paid back";
  clock.Advance(kSecond / 2 + kSecond / 1000);
  EXPECT_TRUE(limit.Take("agent/a", 1, &retry));
}

TEST(CollectorRateLimitTest, AQuietCollectorSavesUpToTheBurstOnly) {
  domain::FakeClock clock(kSecond);
  CollectorRateLimit limit(100, 300, clock);
  absl::Duration retry;
  ASSERT_TRUE(limit.Take("agent/a", 300, &retry));
  clock.Advance(3600 * kSecond);
  EXPECT_TRUE(limit.Take("agent/a", 300, &retry));
  EXPECT_FALSE(limit.Take("agent/a", 1, &retry)) << "an hour of quiet is still only the burst";
}

TEST(CollectorRateLimitTest, NoRateIsNoLimit) {
  domain::FakeClock clock(kSecond);
  CollectorRateLimit limit(0, 0, clock);
  absl::Duration retry;
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(limit.Take("agent/a", 1'000'000, &retry));
}

TEST(CollectorRateLimitTest, ANewRateHoldsFromTheNextBatch) {
  domain::FakeClock clock(kSecond);
  CollectorRateLimit limit(0, 0, clock);
  absl::Duration retry;
  ASSERT_TRUE(limit.Take("agent/a", 1'000'000, &retry));
  limit.SetRate(100, 100);
  ASSERT_TRUE(limit.Take("agent/a", 100, &retry));
  EXPECT_FALSE(limit.Take("agent/a", 1, &retry)) << "the burst of the new rate is spent";
  EXPECT_EQ(retry, absl::Milliseconds(10));
  limit.SetRate(0, 0);
  EXPECT_TRUE(limit.Take("agent/a", 1'000'000, &retry)) << "no rate is no limit again";
}

}  // namespace
}  // namespace tapio::server
