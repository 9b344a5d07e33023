// An incident dump as the events its collectors would have shipped to a server: every
// Kubernetes object change as a k8s.object_change event carrying the object's JSON, then the
// transitions those changes mean and every node and application record as their events, in
// time order. A server that takes them in this order builds the graph before it attributes
// the events, and sees the events as the offline analysis does. Not thread-safe.
#ifndef TAPIO_COLLECTORS_SCENARIO_SCENARIO_EVENTS_H_
#define TAPIO_COLLECTORS_SCENARIO_SCENARIO_EVENTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "collectors/scenario/scenario_reader.h"
#include "tapio/v1/event.pb.h"

namespace tapio::collectors::scenario {

struct ScenarioEvents {
  std::vector<tapio::v1::UnifiedEvent> events;
  size_t object_changes = 0;
  ScenarioReport report;
};

// Reads `path` as ScenarioReader does, for cluster `cluster`. Event ids are drawn from a
// prefix that the path's absolute name decides, so replaying the same dump into a server
// twice stores it once, and two dumps do not collide. Fails as ScenarioReader::Read does.
absl::StatusOr<ScenarioEvents> ReadScenarioEvents(const std::string& path,
                                                  const std::string& cluster);

}  // namespace tapio::collectors::scenario

#endif  // TAPIO_COLLECTORS_SCENARIO_SCENARIO_EVENTS_H_
