// Counters and latency histograms of one Pipeline. Producers and workers write their own
// counters with relaxed atomics; Snapshot() reads them from any thread.
#ifndef TAPIO_PIPELINE_PIPELINE_METRICS_H_
#define TAPIO_PIPELINE_PIPELINE_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "domain/event.h"
#include "pipeline/latency_histogram.h"

namespace tapio::pipeline {

// What happened to the events of one source.
struct SourceCounts {
  // Handed to Submit().
  uint64_t offered = 0;
  // Taken into a queue; each will be delivered or rejected, unless a drain times out.
  uint64_t accepted = 0;
  // Not taken because a queue was full under the drop-lowest-severity policy.
  uint64_t dropped = 0;
  // Not taken because the pipeline was stopping.
  uint64_t refused = 0;
  // Taken, then rejected by a stage (invalid event).
  uint64_t rejected = 0;
  // Reached the sink.
  uint64_t delivered = 0;
  // Taken but still queued when a drain timed out.
  uint64_t abandoned = 0;
};

struct StageLatency {
  std::string stage;
  // Time one batch spent in the stage.
  HistogramSnapshot per_batch;
};

struct MetricsSnapshot {
  std::array<SourceCounts, domain::kSourceCount> sources{};
  std::vector<size_t> queue_depth;
  size_t queue_capacity = 0;
  std::vector<StageLatency> stages;
  // From acceptance into a queue to the hand-over to the sink, per event.
  HistogramSnapshot enqueue_to_sink;
  uint64_t batches = 0;

  SourceCounts Total() const;
};

class PipelineMetrics {
 public:
  PipelineMetrics(int shards, std::vector<std::string> stage_names);

  // Written by producers: any thread.
  void AddSubmitted(domain::Source source, uint64_t offered, uint64_t accepted, uint64_t dropped,
                    uint64_t refused);
  // Written by shard `shard`'s worker only.
  void AddRejected(int shard, domain::Source source, uint64_t count);
  void AddDelivered(int shard, domain::Source source, uint64_t count);
  void AddAbandoned(int shard, domain::Source source, uint64_t count);
  void AddBatch(int shard);
  LatencyHistogram& stage_latency(int shard, int stage);
  LatencyHistogram& enqueue_to_sink(int shard);

  MetricsSnapshot Snapshot(const std::vector<size_t>& queue_depth, size_t capacity) const;

 private:
  struct ProducerCounts {
    std::atomic<uint64_t> offered{0}, accepted{0}, dropped{0}, refused{0};
  };
  // One per shard, written by that shard's worker alone; padded apart to avoid false sharing.
  struct alignas(64) ShardCounts {
    std::array<std::atomic<uint64_t>, domain::kSourceCount> rejected{};
    std::array<std::atomic<uint64_t>, domain::kSourceCount> delivered{};
    std::array<std::atomic<uint64_t>, domain::kSourceCount> abandoned{};
    std::atomic<uint64_t> batches{0};
    std::vector<std::unique_ptr<LatencyHistogram>> stage_latency;
    LatencyHistogram enqueue_to_sink;
  };

  std::vector<std::string> stage_names_;
  std::array<ProducerCounts, domain::kSourceCount> producers_;
  std::vector<std::unique_ptr<ShardCounts>> shards_;
};

}  // namespace tapio::pipeline

#endif  // TAPIO_PIPELINE_PIPELINE_METRICS_H_
