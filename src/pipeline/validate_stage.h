// The first stage of every pipeline: rejects events that later stages cannot use — no time,
// no entity, no type — so correlation never sees a half-made event.
#ifndef TAPIO_PIPELINE_VALIDATE_STAGE_H_
#define TAPIO_PIPELINE_VALIDATE_STAGE_H_

#include "pipeline/stage.h"

namespace tapio::pipeline {

class ValidateStage : public Stage {
 public:
  absl::string_view name() const override { return "validate"; }
  void Process(Batch& batch) override;
};

}  // namespace tapio::pipeline

#endif  // TAPIO_PIPELINE_VALIDATE_STAGE_H_
