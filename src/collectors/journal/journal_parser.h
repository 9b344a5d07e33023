// Turns a node's systemd journal, as `journalctl -o json` prints it (one JSON object per
// line), into domain events (Source::kJournal) with a ServicePayload: systemd's reports on
// a unit's life (a main process exiting, a unit failing, starting, stopping, scheduled to
// restart) and every other message as a log event, its severity from the klog or logrus
// level it carries or else from PRIORITY.
//
// Fields read: __REALTIME_TIMESTAMP (microseconds, a decimal string; required), MESSAGE (a
// string, or the array of byte values journalctl prints for text that is not UTF-8; a field
// given more than once is an array of such values and the first is used; null, which
// journalctl prints for a value over 4096 bytes without --all, is an empty message),
// _SYSTEMD_UNIT, UNIT, SYSLOG_IDENTIFIER, PRIORITY ("0"…"7"), _PID, _HOSTNAME. Others are
// passed over.
//
// The events are about the node (EntityRef{cluster, "Node", name}), as the kernel log's are.
// What each carries:
//   type                          ServicePayload        labels
//   journal.unit_process_exited   exit_status = n       code (exited|killed|dumped),
//                                                       status ("1/FAILURE", "9/KILL")
//   journal.unit_failed           state "failed",       result (exit-code|signal|oom-kill|
//                                 sub_state "failed"    timeout|core-dump|…)
//   journal.unit_started          state "active", sub_state "running"
//   journal.unit_stopped          state "inactive", sub_state "dead"
//   journal.unit_restarting       state "activating",   restart_count
//                                 sub_state "auto-restart"
//   journal.log                   source_location ("kubelet.go:2855") for klog lines
// Every event: ServicePayload.unit, priority (PRIORITY, 6 when absent), pid (_PID), message;
// labels hostname (_HOSTNAME) and identifier (SYSLOG_IDENTIFIER) when present. The unit of
// a lifecycle event is UNIT, else the unit the message names, else _SYSTEMD_UNIT; of any
// other event _SYSTEMD_UNIT, else UNIT, else SYSLOG_IDENTIFIER. Lifecycle forms are read
// only from systemd itself (_PID 1, or SYSLOG_IDENTIFIER "systemd" when _PID is absent), so
// that no service can forge them by printing them.
//
// Severity: unit_failed error; unit_process_exited info for "code=exited, status=0",
// warning for a kill by SIGTERM (status 15), error otherwise; unit_restarting warning;
// unit_started and unit_stopped info; journal.log the klog level (I, W, E, F → info,
// warning, error, critical), else the logrus level, else PRIORITY (0-2 critical, 3 error,
// 4 warning, 5-6 info, 7 debug; info when absent).
//
// ServicePayload.message is the klog text after "] " for klog lines and the whole MESSAGE
// otherwise, cut to kMaxMessageBytes (at a UTF-8 boundary), with invalid UTF-8 replaced by
// U+FFFD and control bytes other than newline and tab by spaces. Messages, units and
// locations are interned and interned strings are never freed, so a stream of distinct
// messages grows the symbol table by up to kMaxMessageBytes each.
//
// Not thread-safe: one parser per stream (it reuses its JSON buffers across lines).
#ifndef TAPIO_COLLECTORS_JOURNAL_JOURNAL_PARSER_H_
#define TAPIO_COLLECTORS_JOURNAL_JOURNAL_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "domain/clock.h"
#include "domain/entity.h"
#include "domain/event.h"
#include "domain/event_id.h"

namespace tapio::collectors::journal {

// The event types this parser emits; the pattern library refers to them by these names.
namespace event_type {
inline constexpr char kUnitProcessExited[] = "journal.unit_process_exited";
inline constexpr char kUnitFailed[] = "journal.unit_failed";
inline constexpr char kUnitStarted[] = "journal.unit_started";
inline constexpr char kUnitStopped[] = "journal.unit_stopped";
inline constexpr char kUnitRestarting[] = "journal.unit_restarting";
inline constexpr char kLog[] = "journal.log";
}  // namespace event_type

// Longest line accepted. journald keeps fields up to 48 KiB by default (LineMax) and
// journalctl prints longer ones as null, so a longer line is not journalctl's.
inline constexpr size_t kMaxLineBytes = 64 * 1024;
// Longest message kept in an event; the rest is cut.
inline constexpr size_t kMaxMessageBytes = 1024;

class JournalParser {
 public:
  struct Options {
    std::string cluster;
    // The node whose journal this is; required.
    std::string node;
    // Names the stream in errors ("nodes/node-1/journal.jsonl").
    std::string source_name = "journal";
  };

  // Lines fed, events emitted, lines passed over (empty, or an entry without MESSAGE),
  // lines refused as malformed.
  struct Counts {
    uint64_t lines = 0;
    uint64_t events = 0;
    uint64_t ignored = 0;
    uint64_t rejected = 0;
  };

  // Registers the node in `registry`. Fails with InvalidArgument when `options.node` is
  // empty, ResourceExhausted when the registry is full. `registry`, `ids` and `clock` must
  // outlive the parser; `clock` stamps each event's observed_ns.
  static absl::StatusOr<std::unique_ptr<JournalParser>> Create(Options options,
                                                               domain::EntityRegistry& registry,
                                                               domain::EventIdGenerator& ids,
                                                               const domain::Clock& clock);

  JournalParser(const JournalParser&) = delete;
  JournalParser& operator=(const JournalParser&) = delete;
  ~JournalParser();

  // Feeds one line (a trailing "\r" or "\n" is dropped) and appends at most one event to
  // `*out`. Empty and all-blank lines are ignored. Fails with InvalidArgument, naming the
  // source, the line number and the field, when the line is longer than kMaxLineBytes, is
  // not one JSON object, lacks __REALTIME_TIMESTAMP, or holds a known field of the wrong
  // type or form; the line is then counted as rejected and the stream goes on.
  absl::Status ParseLine(absl::string_view line, std::vector<domain::Event>* out);

  Counts counts() const { return counts_; }

 private:
  struct Json;
  struct Entry;

  JournalParser(Options options, domain::EntityId node, domain::EventIdGenerator& ids,
                const domain::Clock& clock);

  absl::Status Reject(absl::string_view problem);
  absl::Status ReadEntry(absl::string_view line, Entry* entry);
  domain::Event Build(const Entry& entry);

  Options options_;
  domain::EntityId node_;
  domain::EventIdGenerator& ids_;
  const domain::Clock& clock_;
  std::unique_ptr<Json> json_;
  Counts counts_;
};

}  // namespace tapio::collectors::journal

#endif  // TAPIO_COLLECTORS_JOURNAL_JOURNAL_PARSER_H_
