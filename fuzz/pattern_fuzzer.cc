// Feeds arbitrary bytes to the pattern compiler as one pattern file. It must either compile
// or fail with errors that each name the file and a line; a compiled pattern must render its
// templates with nothing to fill them in.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "intelligence/patterns/pattern_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<tapio::intelligence::Pattern> pattern =
      tapio::intelligence::ParsePattern(text, "fuzz.yaml");
  if (!pattern.ok()) {
    if (pattern.status().code() != absl::StatusCode::kInvalidArgument) std::abort();
    for (absl::string_view line : absl::StrSplit(pattern.status().message(), '\n')) {
      if (!absl::StartsWith(line, "fuzz.yaml:")) std::abort();
    }
    return 0;
  }
  if (pattern->triggers.empty() || pattern->immediate.empty()) std::abort();
  auto nothing = [](const tapio::intelligence::TemplateVariable&) -> std::optional<std::string> {
    return std::nullopt;
  };
  (void)pattern->root_cause.Render(nothing);
  for (const auto& action : pattern->immediate) (void)action.Render(nothing);
  return 0;
}
