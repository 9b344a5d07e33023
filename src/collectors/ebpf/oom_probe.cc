#include "collectors/ebpf/oom_probe.h"

#include <bpf/libbpf.h>

#include <cerrno>

#include "bpf/oom.skel.h"
#include "collectors/ebpf/internal/libbpf_error.h"

namespace tapio::collectors::ebpf {

absl::StatusOr<std::unique_ptr<OomProbe>> OomProbe::Create(uint32_t ring_bytes) {
  internal::BeginLibbpfCall();
  oom_bpf* skeleton = oom_bpf__open();
  if (skeleton == nullptr) return internal::LibbpfError("opening", kName, -errno);
  std::unique_ptr<OomProbe> probe(new OomProbe(skeleton));
  if (int error = bpf_map__set_max_entries(skeleton->maps.events, ring_bytes); error != 0) {
    return internal::LibbpfError("sizing the ring buffer of", kName, error);
  }
  if (int error = oom_bpf__load(skeleton); error != 0) {
    return internal::LibbpfError("loading", kName, error);
  }
  if (int error = oom_bpf__attach(skeleton); error != 0) {
    return internal::LibbpfError("attaching", kName, error);
  }
  return probe;
}

OomProbe::~OomProbe() { oom_bpf__destroy(skeleton_); }

int OomProbe::ring_buffer_fd() const { return bpf_map__fd(skeleton_->maps.events); }

int OomProbe::counters_fd() const { return bpf_map__fd(skeleton_->maps.counters); }

absl::Status OomProbe::Decode(absl::Span<const uint8_t> record, KernelEventDecoder& decoder,
                              std::vector<domain::Event>* out) {
  return decoder.DecodeOomKill(record, out);
}

}  // namespace tapio::collectors::ebpf
