#include "cli/offline_analysis.h"

#include <algorithm>

#include "absl/synchronization/mutex.h"
#include "collectors/kubeapi/transition_detector.h"
#include "domain/event_id.h"
#include "pipeline/pipeline_builder.h"
#include "server/record_intake.h"

namespace tapio::cli {
namespace {

// Keeps every event that reaches it; shared by all shards.
class CollectingSink : public pipeline::Stage {
 public:
  CollectingSink(absl::Mutex& mu, std::vector<domain::Event>& events) : mu_(mu), events_(events) {}
  absl::string_view name() const override { return "sink"; }
  void Process(pipeline::Batch& batch) override {
    absl::MutexLock lock(&mu_);
    for (size_t i = 0; i < batch.size(); ++i) events_.push_back(batch.event(i));
  }

 private:
  absl::Mutex& mu_;
  std::vector<domain::Event>& events_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<OfflineAnalysis>> AnalyzeOffline(
    const std::vector<std::string>& paths, absl::string_view cluster,
    std::vector<intelligence::Pattern> patterns) {
  auto analysis = std::make_unique<OfflineAnalysis>();
  const domain::Symbol cluster_symbol = domain::Intern(cluster);
  analysis->graph =
      std::make_unique<intelligence::TopologyGraph>(cluster_symbol, analysis->registry);
  absl::Mutex sink_mu;
  std::vector<domain::Event> delivered;
  // Files are replayed as fast as they can be read; blocking keeps every event.
  absl::StatusOr<std::unique_ptr<pipeline::Pipeline>> built =
      pipeline::PipelineBuilder()
          .set_overflow(pipeline::Overflow::kBlock)
          .set_sink([&](int) { return std::make_unique<CollectingSink>(sink_mu, delivered); })
          .Build();
  if (!built.ok()) return built.status();
  pipeline::Pipeline& pipe = **built;

  domain::EventIdGenerator ids(0x0ff11e);
  server::RecordIntake intake(analysis->registry, *analysis->graph);
  collectors::kubeapi::TransitionDetector detector(cluster_symbol, analysis->registry, ids);
  std::vector<domain::Event> batch;
  collectors::scenario::ScenarioInput input;
  input.on_change = [&](const domain::ObjectChange& change) {
    analysis->last_time_ns = std::max(analysis->last_time_ns, change.time_ns);
    batch.clear();
    intake.Apply(change);
    detector.Observe(change, &batch);
    pipe.Submit(batch);
  };
  input.on_events = [&](std::vector<domain::Event> events) {
    for (domain::Event& e : events) {
      analysis->last_time_ns = std::max(analysis->last_time_ns, e.time_ns);
      intake.Prepare(e);
    }
    pipe.Submit(events);
  };
  collectors::scenario::ScenarioReader reader(std::string(cluster), analysis->registry, ids,
                                              domain::Clock::Real());
  for (const std::string& path : paths) {
    absl::Status status = reader.Read(path, input, &analysis->report);
    if (!status.ok()) {
      pipe.Stop().IgnoreError();
      return status;
    }
  }
  absl::Status stopped = pipe.Stop();
  if (!stopped.ok()) return stopped;
  analysis->metrics = pipe.Metrics();
  std::stable_sort(delivered.begin(), delivered.end(),
                   [](const domain::Event& a, const domain::Event& b) {
                     return a.time_ns != b.time_ns ? a.time_ns < b.time_ns : a.id < b.id;
                   });
  analysis->events = std::move(delivered);
  intelligence::PatternEngine engine(std::move(patterns), *analysis->graph, domain::Clock::Real());
  // Incidents are brought up to date as the events come, as the server does: one resolves
  // when its quiet period passes in stream time, before any later match could join it.
  intelligence::IncidentTracker incidents(*analysis->graph);
  for (const domain::Event& event : analysis->events) {
    engine.Observe(event);
    incidents.Update(engine.matches(), engine.stream_time());
  }
  engine.Flush();
  incidents.Update(engine.matches(), std::max(engine.stream_time(), analysis->last_time_ns));
  analysis->matches = engine.matches();
  analysis->pattern_counts = engine.counts();
  analysis->incidents = incidents.incidents();
  return analysis;
}

}  // namespace tapio::cli
