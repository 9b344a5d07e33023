// The one place Tapio calls yaml-cpp's parser, which reports problems by throwing and, in
// 0.7, loops forever on a stray "," between documents; both are contained here. Thread-safe.
#ifndef TAPIO_CONFIG_YAML_DOCUMENT_H_
#define TAPIO_CONFIG_YAML_DOCUMENT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "yaml-cpp/yaml.h"

namespace tapio::config {

struct YamlProblem {
  // 1-based; 0 when yaml-cpp gives no position.
  int line = 0;
  std::string message;
};

struct YamlDocument {
  // The first document; a Null node when the text holds none or does not parse.
  YAML::Node root;
  // Syntax errors, nesting too deep for the parser, and a second document with content.
  std::vector<YamlProblem> problems;
};

// Parses `text`, which should hold at most one YAML document. Never throws; always returns.
YamlDocument ParseYamlDocument(absl::string_view text);

// The 1-based line of a node or mark; 0 when it has none.
int LineOf(const YAML::Mark& mark);
int LineOf(const YAML::Node& node);

}  // namespace tapio::config

#endif  // TAPIO_CONFIG_YAML_DOCUMENT_H_
