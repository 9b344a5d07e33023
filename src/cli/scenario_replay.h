// Replaying an incident dump into a server over the agent protocol: the dump's events
// (collectors::scenario::ReadScenarioEvents) go out through an EventShipper, the last batch
// marked final, and the replay waits until the server has acknowledged every one.
#ifndef TAPIO_CLI_SCENARIO_REPLAY_H_
#define TAPIO_CLI_SCENARIO_REPLAY_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collectors/scenario/scenario_reader.h"
#include "transport/event_shipper.h"

namespace tapio::cli {

struct ReplayResult {
  size_t events = 0;
  size_t object_changes = 0;
  collectors::scenario::ScenarioReport report;
};

// Fails when the dump cannot be read, or with DeadlineExceeded, saying how many events are
// still unacknowledged and why the stream last broke, when the server has not acknowledged
// them all within `timeout`.
absl::StatusOr<ReplayResult> ReplayIntoServer(const std::string& path, const std::string& cluster,
                                              transport::EventShipper::Options shipper,
                                              absl::Duration timeout);

}  // namespace tapio::cli

#endif  // TAPIO_CLI_SCENARIO_REPLAY_H_
