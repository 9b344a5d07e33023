#include "collectors/ebpf/dns_probe.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "bpf/dns.skel.h"
#include "collectors/ebpf/internal/libbpf_error.h"
#include "collectors/ebpf/internal/map_drain.h"

namespace tapio::collectors::ebpf {

DnsProbe::DnsProbe(dns_bpf* skeleton) : skeleton_(skeleton) {}

absl::StatusOr<std::unique_ptr<DnsProbe>> DnsProbe::Create(const std::string& unified_root) {
  if (unified_root.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("attaching ", kName, ": no cgroup v2 hierarchy is mounted"));
  }
  internal::BeginLibbpfCall();
  dns_bpf* skeleton = dns_bpf__open();
  if (skeleton == nullptr) return internal::LibbpfError("opening", kName, -errno);
  std::unique_ptr<DnsProbe> probe(new DnsProbe(skeleton));
  // The program writes no records: the smallest ring will do.
  if (int error = bpf_map__set_max_entries(skeleton->maps.events, 4096); error != 0) {
    return internal::LibbpfError("sizing the ring buffer of", kName, error);
  }
  if (int error = dns_bpf__load(skeleton); error != 0) {
    return internal::LibbpfError("loading", kName, error);
  }
  int root = open(unified_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("attaching ", kName, " to ", unified_root, ": ", std::strerror(errno)));
  }
  probe->link_ = bpf_program__attach_cgroup(skeleton->progs.tapio_dns_ingress, root);
  int error = probe->link_ == nullptr ? -errno : 0;
  close(root);
  if (error != 0) return internal::LibbpfError("attaching", kName, error);
  probe->keys_.reserve(bpf_map__max_entries(skeleton->maps.dns_errors));
  return probe;
}

DnsProbe::~DnsProbe() {
  bpf_link__destroy(link_);
  dns_bpf__destroy(skeleton_);
}

int DnsProbe::ring_buffer_fd() const { return bpf_map__fd(skeleton_->maps.events); }

int DnsProbe::counters_fd() const { return bpf_map__fd(skeleton_->maps.counters); }

absl::Status DnsProbe::Decode(absl::Span<const uint8_t> record, KernelEventDecoder&,
                              std::vector<domain::Event>*) {
  return absl::InvalidArgumentError(
      absl::StrCat(kName, " writes no records, yet one of ", record.size(), " bytes came"));
}

absl::Status DnsProbe::Flush(KernelEventDecoder& decoder, std::vector<domain::Event>* out) {
  return internal::DrainMap<tapio_dns_key, tapio_dns_errors>(
      bpf_map__fd(skeleton_->maps.dns_errors), &keys_, absl::StrCat(kName, " answers"),
      [&](const tapio_dns_key& key, const tapio_dns_errors& value) {
        decoder.DecodeDnsErrors(key, value, out);
      });
}

}  // namespace tapio::collectors::ebpf
