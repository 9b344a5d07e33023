// The two ways the kernel reaches the agent, behind one interface: the eBPF collector, or the
// kernel log when BPF cannot run (not root, no BTF, locked down); StartKernel picks one and
// says in one line which and why. Not thread-safe: one thread polls and reads the figures.
#ifndef TAPIO_CLI_KERNEL_SOURCE_H_
#define TAPIO_CLI_KERNEL_SOURCE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "domain/entity.h"
#include "domain/event.h"
#include "domain/event_id.h"
#include "tapio/v1/collector.pb.h"

namespace tapio::cli {

class KernelSource {
 public:
  virtual ~KernelSource() = default;
  virtual absl::Status Poll(absl::Duration timeout, std::vector<domain::Event>* out) = 0;
  // What the source counted, for the line printed at exit.
  virtual std::string Counters() const = 0;
  // The same for the heartbeat; what cannot be read stays 0.
  virtual tapio::v1::KernelFigures Figures() const = 0;
};

struct StartedKernel {
  std::unique_ptr<KernelSource> source;
  // The one line that says which collector runs and why.
  std::string mode;
};

// `mode`: "ebpf" (fail when BPF cannot run), "kmsg" (read the kernel log device `kmsg`), or
// "auto" (eBPF, else the kernel log, saying why).
absl::StatusOr<StartedKernel> StartKernel(const std::string& mode, const std::string& kmsg,
                                          const std::string& cluster, const std::string& node,
                                          domain::EntityRegistry& registry,
                                          domain::EventIdGenerator& ids);

}  // namespace tapio::cli

#endif  // TAPIO_CLI_KERNEL_SOURCE_H_
