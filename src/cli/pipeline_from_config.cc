#include "cli/pipeline_from_config.h"

namespace tapio::cli {
namespace {

pipeline::Overflow ToPipeline(config::Overflow overflow) {
  return overflow == config::Overflow::kBlock ? pipeline::Overflow::kBlock
                                              : pipeline::Overflow::kDropLowestSeverity;
}

}  // namespace

pipeline::PipelineBuilder PipelineBuilderFromConfig(const config::PipelineConfig& config) {
  pipeline::PipelineBuilder builder;
  builder.set_shards(config.shards)
      .set_queue_capacity(static_cast<size_t>(config.queue_capacity))
      .set_batch_size(static_cast<size_t>(config.batch_size))
      .set_batch_wait(config.batch_wait)
      .set_drain_timeout(config.drain_timeout)
      .set_overflow(ToPipeline(config.overflow));
  for (const auto& [source, overflow] : config.source_overflow) {
    builder.set_source_overflow(source, ToPipeline(overflow));
  }
  return builder;
}

}  // namespace tapio::cli
