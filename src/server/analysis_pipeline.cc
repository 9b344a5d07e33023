#include "server/analysis_pipeline.h"

#include <utility>

#include "domain/event_proto.h"

namespace tapio::server {

// The sink: correlates each batch in order, then tells waiters which markers it passed.
class AnalysisPipeline::CorrelateStage : public pipeline::Stage {
 public:
  explicit CorrelateStage(AnalysisPipeline& owner)
      : owner_(owner), replay_end_type_(domain::Intern(kReplayEndType)) {}
  absl::string_view name() const override { return "correlate"; }
  void Process(pipeline::Batch& batch) override {
    events_.clear();
    markers_.clear();
    for (size_t i = 0; i < batch.size(); ++i) {
      const domain::Event& event = batch.event(i);
      events_.push_back(event);
      if (event.type == replay_end_type_) markers_.push_back(event.id);
    }
    owner_.analysis_.Correlate(events_);
    for (uint64_t id : markers_) owner_.Concluded(id);
  }

 private:
  AnalysisPipeline& owner_;
  const domain::Symbol replay_end_type_;
  std::vector<domain::Event> events_;
  std::vector<uint64_t> markers_;
};

absl::StatusOr<std::unique_ptr<AnalysisPipeline>> AnalysisPipeline::Start(
    pipeline::PipelineBuilder settings, LiveAnalysis& analysis) {
  std::unique_ptr<AnalysisPipeline> owner(new AnalysisPipeline(analysis));
  AnalysisPipeline* self = owner.get();
  absl::StatusOr<std::unique_ptr<pipeline::Pipeline>> built =
      settings.set_shards(1)
          .set_sink([self](int) { return std::make_unique<CorrelateStage>(*self); })
          .Build();
  if (!built.ok()) return built.status();
  owner->pipeline_ = *std::move(built);
  return owner;
}

AnalysisPipeline::~AnalysisPipeline() { Stop().IgnoreError(); }

void AnalysisPipeline::Submit(absl::Span<const v1::UnifiedEvent> events,
                              absl::Span<domain::Event> decoded) {
  const size_t kept = analysis_.Intake(events, decoded);
  pipeline_->Submit(absl::MakeConstSpan(decoded).first(kept));
}

void AnalysisPipeline::Conclude(const v1::UnifiedEvent& marker) {
  absl::StatusOr<domain::Event> decoded = domain::FromProto(marker, analysis_.registry());
  if (!decoded.ok()) return;
  // A marker without a time follows no event of its stream, and validation would reject it.
  bool taken = decoded->time_ns > 0;
  if (taken) {
    pipeline_->Submit(absl::MakeConstSpan(&*decoded, 1), [&](size_t) { taken = false; });
  }
  if (!taken) {
    analysis_.Correlate(absl::MakeConstSpan(&*decoded, 1));
    return;
  }
  absl::MutexLock lock(&mu_);
  const uint64_t id = decoded->id;
  auto done = [this, id]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return concluded_.contains(id) || stopped_;
  };
  mu_.Await(absl::Condition(&done));
  concluded_.erase(id);
}

void AnalysisPipeline::Concluded(uint64_t id) {
  absl::MutexLock lock(&mu_);
  concluded_.insert(id);
}

absl::Status AnalysisPipeline::Stop() {
  absl::Status stopped = pipeline_->Stop();
  absl::MutexLock lock(&mu_);
  stopped_ = true;
  concluded_.clear();
  return stopped;
}

}  // namespace tapio::server
