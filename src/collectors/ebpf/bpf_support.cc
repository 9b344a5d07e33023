#include "collectors/ebpf/bpf_support.h"

#include <bpf/bpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace tapio::collectors::ebpf {
namespace {

constexpr int kCapSysAdmin = 21;
constexpr int kCapPerfmon = 38;
constexpr int kCapBpf = 39;

// The effective capability set from /proc/self/status; 0 when unreadable.
uint64_t EffectiveCapabilities() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    absl::string_view rest = line;
    if (!absl::ConsumePrefix(&rest, "CapEff:")) continue;
    uint64_t caps = 0;
    if (absl::SimpleHexAtoi(absl::StripAsciiWhitespace(rest), &caps)) return caps;
    return 0;
  }
  return 0;
}

bool Has(uint64_t caps, int cap) { return (caps >> cap) & 1; }

std::string ReadSmallFile(const char* path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

absl::Status CheckBpfSupport() {
  uint64_t caps = EffectiveCapabilities();
  bool privileged = Has(caps, kCapSysAdmin) || (Has(caps, kCapBpf) && Has(caps, kCapPerfmon));
  if (!privileged) {
    return absl::PermissionDeniedError(
        absl::StrCat(geteuid() == 0 ? "root without" : "not root and without",
                     " CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)"));
  }
  if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
    return absl::FailedPreconditionError(
        "no kernel BTF: /sys/kernel/btf/vmlinux is missing (kernel built without "
        "CONFIG_DEBUG_INFO_BTF)");
  }
  // "none [integrity] confidentiality": the bracketed word is the mode in force.
  if (absl::StrContains(ReadSmallFile("/sys/kernel/security/lockdown"), "[confidentiality]")) {
    return absl::FailedPreconditionError(
        "kernel lockdown is in confidentiality mode, which forbids BPF reading kernel memory");
  }
  int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "tapio_probe", 0, 0, 4096, nullptr);
  if (fd < 0) {
    int error = errno;
    return absl::FailedPreconditionError(
        absl::StrCat("the kernel refuses to create a BPF ring buffer: ", std::strerror(error),
                     error == EPERM ? " (BPF disabled, or a seccomp profile forbids bpf())" : ""));
  }
  close(fd);
  return absl::OkStatus();
}

}  // namespace tapio::collectors::ebpf
