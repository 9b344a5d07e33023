#include "collectors/ebpf/exit_probe.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "bpf/exit.skel.h"
#include "collectors/ebpf/internal/libbpf_error.h"

namespace tapio::collectors::ebpf {

absl::StatusOr<std::unique_ptr<ExitProbe>> ExitProbe::Create(const Options& options) {
  internal::BeginLibbpfCall();
  exit_bpf* skeleton = exit_bpf__open();
  if (skeleton == nullptr) return internal::LibbpfError("opening", kName, -errno);
  std::unique_ptr<ExitProbe> probe(new ExitProbe(skeleton));
  bool filtered = !options.cgroup_filter.empty();
  skeleton->rodata->filter_cgroup = filtered ? 1 : 0;
  if (int error = bpf_map__set_max_entries(skeleton->maps.events, options.ring_bytes); error != 0) {
    return internal::LibbpfError("sizing the ring buffer of", kName, error);
  }
  if (int error = exit_bpf__load(skeleton); error != 0) {
    return internal::LibbpfError("loading", kName, error);
  }
  if (filtered) {
    int dir = open(options.cgroup_filter.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) {
      return absl::InvalidArgumentError(absl::StrCat("configuring ", kName, ": cgroup filter ",
                                                     options.cgroup_filter, ": ",
                                                     std::strerror(errno)));
    }
    uint32_t key = 0;
    uint32_t value = static_cast<uint32_t>(dir);
    int error = bpf_map_update_elem(bpf_map__fd(skeleton->maps.cgroup_filter), &key, &value, 0);
    int saved = errno;
    // The map holds its own reference to the cgroup.
    close(dir);
    if (error != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("configuring ", kName, ": cgroup filter ", options.cgroup_filter,
                       " is not a cgroup v2 directory: ", std::strerror(saved)));
    }
  }
  if (int error = exit_bpf__attach(skeleton); error != 0) {
    return internal::LibbpfError("attaching", kName, error);
  }
  return probe;
}

ExitProbe::~ExitProbe() { exit_bpf__destroy(skeleton_); }

int ExitProbe::ring_buffer_fd() const { return bpf_map__fd(skeleton_->maps.events); }

int ExitProbe::counters_fd() const { return bpf_map__fd(skeleton_->maps.counters); }

absl::Status ExitProbe::Decode(absl::Span<const uint8_t> record, KernelEventDecoder& decoder,
                               std::vector<domain::Event>* out) {
  return decoder.DecodeProcessExit(record, out);
}

}  // namespace tapio::collectors::ebpf
