#include "collectors/ebpf/tcp_probe.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "bpf/tcp.skel.h"
#include "collectors/ebpf/internal/libbpf_error.h"
#include "collectors/ebpf/internal/map_drain.h"

namespace tapio::collectors::ebpf {

TcpProbe::TcpProbe(tcp_bpf* skeleton) : skeleton_(skeleton) {}

absl::StatusOr<std::unique_ptr<TcpProbe>> TcpProbe::Create(const Options& options) {
  internal::BeginLibbpfCall();
  tcp_bpf* skeleton = tcp_bpf__open();
  if (skeleton == nullptr) return internal::LibbpfError("opening", kName, -errno);
  std::unique_ptr<TcpProbe> probe(new TcpProbe(skeleton));
  if (int error = bpf_map__set_max_entries(skeleton->maps.events, options.ring_bytes); error != 0) {
    return internal::LibbpfError("sizing the ring buffer of", kName, error);
  }
  if (int error = bpf_map__set_max_entries(skeleton->maps.owners, options.owner_capacity);
      error != 0) {
    return internal::LibbpfError("sizing the owner table of", kName, error);
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
  return internal::DrainMap<tapio_tcp_flow, tapio_tcp_retransmits>(
      bpf_map__fd(skeleton_->maps.retransmits), &keys_, absl::StrCat(kName, " retransmits"),
      [&](const tapio_tcp_flow& flow, const tapio_tcp_retransmits& value) {
        decoder.DecodeRetransmits(flow, value, out);
      });
}

}  // namespace tapio::collectors::ebpf
