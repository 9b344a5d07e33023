// The opaque page token of event queries: where the previous page ended, as "<time>.<id>" in
// decimal. Shared by every Store so that a token means the same thing whichever store made it.
#ifndef TAPIO_STORAGE_PAGE_TOKEN_H_
#define TAPIO_STORAGE_PAGE_TOKEN_H_

#include <cstdint>
#include <limits>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace tapio::storage {

struct PageToken {
  // Before every event when the query starts.
  int64_t time_ns = std::numeric_limits<int64_t>::min();
  int64_t id = std::numeric_limits<int64_t>::min();
};

inline std::string MakePageToken(const PageToken& t) { return absl::StrCat(t.time_ns, ".", t.id); }

// An empty token is the start. Fails with InvalidArgument for one no store made.
inline absl::StatusOr<PageToken> ParsePageToken(absl::string_view token) {
  PageToken t;
  if (token.empty()) return t;
  std::pair<absl::string_view, absl::string_view> parts = absl::StrSplit(token, '.');
  if (!absl::SimpleAtoi(parts.first, &t.time_ns) || !absl::SimpleAtoi(parts.second, &t.id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("page token \"", token, "\" is not one of ours"));
  }
  return t;
}

}  // namespace tapio::storage

#endif  // TAPIO_STORAGE_PAGE_TOKEN_H_
