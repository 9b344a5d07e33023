// Reading the files collectors take their records from: line by line with a bound on how much
// of a line is held, or whole up to a size. Errors name the path. Thread-safe (stateless).
#ifndef TAPIO_DOMAIN_SOURCE_FILE_H_
#define TAPIO_DOMAIN_SOURCE_FILE_H_

#include <cstddef>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tapio::domain {

// Calls `on_line` with every line of the file at `path`, without its '\n'; a last line
// without one counts too. A line longer than `max_line_bytes` is passed cut to
// `max_line_bytes` + 1 bytes, never held whole, so that the caller can tell it is too long.
// Fails with NotFound when the file does not exist, PermissionDenied when it cannot be
// opened, Unavailable for other open errors, and DataLoss when reading fails midway (the lines
// before were passed).
absl::Status ForEachLine(const std::string& path, size_t max_line_bytes,
                         const std::function<void(absl::string_view)>& on_line);

// The whole file. Fails as ForEachLine does, and with ResourceExhausted when it holds more
// than `max_bytes`.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path, size_t max_bytes);

}  // namespace tapio::domain

#endif  // TAPIO_DOMAIN_SOURCE_FILE_H_
