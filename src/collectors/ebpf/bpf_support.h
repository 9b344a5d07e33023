// Whether this host can run Tapio's kernel programs, asked before loading them so that the
// agent can say in one line why the kernel collector is off. Thread-safe.
#ifndef TAPIO_COLLECTORS_EBPF_BPF_SUPPORT_H_
#define TAPIO_COLLECTORS_EBPF_BPF_SUPPORT_H_

#include "absl/status/status.h"

namespace tapio::collectors::ebpf {

// Returns OK when the programs can be loaded here. Otherwise returns, with a one-line
// message fit to print as it is:
//   PermissionDenied   not root and without CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN);
//   FailedPrecondition the kernel has no BTF (/sys/kernel/btf/vmlinux), its lockdown is in
//                      confidentiality mode, or it refuses to create a BPF map (BPF disabled,
//                      a seccomp profile, a memlock limit).
// Cheap (a few file reads and one map created and closed); loading can still fail later for
// a reason this cannot see, which the loaders report.
absl::Status CheckBpfSupport();

}  // namespace tapio::collectors::ebpf

#endif  // TAPIO_COLLECTORS_EBPF_BPF_SUPPORT_H_
