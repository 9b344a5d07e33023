// The pattern library of patterns/*.yaml, carried inside the binary so that `tapio` needs no
// data files to run. Thread-safe.
#ifndef TAPIO_INTELLIGENCE_PATTERNS_BUILTIN_PATTERNS_H_
#define TAPIO_INTELLIGENCE_PATTERNS_BUILTIN_PATTERNS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "intelligence/patterns/pattern.h"
#include "intelligence/patterns/pattern_loader.h"

namespace tapio::intelligence {

// Each file's text, named as in the source tree ("patterns/oom.yaml"); lives for the process.
absl::Span<const PatternSource> BuiltinPatternSources();

// Compiles the built-in library. Fails only if the library itself is broken, which the tests
// rule out.
absl::StatusOr<std::vector<Pattern>> LoadBuiltinPatterns();

}  // namespace tapio::intelligence

#endif  // TAPIO_INTELLIGENCE_PATTERNS_BUILTIN_PATTERNS_H_
