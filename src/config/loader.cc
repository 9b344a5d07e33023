// Reads tapio.yaml with yaml-cpp and checks it against the schema.
#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "config/config.h"
#include "config/schema.h"
#include "yaml-cpp/yaml.h"

namespace tapio::config {
namespace {

// Levenshtein distance, for "did you mean".
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

// Splits a schema path into segments.
std::vector<std::string> Segments(absl::string_view path) { return absl::StrSplit(path, '.'); }

class Loader {
 public:
  explicit Loader(absl::string_view file_name) : file_(file_name) {}

  void Walk(const YAML::Node& node, std::vector<std::string>& path, Config& config) {
    if (!node.IsMap()) {
      Error(node, Dotted(path), "expected a mapping of keys");
      return;
    }
    absl::flat_hash_set<std::string> seen;
    for (const auto& entry : node) {
      const YAML::Node& key_node = entry.first;
      const YAML::Node& value = entry.second;
      if (!key_node.IsScalar()) {
        Error(key_node, Dotted(path), "keys must be plain words");
        continue;
      }
      std::string key = key_node.Scalar();
      if (!seen.insert(key).second) {
        Error(key_node, Dotted(path, key), "given twice");
        continue;
      }
      path.push_back(key);
      Visit(key_node, value, path, config);
      path.pop_back();
    }
  }

  std::vector<std::string> errors;

 private:
  // What the schema says about `path`: a key, a section holding keys, or nothing; and, when
  // the last segment stands for a "*", the key that says which names it may be.
  struct Match {
    const Key* key = nullptr;
    std::string wildcard;
    bool section = false;
    const Key* named_by = nullptr;
  };

  static Match Find(const std::vector<std::string>& path) {
    Match match;
    for (const Key& key : Schema()) {
      std::vector<std::string> segments = Segments(key.path);
      if (segments.size() < path.size()) continue;
      bool fits = true;
      std::string wildcard;
      for (size_t i = 0; i < path.size() && fits; ++i) {
        if (segments[i] == "*") {
          wildcard = path[i];
        } else {
          fits = segments[i] == path[i];
        }
      }
      if (!fits) continue;
      if (segments[path.size() - 1] == "*") match.named_by = &key;
      if (segments.size() == path.size()) {
        match.key = &key;
        match.wildcard = wildcard;
      } else {
        match.section = true;
      }
    }
    return match;
  }

  void Visit(const YAML::Node& key_node, const YAML::Node& value, std::vector<std::string>& path,
             Config& config) {
    Match match = Find(path);
    std::string dotted = Dotted(path);
    if (match.key == nullptr && !match.section) {
      Error(key_node, "", absl::StrCat("unknown key \"", dotted, "\"", Suggestion(path)));
      return;
    }
    if (match.named_by != nullptr && match.named_by->name_check &&
        !match.named_by->name_check(path.back())) {
      Error(key_node, dotted,
            absl::StrCat("\"", path.back(), "\" is not ", match.named_by->name_rule));
      return;
    }
    if (match.section) {
      if (value.IsNull()) return;
      Walk(value, path, config);
      return;
    }
    const Key& key = *match.key;
    if (value.IsNull() && key.type != ValueType::kString) {
      Error(key_node, dotted, "needs a value");
      return;
    }
    if (!value.IsScalar() && !value.IsNull()) {
      Error(value, dotted,
            absl::StrCat("expected a single value, got a ", value.IsMap() ? "mapping" : "list"));
      return;
    }
    Value parsed;
    absl::Status status = ParseValue(key, value.IsNull() ? "" : value.Scalar(), &parsed);
    if (!status.ok()) {
      Error(value, dotted, status.message());
      return;
    }
    key.apply(config, parsed, match.wildcard);
  }

  std::string Suggestion(const std::vector<std::string>& path) const {
    std::string best;
    size_t best_distance = 3;
    for (const Key& key : Schema()) {
      std::vector<std::string> segments = Segments(key.path);
      if (segments.size() < path.size()) continue;
      std::vector<std::string> prefix(segments.begin(), segments.begin() + path.size());
      bool same_parent =
          std::equal(path.begin(), path.end() - 1, prefix.begin(),
                     [](const std::string& a, const std::string& b) { return a == b || b == "*"; });
      if (!same_parent || prefix.back() == "*") continue;
      size_t distance = EditDistance(path.back(), prefix.back());
      if (distance < best_distance) {
        best_distance = distance;
        best = absl::StrJoin(prefix, ".");
      }
    }
    return best.empty() ? "" : absl::StrCat(" (did you mean \"", best, "\"?)");
  }

  static std::string Dotted(const std::vector<std::string>& path, absl::string_view last = "") {
    std::string dotted = absl::StrJoin(path, ".");
    if (!last.empty()) absl::StrAppend(&dotted, dotted.empty() ? "" : ".", last);
    return dotted;
  }

  void Error(const YAML::Node& node, absl::string_view key, absl::string_view problem) {
    int line = node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
    errors.push_back(absl::StrCat(file_, ":", line, ": ", key, key.empty() ? "" : ": ", problem));
  }

  std::string file_;
};

Config Defaults() {
  Config config;
  for (const Key& key : Schema()) {
    if (key.default_text.empty() && key.type != ValueType::kString) continue;
    Value value;
    // The schema's defaults are tested to parse (config_test), so errors cannot happen here.
    if (ParseValue(key, key.default_text, &value).ok()) key.apply(config, value, "");
  }
  return config;
}

}  // namespace

Config DefaultConfig() {
  static const Config* defaults = new Config(Defaults());
  return *defaults;
}

absl::StatusOr<Config> LoadConfig(absl::string_view yaml_text, absl::string_view file_name) {
  Config config = DefaultConfig();
  YAML::Node root;
  // yaml-cpp reports syntax errors by throwing; this is the one place they are caught.
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& error) {
    return absl::InvalidArgumentError(
        absl::StrCat(file_name, ":", error.mark.line + 1, ": not valid YAML: ", error.msg));
  }
  if (root.IsNull()) return config;
  Loader loader(file_name);
  std::vector<std::string> path;
  try {
    loader.Walk(root, path, config);
  } catch (const YAML::Exception& error) {
    loader.errors.push_back(
        absl::StrCat(file_name, ":", error.mark.line + 1, ": not valid YAML: ", error.msg));
  }
  if (!loader.errors.empty()) {
    return absl::InvalidArgumentError(absl::StrJoin(loader.errors, "\n"));
  }
  return config;
}

absl::StatusOr<Config> LoadConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot be read"));
  std::stringstream text;
  text << in.rdbuf();
  return LoadConfig(text.str(), path);
}

}  // namespace tapio::config
