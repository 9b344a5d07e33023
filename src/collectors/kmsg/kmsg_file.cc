#include "collectors/kmsg/kmsg_file.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "collectors/kmsg/kmsg_record.h"
#include "domain/source_file.h"

namespace tapio::collectors::kmsg {

absl::StatusOr<KmsgFile> ReadKmsgFile(const std::string& path, KmsgParser& parser) {
  KmsgFile result;
  absl::Status status = domain::ForEachLine(path, kMaxLineBytes, [&](absl::string_view line) {
    absl::Status parsed = parser.ParseIsoLine(line, &result.events);
    if (!parsed.ok() && result.line_errors.size() < kMaxReportedLineErrors) {
      result.line_errors.push_back(std::move(parsed));
    }
  });
  if (!status.ok()) return status;
  parser.Finish(&result.events);
  result.counts = parser.counts();
  return result;
}

}  // namespace tapio::collectors::kmsg
