// Benchmarks of the pipeline's parts: the shard queue alone, the validate stage, and the
// whole pipeline from Submit() to a sink that only counts.
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "benchmark/benchmark.h"
#include "pipeline/bounded_event_queue.h"
#include "pipeline/pipeline_builder.h"
#include "pipeline/validate_stage.h"

namespace tapio::pipeline {
namespace {

domain::Event BenchEvent(uint32_t entity) {
  domain::Event event;
  event.id = entity;
  event.time_ns = 1'795'365'174'950'678'000;
  event.entity = domain::EntityId{entity};
  event.type = domain::Intern("bench.event");
  event.source = domain::Source::kKernel;
  event.severity = domain::Severity::kInfo;
  return event;
}

// One thread reserving, pushing and popping batches: the queue's own cost per event.
void BM_BoundedEventQueue_PushPopBatch(benchmark::State& state) {
  const size_t batch = static_cast<size_t>(state.range(0));
  BoundedEventQueue queue(65536);
  std::vector<QueuedEvent> in(batch, QueuedEvent{BenchEvent(1), 0});
  std::vector<QueuedEvent> out(batch);
  for (auto _ : state) {
    size_t granted = queue.TryReserve(batch);
    queue.Push(absl::MakeSpan(in).subspan(0, granted));
    benchmark::DoNotOptimize(queue.Pop(absl::MakeSpan(out), absl::ZeroDuration()));
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_BoundedEventQueue_PushPopBatch)->Arg(1)->Arg(64)->Arg(256);

void BM_ValidateStage_Batch(benchmark::State& state) {
  Batch batch(256);
  for (size_t i = 0; i < 256; ++i) batch.storage()[i] = QueuedEvent{BenchEvent(i + 1), 0};
  batch.set_size(256);
  ValidateStage stage;
  for (auto _ : state) {
    stage.Process(batch);
    benchmark::DoNotOptimize(batch.rejected_count());
  }
  state.SetItemsProcessed(state.iterations() * 256);
}
BENCHMARK(BM_ValidateStage_Batch);

class CountingSink : public Stage {
 public:
  explicit CountingSink(std::atomic<uint64_t>& n) : n_(n) {}
  absl::string_view name() const override { return "sink"; }
  void Process(Batch& batch) override { n_.fetch_add(batch.size(), std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t>& n_;
};

// Submit() of 64-event batches from one producer through two shards to a counting sink.
void BM_Pipeline_SubmitToSink(benchmark::State& state) {
  std::atomic<uint64_t> delivered{0};
  auto pipeline = *PipelineBuilder()
                       .set_shards(2)
                       .set_overflow(Overflow::kBlock)
                       .set_sink([&](int) { return std::make_unique<CountingSink>(delivered); })
                       .Build();
  std::vector<domain::Event> batch;
  for (uint32_t i = 0; i < 64; ++i) batch.push_back(BenchEvent(i + 1));
  for (auto _ : state) pipeline->Submit(batch);
  benchmark::DoNotOptimize(pipeline->Stop());
  state.SetItemsProcessed(state.iterations() * 64);
}
BENCHMARK(BM_Pipeline_SubmitToSink)->UseRealTime();

}  // namespace
}  // namespace tapio::pipeline
