#include "pipeline/validate_stage.h"

namespace tapio::pipeline {

void ValidateStage::Process(Batch& batch) {
  for (size_t i = 0; i < batch.size(); ++i) {
    const domain::Event& event = batch.event(i);
    if (event.time_ns <= 0 || !event.entity.valid() || event.type.empty() ||
        event.source == domain::Source::kUnspecified) {
      batch.Reject(i);
    }
  }
}

}  // namespace tapio::pipeline
