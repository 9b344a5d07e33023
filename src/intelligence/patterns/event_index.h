// The events of each entity in time order, for the pattern engine's evidence look-ups: a
// look-up touches only the entities a relation path reaches and, in each, only the window
// asked for. A late event costs a logarithmic insert, however far behind it arrives (agents
// interleave, and a reconnecting one re-sends its backlog). Keeps events back to a horizon
// behind the newest time seen. Not thread-safe.
#ifndef TAPIO_INTELLIGENCE_PATTERNS_EVENT_INDEX_H_
#define TAPIO_INTELLIGENCE_PATTERNS_EVENT_INDEX_H_

#include <cstdint>
#include <functional>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "domain/entity.h"
#include "domain/event.h"

namespace tapio::intelligence {

class EventIndex {
 public:
  // Events older than `horizon_ns` behind the newest event are forgotten.
  explicit EventIndex(int64_t horizon_ns) : horizon_ns_(horizon_ns) {}

  // Files `event` under its entity, in time order (late events are placed where they belong).
  void Add(const domain::Event& event);

  // Calls `visit` for each event of `entity` with from_ns <= time_ns <= to_ns, in time
  // order, until it returns false.
  void ForEach(domain::EntityId entity, int64_t from_ns, int64_t to_ns,
               const std::function<bool(const domain::Event&)>& visit) const;

 private:
  void Prune();

  int64_t horizon_ns_;
  int64_t newest_ns_ = 0;
  int64_t pruned_at_ns_ = 0;
  // Keyed by time; events of one time keep their arrival order.
  absl::flat_hash_map<domain::EntityId, absl::btree_multimap<int64_t, domain::Event>> by_entity_;
};

}  // namespace tapio::intelligence

#endif  // TAPIO_INTELLIGENCE_PATTERNS_EVENT_INDEX_H_
