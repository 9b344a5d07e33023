#include "collectors/ebpf/kernel_collector.h"

#include <time.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "collectors/ebpf/dns_probe.h"
#include "collectors/ebpf/exit_probe.h"
#include "collectors/ebpf/oom_probe.h"
#include "collectors/ebpf/tcp_probe.h"
#include "domain/status_macros.h"
#include "domain/symbol_table.h"

namespace tapio::collectors::ebpf {
namespace {

int64_t ClockNanos(clockid_t clock) {
  timespec now;
  clock_gettime(clock, &now);
  return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

// The records are dated by CLOCK_BOOTTIME; what to add to make them Unix time. Read between
// two real-time readings to halve the error of being preempted in between.
int64_t BootToUnixNanos() {
  int64_t before = ClockNanos(CLOCK_REALTIME);
  int64_t boot = ClockNanos(CLOCK_BOOTTIME);
  int64_t after = ClockNanos(CLOCK_REALTIME);
  return before + (after - before) / 2 - boot;
}

}  // namespace

absl::StatusOr<std::unique_ptr<KernelCollector>> KernelCollector::Create(
    Options options, domain::EntityRegistry& registry, domain::EventIdGenerator& ids,
    const domain::Clock& clock) {
  if (options.node.empty()) {
    return absl::InvalidArgumentError("kernel collector needs the node's name");
  }
  if (!options.oom && !options.process_exit && !options.tcp && !options.dns) {
    return absl::InvalidArgumentError("kernel collector: no program enabled");
  }
  domain::EntityRef ref;
  ref.cluster = domain::Intern(options.cluster);
  ref.kind = domain::Intern("Node");
  ref.name = domain::Intern(options.node);
  TAPIO_ASSIGN_OR_RETURN(domain::EntityId node, registry.Register(ref));
  std::unique_ptr<KernelCollector> collector(
      new KernelCollector(std::move(options), node, ids, clock));
  const Options& o = collector->options_;
  if (o.oom) {
    TAPIO_RETURN_IF_ERROR(collector->AddProbe(OomProbe::Create(o.ring_buffer_bytes)));
  }
  if (o.process_exit) {
    ExitProbe::Options exit_options;
    exit_options.cgroup_filter = o.exit_cgroup_filter;
    exit_options.ring_bytes = o.ring_buffer_bytes;
    TAPIO_RETURN_IF_ERROR(collector->AddProbe(ExitProbe::Create(exit_options)));
  }
  if (o.tcp) {
    TcpProbe::Options tcp_options;
    tcp_options.ring_bytes = o.ring_buffer_bytes;
    tcp_options.owner_capacity = o.tcp_owner_capacity;
    TAPIO_RETURN_IF_ERROR(collector->AddProbe(TcpProbe::Create(tcp_options)));
  }
  if (o.dns) {
    // Attached where the kernel mounts cgroup v2, whatever tree the resolver is given.
    TAPIO_RETURN_IF_ERROR(
        collector->AddProbe(DnsProbe::Create(CgroupResolver::DetectMounts().unified_root)));
  }
  if (collector->probes_.empty()) return collector->disabled_.front();
  return collector;
}

KernelCollector::KernelCollector(Options options, domain::EntityId node,
                                 domain::EventIdGenerator& ids, const domain::Clock& clock)
    : options_(std::move(options)),
      clock_(clock),
      cgroups_(std::make_unique<CgroupResolver>(
          options_.cgroups ? *options_.cgroups : CgroupResolver::DetectMounts(), clock)),
      decoder_(node, BootToUnixNanos(), ids, clock, *cgroups_),
      last_flush_ns_(clock.NowNanos()) {}

KernelCollector::~KernelCollector() = default;

template <typename P>
absl::Status KernelCollector::AddProbe(absl::StatusOr<std::unique_ptr<P>> created) {
  if (!created.ok()) {
    // A bad option (a filter that is no cgroup) is the operator's to fix, not the kernel's.
    if (!options_.skip_unavailable ||
        created.status().code() == absl::StatusCode::kInvalidArgument) {
      return created.status();
    }
    disabled_.push_back(created.status());
    return absl::OkStatus();
  }
  Probe* probe = created->get();
  TAPIO_RETURN_IF_ERROR(poller_.Add(probe->name(), probe->ring_buffer_fd(),
                                    [this, probe](absl::Span<const uint8_t> record) {
                                      // A bad record is counted by the decoder; go on.
                                      probe->Decode(record, decoder_, sink_).IgnoreError();
                                    }));
  probes_.push_back(*std::move(created));
  return absl::OkStatus();
}

absl::Status KernelCollector::FlushProbes(std::vector<domain::Event>* out) {
  last_flush_ns_ = clock_.NowNanos();
  for (const std::unique_ptr<Probe>& probe : probes_) {
    TAPIO_RETURN_IF_ERROR(probe->Flush(decoder_, out));
  }
  return absl::OkStatus();
}

absl::Status KernelCollector::Poll(absl::Duration timeout, std::vector<domain::Event>* out) {
  sink_ = out;
  absl::StatusOr<int> handled = poller_.Poll(timeout);
  // The programs wake the poller only once a ring is a quarter full: what came in quieter
  // times is waiting, and is taken now.
  if (handled.ok()) handled = poller_.Drain();
  sink_ = nullptr;
  if (!handled.ok()) return handled.status();
  if (clock_.NowNanos() - last_flush_ns_ >=
      absl::ToInt64Nanoseconds(options_.retransmit_interval)) {
    return FlushProbes(out);
  }
  return absl::OkStatus();
}

absl::Status KernelCollector::Flush(std::vector<domain::Event>* out) {
  sink_ = out;
  absl::StatusOr<int> handled = poller_.Drain();
  sink_ = nullptr;
  if (!handled.ok()) return handled.status();
  return FlushProbes(out);
}

absl::StatusOr<KernelCollector::Counts> KernelCollector::ReadCounts() const {
  Counts counts;
  KernelEventDecoder::Counts decoded = decoder_.counts();
  counts.records = decoded.records;
  counts.events = decoded.events;
  counts.malformed = decoded.malformed;
  counts.unresolved_cgroups = decoded.unresolved_cgroups;
  for (const std::unique_ptr<Probe>& probe : probes_) {
    TAPIO_ASSIGN_OR_RETURN(ProbeCounters kernel, probe->ReadCounters());
    counts.ring_buffer_drops += kernel.ring_buffer_drops;
    counts.flow_table_full += kernel.flow_table_full;
    counts.dns_table_full += kernel.dns_table_full;
    counts.owner_table_full += kernel.owner_table_full;
  }
  return counts;
}

}  // namespace tapio::collectors::ebpf
