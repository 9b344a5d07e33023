// The TCP program (bpf/tcp.bpf.c): net.connection_refused and net.connection_reset events as
// they happen, and net.tcp_retransmits, one per flow per Flush, from the counts the kernel
// keeps per flow. Not thread-safe (see probe.h).
#ifndef TAPIO_COLLECTORS_EBPF_TCP_PROBE_H_
#define TAPIO_COLLECTORS_EBPF_TCP_PROBE_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "bpf/tapio_events.h"
#include "collectors/ebpf/probe.h"

struct tcp_bpf;

namespace tapio::collectors::ebpf {

class TcpProbe : public Probe {
 public:
  static constexpr char kName[] = "bpf/tcp.bpf.c";

  struct Options {
    // The size of its ring buffer, a power of two multiple of the page size.
    uint32_t ring_bytes = kDefaultRingBytes;
    // How many open connections' connecting processes it remembers; the events of those
    // connected beyond that name no process (ProbeCounters::owner_table_full).
    uint32_t owner_capacity = TAPIO_TCP_OWNERS;
  };

  // Opens, loads and attaches the program. Errors name the program and the step.
  static absl::StatusOr<std::unique_ptr<TcpProbe>> Create(const Options& options);
  ~TcpProbe() override;

  absl::string_view name() const override { return kName; }
  int ring_buffer_fd() const override;
  absl::Status Decode(absl::Span<const uint8_t> record, KernelEventDecoder& decoder,
                      std::vector<domain::Event>* out) override;
  // Takes every flow out of the retransmit table, one event each; a retransmission counted
  // between a flow's read and its removal is lost (see internal/map_drain.h). Fails with
  // Internal when the kernel refuses to list the table.
  absl::Status Flush(KernelEventDecoder& decoder, std::vector<domain::Event>* out) override;

 protected:
  int counters_fd() const override;

 private:
  explicit TcpProbe(tcp_bpf* skeleton);
  tcp_bpf* skeleton_;
  // Keys of one flush, sized once to the table's capacity.
  std::vector<tapio_tcp_flow> keys_;
};

}  // namespace tapio::collectors::ebpf

#endif  // TAPIO_COLLECTORS_EBPF_TCP_PROBE_H_
