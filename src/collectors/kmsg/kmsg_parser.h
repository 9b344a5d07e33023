// Turns a node's kernel log into domain events (Source::kKmsg): memcg and global OOM kills
// (one event per process killed, however many lines its report spans), hung tasks, soft
// lockups, NIC link loss, filesystem and block I/O errors, and neighbour table overflow.
// Everything else the kernel prints (boot messages, stack traces, register dumps, the task
// table of an OOM report) is passed over and counted as ignored.
//
// The events are about the node (EntityRef{cluster, "Node", name}); the pod and container a
// kill hit travel in KernelPayload.pod_uid and container_id, resolved from the victim's
// cgroup, for a later stage to re-target the event. Not thread-safe: one parser per stream,
// because an OOM report's lines are assembled across calls.
#ifndef TAPIO_COLLECTORS_KMSG_KMSG_PARSER_H_
#define TAPIO_COLLECTORS_KMSG_KMSG_PARSER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "collectors/kmsg/kernel_line.h"
#include "collectors/kmsg/oom_report.h"
#include "domain/clock.h"
#include "domain/entity.h"
#include "domain/event.h"
#include "domain/event_id.h"
#include "domain/symbol_table.h"

namespace tapio::collectors::kmsg {

// The event types this parser emits; the pattern library refers to them by these names.
namespace event_type {
inline constexpr char kOomKill[] = "kernel.oom_kill";
inline constexpr char kGlobalOom[] = "kernel.global_oom";
inline constexpr char kHungTask[] = "kernel.hung_task";
inline constexpr char kSoftLockup[] = "kernel.soft_lockup";
inline constexpr char kLinkDown[] = "kernel.link_down";
inline constexpr char kFsError[] = "kernel.fs_error";
inline constexpr char kNeighbourTableOverflow[] = "kernel.neighbour_table_overflow";
}  // namespace event_type

class KmsgParser {
 public:
  struct Options {
    std::string cluster;
    // The node whose kernel log this is; required.
    std::string node;
    // Names the stream in errors ("nodes/node-1/kmsg.log").
    std::string source_name = "kmsg";
    // Unix nanoseconds at boot, which /dev/kmsg timestamps count from.
    int64_t boot_time_ns = 0;
  };

  // Lines fed, events emitted, lines passed over, lines refused as malformed. A line that
  // is part of an event (an OOM report's summary) is neither ignored nor rejected.
  struct Counts {
    uint64_t lines = 0;
    uint64_t events = 0;
    uint64_t ignored = 0;
    uint64_t rejected = 0;
  };

  // Registers the node in `registry`. Fails with InvalidArgument when `options.node` is
  // empty, ResourceExhausted when the registry is full. `registry`, `ids` and `clock` must
  // outlive the parser; `clock` stamps each event's observed_ns.
  static absl::StatusOr<std::unique_ptr<KmsgParser>> Create(Options options,
                                                            domain::EntityRegistry& registry,
                                                            domain::EventIdGenerator& ids,
                                                            const domain::Clock& clock);

  KmsgParser(const KmsgParser&) = delete;
  KmsgParser& operator=(const KmsgParser&) = delete;

  // Feeds one `dmesg --time-format=iso` line (a trailing "\r" or "\n" is dropped) and
  // appends the events it completes to `*out`. Lines that begin with a space or tab
  // (dmesg's indentation of a multi-line message) and empty lines are ignored. Fails with
  // InvalidArgument, naming the source and line number, when the line has no complete
  // timestamp, is longer than kMaxLineBytes, holds control bytes, or is a recognised
  // message cut short; the line is then counted as rejected and the stream goes on.
  absl::Status ParseIsoLine(absl::string_view line, std::vector<domain::Event>* out);

  // Feeds one /dev/kmsg record (as one read() returns it, continuation lines included).
  // Records from user space (a facility other than the kernel's) are ignored, so that no
  // process can forge a kernel event by writing to /dev/kmsg. Errors as ParseIsoLine.
  absl::Status ParseKmsgRecord(absl::string_view record, std::vector<domain::Event>* out);

  // Feeds one message whose time is known from elsewhere (a journal entry of the kernel
  // transport, a syslog line). Errors as ParseIsoLine, less the timestamp.
  absl::Status ParseMessage(int64_t time_ns, absl::string_view message,
                            std::vector<domain::Event>* out);

  // Ends the stream: appends the kill of an OOM report whose "Killed process" line never
  // came, with what its summary line said. The parser may then be fed a new stream.
  void Finish(std::vector<domain::Event>* out);

  Counts counts() const { return counts_; }

 private:
  KmsgParser(Options options, domain::EntityId node, domain::EventIdGenerator& ids,
             const domain::Clock& clock);

  absl::Status Reject(const absl::Status& cause);
  absl::Status Feed(int64_t time_ns, absl::string_view message, std::vector<domain::Event>* out);
  void Emit(int64_t time_ns, const KernelLine& line, absl::string_view message,
            std::vector<domain::Event>* out);
  void EmitKills(std::vector<domain::Event>* out);
  domain::Event NewEvent(int64_t time_ns, domain::Symbol type, domain::Severity severity);

  Options options_;
  domain::EntityId node_;
  domain::EventIdGenerator& ids_;
  const domain::Clock& clock_;
  OomReportAssembler oom_;
  std::vector<OomKill> kills_;
  Counts counts_;
};

}  // namespace tapio::collectors::kmsg

#endif  // TAPIO_COLLECTORS_KMSG_KMSG_PARSER_H_
