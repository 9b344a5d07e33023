#include "intelligence/patterns/event_index.h"

#include <algorithm>

namespace tapio::intelligence {

void EventIndex::Add(const domain::Event& event) {
  auto& events = by_entity_[event.entity];
  events.insert(events.end(), {event.time_ns, event});
  newest_ns_ = std::max(newest_ns_, event.time_ns);
  // Pruning every horizon/4 of stream time keeps it amortised.
  if (newest_ns_ - pruned_at_ns_ > horizon_ns_ / 4 + horizon_ns_) Prune();
}

void EventIndex::Prune() {
  int64_t keep_from = newest_ns_ - horizon_ns_;
  for (auto it = by_entity_.begin(); it != by_entity_.end();) {
    auto& events = it->second;
    events.erase(events.begin(), events.lower_bound(keep_from));
    if (events.empty()) {
      by_entity_.erase(it++);
    } else {
      ++it;
    }
  }
  pruned_at_ns_ = newest_ns_ - horizon_ns_;
}

void EventIndex::ForEach(domain::EntityId entity, int64_t from_ns, int64_t to_ns,
                         const std::function<bool(const domain::Event&)>& visit) const {
  auto found = by_entity_.find(entity);
  if (found == by_entity_.end()) return;
  const auto& events = found->second;
  for (auto it = events.lower_bound(from_ns); it != events.end() && it->first <= to_ns; ++it) {
    if (!visit(it->second)) return;
  }
}

}  // namespace tapio::intelligence
