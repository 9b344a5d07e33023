#include "pipeline/synthetic_load.h"

#include "gtest/gtest.h"

namespace tapio::pipeline {
namespace {

TEST(SyntheticLoadTest, DeliversEveryEventAndReportsConsistentFigures) {
  SyntheticLoadOptions options;
  options.events = 200'000;
  options.producers = 3;
  auto report = RunSyntheticLoad(options, PipelineBuilder().set_shards(2).set_queue_capacity(4096));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->delivered, 200'000u);
  EXPECT_GT(report->seconds, 0);
  EXPECT_NEAR(report->events_per_sec, report->delivered / report->seconds, 1);
  EXPECT_LE(report->p50_us, report->p99_us);
  EXPECT_GE(report->bytes_per_event, static_cast<double>(sizeof(QueuedEvent)));
  EXPECT_EQ(report->shards, 2);
}

TEST(SyntheticLoadTest, RateLimitedRunTakesAboutAsLongAsTheRateSays) {
  SyntheticLoadOptions options;
  options.events = 20'000;
  options.rate = 100'000;
  auto report = RunSyntheticLoad(options, PipelineBuilder());
  ASSERT_TRUE(report.ok()) << report.status();
  // 20,000 events at 100,000/s cannot be done in less than 0.2 s.
  EXPECT_GE(report->seconds, 0.19);
  EXPECT_LE(report->events_per_sec, 100'000 * 1.05);
}

TEST(SyntheticLoadTest, RejectsNonsenseOptions) {
  SyntheticLoadOptions options;
  options.producers = 0;
  EXPECT_EQ(RunSyntheticLoad(options, PipelineBuilder()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tapio::pipeline
