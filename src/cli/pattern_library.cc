#include "cli/pattern_library.h"

#include "intelligence/patterns/builtin_patterns.h"
#include "intelligence/patterns/pattern_loader.h"

namespace tapio::cli {

absl::StatusOr<std::vector<intelligence::Pattern>> LoadPatternLibrary(const std::string& dir) {
  if (dir.empty()) return intelligence::LoadBuiltinPatterns();
  return intelligence::LoadPatternDirectory(dir);
}

}  // namespace tapio::cli
