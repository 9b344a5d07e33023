// Wiring: the pipeline settings of tapio.yaml turned into a PipelineBuilder.
#ifndef TAPIO_CLI_PIPELINE_FROM_CONFIG_H_
#define TAPIO_CLI_PIPELINE_FROM_CONFIG_H_

#include "config/config.h"
#include "pipeline/pipeline_builder.h"

namespace tapio::cli {

// Returns a builder with every setting of `config` applied; stages and sink are the caller's.
pipeline::PipelineBuilder PipelineBuilderFromConfig(const config::PipelineConfig& config);

}  // namespace tapio::cli

#endif  // TAPIO_CLI_PIPELINE_FROM_CONFIG_H_
