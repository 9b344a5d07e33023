// Reads a whole kernel log file of `dmesg --time-format=iso` lines, as the scenario layout
// keeps it (nodes/<node>/kmsg.log), through a KmsgParser. Thread-compatible.
#ifndef TAPIO_COLLECTORS_KMSG_KMSG_FILE_H_
#define TAPIO_COLLECTORS_KMSG_KMSG_FILE_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "collectors/kmsg/kmsg_parser.h"
#include "domain/event.h"

namespace tapio::collectors::kmsg {

// At most this many line errors are kept; counts.rejected has them all.
inline constexpr size_t kMaxReportedLineErrors = 100;

struct KmsgFile {
  std::vector<domain::Event> events;
  // The first kMaxReportedLineErrors rejected lines, in order, each naming its line.
  std::vector<absl::Status> line_errors;
  KmsgParser::Counts counts;
};

// Feeds every line of the file at `path` to `parser`, keeps going after a bad line, and
// finishes the parser at the end. A line longer than kMaxLineBytes is rejected without
// being held in memory whole. Fails with NotFound when the file does not exist,
// PermissionDenied when it cannot be opened, and DataLoss when reading it fails midway.
absl::StatusOr<KmsgFile> ReadKmsgFile(const std::string& path, KmsgParser& parser);

}  // namespace tapio::collectors::kmsg

#endif  // TAPIO_COLLECTORS_KMSG_KMSG_FILE_H_
