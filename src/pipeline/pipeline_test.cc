#include "pipeline/pipeline.h"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/pipeline_builder.h"
#include "tests/support/poll.h"

namespace tapio::pipeline {
namespace {

using domain::Event;
using domain::Severity;
using domain::Source;
using ::tapio::testing::PollUntil;
using ::testing::HasSubstr;

Event MakeEvent(uint64_t id, uint32_t entity, Source source = Source::kKernel,
                Severity severity = Severity::kInfo) {
  Event event;
  event.id = id;
  event.time_ns = 1'795'365'174'950'678'000;
  event.entity = domain::EntityId{entity};
  event.type = domain::Intern("test.event");
  event.source = source;
  event.severity = severity;
  return event;
}

// Records the ids it receives, in order; one instance per shard.
class RecordingSink : public Stage {
 public:
  explicit RecordingSink(std::atomic<uint64_t>& total) : total_(total) {}
  absl::string_view name() const override { return "sink"; }
  void Process(Batch& batch) override {
    for (size_t i = 0; i < batch.size(); ++i) ids_.push_back(batch.event(i).id);
    total_.fetch_add(batch.size(), std::memory_order_relaxed);
  }
  const std::vector<uint64_t>& ids() const { return ids_; }

 private:
  std::atomic<uint64_t>& total_;
  std::vector<uint64_t> ids_;
};

// Holds the first batch it gets until opened, so a test can fill the queue behind it.
class GatedSink : public Stage {
 public:
  GatedSink(absl::Notification& gate, std::atomic<uint64_t>& received)
      : gate_(gate), received_(received) {}
  absl::string_view name() const override { return "sink"; }
  void Process(Batch& batch) override {
    received_.fetch_add(batch.size(), std::memory_order_relaxed);
    gate_.WaitForNotification();
  }

