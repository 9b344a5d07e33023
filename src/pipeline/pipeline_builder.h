// Assembles a Pipeline: its sizes, its overflow policy per source, and the stages each shard
// runs after validation. Not thread-safe; use from one thread, then discard.
#ifndef TAPIO_PIPELINE_PIPELINE_BUILDER_H_
#define TAPIO_PIPELINE_PIPELINE_BUILDER_H_

#include <functional>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "pipeline/pipeline.h"

namespace tapio::pipeline {

class PipelineBuilder {
 public:
  // Makes the instance of a stage that shard `shard` (0-based) will own.
  using StageFactory = std::function<std::unique_ptr<Stage>(int shard)>;

  PipelineBuilder();

  PipelineBuilder& set_shards(int shards);
  PipelineBuilder& set_queue_capacity(size_t capacity);
  PipelineBuilder& set_batch_size(size_t batch_size);
  PipelineBuilder& set_batch_wait(absl::Duration wait);
  PipelineBuilder& set_drain_timeout(absl::Duration timeout);
  // The policy of every source without one of its own.
  PipelineBuilder& set_overflow(Overflow overflow);
  PipelineBuilder& set_source_overflow(domain::Source source, Overflow overflow);
  // Adds a stage after validation and the stages added before it (enrich, then correlate).
  PipelineBuilder& AddStage(StageFactory factory);
  // The last stage; required.
  PipelineBuilder& set_sink(StageFactory factory);

  // Checks the settings, makes every shard's stages and starts the workers. Fails with
  // InvalidArgument naming the setting that is out of range, or when there is no sink.
  absl::StatusOr<std::unique_ptr<Pipeline>> Build();

 private:
  PipelineOptions options_;
  std::array<bool, domain::kSourceCount> source_overflow_set_{};
  std::vector<StageFactory> stages_;
  StageFactory sink_;
};

}  // namespace tapio::pipeline

#endif  // TAPIO_PIPELINE_PIPELINE_BUILDER_H_
