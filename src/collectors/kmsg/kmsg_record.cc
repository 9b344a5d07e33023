#include "collectors/kmsg/kmsg_record.h"

#include <cstdint>
#include <limits>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "collectors/kmsg/internal/scan.h"
#include "domain/status_macros.h"
#include "domain/time.h"

namespace tapio::collectors::kmsg {

absl::StatusOr<IsoLine> SplitIsoLine(absl::string_view line) {
  size_t space = line.find(' ');
  absl::string_view stamp = line.substr(0, space);
  IsoLine result;
  TAPIO_ASSIGN_OR_RETURN(result.time_ns, domain::ParseDmesgIsoNanos(stamp));
  if (space != absl::string_view::npos) result.message = line.substr(space + 1);
  return result;
}

absl::StatusOr<KmsgRecord> ParseKmsgRecordText(absl::string_view record) {
  absl::string_view first = record.substr(0, record.find('\n'));
  size_t semicolon = first.find(';');
  if (semicolon == absl::string_view::npos) {
    return absl::InvalidArgumentError("kmsg record without ';' after its header");
  }
  std::vector<absl::string_view> fields = absl::StrSplit(first.substr(0, semicolon), ',');
  KmsgRecord result;
  uint32_t priority = 0;
  uint64_t usec = 0;
  if (fields.size() < 4 || !internal::ParseU32(fields[0], &priority) ||
      !internal::ParseU64(fields[1], &result.sequence) || !internal::ParseU64(fields[2], &usec) ||
      usec > static_cast<uint64_t>(std::numeric_limits<int64_t>::max() / 1000)) {
    return absl::InvalidArgumentError("malformed kmsg record header");
  }
  result.facility = priority >> 3;
  result.level = priority & 7;
  result.usec = static_cast<int64_t>(usec);
  result.message = first.substr(semicolon + 1);
  return result;
}

absl::Status CheckText(absl::string_view text) {
  if (text.size() > kMaxLineBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("line of ", text.size(), " bytes, more than ", kMaxLineBytes));
  }
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
      return absl::InvalidArgumentError(absl::StrFormat("control byte 0x%02x at offset %d", c, i));
    }
  }
  return absl::OkStatus();
}

}  // namespace tapio::collectors::kmsg
