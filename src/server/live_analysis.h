// The server's analysis of what it ingests, kept up to date as batches are stored: object
// changes build the topology graph (the collector that watched them sent the transitions they
// mean as events of their own), every event is moved to its pod and seen by the pattern engine,
// matches are grouped into incidents, and each change to an incident is published as an insight.
// Answers are built from this state under one lock, as the offline commands build theirs.
// Thread-safe.
#ifndef TAPIO_SERVER_LIVE_ANALYSIS_H_
#define TAPIO_SERVER_LIVE_ANALYSIS_H_

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "collectors/kubeapi/object_decoder.h"
#include "domain/clock.h"
#include "domain/entity.h"
#include "domain/event.h"
#include "domain/symbol_table.h"
#include "intelligence/incidents/incident_tracker.h"
#include "intelligence/patterns/pattern.h"
#include "intelligence/patterns/pattern_engine.h"
#include "intelligence/report/analysis_view.h"
#include "intelligence/topology/topology_graph.h"
#include "server/record_intake.h"
#include "tapio/v1/correlation_service.pb.h"
#include "tapio/v1/event.pb.h"

namespace tapio::server {

// Stored where a collector's final batch ended (the end of a replayed incident): the analysis
// concludes what is pending there, when it first comes and when the store is replayed.
inline constexpr char kReplayEndType[] = "tapio.replay_end";

// The kReplayEndType event of `collector` whose stream's newest event time was `time_ns`.
tapio::v1::UnifiedEvent ReplayEnd(uint64_t id, uint64_t time_ns, uint64_t observed_ns,
                                  const std::string& collector);

struct LiveAnalysisCounts {
  uint64_t events = 0;
  uint64_t object_changes = 0;
  // Object changes whose JSON did not decode (each is logged with its event id).
  uint64_t objects_refused = 0;
  uint64_t matches = 0;
  uint64_t insights = 0;
  // As of the last update.
  uint64_t incidents_open = 0;
  uint64_t incidents_resolved = 0;
};

class LiveAnalysis {
 public:
  struct Options {
    // The cluster the graph describes: entities are looked up in it.
    std::string cluster;
    intelligence::IncidentOptions incidents;
    // Insights kept for subscribers that fall behind, at most.
    size_t insight_backlog = 10000;
  };

  // `clock` must outlive the analysis; it times detection and moves a quiet stream on.
  LiveAnalysis(std::vector<intelligence::Pattern> patterns, Options options,
               const domain::Clock& clock);

  // Takes events just stored, each already checked by domain::FromProto, in the order
  // received: Intake, then Correlate. A kReplayEndType event concludes every pending trigger,
  // as Flush does.
  void Observe(absl::Span<const tapio::v1::UnifiedEvent> events);
  // The first half of Observe, on the ingesting thread: object changes update the graph, and
  // every other event (a kReplayEndType one too) is moved to its pod and kept for Correlate.
  // `decoded[i]` is `events[i]` as domain::FromProto made it with registry(), so that none is
  // decoded twice; the kept ones are moved to its front, in order, and their number returned.
  size_t Intake(absl::Span<const tapio::v1::UnifiedEvent> events,
                absl::Span<domain::Event> decoded);
  // The second half: the pattern engine sees `events`, as Intake prepared them, in order, and
  // what changed is published.
  void Correlate(absl::Span<const domain::Event> events);
  // The entities the analysis knows; thread-safe, so that events can be decoded into it before
  // they are observed.
  domain::EntityRegistry& registry() { return registry_; }
  // Concludes every pending trigger: the end of a replayed incident.
  void Flush();
  // Moves stream time on by the wall time since the last event arrived, so that a stream gone
  // quiet still concludes its triggers and resolves its incidents.
  void Tick();

  // Why `entity` (KIND/NAMESPACE/NAME) failed as of `at_ns` (0: the newest event time).
  // Fails with InvalidArgument for a malformed name and NotFound for an unknown entity.
  absl::StatusOr<tapio::v1::WhyReport> Why(const std::string& entity, int64_t at_ns, int causes);
  std::vector<tapio::v1::Incident> Incidents(bool open_only);
  // NotFound for an id not held.
  absl::StatusOr<tapio::v1::Incident> GetIncident(uint64_t id);

  // Every incident as it stands, as CHANGE_CURRENT insights, and the sequence of the last
  // insight published: where a new subscription starts.
  std::vector<tapio::v1::Insight> Current(uint64_t* last_sequence);
  // Insights after `after`, oldest first, waiting up to `wait` for one. Insights that fell
  // out of the backlog are skipped.
  std::vector<tapio::v1::Insight> InsightsAfter(uint64_t after, absl::Duration wait);

  LiveAnalysisCounts counts() const;

 private:
  intelligence::AnalysisView View() const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // One event of Intake: `decoded` is it as FromProto made it, or null when it did not decode
  // (then only an object change is of use). True when the engine is to see it.
  bool IntakeOne(const tapio::v1::UnifiedEvent& wire, domain::Event* decoded)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Brings the incidents up to date and publishes what changed.
  void Publish() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  const domain::Clock& clock_;
  const domain::Symbol replay_end_type_;
  mutable absl::Mutex mu_;
  // Thread-safe itself.
  domain::EntityRegistry registry_;
  intelligence::TopologyGraph graph_ ABSL_GUARDED_BY(mu_);
  RecordIntake intake_ ABSL_GUARDED_BY(mu_);
  collectors::kubeapi::ObjectDecoder decoder_ ABSL_GUARDED_BY(mu_);
  intelligence::PatternEngine engine_ ABSL_GUARDED_BY(mu_);
  intelligence::IncidentTracker tracker_ ABSL_GUARDED_BY(mu_);
  // A match was made or changed since the last Publish.
  bool matches_changed_ ABSL_GUARDED_BY(mu_) = false;
  // Every incident as last published, in the order opened: what the queries answer from.
  std::vector<tapio::v1::Incident> published_ ABSL_GUARDED_BY(mu_);
  std::deque<tapio::v1::Insight> insights_ ABSL_GUARDED_BY(mu_);
  uint64_t sequence_ ABSL_GUARDED_BY(mu_) = 0;
  // Wall time of the last arrival and the stream time it brought.
  int64_t arrival_wall_ns_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t arrival_stream_ns_ ABSL_GUARDED_BY(mu_) = 0;
  LiveAnalysisCounts counts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tapio::server

#endif  // TAPIO_SERVER_LIVE_ANALYSIS_H_
