// Reads failure patterns from YAML (the language of docs/patterns.md) and compiles them for
// the engine. Every problem in a file is reported at once, each naming the file, the line and
// the key. Thread-safe (stateless).
#ifndef TAPIO_INTELLIGENCE_PATTERNS_PATTERN_LOADER_H_
#define TAPIO_INTELLIGENCE_PATTERNS_PATTERN_LOADER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "intelligence/patterns/pattern.h"

namespace tapio::intelligence {

// Files larger than this are refused unread.
inline constexpr size_t kMaxPatternFileBytes = 256 * 1024;

// Compiles the one pattern `text` holds; `file` names it in errors. Fails with
// InvalidArgument listing every problem as "file:line: key: what is wrong".
absl::StatusOr<Pattern> ParsePattern(absl::string_view text, const std::string& file);

// One pattern file's name and text.
struct PatternSource {
  absl::string_view file;
  absl::string_view text;
};

// Compiles every source. Fails with InvalidArgument listing the problems of every bad one, or
// when two use one pattern name.
absl::StatusOr<std::vector<Pattern>> CompilePatterns(absl::Span<const PatternSource> sources);

// Reads one pattern file. Fails with NotFound when it does not exist, InvalidArgument when it
// is too large or does not compile.
absl::StatusOr<Pattern> LoadPatternFile(const std::string& path);

// Reads every *.yaml file of `dir`, in name order, and compiles them as CompilePatterns does.
// Fails with NotFound when `dir` is not a directory, InvalidArgument when a file is too large.
absl::StatusOr<std::vector<Pattern>> LoadPatternDirectory(const std::string& dir);

}  // namespace tapio::intelligence

#endif  // TAPIO_INTELLIGENCE_PATTERNS_PATTERN_LOADER_H_
