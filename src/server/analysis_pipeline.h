// Where the server's analysis runs: stored events are taken in (LiveAnalysis::Intake) on the
// thread that stored them, then pass through a src/pipeline Pipeline whose sink correlates
// them (LiveAnalysis::Correlate), so that storing and acknowledging never wait for the pattern
// engine. The pipeline has one shard: the engine correlates across entities and must see each
// producer's events in the order they were stored. Its queue, batching and overflow policies
// are the configured ones; under drop-lowest-severity an overloaded analysis skips events the
// store still keeps, and counts them. Thread-safe.
#ifndef TAPIO_SERVER_ANALYSIS_PIPELINE_H_
#define TAPIO_SERVER_ANALYSIS_PIPELINE_H_

#include <memory>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "domain/entity.h"
#include "domain/event.h"
#include "pipeline/pipeline.h"
#include "pipeline/pipeline_builder.h"
#include "server/live_analysis.h"
#include "tapio/v1/event.pb.h"

namespace tapio::server {

class AnalysisPipeline {
 public:
  // Builds the pipeline from `settings`, with one shard and the analysis as its sink;
  // `analysis` must outlive it. Fails as PipelineBuilder::Build does.
  static absl::StatusOr<std::unique_ptr<AnalysisPipeline>> Start(pipeline::PipelineBuilder settings,
                                                                 LiveAnalysis& analysis);
  // Stops the pipeline if Stop() was not called.
  ~AnalysisPipeline();

  // Hands on events just stored, `decoded[i]` being `events[i]` as domain::FromProto made it
  // with the analysis's registry (Intake reorders `decoded`). Under the block policy waits
  // while the queue is full.
  void Submit(absl::Span<const tapio::v1::UnifiedEvent> events, absl::Span<domain::Event> decoded);
  // Hands on a kReplayEndType event just stored and returns once the analysis has concluded
  // there: after every event this thread submitted before it. When the pipeline does not take
  // it (stopping, or dropped from a full queue), the analysis concludes at once.
  void Conclude(const tapio::v1::UnifiedEvent& marker);
  // Stops taking events, lets the queued ones reach the analysis (up to the drain timeout) and
  // joins the worker. Idempotent.
  absl::Status Stop();

  // The analysis's entities, for decoding events into before they are submitted.
  domain::EntityRegistry& registry() { return analysis_.registry(); }
  pipeline::MetricsSnapshot Metrics() const { return pipeline_->Metrics(); }

 private:
  class CorrelateStage;
  explicit AnalysisPipeline(LiveAnalysis& analysis) : analysis_(analysis) {}
  // Called by the sink after it correlated the kReplayEndType event `id`.
  void Concluded(uint64_t id);

  LiveAnalysis& analysis_;
  std::unique_ptr<pipeline::Pipeline> pipeline_;
  absl::Mutex mu_;
  // Markers the sink has passed that Conclude has not yet seen.
  absl::flat_hash_set<uint64_t> concluded_ ABSL_GUARDED_BY(mu_);
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace tapio::server

#endif  // TAPIO_SERVER_ANALYSIS_PIPELINE_H_
