#include "pipeline/pipeline_builder.h"

#include "absl/strings/str_cat.h"
#include "pipeline/validate_stage.h"

namespace tapio::pipeline {
namespace {

constexpr int kMaxShards = 256;
constexpr size_t kMinCapacity = 16;
constexpr size_t kMaxCapacity = size_t{1} << 26;
constexpr size_t kMaxBatch = 65536;

}  // namespace

PipelineBuilder::PipelineBuilder() { options_.overflow.fill(Overflow::kDropLowestSeverity); }

PipelineBuilder& PipelineBuilder::set_shards(int shards) {
  options_.shards = shards;
  return *this;
}
PipelineBuilder& PipelineBuilder::set_queue_capacity(size_t capacity) {
  options_.queue_capacity = capacity;
  return *this;
}
PipelineBuilder& PipelineBuilder::set_batch_size(size_t batch_size) {
  options_.batch_size = batch_size;
  return *this;
}
PipelineBuilder& PipelineBuilder::set_batch_wait(absl::Duration wait) {
  options_.batch_wait = wait;
  return *this;
}
PipelineBuilder& PipelineBuilder::set_drain_timeout(absl::Duration timeout) {
  options_.drain_timeout = timeout;
  return *this;
}
PipelineBuilder& PipelineBuilder::set_overflow(Overflow overflow) {
  for (size_t i = 0; i < options_.overflow.size(); ++i) {
    if (!source_overflow_set_[i]) options_.overflow[i] = overflow;
  }
  return *this;
}
PipelineBuilder& PipelineBuilder::set_source_overflow(domain::Source source, Overflow overflow) {
  options_.overflow[static_cast<size_t>(source)] = overflow;
  source_overflow_set_[static_cast<size_t>(source)] = true;
  return *this;
}
PipelineBuilder& PipelineBuilder::AddStage(StageFactory factory) {
  stages_.push_back(std::move(factory));
  return *this;
}
PipelineBuilder& PipelineBuilder::set_sink(StageFactory factory) {
  sink_ = std::move(factory);
  return *this;
}

absl::StatusOr<std::unique_ptr<Pipeline>> PipelineBuilder::Build() {
  if (options_.shards < 1 || options_.shards > kMaxShards) {
    return absl::InvalidArgumentError(
        absl::StrCat("shards: ", options_.shards, " is outside 1 to ", kMaxShards));
  }
  if (options_.queue_capacity < kMinCapacity || options_.queue_capacity > kMaxCapacity) {
    return absl::InvalidArgumentError(absl::StrCat("queue_capacity: ", options_.queue_capacity,
                                                   " is outside ", kMinCapacity, " to ",
                                                   kMaxCapacity));
  }
  if (options_.batch_size < 1 || options_.batch_size > kMaxBatch) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch_size: ", options_.batch_size, " is outside 1 to ", kMaxBatch));
  }
  if (options_.batch_wait < absl::ZeroDuration() || options_.drain_timeout < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("batch_wait and drain_timeout must not be negative");
  }
  if (!sink_) return absl::InvalidArgumentError("a pipeline needs a sink");

  std::vector<StageFactory> factories;
  factories.push_back([](int) { return std::make_unique<ValidateStage>(); });
  for (const StageFactory& f : stages_) factories.push_back(f);
  factories.push_back(sink_);

  std::vector<std::vector<std::unique_ptr<Stage>>> per_shard(options_.shards);
  std::vector<std::string> names;
  for (int shard = 0; shard < options_.shards; ++shard) {
    for (const StageFactory& factory : factories) {
      std::unique_ptr<Stage> stage = factory(shard);
      if (stage == nullptr) return absl::InvalidArgumentError("a stage factory returned null");
      if (shard == 0) names.emplace_back(stage->name());
      per_shard[shard].push_back(std::move(stage));
    }
  }
  std::unique_ptr<Pipeline> pipeline(new Pipeline(options_, std::move(names)));
  for (int shard = 0; shard < options_.shards; ++shard) {
    pipeline->shards_[shard]->stages = std::move(per_shard[shard]);
  }
  pipeline->Start();
  return pipeline;
}

}  // namespace tapio::pipeline
