// The bearer token a command uses: the first line of a file, or the TAPIO_TOKEN environment
// variable — never a command-line argument, which other users of the machine can read.
#ifndef TAPIO_CLI_TOKEN_FILE_H_
#define TAPIO_CLI_TOKEN_FILE_H_

#include <string>

#include "absl/status/statusor.h"

namespace tapio::cli {

// The token from `path` when it is not empty, else from TAPIO_TOKEN, else "". Fails naming
// the file when it cannot be read or holds no token.
absl::StatusOr<std::string> ReadToken(const std::string& path);

}  // namespace tapio::cli

#endif  // TAPIO_CLI_TOKEN_FILE_H_
