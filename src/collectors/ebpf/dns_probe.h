// The DNS program (bpf/dns.bpf.c): net.dns_errors, one per cgroup and response code per Flush,
// from the failed answers (SERVFAIL, NXDOMAIN, REFUSED) the kernel counts as they reach
// sockets. Attached to the cgroup v2 root, so it sees every cgroup below it. Not thread-safe
// (see probe.h).
#ifndef TAPIO_COLLECTORS_EBPF_DNS_PROBE_H_
#define TAPIO_COLLECTORS_EBPF_DNS_PROBE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bpf/tapio_events.h"
#include "collectors/ebpf/probe.h"

struct dns_bpf;
struct bpf_link;

namespace tapio::collectors::ebpf {

class DnsProbe : public Probe {
 public:
  static constexpr char kName[] = "bpf/dns.bpf.c";

  // Opens, loads and attaches the program to the cgroup v2 hierarchy mounted at
  // `unified_root`. Errors name the program and the step; FailedPrecondition when there is
  // no cgroup v2 mount.
  static absl::StatusOr<std::unique_ptr<DnsProbe>> Create(const std::string& unified_root);
  ~DnsProbe() override;

  absl::string_view name() const override { return kName; }
  int ring_buffer_fd() const override;
  // The program writes no records: any is malformed.
  absl::Status Decode(absl::Span<const uint8_t> record, KernelEventDecoder& decoder,
                      std::vector<domain::Event>* out) override;
  // Takes every entry out of the table, one event each (see internal/map_drain.h). Fails with
  // Internal when the kernel refuses to list the table.
  absl::Status Flush(KernelEventDecoder& decoder, std::vector<domain::Event>* out) override;

 protected:
  int counters_fd() const override;

 private:
  explicit DnsProbe(dns_bpf* skeleton);
  dns_bpf* skeleton_;
  bpf_link* link_ = nullptr;
  std::vector<tapio_dns_key> keys_;
};

}  // namespace tapio::collectors::ebpf

#endif  // TAPIO_COLLECTORS_EBPF_DNS_PROBE_H_
