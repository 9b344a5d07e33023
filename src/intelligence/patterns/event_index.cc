#include "intelligence/patterns/event_index.h"

#include <algorithm>

namespace tapio::intelligence {
namespace {

bool Earlier(const domain::Event& a, const domain::Event& b) { return a.time_ns < b.time_ns; }

}  // namespace

void EventIndex::Add(const domain::Event& event) {
  std::vector<domain::Event>& events = by_entity_[event.entity];
  if (events.empty() || events.back().time_ns <= event.time_ns) {
    events.push_back(event);
  } else {
    events.insert(std::upper_bound(events.begin(), events.end(), event, Earlier), event);
  }
  newest_ns_ = std::max(newest_ns_, event.time_ns);
  // Pruning every horizon/4 of stream time keeps it amortised.
  if (newest_ns_ - pruned_at_ns_ > horizon_ns_ / 4 + horizon_ns_) Prune();
}

void EventIndex::Prune() {
  int64_t keep_from = newest_ns_ - horizon_ns_;
  for (auto it = by_entity_.begin(); it != by_entity_.end();) {
    std::vector<domain::Event>& events = it->second;
    auto first_kept =
        std::lower_bound(events.begin(), events.end(), keep_from,
                         [](const domain::Event& e, int64_t t) { return e.time_ns < t; });
    events.erase(events.begin(), first_kept);
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
  const std::vector<domain::Event>& events = found->second;
  auto it = std::lower_bound(events.begin(), events.end(), from_ns,
                             [](const domain::Event& e, int64_t t) { return e.time_ns < t; });
  for (; it != events.end() && it->time_ns <= to_ns; ++it) {
    if (!visit(*it)) return;
  }
}

}  // namespace tapio::intelligence