 private:
  absl::Notification& gate_;
  std::atomic<uint64_t>& received_;
};

TEST(PipelineTest, ShutdownMidFlightDeliversEveryAcceptedEventOnceInEntityOrder) {
  constexpr int kProducers = 4;
  constexpr uint64_t kPerProducer = 250'000;
  constexpr uint32_t kEntities = 1000;
  constexpr int kShards = 2;
  std::atomic<uint64_t> delivered{0};
  std::vector<RecordingSink*> sinks(kShards);
  auto built = PipelineBuilder()
                   .set_shards(kShards)
                   .set_queue_capacity(4096)
                   .set_batch_size(128)
                   .set_overflow(Overflow::kBlock)
                   .set_sink([&](int shard) {
                     auto sink = std::make_unique<RecordingSink>(delivered);
                     sinks[shard] = sink.get();
                     return sink;
                   })
                   .Build();
  ASSERT_TRUE(built.ok()) << built.status();
  Pipeline& pipeline = **built;

  // Event ids: producer in the high 32 bits, its sequence number below.
  std::vector<std::vector<uint8_t>> accepted(kProducers, std::vector<uint8_t>(kPerProducer, 1));
  std::vector<uint64_t> accepted_count(kProducers, 0);
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      std::vector<Event> batch;
      for (uint64_t seq = 0; seq < kPerProducer; seq += 32) {
        batch.clear();
        for (uint64_t k = seq; k < std::min(seq + 32, kPerProducer); ++k) {
          batch.push_back(MakeEvent((uint64_t{static_cast<uint32_t>(p)} << 32) | k,
                                    static_cast<uint32_t>(k % kEntities) + 1));
        }
        auto result = pipeline.Submit(batch, [&](size_t i) { accepted[p][seq + i] = 0; });
        accepted_count[p] += result.accepted;
      }
    });
  }
  ASSERT_TRUE(PollUntil([&] { return delivered.load() >= 300'000; }));
  ASSERT_TRUE(pipeline.Stop().ok());
  for (auto& t : producers) t.join();

  uint64_t total_accepted = 0;
  for (uint64_t a : accepted_count) total_accepted += a;
  MetricsSnapshot metrics = pipeline.Metrics();
  SourceCounts kernel = metrics.sources[static_cast<size_t>(Source::kKernel)];
  EXPECT_EQ(kernel.offered, kProducers * kPerProducer);
  EXPECT_EQ(kernel.accepted, total_accepted);
  EXPECT_EQ(kernel.delivered, total_accepted);
  EXPECT_EQ(kernel.refused, kProducers * kPerProducer - total_accepted);
  EXPECT_GT(kernel.refused, 0u) << "the stop did not happen mid-flight";
  EXPECT_EQ(kernel.dropped + kernel.rejected + kernel.abandoned, 0u);
  EXPECT_EQ(delivered.load(), total_accepted);

  std::vector<std::vector<uint8_t>> seen(kProducers, std::vector<uint8_t>(kPerProducer, 0));
  for (RecordingSink* sink : sinks) {
    // Last sequence number seen per (producer, entity): must only grow.
    std::vector<std::vector<int64_t>> last(kProducers, std::vector<int64_t>(kEntities, -1));
    for (uint64_t id : sink->ids()) {
      int p = static_cast<int>(id >> 32);
      uint64_t seq = id & 0xffffffff;
      ASSERT_EQ(seen[p][seq], 0) << "delivered twice: producer " << p << " event " << seq;
      seen[p][seq] = 1;
      ASSERT_TRUE(accepted[p][seq]) << "delivered but reported refused: " << p << "/" << seq;
      int64_t& previous = last[p][seq % kEntities];
      ASSERT_LT(previous, static_cast<int64_t>(seq))
          << "out of order for entity " << seq % kEntities;
      previous = static_cast<int64_t>(seq);
    }
  }
  for (int p = 0; p < kProducers; ++p) {
    for (uint64_t seq = 0; seq < kPerProducer; ++seq) {
      ASSERT_EQ(seen[p][seq], accepted[p][seq]) << "accepted but lost: " << p << "/" << seq;
    }
  }
}

TEST(PipelineTest, FullQueueDropsLowestSeverityFirst) {
  absl::Notification gate;
  std::atomic<uint64_t> received{0};
  auto built = PipelineBuilder()
                   .set_shards(1)
                   .set_queue_capacity(100)
                   .set_batch_size(1)
                   .set_overflow(Overflow::kDropLowestSeverity)
                   .set_sink([&](int) { return std::make_unique<GatedSink>(gate, received); })
                   .Build();
  ASSERT_TRUE(built.ok());
  Pipeline& pipeline = **built;
  std::vector<Event> first = {MakeEvent(1, 1)};
  ASSERT_EQ(pipeline.Submit(first).accepted, 1u);
  // The worker now holds event 1 in the sink, so the queue fills behind it.
  ASSERT_TRUE(PollUntil([&] { return received.load() == 1; }));

  auto offer = [&](Severity severity, uint64_t base) {
    std::vector<Event> events;
    for (uint64_t i = 0; i < 100; ++i)
      events.push_back(MakeEvent(base + i, 1, Source::kKubernetes, severity));
    return pipeline.Submit(events);
  };
  // Each severity may fill the queue up to its watermark: 50, 75, 90, 100 of 100.
  EXPECT_EQ(offer(Severity::kDebug, 1000).accepted, 50u);
  EXPECT_EQ(offer(Severity::kInfo, 2000).accepted, 25u);
  EXPECT_EQ(offer(Severity::kWarning, 3000).accepted, 15u);
  EXPECT_EQ(offer(Severity::kDebug, 4000).accepted, 0u);
  EXPECT_EQ(offer(Severity::kError, 5000).accepted, 10u);
  auto critical = offer(Severity::kCritical, 6000);
  EXPECT_EQ(critical.accepted, 0u);
  EXPECT_EQ(critical.dropped, 100u);
  EXPECT_EQ(pipeline.Metrics().queue_depth[0], 100u);

  gate.Notify();
  ASSERT_TRUE(pipeline.Stop().ok());
  SourceCounts k8s = pipeline.Metrics().sources[static_cast<size_t>(Source::kKubernetes)];
  EXPECT_EQ(k8s.offered, 600u);
  EXPECT_EQ(k8s.accepted, 100u);
  EXPECT_EQ(k8s.dropped, 500u);
  EXPECT_EQ(k8s.delivered, 100u);
  EXPECT_EQ(received.load(), 101u);
}

TEST(PipelineTest, BlockPolicyMakesTheProducerWaitForRoom) {
  absl::Notification gate;
  std::atomic<uint64_t> received{0};
  auto built = PipelineBuilder()
                   .set_shards(1)
                   .set_queue_capacity(64)
                   .set_batch_size(1)
                   .set_overflow(Overflow::kDropLowestSeverity)
                   .set_source_overflow(Source::kJournal, Overflow::kBlock)
                   .set_sink([&](int) { return std::make_unique<GatedSink>(gate, received); })
                   .Build();
  ASSERT_TRUE(built.ok());
  Pipeline& pipeline = **built;
  std::atomic<bool> producer_done{false};
  Pipeline::SubmitResult result;
  std::thread producer([&] {
    std::vector<Event> events;
    for (uint64_t i = 0; i < 200; ++i) events.push_back(MakeEvent(i, 7, Source::kJournal));
    result = pipeline.Submit(events);
    producer_done = true;
  });
  // The sink holds one event and the queue fills to its capacity; the producer must then wait.
  ASSERT_TRUE(
      PollUntil([&] { return received.load() == 1 && pipeline.Metrics().queue_depth[0] == 64; }));
  EXPECT_FALSE(producer_done.load());
  EXPECT_EQ(received.load(), 1u);
  gate.Notify();
  producer.join();
  EXPECT_EQ(result.accepted, 200u);
  EXPECT_EQ(result.dropped + result.refused, 0u);
  ASSERT_TRUE(pipeline.Stop().ok());
  EXPECT_EQ(pipeline.Metrics().sources[static_cast<size_t>(Source::kJournal)].delivered, 200u);
}

TEST(PipelineTest, StopWakesABlockedProducerAndCountsWhatItRefused) {
  absl::Notification gate;
  std::atomic<uint64_t> received{0};
  auto built = PipelineBuilder()
                   .set_shards(1)
                   .set_queue_capacity(16)
                   .set_batch_size(1)
                   .set_overflow(Overflow::kBlock)
                   .set_sink([&](int) { return std::make_unique<GatedSink>(gate, received); })
                   .Build();
  ASSERT_TRUE(built.ok());
  Pipeline& pipeline = **built;
  Pipeline::SubmitResult result;
  std::thread producer([&] {
    std::vector<Event> events;
    for (uint64_t i = 0; i < 100; ++i) events.push_back(MakeEvent(i, 3));
    result = pipeline.Submit(events);
  });
  ASSERT_TRUE(
      PollUntil([&] { return received.load() == 1 && pipeline.Metrics().queue_depth[0] == 16; }));
  std::thread stopper([&] { EXPECT_TRUE(pipeline.Stop().ok()); });
  producer.join();
  EXPECT_EQ(result.accepted, 17u);
  EXPECT_EQ(result.refused, 83u);
  gate.Notify();
  stopper.join();
  SourceCounts kernel = pipeline.Metrics().sources[static_cast<size_t>(Source::kKernel)];
  EXPECT_EQ(kernel.delivered, 17u);
  EXPECT_EQ(kernel.refused, 83u);
  std::vector<Event> late = {MakeEvent(1000, 3)};
  EXPECT_EQ(pipeline.Submit(late).refused, 1u);
  EXPECT_TRUE(pipeline.Stop().ok());
}

class TaggingStage : public Stage {
 public:
  absl::string_view name() const override { return "enrich"; }
  void Process(Batch& batch) override {
    for (size_t i = 0; i < batch.size(); ++i) batch.mutable_event(i).severity = Severity::kError;
  }
};

class SeverityCheckingSink : public Stage {
 public:
  explicit SeverityCheckingSink(std::atomic<int>& wrong) : wrong_(wrong) {}
  absl::string_view name() const override { return "sink"; }
  void Process(Batch& batch) override {
    for (size_t i = 0; i < batch.size(); ++i) {
      if (batch.event(i).severity != Severity::kError || batch.event(i).time_ns <= 0) ++wrong_;
    }
  }

 private:
  std::atomic<int>& wrong_;
};

TEST(PipelineTest, InvalidEventsAreRejectedCountedAndNeverReachLaterStages) {
  std::atomic<int> wrong{0};
  auto built = PipelineBuilder()
                   .set_shards(2)
                   .AddStage([](int) { return std::make_unique<TaggingStage>(); })
                   .set_sink([&](int) { return std::make_unique<SeverityCheckingSink>(wrong); })
                   .Build();
  ASSERT_TRUE(built.ok());
  Pipeline& pipeline = **built;
  std::vector<Event> events;
  for (uint64_t i = 0; i < 1000; ++i) {
    Event event = MakeEvent(i, static_cast<uint32_t>(i % 10 + 1), Source::kOtlp);
    if (i % 10 == 0) event.time_ns = 0;
    if (i % 10 == 1) event.entity = domain::EntityId{};
    if (i % 10 == 2) event.type = domain::Symbol{};
    events.push_back(event);
  }
  EXPECT_EQ(pipeline.Submit(events).accepted, 1000u);
  ASSERT_TRUE(pipeline.Stop().ok());
  MetricsSnapshot metrics = pipeline.Metrics();
  SourceCounts otlp = metrics.sources[static_cast<size_t>(Source::kOtlp)];
  EXPECT_EQ(otlp.rejected, 300u);
  EXPECT_EQ(otlp.delivered, 700u);
  EXPECT_EQ(wrong.load(), 0);
  ASSERT_EQ(metrics.stages.size(), 3u);
  EXPECT_EQ(metrics.stages[0].stage, "validate");
  EXPECT_EQ(metrics.stages[1].stage, "enrich");
  EXPECT_EQ(metrics.stages[2].stage, "sink");
  EXPECT_EQ(metrics.enqueue_to_sink.total, 700u);
  EXPECT_GT(metrics.stages[2].per_batch.total, 0u);
}

TEST(PipelineBuilderTest, RejectsOutOfRangeSettingsNamingThem) {
  std::atomic<uint64_t> n{0};
  auto make_sink = [&](int) { return std::make_unique<RecordingSink>(n); };
  EXPECT_THAT(PipelineBuilder().set_shards(0).set_sink(make_sink).Build().status().message(),
              HasSubstr("shards"));
  EXPECT_THAT(
      PipelineBuilder().set_queue_capacity(1).set_sink(make_sink).Build().status().message(),
      HasSubstr("queue_capacity"));
  EXPECT_THAT(PipelineBuilder().set_batch_size(0).set_sink(make_sink).Build().status().message(),
              HasSubstr("batch_size"));
  EXPECT_THAT(PipelineBuilder().Build().status().message(), HasSubstr("sink"));
}

}  // namespace
}  // namespace tapio::pipeline
