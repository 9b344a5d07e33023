// The two ways kernel messages reach Tapio, taken apart into a time and a message:
// `dmesg --time-format=iso` lines ("2026-11-22T16:31:34,632565+00:00 <message>") and
// /dev/kmsg records ("<prio>,<seq>,<usec since boot>,<flags>[,...];<message>", then
// continuation lines " KEY=value"). Pure functions; thread-safe.
#ifndef TAPIO_COLLECTORS_KMSG_KMSG_RECORD_H_
#define TAPIO_COLLECTORS_KMSG_KMSG_RECORD_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tapio::collectors::kmsg {

// Longest line (or record) accepted; the kernel's own limit is about 1 KiB a message.
inline constexpr size_t kMaxLineBytes = 64 * 1024;

struct IsoLine {
  int64_t time_ns = 0;
  // Everything after the space that ends the timestamp; may begin with spaces (stack
  // frames) or be empty.
  absl::string_view message;
};

// Splits a line (without its newline) into time and message. Fails with InvalidArgument
// when the line does not start with a complete timestamp; OutOfRange when its year is
// beyond what int64 nanoseconds hold.
absl::StatusOr<IsoLine> SplitIsoLine(absl::string_view line);

struct KmsgRecord {
  // Syslog facility (0 is the kernel; user space writing to /dev/kmsg has another) and level.
  uint32_t facility = 0;
  uint32_t level = 0;
  uint64_t sequence = 0;
  // Monotonic microseconds since boot.
  int64_t usec = 0;
  // The first line of the message; continuation lines are not part of it.
  absl::string_view message;
};

// Parses one record as a read() of /dev/kmsg returns it, trailing newline optional. Fails
// with InvalidArgument when the header is malformed.
absl::StatusOr<KmsgRecord> ParseKmsgRecordText(absl::string_view record);

// Fails with InvalidArgument when `text` is longer than kMaxLineBytes or holds a control
// byte other than tab (binary data, NULs); names the offset of the first bad byte.
absl::Status CheckText(absl::string_view text);

}  // namespace tapio::collectors::kmsg

#endif  // TAPIO_COLLECTORS_KMSG_KMSG_RECORD_H_
