#include "intelligence/patterns/builtin_patterns.h"

namespace tapio::intelligence {

absl::StatusOr<std::vector<Pattern>> LoadBuiltinPatterns() {
  return CompilePatterns(BuiltinPatternSources());
}

}  // namespace tapio::intelligence
