#include "cli/scenario_replay.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "collectors/scenario/scenario_events.h"

namespace tapio::cli {

absl::StatusOr<ReplayResult> ReplayIntoServer(const std::string& path, const std::string& cluster,
                                              transport::EventShipper::Options shipper,
                                              absl::Duration timeout) {
  absl::StatusOr<collectors::scenario::ScenarioEvents> read =
      collectors::scenario::ReadScenarioEvents(path, cluster);
  if (!read.ok()) return read.status();
  absl::StatusOr<std::unique_ptr<transport::EventShipper>> started =
      transport::EventShipper::Start(std::move(shipper));
  if (!started.ok()) return started.status();
  transport::EventShipper& out = **started;
  ReplayResult result;
  result.events = read->events.size();
  result.object_changes = read->object_changes;
  result.report = std::move(read->report);
  out.Submit(read->events);
  out.Finish();
  if (!out.Drain(timeout)) {
    transport::EventShipper::Counts c = out.counts();
    return absl::DeadlineExceededError(
        absl::StrCat(c.queued, " of ", result.events, " events not acknowledged after ",
                     absl::FormatDuration(timeout),
                     c.last_error.empty() ? "" : absl::StrCat("; last: ", c.last_error)));
  }
  return result;
}

}  // namespace tapio::cli
