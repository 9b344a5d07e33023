// Strict number scanning for kernel messages: decimal digits only, no sign or spaces unless
// asked, no overflow. Pure functions; thread-safe.
#ifndef TAPIO_COLLECTORS_KMSG_INTERNAL_SCAN_H_
#define TAPIO_COLLECTORS_KMSG_INTERNAL_SCAN_H_

#include <cstdint>
#include <limits>

#include "absl/strings/string_view.h"

namespace tapio::collectors::kmsg::internal {

// Parses `text` when it is 1 to 19 decimal digits and fits in `max`.
inline bool ParseUnsigned(absl::string_view text, uint64_t max, uint64_t* value) {
  if (text.empty() || text.size() > 19) return false;
  uint64_t result = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    result = result * 10 + static_cast<uint64_t>(c - '0');
  }
  if (result > max) return false;
  *value = result;
  return true;
}

inline bool ParseU64(absl::string_view text, uint64_t* value) {
  return ParseUnsigned(text, std::numeric_limits<uint64_t>::max(), value);
}

inline bool ParseU32(absl::string_view text, uint32_t* value) {
  uint64_t wide = 0;
  if (!ParseUnsigned(text, std::numeric_limits<uint32_t>::max(), &wide)) return false;
  *value = static_cast<uint32_t>(wide);
  return true;
}

// Accepts a leading '-'.
inline bool ParseI32(absl::string_view text, int32_t* value) {
  bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  uint64_t magnitude = 0;
  if (!ParseUnsigned(text, uint64_t{1} << 31, &magnitude)) return false;
  if (!negative && magnitude > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
    return false;
  }
  *value = negative ? static_cast<int32_t>(-static_cast<int64_t>(magnitude))
                    : static_cast<int32_t>(magnitude);
  return true;
}

// Parses "<digits>kB".
inline bool ParseKilobytes(absl::string_view text, uint64_t* value) {
  if (text.size() < 2 || text.substr(text.size() - 2) != "kB") return false;
  return ParseU64(text.substr(0, text.size() - 2), value);
}

}  // namespace tapio::collectors::kmsg::internal

#endif  // TAPIO_COLLECTORS_KMSG_INTERNAL_SCAN_H_
