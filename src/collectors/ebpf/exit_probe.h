// The process-exit program (bpf/exit.bpf.c): one kernel.process_exit event when the last
// thread of a process exits by a signal or with a non-zero status; clean exits never leave
// the kernel. Not thread-safe (see probe.h).
#ifndef TAPIO_COLLECTORS_EBPF_EXIT_PROBE_H_
#define TAPIO_COLLECTORS_EBPF_EXIT_PROBE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "collectors/ebpf/probe.h"

struct exit_bpf;

namespace tapio::collectors::ebpf {

class ExitProbe : public Probe {
 public:
  static constexpr char kName[] = "bpf/exit.bpf.c";

  struct Options {
    // A cgroup v2 directory ("/sys/fs/cgroup/kubepods.slice"): when set, only exits of tasks
    // in it or below it are reported. Empty: every process on the host.
    std::string cgroup_filter;
    // The size of its ring buffer, a power of two multiple of the page size.
    uint32_t ring_bytes = kDefaultRingBytes;
  };

  // Opens, configures, loads and attaches the program. Errors name the program and the
  // step; a filter directory that cannot be opened, or is not a cgroup v2 one, fails with
  // InvalidArgument.
  static absl::StatusOr<std::unique_ptr<ExitProbe>> Create(const Options& options);
  ~ExitProbe() override;

  absl::string_view name() const override { return kName; }
  int ring_buffer_fd() const override;
  absl::Status Decode(absl::Span<const uint8_t> record, KernelEventDecoder& decoder,
                      std::vector<domain::Event>* out) override;

 protected:
  int counters_fd() const override;

 private:
  explicit ExitProbe(exit_bpf* skeleton) : skeleton_(skeleton) {}
  exit_bpf* skeleton_;
};

}  // namespace tapio::collectors::ebpf

#endif  // TAPIO_COLLECTORS_EBPF_EXIT_PROBE_H_
