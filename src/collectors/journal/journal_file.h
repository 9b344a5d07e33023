// Reads a whole journal export of `journalctl -o json` lines, as the scenario layout keeps
// it (nodes/<node>/journal.jsonl), through a JournalParser. Thread-compatible.
#ifndef TAPIO_COLLECTORS_JOURNAL_JOURNAL_FILE_H_
#define TAPIO_COLLECTORS_JOURNAL_JOURNAL_FILE_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "collectors/journal/journal_parser.h"
#include "domain/event.h"

namespace tapio::collectors::journal {

// At most this many line errors are kept; counts.rejected has them all.
inline constexpr size_t kMaxReportedLineErrors = 100;

struct JournalFile {
  std::vector<domain::Event> events;
  // The first kMaxReportedLineErrors rejected lines, in order, each naming its line.
  std::vector<absl::Status> line_errors;
  JournalParser::Counts counts;
};

// Feeds every line of the file at `path` to `parser` and keeps going after a bad line. A
// line longer than kMaxLineBytes is rejected without being held in memory whole. Fails
// with NotFound when the file does not exist, PermissionDenied when it cannot be opened,
// and DataLoss when reading it fails midway.
absl::StatusOr<JournalFile> ReadJournalFile(const std::string& path, JournalParser& parser);

}  // namespace tapio::collectors::journal

#endif  // TAPIO_COLLECTORS_JOURNAL_JOURNAL_FILE_H_
