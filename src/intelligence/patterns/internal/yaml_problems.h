// The problems found while compiling one pattern file, each as "file:line: key: what is
// wrong" on one line, and the checks every part of the compiler shares. Not thread-safe.
#ifndef TAPIO_INTELLIGENCE_PATTERNS_INTERNAL_YAML_PROBLEMS_H_
#define TAPIO_INTELLIGENCE_PATTERNS_INTERNAL_YAML_PROBLEMS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "yaml-cpp/yaml.h"

namespace tapio::intelligence::internal {

// At most this many problems are kept per file.
inline constexpr size_t kMaxProblems = 50;

// `text` in quotes, cut after 120 bytes.
std::string Quoted(absl::string_view text);

class YamlProblems {
 public:
  explicit YamlProblems(std::string file) : file_(std::move(file)) {}

  // Control bytes in `key` and `message` are escaped, so each problem stays on its line.
  void Add(int line, absl::string_view key, absl::string_view message);
  // At the node's line.
  void Add(const YAML::Node& node, absl::string_view key, absl::string_view message);

  // Adds a problem for every key of `map` not in `allowed`, with a suggestion when one is
  // close; `path` prefixes the key names.
  void CheckKeys(const YAML::Node& map, absl::string_view path,
                 const std::vector<std::string>& allowed);
  // A text, or a list of non-empty texts; empty after adding a problem otherwise.
  std::vector<std::string> Texts(const YAML::Node& node, const std::string& key);

  bool empty() const { return problems_.empty(); }
  // InvalidArgument listing every problem, one a line.
  absl::Status Failure() const;

 private:
  std::string file_;
  std::vector<std::string> problems_;
};

}  // namespace tapio::intelligence::internal

#endif  // TAPIO_INTELLIGENCE_PATTERNS_INTERNAL_YAML_PROBLEMS_H_
