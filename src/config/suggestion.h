// "Did you mean …?" for names a user mistyped in a configuration or pattern file.
// Thread-safe (stateless).
#ifndef TAPIO_CONFIG_SUGGESTION_H_
#define TAPIO_CONFIG_SUGGESTION_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace tapio::config {

// The candidate `word` is most likely a typo of, if any is close enough (case, '-' for '_'
// and an edit or two apart).
std::optional<std::string> Closest(absl::string_view word,
                                   const std::vector<std::string>& candidates);

// " (did you mean \"x\"?)", or "" without a suggestion.
std::string DidYouMean(const std::optional<std::string>& suggestion);

}  // namespace tapio::config

#endif  // TAPIO_CONFIG_SUGGESTION_H_
