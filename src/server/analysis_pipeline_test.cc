#include "server/analysis_pipeline.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "domain/clock.h"
#include "domain/event_proto.h"
#include "gtest/gtest.h"
#include "intelligence/patterns/builtin_patterns.h"

namespace tapio::server {
namespace {

constexpr int64_t kStart = 1'772'360'100'000'000'000;

v1::UnifiedEvent ProcessKilled(uint64_t id) {
  v1::UnifiedEvent e;
  e.set_id(id);
  e.set_time_unix_nano(static_cast<uint64_t>(kStart) + id * 1000);
  e.set_source(v1::SOURCE_KERNEL);
  e.set_type("kernel.process_exit");
  e.set_severity(v1::SEVERITY_WARNING);
  e.mutable_entity()->set_kind("Node");
  e.mutable_entity()->set_name(absl::StrCat("node-", id % 7));
  e.mutable_kernel()->set_pid(static_cast<uint32_t>(id));
  e.mutable_kernel()->set_comm("worker");
  e.mutable_kernel()->set_signal(9);
  return e;
}

class AnalysisPipelineTest : public ::testing::Test {
 protected:
  AnalysisPipelineTest()
      : analysis_(*intelligence::LoadBuiltinPatterns(), {}, domain::Clock::Real()) {}

  // Submits `count` events from id `first`, in batches as a stream stores them.
  void SubmitEvents(AnalysisPipeline& pipe, uint64_t first, int count) {
    constexpr int kBatch = 500;
    for (int at = 0; at < count; at += kBatch) {
      std::vector<v1::UnifiedEvent> wire;
      std::vector<domain::Event> decoded;
      for (int i = at; i < count && i < at + kBatch; ++i) {
        wire.push_back(ProcessKilled(first + static_cast<uint64_t>(i)));
        decoded.push_back(*domain::FromProto(wire.back(), pipe.registry()));
      }
      pipe.Submit(wire, absl::MakeSpan(decoded));
    }
  }

  LiveAnalysis analysis_;
};

TEST_F(AnalysisPipelineTest, AReplaysEndReturnsOnlyOnceTheAnalysisHasSeenEveryEventBeforeIt) {
  // The worker holds a partial batch a while, so the analysis lags well behind the submissions.
  auto pipe = AnalysisPipeline::Start(pipeline::PipelineBuilder()
                                          .set_overflow(pipeline::Overflow::kBlock)
                                          .set_batch_size(65536)
                                          .set_batch_wait(absl::Milliseconds(300)),
                                      analysis_);
  ASSERT_TRUE(pipe.ok()) << pipe.status();
  constexpr int kEvents = 20000;
  SubmitEvents(**pipe, 1, kEvents);
  const uint64_t last = static_cast<uint64_t>(kStart) + kEvents * 1000;
  (*pipe)->Conclude(ReplayEnd(kEvents + 1, last, last, "replay/test"));
  EXPECT_EQ(analysis_.counts().events, uint64_t{kEvents});
  pipeline::MetricsSnapshot metrics = (*pipe)->Metrics();
  EXPECT_EQ(metrics.sources[static_cast<size_t>(domain::Source::kKernel)].delivered,
            uint64_t{kEvents});
  EXPECT_EQ(metrics.sources[static_cast<size_t>(domain::Source::kTapio)].delivered, 1u);
}

TEST_F(AnalysisPipelineTest, StoppingDeliversEveryQueuedEventToTheAnalysis) {
  auto pipe = AnalysisPipeline::Start(
      pipeline::PipelineBuilder().set_overflow(pipeline::Overflow::kBlock), analysis_);
  ASSERT_TRUE(pipe.ok()) << pipe.status();
  constexpr int kEvents = 20000;
  SubmitEvents(**pipe, 1, kEvents);
  EXPECT_TRUE((*pipe)->Stop().ok());
  EXPECT_EQ(analysis_.counts().events, uint64_t{kEvents});
  // Once stopped, what comes is refused and counted, not lost silently.
  SubmitEvents(**pipe, kEvents + 1, 10);
  pipeline::MetricsSnapshot metrics = (*pipe)->Metrics();
  EXPECT_EQ(metrics.sources[static_cast<size_t>(domain::Source::kKernel)].refused, 10u);
  EXPECT_EQ(analysis_.counts().events, uint64_t{kEvents});
}

TEST_F(AnalysisPipelineTest, TheConfiguredShardCountGivesWayToOne) {
  auto pipe = AnalysisPipeline::Start(pipeline::PipelineBuilder().set_shards(8), analysis_);
  ASSERT_TRUE(pipe.ok()) << pipe.status();
  EXPECT_EQ((*pipe)->Metrics().queue_depth.size(), 1u);
}

}  // namespace
}  // namespace tapio::server
