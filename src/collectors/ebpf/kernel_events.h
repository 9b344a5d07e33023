// Turns the records of Tapio's kernel programs (bpf/tapio_events.h) into domain events with
// Source::kKernel. Kept apart from the loaders so that decoding is tested without root.
//
// Events are about the node (EntityRef{cluster, "Node", name}), as the kmsg collector's are;
// the pod and container travel in the payload's pod_uid and container_id (KernelPayload's,
// NetworkPayload's), resolved from the cgroup id, for a later stage to re-target the event.
// Thread-compatible: a KernelEventDecoder is used by one thread at a time; the resolver it borrows
// is thread-safe.
#ifndef TAPIO_COLLECTORS_EBPF_KERNEL_EVENTS_H_
#define TAPIO_COLLECTORS_EBPF_KERNEL_EVENTS_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "bpf/tapio_events.h"
#include "collectors/ebpf/cgroup_resolver.h"
#include "domain/clock.h"
#include "domain/entity.h"
#include "domain/event.h"
#include "domain/event_id.h"

namespace tapio::collectors::ebpf {

// The event types; the pattern library refers to them by these names. kOomKill is the kmsg
// collector's name too, so the same patterns match either source.
namespace event_type {
inline constexpr char kOomKill[] = "kernel.oom_kill";
// A process whose last thread exited by a signal or with a non-zero status.
inline constexpr char kProcessExit[] = "kernel.process_exit";
inline constexpr char kConnectionRefused[] = "net.connection_refused";
// Label "direction": "received" (the peer reset) or "sent" (this host reset).
inline constexpr char kConnectionReset[] = "net.connection_reset";
// NetworkPayload.count: retransmissions of one flow during one flush interval.
inline constexpr char kTcpRetransmits[] = "net.tcp_retransmits";
// NetworkPayload.count: DNS answers with one failing response code (label "rcode": SERVFAIL,
// NXDOMAIN or REFUSED) that reached sockets of one cgroup during one flush interval.
inline constexpr char kDnsErrors[] = "net.dns_errors";
}  // namespace event_type

static_assert(sizeof(tapio_oom_kill) == 120, "ABI shared with bpf/oom.bpf.c");
static_assert(sizeof(tapio_process_exit) == 56, "ABI shared with bpf/exit.bpf.c");
static_assert(sizeof(tapio_tcp_flow) == 48, "ABI shared with bpf/tcp.bpf.c");
static_assert(sizeof(tapio_tcp_event) == 96, "ABI shared with bpf/tcp.bpf.c");
static_assert(sizeof(tapio_tcp_retransmits) == 56, "ABI shared with bpf/tcp.bpf.c");
static_assert(sizeof(tapio_dns_key) == 16, "ABI shared with bpf/dns.bpf.c");
static_assert(sizeof(tapio_dns_errors) == 24, "ABI shared with bpf/dns.bpf.c");

class KernelEventDecoder {
 public:
  struct Counts {
    uint64_t records = 0;
    uint64_t events = 0;
    // Records shorter than their layout, or of a kind the decoder does not know.
    uint64_t malformed = 0;
    // Events whose cgroup id named no cgroup the resolver could find.
    uint64_t unresolved_cgroups = 0;
  };

  // Events are about `node`. `boot_to_unix_ns` is added to the records' CLOCK_BOOTTIME
  // times to give Unix time. `ids`, `clock` and `cgroups` must outlive the decoder; `clock`
  // stamps observed_ns.
  KernelEventDecoder(domain::EntityId node, int64_t boot_to_unix_ns, domain::EventIdGenerator& ids,
                     const domain::Clock& clock, CgroupResolver& cgroups);

  // Each appends the record's event to `*out`. Fails with InvalidArgument (appending
  // nothing) when the record is shorter than its layout or, for a process exit, has a zero
  // exit code, which the kernel side never sends.
  absl::Status DecodeOomKill(absl::Span<const uint8_t> record, std::vector<domain::Event>* out);
  absl::Status DecodeProcessExit(absl::Span<const uint8_t> record, std::vector<domain::Event>* out);
  absl::Status DecodeTcpEvent(absl::Span<const uint8_t> record, std::vector<domain::Event>* out);
  // One entry taken out of the retransmit map by a flush: one event, dated by the flow's
  // last retransmission, whose NetworkPayload.count is the entry's count.
  void DecodeRetransmits(const tapio_tcp_flow& flow, const tapio_tcp_retransmits& value,
                         std::vector<domain::Event>* out);
  // One entry taken out of the DNS answer map by a flush: one event, dated by the last such
  // answer, whose NetworkPayload.count is the entry's count.
  void DecodeDnsErrors(const tapio_dns_key& key, const tapio_dns_errors& value,
                       std::vector<domain::Event>* out);

  Counts counts() const { return counts_; }

 private:
  domain::Event NewEvent(uint64_t boot_ns, const char* type, domain::Severity severity);
  // Fills the payload's cgroup fields from the first of the ids that resolves to a cgroup
  // other than a hierarchy's root, and appends the pod labels.
  void ResolveTask(uint64_t cgroup_id, uint64_t memcg_id, bool prefer_memcg,
                   domain::KernelPayload* payload,
                   std::vector<std::pair<absl::string_view, absl::string_view>>* labels);
  void ResolveSocket(uint64_t cgroup_id, domain::NetworkPayload* payload,
                     std::vector<std::pair<absl::string_view, absl::string_view>>* labels);
  absl::Status Malformed(absl::string_view what, size_t size);

  domain::EntityId node_;
  int64_t boot_to_unix_ns_;
  domain::EventIdGenerator& ids_;
  const domain::Clock& clock_;
  CgroupResolver& cgroups_;
  Counts counts_;
};

}  // namespace tapio::collectors::ebpf

#endif  // TAPIO_COLLECTORS_EBPF_KERNEL_EVENTS_H_
