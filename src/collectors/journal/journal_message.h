// The shapes a journal MESSAGE takes on a Kubernetes node, taken apart: klog lines (the
// kubelet's, "E0301 10:15:02.123456    1234 kubelet.go:2855] text"), logrus lines
// (containerd's, `time="…" level=error msg="…"`), and systemd's own reports on a unit's
// life ("kubelet.service: Main process exited, code=exited, status=1/FAILURE"). Pure
// functions; thread-safe. Returned views point into the message given.
#ifndef TAPIO_COLLECTORS_JOURNAL_JOURNAL_MESSAGE_H_
#define TAPIO_COLLECTORS_JOURNAL_JOURNAL_MESSAGE_H_

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"
#include "domain/event.h"

namespace tapio::collectors::journal {

struct KlogLine {
  // 'I', 'W', 'E' or 'F', and the severity it means.
  char level = 'I';
  domain::Severity severity = domain::Severity::kInfo;
  // The Go source position that logged it: "kubelet.go:2855".
  absl::string_view source_location;
  uint32_t thread_id = 0;
  // Everything after "] ": the text and, in structured klog, its key=value pairs.
  absl::string_view text;
};

// Returns the parts of a klog line, or nullopt when `message` does not begin with a
// complete klog header ("Lmmdd hh:mm:ss.uuuuuu threadid file:line] ").
std::optional<KlogLine> ParseKlogLine(absl::string_view message);

// Returns the severity of a logrus line's level=… field (trace and debug → debug, info,
// warning, error, fatal and panic → critical), or nullopt when `message` has no known
// level=… field.
std::optional<domain::Severity> LogrusSeverity(absl::string_view message);

enum class UnitChange : uint8_t {
  // "<unit>: Main process exited, code=<code>, status=<n>/<name>"
  kProcessExited,
  // "<unit>: Failed with result '<result>'."
  kFailed,
  // "Started <description>." (systemd < 253) or "Started <unit> - <description>."
  kStarted,
  // "Stopped <description>." / "Stopped <unit> - <description>." /
  // "<unit>: Deactivated successfully."
  kStopped,
  // "<unit>: Scheduled restart job, restart counter is at <n>."
  kRestarting,
};

struct UnitLine {
  UnitChange change = UnitChange::kStarted;
  // The unit the message names, or empty when it names only a description ("Started
  // Kubernetes Kubelet.").
  absl::string_view unit;
  // kProcessExited: "exited", "killed" or "dumped".
  absl::string_view code;
  // kProcessExited: the exit status or signal number, and its whole text ("1/FAILURE").
  int32_t status = 0;
  absl::string_view status_text;
  // kFailed: "exit-code", "signal", "oom-kill", "timeout", "core-dump", "start-limit-hit", …
  absl::string_view result;
  // kRestarting: the restart counter.
  uint32_t restart_count = 0;
};

// Returns what a message of systemd (PID 1) says about a unit, or nullopt when it is none
// of the UnitChange forms. Only systemd's own messages should be given: a service can print
// anything.
std::optional<UnitLine> ParseUnitLine(absl::string_view message);

// True when `name` ends in a systemd unit suffix (".service", ".scope", ".socket", …).
bool LooksLikeUnitName(absl::string_view name);

}  // namespace tapio::collectors::journal

#endif  // TAPIO_COLLECTORS_JOURNAL_JOURNAL_MESSAGE_H_
