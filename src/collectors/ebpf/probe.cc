#include "collectors/ebpf/probe.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bpf/tapio_events.h"

namespace tapio::collectors::ebpf {

absl::Status Probe::Flush(KernelEventDecoder&, std::vector<domain::Event>*) {
  return absl::OkStatus();
}

absl::StatusOr<ProbeCounters> Probe::ReadCounters() const {
  int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) {
    return absl::InternalError(absl::StrCat("reading ", name(), " counters: no possible CPUs"));
  }
  // A per-CPU lookup fills one 8-byte-aligned value per possible CPU.
  std::vector<uint64_t> values(static_cast<size_t>(cpus));
  uint64_t sums[TAPIO_COUNTER_COUNT] = {};
  for (uint32_t index = 0; index < TAPIO_COUNTER_COUNT; ++index) {
    if (bpf_map_lookup_elem(counters_fd(), &index, values.data()) != 0) {
      return absl::InternalError(
          absl::StrCat("reading ", name(), " counters: ", std::strerror(errno)));
    }
    for (uint64_t value : values) sums[index] += value;
  }
  ProbeCounters counters;
  counters.ring_buffer_drops = sums[TAPIO_COUNTER_RINGBUF_DROPS];
  counters.flow_table_full = sums[TAPIO_COUNTER_FLOW_TABLE_FULL];
  counters.dns_table_full = sums[TAPIO_COUNTER_DNS_TABLE_FULL];
  counters.owner_table_full = sums[TAPIO_COUNTER_OWNER_TABLE_FULL];
  return counters;
}

}  // namespace tapio::collectors::ebpf
