// One of Tapio's kernel programs, opened, loaded and attached, as the KernelCollector drives
// it: where its records arrive, how they are decoded, and the counters it keeps in the
// kernel. Implementations own their libbpf skeleton; destroying the probe detaches and
// unloads the program. Not thread-safe: one thread drives a probe.
#ifndef TAPIO_COLLECTORS_EBPF_PROBE_H_
#define TAPIO_COLLECTORS_EBPF_PROBE_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "collectors/ebpf/kernel_events.h"
#include "domain/event.h"

namespace tapio::collectors::ebpf {

// The size of a program's ring buffer unless told otherwise: 4 MiB, about 40,000 records,
// holds a burst of 1,000,000 events/s for the tens of milliseconds between two drains.
inline constexpr uint32_t kDefaultRingBytes = 4u << 20;

// The program's per-CPU `counters` map, summed over CPUs.
struct ProbeCounters {
  // Records the kernel side could not reserve room for in the ring buffer: lost.
  uint64_t ring_buffer_drops = 0;
  // tcp.bpf.c: retransmissions of flows that found the retransmit table full: not counted.
  uint64_t flow_table_full = 0;
  // dns.bpf.c: failed answers of a cgroup and code that found the answer table full.
  uint64_t dns_table_full = 0;
  // tcp.bpf.c: connects made while the owner table was full: their events name no process.
  uint64_t owner_table_full = 0;
};

class Probe {
 public:
  virtual ~Probe() = default;
  Probe(const Probe&) = delete;
  Probe& operator=(const Probe&) = delete;

  // The program's source, for messages: "bpf/oom.bpf.c".
  virtual absl::string_view name() const = 0;
  // The file descriptor of the program's ring buffer map; owned by the probe.
  virtual int ring_buffer_fd() const = 0;
  // Decodes one ring-buffer record, appending its event to `*out`. Errors as the decoder's.
  virtual absl::Status Decode(absl::Span<const uint8_t> record, KernelEventDecoder& decoder,
                              std::vector<domain::Event>* out) = 0;
  // Takes state aggregated in the kernel (retransmit counts) out as events. Default: none.
  virtual absl::Status Flush(KernelEventDecoder& decoder, std::vector<domain::Event>* out);

  // Reads the counters map. Fails with Internal when the kernel refuses the lookup.
  absl::StatusOr<ProbeCounters> ReadCounters() const;

 protected:
  Probe() = default;
  // The file descriptor of the program's `counters` map.
  virtual int counters_fd() const = 0;
};

}  // namespace tapio::collectors::ebpf

#endif  // TAPIO_COLLECTORS_EBPF_PROBE_H_
