#include "config/suggestion.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "config/schema.h"

namespace tapio::config {
namespace {

// Compared for suggestions only: "Batch-Size" is a likely typo of "batch_size".
std::string Normalized(absl::string_view word) {
  std::string normalized = absl::AsciiStrToLower(word);
  std::replace(normalized.begin(), normalized.end(), '-', '_');
  return normalized;
}

size_t EditDistance(absl::string_view a, absl::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t next = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = row[j];
      row[j] = next;
    }
  }
  return row[b.size()];
}

}  // namespace

std::optional<std::string> Closest(absl::string_view word,
                                   const std::vector<std::string>& candidates) {
  constexpr size_t kMaxWordBytes = 64;
  if (word.size() > kMaxWordBytes) return std::nullopt;
  std::string normalized = Normalized(word);
  std::optional<std::string> best;
  size_t best_distance = 0;
  for (const std::string& candidate : candidates) {
    size_t distance = EditDistance(normalized, Normalized(candidate));
    size_t limit = candidate.size() <= 3 ? 1 : 2;
    if (distance <= limit && (!best.has_value() || distance < best_distance)) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

std::string DidYouMean(const std::optional<std::string>& suggestion) {
  return suggestion.has_value() ? absl::StrCat(" (did you mean ", Quoted(*suggestion), "?)") : "";
}

}  // namespace tapio::config
