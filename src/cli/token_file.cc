#include "cli/token_file.h"

#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace tapio::cli {

absl::StatusOr<std::string> ReadToken(const std::string& path) {
  if (path.empty()) {
    const char* env = std::getenv("TAPIO_TOKEN");
    return env == nullptr ? "" : env;
  }
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot be read"));
  std::string token;
  std::getline(in, token);
  token = std::string(absl::StripTrailingAsciiWhitespace(token));
  if (token.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": holds no token"));
  return token;
}

}  // namespace tapio::cli
