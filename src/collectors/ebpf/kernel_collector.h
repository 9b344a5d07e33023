// The kernel collector: Tapio's eBPF programs loaded together, their ring buffers polled as
// one, their records turned into Source::kKernel events (kernel_events.h names the types),
// and the retransmit and DNS failure counts flushed once per interval.
//
// Lifecycle: Create() loads and attaches every enabled program (the kernel starts recording
// at once); Poll() waits for records and returns their events; destroying the collector
// detaches and unloads everything. Not thread-safe: one thread calls Poll, Flush and
// ReadCounts (run it in the agent's kernel thread and hand the events on).
#ifndef TAPIO_COLLECTORS_EBPF_KERNEL_COLLECTOR_H_
#define TAPIO_COLLECTORS_EBPF_KERNEL_COLLECTOR_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bpf/tapio_events.h"
#include "collectors/ebpf/cgroup_resolver.h"
#include "collectors/ebpf/kernel_events.h"
#include "collectors/ebpf/probe.h"
#include "collectors/ebpf/ring_buffer_poller.h"
#include "domain/clock.h"
#include "domain/entity.h"
#include "domain/event.h"
#include "domain/event_id.h"

namespace tapio::collectors::ebpf {

class KernelCollector {
 public:
  struct Options {
    std::string cluster;
    // The node this agent runs on; required.
    std::string node;
    bool oom = true;
    bool process_exit = true;
    bool tcp = true;
    // Failed DNS answers per cgroup (bpf/dns.bpf.c, on the cgroup v2 root).
    bool dns = true;
    // A cgroup v2 directory; when set, only process exits under it are reported.
    std::string exit_cgroup_filter;
    // Each program's ring buffer: a power of two multiple of the page size.
    uint32_t ring_buffer_bytes = kDefaultRingBytes;
    // Open TCP connections whose connecting process is remembered (TcpProbe::Options).
    uint32_t tcp_owner_capacity = TAPIO_TCP_OWNERS;
    // How often Poll takes the retransmit and DNS failure counts out of the kernel.
    absl::Duration retransmit_interval = absl::Seconds(10);
    // When a program cannot load (its hook missing on this kernel), go on without it and
    // keep its error in disabled(); Create then fails only when no program loads. A bad
    // option (InvalidArgument) still fails Create.
    bool skip_unavailable = false;
    // The cgroup mounts to resolve ids in; nullopt: those of /proc/self/mountinfo.
    std::optional<CgroupResolver::Options> cgroups;
  };

  // Everything the collector counted, summed over its programs.
  struct Counts {
    // Records read from the ring buffers and retransmit entries flushed.
    uint64_t records = 0;
    uint64_t events = 0;
    // Read from the programs' counters maps: records the kernel lost to a full ring buffer.
    uint64_t ring_buffer_drops = 0;
    uint64_t flow_table_full = 0;
    uint64_t dns_table_full = 0;
    uint64_t owner_table_full = 0;
    uint64_t malformed = 0;
    uint64_t unresolved_cgroups = 0;
  };

  // Registers the node in `registry`, then loads and attaches the enabled programs.
  // Fails with InvalidArgument when `options.node` is empty or nothing is enabled; with the
  // failing program's error otherwise ("loading bpf/tcp.bpf.c: …": PermissionDenied when not
  // privileged, FailedPrecondition when the kernel lacks a hook), or with the first one when
  // `skip_unavailable` and none loads. Call CheckBpfSupport() first for a one-line reason.
  // `registry`, `ids` and `clock` must outlive the collector; `clock` stamps observed_ns and paces
  // the retransmit flushes.
  static absl::StatusOr<std::unique_ptr<KernelCollector>> Create(Options options,
                                                                 domain::EntityRegistry& registry,
                                                                 domain::EventIdGenerator& ids,
                                                                 const domain::Clock& clock);

  KernelCollector(const KernelCollector&) = delete;
  KernelCollector& operator=(const KernelCollector&) = delete;
  ~KernelCollector();

  // Waits `timeout` (less when a ring buffer fills past a quarter: the programs wake the
  // poller only then, so that a busy kernel does not pay a wakeup per record), then appends
  // the events of all records available, and of a retransmit flush when
  // `retransmit_interval` has passed since the last one. The timeout is thus how late an
  // event may be in a quiet moment: call it every few tens of milliseconds. A record
  // that does not decode is counted as malformed and skipped. Fails with Internal when
  // epoll or a map read fails.
  absl::Status Poll(absl::Duration timeout, std::vector<domain::Event>* out);

  // Appends the events of the records available now and of a retransmit flush, at once.
  absl::Status Flush(std::vector<domain::Event>* out);

  // Reads the kernel-side counters. Fails with Internal when a map read fails.
  absl::StatusOr<Counts> ReadCounts() const;

  // Readable when Poll would find a record, for an outer event loop. Owned by the collector.
  int epoll_fd() const { return poller_.epoll_fd(); }

  const CgroupResolver& cgroups() const { return *cgroups_; }
  // The errors of the programs left out under `skip_unavailable`, one per program.
  const std::vector<absl::Status>& disabled() const { return disabled_; }

 private:
  KernelCollector(Options options, domain::EntityId node, domain::EventIdGenerator& ids,
                  const domain::Clock& clock);

  // Adds a created probe, or under `skip_unavailable` records why it could not be created.
  template <typename P>
  absl::Status AddProbe(absl::StatusOr<std::unique_ptr<P>> probe);
  absl::Status FlushProbes(std::vector<domain::Event>* out);

  Options options_;
  const domain::Clock& clock_;
  std::unique_ptr<CgroupResolver> cgroups_;
  KernelEventDecoder decoder_;
  std::vector<std::unique_ptr<Probe>> probes_;
  // Declared after the probes: destroyed first, while their maps still exist.
  RingBufferPoller poller_;
  // Where the ring-buffer handlers append, during Poll and Flush.
  std::vector<domain::Event>* sink_ = nullptr;
  int64_t last_flush_ns_ = 0;
  std::vector<absl::Status> disabled_;
};

}  // namespace tapio::collectors::ebpf

#endif  // TAPIO_COLLECTORS_EBPF_KERNEL_COLLECTOR_H_
