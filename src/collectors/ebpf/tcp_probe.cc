#include "collectors/ebpf/tcp_probe.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "bpf/tcp.skel.h"
#include "collectors/ebpf/internal/libbpf_error.h"

namespace tapio::collectors::ebpf {

TcpProbe::TcpProbe(tcp_bpf* skeleton) : skeleton_(skeleton) {}

absl::StatusOr<std::unique_ptr<TcpProbe>> TcpProbe::Create(uint32_t ring_bytes) {
  internal::BeginLibbpfCall();
  tcp_bpf* skeleton = tcp_bpf__open();
  if (skeleton == nullptr) return internal::LibbpfError("opening", kName, -errno);
  std::unique_ptr<TcpProbe> probe(new TcpProbe(skeleton));
  if (int error = bpf_map__set_max_entries(skeleton->maps.events, ring_bytes); error != 0) {
    return internal::LibbpfError("sizing the ring buffer of", kName, error);
  }
  if (int error = tcp_bpf__load(skeleton); error != 0) {
    return internal::LibbpfError("loading", kName, error);
  }
  if (int error = tcp_bpf__attach(skeleton); error != 0) {
    return internal::LibbpfError("attaching", kName, error);
  }
  probe->keys_.reserve(bpf_map__max_entries(skeleton->maps.retransmits));
  return probe;
}

TcpProbe::~TcpProbe() { tcp_bpf__destroy(skeleton_); }

int TcpProbe::ring_buffer_fd() const { return bpf_map__fd(skeleton_->maps.events); }

int TcpProbe::counters_fd() const { return bpf_map__fd(skeleton_->maps.counters); }

absl::Status TcpProbe::Decode(absl::Span<const uint8_t> record, KernelEventDecoder& decoder,
                              std::vector<domain::Event>* out) {
  return decoder.DecodeTcpEvent(record, out);
}

absl::Status TcpProbe::Flush(KernelEventDecoder& decoder, std::vector<domain::Event>* out) {
  int fd = bpf_map__fd(skeleton_->maps.retransmits);
  // List first, then take out: deleting while walking would restart the walk.
  keys_.clear();
  tapio_tcp_flow key;
  const void* previous = nullptr;
  while (keys_.size() < keys_.capacity() && bpf_map_get_next_key(fd, previous, &key) == 0) {
    keys_.push_back(key);
    previous = &keys_.back();
  }
  if (errno != ENOENT && keys_.size() < keys_.capacity()) {
    return absl::InternalError(
        absl::StrCat("flushing ", kName, " retransmits: ", std::strerror(errno)));
  }
  for (const tapio_tcp_flow& flow : keys_) {
    tapio_tcp_retransmits value;
    // Gone already (another flush): nothing to report.
    if (bpf_map_lookup_and_delete_elem(fd, &flow, &value) != 0) continue;
    decoder.DecodeRetransmits(flow, value, out);
  }
  return absl::OkStatus();
}

}  // namespace tapio::collectors::ebpf
