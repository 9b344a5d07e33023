// The lines of a kernel OOM report (see LineKind in kernel_line.h). Pure; thread-safe.
#ifndef TAPIO_COLLECTORS_KMSG_INTERNAL_OOM_LINE_H_
#define TAPIO_COLLECTORS_KMSG_INTERNAL_OOM_LINE_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "collectors/kmsg/kernel_line.h"

namespace tapio::collectors::kmsg::internal {

// Returns the OOM report line `message` is, or kind kOther when it is none of them. Fails
// with InvalidArgument when it begins like one but is malformed or cut short.
absl::StatusOr<KernelLine> ParseOomLine(absl::string_view message);

}  // namespace tapio::collectors::kmsg::internal

#endif  // TAPIO_COLLECTORS_KMSG_INTERNAL_OOM_LINE_H_
