// The pattern library a command runs: the one built into the binary, or the *.yaml files of
// a directory given with --patterns. Thread-safe.
#ifndef TAPIO_CLI_PATTERN_LIBRARY_H_
#define TAPIO_CLI_PATTERN_LIBRARY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "intelligence/patterns/pattern.h"

namespace tapio::cli {

// The built-in library when `dir` is empty. Fails as LoadPatternDirectory does.
absl::StatusOr<std::vector<intelligence::Pattern>> LoadPatternLibrary(const std::string& dir);

}  // namespace tapio::cli

#endif  // TAPIO_CLI_PATTERN_LIBRARY_H_
