// JSON string literals for the commands' --output json. Thread-safe (stateless).
#ifndef TAPIO_CLI_JSON_TEXT_H_
#define TAPIO_CLI_JSON_TEXT_H_

#include <string>

#include "absl/strings/string_view.h"

namespace tapio::cli {

// `text` as a quoted JSON string, with quotes, backslashes and control bytes escaped.
std::string JsonString(absl::string_view text);

}  // namespace tapio::cli

#endif  // TAPIO_CLI_JSON_TEXT_H_
