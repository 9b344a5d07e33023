// The OOM-kill program (bpf/oom.bpf.c): one kernel.oom_kill event per task the OOM killer
// marks as its victim, whichever the memory cgroup or the global OOM killer chose. Not
// thread-safe (see probe.h).
#ifndef TAPIO_COLLECTORS_EBPF_OOM_PROBE_H_
#define TAPIO_COLLECTORS_EBPF_OOM_PROBE_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "collectors/ebpf/probe.h"

struct oom_bpf;

namespace tapio::collectors::ebpf {

class OomProbe : public Probe {
 public:
  static constexpr char kName[] = "bpf/oom.bpf.c";

  // Opens, loads and attaches the program. Errors name the program and the step
  // ("loading bpf/oom.bpf.c: ..."), with codes as internal/libbpf_error.h says.
  // `ring_bytes`: the size of its ring buffer, a power of two multiple of the page size.
  static absl::StatusOr<std::unique_ptr<OomProbe>> Create(uint32_t ring_bytes = kDefaultRingBytes);
  ~OomProbe() override;

  absl::string_view name() const override { return kName; }
  int ring_buffer_fd() const override;
  absl::Status Decode(absl::Span<const uint8_t> record, KernelEventDecoder& decoder,
                      std::vector<domain::Event>* out) override;

 protected:
  int counters_fd() const override;

 private:
  explicit OomProbe(oom_bpf* skeleton) : skeleton_(skeleton) {}
  oom_bpf* skeleton_;
};

}  // namespace tapio::collectors::ebpf

#endif  // TAPIO_COLLECTORS_EBPF_OOM_PROBE_H_
