#include "collectors/scenario/scenario_events.h"

#include <algorithm>
#include <filesystem>

#include "absl/hash/hash.h"
#include "collectors/kubeapi/object_change_event.h"
#include "collectors/kubeapi/transition_detector.h"
#include "domain/clock.h"
#include "domain/event_id.h"
#include "domain/event_proto.h"

namespace tapio::collectors::scenario {

absl::StatusOr<ScenarioEvents> ReadScenarioEvents(const std::string& path,
                                                  const std::string& cluster) {
  std::error_code error;
  std::string absolute = std::filesystem::absolute(path, error).lexically_normal().string();
  domain::EventIdGenerator ids(static_cast<uint32_t>(absl::HashOf(absolute)));
  domain::EntityRegistry registry;
  kubeapi::TransitionDetector detector(domain::Intern(cluster), registry, ids);
  ScenarioEvents out;
  std::vector<v1::UnifiedEvent> events;
  std::vector<domain::Event> transitions;
  ScenarioInput input;
  input.on_change = [&](const domain::ObjectChange& change) {
    transitions.clear();
    detector.Observe(change, &transitions);
    for (const domain::Event& e : transitions) events.push_back(domain::ToProto(e, registry));
    // A Secret's JSON is never kept, so it never leaves: nothing the graph needs is in it.
    if (change.raw.empty()) return;
    ++out.object_changes;
    out.events.push_back(kubeapi::ObjectChangeEvent(change, cluster, ids.Next()));
  };
  input.on_events = [&](std::vector<domain::Event> read) {
    for (const domain::Event& e : read) events.push_back(domain::ToProto(e, registry));
  };
  ScenarioReader reader(cluster, registry, ids, domain::Clock::Real());
  reader.set_keep_raw(true);
  absl::Status read = reader.Read(path, input, &out.report);
  if (!read.ok()) return read;
  std::stable_sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
    return a.time_unix_nano() < b.time_unix_nano();
  });
  out.events.insert(out.events.end(), std::make_move_iterator(events.begin()),
                    std::make_move_iterator(events.end()));
  return out;
}

}  // namespace tapio::collectors::scenario
