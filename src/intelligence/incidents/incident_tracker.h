// Groups pattern matches into incidents: a match joins the open incident it is linked to —
// they share an entity at fault, an entity hit, or the workload of a pod hit, or both are
// control-plane failures, which hit the whole cluster — when it came within a window of that
// incident's triggers; a match that links two open incidents
// merges them, so one cause never shows as two incidents. An incident resolves once no
// trigger has joined it for a quiet period of stream time. Not thread-safe.
#ifndef TAPIO_INTELLIGENCE_INCIDENTS_INCIDENT_TRACKER_H_
#define TAPIO_INTELLIGENCE_INCIDENTS_INCIDENT_TRACKER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "domain/entity.h"
#include "intelligence/patterns/pattern_match.h"
#include "intelligence/topology/topology_graph.h"

namespace tapio::intelligence {

struct IncidentOptions {
  int64_t window_ns = int64_t{30} * 60 * 1000000000;
  int64_t quiet_ns = int64_t{15} * 60 * 1000000000;
};

struct Incident {
  // 1, 2, … in the order opened; a merged incident keeps the older id.
  uint64_t id = 0;
  // Indexes into the match list, in the order they joined.
  std::vector<size_t> matches;
  // What its matches touch: entities at fault, hit, and the workloads of the pods hit.
  absl::flat_hash_set<domain::EntityId> touched;
  // Whether one of its matches is a control-plane failure.
  bool control_plane = false;
  // Stream times of its first and latest trigger, and when it resolved (0 while open).
  int64_t opened_ns = 0;
  int64_t updated_ns = 0;
  int64_t resolved_ns = 0;

  bool open() const { return resolved_ns == 0; }
};

class IncidentTracker {
 public:
  // `graph` must outlive the tracker.
  explicit IncidentTracker(const TopologyGraph& graph, IncidentOptions options = {});

  // Brings the incidents up to date with `matches` — a pattern engine's list, which only
  // grows and whose entries only gain later triggers — as of stream time `now_ns`.
  void Update(const std::vector<PatternMatch>& matches, int64_t now_ns);

  // Open and resolved incidents in the order opened; merged-away incidents are gone.
  const std::vector<Incident>& incidents() const { return incidents_; }

 private:
  absl::flat_hash_set<domain::EntityId> Touched(const PatternMatch& match) const;
  void File(const PatternMatch& match, size_t index);

  const TopologyGraph& graph_;
  IncidentOptions options_;
  std::vector<Incident> incidents_;
  size_t filed_ = 0;
  uint64_t next_id_ = 1;
};

}  // namespace tapio::intelligence

#endif  // TAPIO_INTELLIGENCE_INCIDENTS_INCIDENT_TRACKER_H_
