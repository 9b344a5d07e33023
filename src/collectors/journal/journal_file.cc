#include "collectors/journal/journal_file.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "domain/source_file.h"

namespace tapio::collectors::journal {

absl::StatusOr<JournalFile> ReadJournalFile(const std::string& path, JournalParser& parser) {
  JournalFile result;
  absl::Status status = domain::ForEachLine(path, kMaxLineBytes, [&](absl::string_view line) {
    absl::Status parsed = parser.ParseLine(line, &result.events);
    if (!parsed.ok() && result.line_errors.size() < kMaxReportedLineErrors) {
      result.line_errors.push_back(std::move(parsed));
    }
  });
  if (!status.ok()) return status;
  result.counts = parser.counts();
  return result;
}

}  // namespace tapio::collectors::journal
