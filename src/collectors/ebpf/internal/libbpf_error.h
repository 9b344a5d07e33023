// Turns libbpf failures into absl::Status values that name the program and the reason,
// including what libbpf itself printed (the verifier's complaint, a missing BTF type).
// Thread-safe: libbpf prints from the thread that called it, and each thread keeps its own
// last lines.
#ifndef TAPIO_COLLECTORS_EBPF_INTERNAL_LIBBPF_ERROR_H_
#define TAPIO_COLLECTORS_EBPF_INTERNAL_LIBBPF_ERROR_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace tapio::collectors::ebpf::internal {

// Routes libbpf's messages into the calling thread's buffer instead of stderr, once per
// process, and empties this thread's buffer. Call before a libbpf operation whose failure
// LibbpfError will describe.
void BeginLibbpfCall();

// "<action> <program>: <strerror(-error)>; libbpf: <its last lines>", with a code chosen by
// the errno: PermissionDenied for EPERM/EACCES, ResourceExhausted for ENOMEM/E2BIG,
// FailedPrecondition otherwise (the kernel lacks what the program needs). `error` is a
// libbpf return value (a negative errno) or, for calls returning NULL, -errno.
absl::Status LibbpfError(absl::string_view action, absl::string_view program, int error);

}  // namespace tapio::collectors::ebpf::internal

#endif  // TAPIO_COLLECTORS_EBPF_INTERNAL_LIBBPF_ERROR_H_
