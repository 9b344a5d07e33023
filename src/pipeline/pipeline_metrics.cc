#include "pipeline/pipeline_metrics.h"

namespace tapio::pipeline {
namespace {

// Single-writer increment: relaxed load and store, cheaper than fetch_add.
void Bump(std::atomic<uint64_t>& counter, uint64_t count) {
  counter.store(counter.load(std::memory_order_relaxed) + count, std::memory_order_relaxed);
}

}  // namespace

SourceCounts MetricsSnapshot::Total() const {
  SourceCounts total;
  for (const SourceCounts& s : sources) {
    total.offered += s.offered;
    total.accepted += s.accepted;
    total.dropped += s.dropped;
    total.refused += s.refused;
    total.rejected += s.rejected;
    total.delivered += s.delivered;
    total.abandoned += s.abandoned;
  }
  return total;
}

PipelineMetrics::PipelineMetrics(int shards, std::vector<std::string> stage_names)
    : stage_names_(std::move(stage_names)) {
  for (int i = 0; i < shards; ++i) {
    auto counts = std::make_unique<ShardCounts>();
    for (size_t s = 0; s < stage_names_.size(); ++s) {
      counts->stage_latency.push_back(std::make_unique<LatencyHistogram>());
    }
    shards_.push_back(std::move(counts));
  }
}

void PipelineMetrics::AddSubmitted(domain::Source source, uint64_t offered, uint64_t accepted,
                                   uint64_t dropped, uint64_t refused) {
  // Relaxed: counters order nothing; many producers add, so fetch_add.
  ProducerCounts& counts = producers_[static_cast<size_t>(source)];
  counts.offered.fetch_add(offered, std::memory_order_relaxed);
  if (accepted != 0) counts.accepted.fetch_add(accepted, std::memory_order_relaxed);
  if (dropped != 0) counts.dropped.fetch_add(dropped, std::memory_order_relaxed);
  if (refused != 0) counts.refused.fetch_add(refused, std::memory_order_relaxed);
}

void PipelineMetrics::AddRejected(int shard, domain::Source source, uint64_t count) {
  Bump(shards_[shard]->rejected[static_cast<size_t>(source)], count);
}

void PipelineMetrics::AddDelivered(int shard, domain::Source source, uint64_t count) {
  Bump(shards_[shard]->delivered[static_cast<size_t>(source)], count);
}

void PipelineMetrics::AddAbandoned(int shard, domain::Source source, uint64_t count) {
  Bump(shards_[shard]->abandoned[static_cast<size_t>(source)], count);
}

void PipelineMetrics::AddBatch(int shard) { Bump(shards_[shard]->batches, 1); }

LatencyHistogram& PipelineMetrics::stage_latency(int shard, int stage) {
  return *shards_[shard]->stage_latency[stage];
}

LatencyHistogram& PipelineMetrics::enqueue_to_sink(int shard) {
  return shards_[shard]->enqueue_to_sink;
}

MetricsSnapshot PipelineMetrics::Snapshot(const std::vector<size_t>& queue_depth,
                                          size_t capacity) const {
  MetricsSnapshot snapshot;
  snapshot.queue_depth = queue_depth;
  snapshot.queue_capacity = capacity;
  for (size_t i = 0; i < producers_.size(); ++i) {
    SourceCounts& s = snapshot.sources[i];
    s.offered = producers_[i].offered.load(std::memory_order_relaxed);
    s.accepted = producers_[i].accepted.load(std::memory_order_relaxed);
    s.dropped = producers_[i].dropped.load(std::memory_order_relaxed);
    s.refused = producers_[i].refused.load(std::memory_order_relaxed);
    for (const auto& shard : shards_) {
      s.rejected += shard->rejected[i].load(std::memory_order_relaxed);
      s.delivered += shard->delivered[i].load(std::memory_order_relaxed);
      s.abandoned += shard->abandoned[i].load(std::memory_order_relaxed);
    }
  }
  for (size_t stage = 0; stage < stage_names_.size(); ++stage) {
    StageLatency latency{stage_names_[stage], {}};
    for (const auto& shard : shards_) {
      latency.per_batch.Merge(shard->stage_latency[stage]->Snapshot());
    }
    snapshot.stages.push_back(std::move(latency));
  }
  for (const auto& shard : shards_) {
    snapshot.enqueue_to_sink.Merge(shard->enqueue_to_sink.Snapshot());
    snapshot.batches += shard->batches.load(std::memory_order_relaxed);
  }
  return snapshot;
}

}  // namespace tapio::pipeline
