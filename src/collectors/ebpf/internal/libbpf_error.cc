#include "collectors/ebpf/internal/libbpf_error.h"

#include <bpf/libbpf.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <deque>
#include <string>

#include "absl/base/call_once.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace tapio::collectors::ebpf::internal {
namespace {

// The verifier's log comes as many lines; its last ones say what it refused.
constexpr size_t kKeptLines = 6;

thread_local std::deque<std::string> last_lines;

int KeepLibbpfLine(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char line[512];
  int written = std::vsnprintf(line, sizeof(line), format, args);
  if (written <= 0) return 0;
  absl::string_view text = absl::StripTrailingAsciiWhitespace(line);
  absl::ConsumePrefix(&text, "libbpf: ");
  if (text.empty()) return 0;
  last_lines.emplace_back(text);
  if (last_lines.size() > kKeptLines) last_lines.pop_front();
  return written;
}

}  // namespace

void BeginLibbpfCall() {
  static absl::once_flag once;
  absl::call_once(once, [] { libbpf_set_print(KeepLibbpfLine); });
  last_lines.clear();
}

absl::Status LibbpfError(absl::string_view action, absl::string_view program, int error) {
  int code = error < 0 ? -error : error;
  std::string message = absl::StrCat(action, " ", program, ": ", std::strerror(code));
  if (!last_lines.empty()) {
    absl::StrAppend(&message, "; libbpf: ", absl::StrJoin(last_lines, " | "));
  }
  switch (code) {
    case EPERM:
    case EACCES:
      return absl::PermissionDeniedError(message);
    case ENOMEM:
    case E2BIG:
      return absl::ResourceExhaustedError(message);
    default:
      return absl::FailedPreconditionError(message);
  }
}

}  // namespace tapio::collectors::ebpf::internal
