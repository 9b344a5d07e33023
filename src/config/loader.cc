// Checks a parsed tapio.yaml against the schema, and reads it from a file.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "config/config.h"
#include "config/schema.h"
#include "config/suggestion.h"
#include "config/yaml_document.h"
#include "domain/status_macros.h"

namespace tapio::config {
namespace {

constexpr size_t kMaxErrors = 50;

bool IsPlaceholder(absl::string_view segment) { return !segment.empty() && segment.front() == '<'; }

std::string KindOf(const YAML::Node& node) {
  if (node.IsMap()) return "a mapping";
  if (node.IsSequence()) return "a list";
  if (node.IsNull()) return "nothing";
  return absl::StrCat("the value ", Quoted(node.Scalar()));
}

std::string Shown(const std::vector<std::string>& path) {
  return absl::StrJoin(path, ".", [](std::string* out, const std::string& segment) {
    absl::StrAppend(out, Printable(segment));
  });
}

// What the schema says about a path a file gives.
struct Match {
  // The key the path names, or a key the path is a section of; both null if unknown.
  const Key* key = nullptr;
  const Key* section = nullptr;
  // Set when the path's last segment stands for the key's "<name>" segment.
  bool placeholder = false;
  // The schema's literal segments where the path's last one is, for suggestions.
  std::vector<std::string> siblings;
};

Match Find(const std::vector<std::string>& path) {
  Match literal, placeholder;
  const size_t last = path.size() - 1;
  for (const Key& key : Schema()) {
    if (key.segments.size() <= last) continue;
    bool parent_fits = true;
    for (size_t i = 0; i < last && parent_fits; ++i) {
      parent_fits = key.segments[i] == path[i] || IsPlaceholder(key.segments[i]);
    }
    if (!parent_fits) continue;
    const std::string& segment = key.segments[last];
    Match* match = &literal;
    if (IsPlaceholder(segment)) {
      match = &placeholder;
      match->placeholder = true;
    } else if (segment != path[last]) {
      if (std::find(literal.siblings.begin(), literal.siblings.end(), segment) ==
          literal.siblings.end()) {
        literal.siblings.push_back(segment);
      }
      continue;
    }
    (key.segments.size() == path.size() ? match->key : match->section) = &key;
  }
  if (literal.key != nullptr || literal.section != nullptr || !placeholder.placeholder) {
    return literal;
  }
  return placeholder;
}

// Walks a parsed document against the schema, applying valid values to a Config and noting
// every problem.
class Walker {
 public:
  Walker(absl::string_view file_name, Config& config) : file_(file_name), config_(config) {}

  void Document(const YAML::Node& root) {
    if (root.IsNull()) return;
    if (!root.IsMap()) {
      Error(LineOf(root), "", absl::StrCat("expected a mapping of keys, got ", KindOf(root)));
      return;
    }
    std::vector<std::string> path;
    Map(root, path, "");
  }

  // `line` 0 when the problem has none; `key` empty when it concerns no one key.
  void Error(int line, absl::string_view key, absl::string_view problem) {
    if (errors_.size() == kMaxErrors) {
      ++unlisted_;
      return;
    }
    errors_.push_back(absl::StrCat(file_, line > 0 ? absl::StrCat(":", line) : "", ": ", key,
                                   key.empty() ? "" : ": ", problem));
  }

  absl::Status status() const {
    if (errors_.empty()) return absl::OkStatus();
    std::string message = absl::StrJoin(errors_, "\n");
    if (unlisted_ > 0) {
      absl::StrAppend(&message, "\n", file_, ": ", unlisted_, " more problems not listed");
    }
    return absl::InvalidArgumentError(message);
  }

 private:
  // `name` is what a "<name>" segment of `path` matched ("" if none).
  void Map(const YAML::Node& map, std::vector<std::string>& path, const std::string& name) {
    absl::flat_hash_map<std::string, int> first_line;
    for (const auto& entry : map) {
      const YAML::Node& key = entry.first;
      if (!key.IsScalar()) {
        Error(LineOf(key), Shown(path), absl::StrCat("expected a key, got ", KindOf(key)));
        continue;
      }
      auto [first, inserted] = first_line.try_emplace(key.Scalar(), LineOf(key));
      path.push_back(key.Scalar());
      if (inserted) {
        Entry(key, entry.second, path, name);
      } else {
        Error(LineOf(key), Shown(path),
              absl::StrCat("given twice (first on line ", first->second, ")"));
      }
      path.pop_back();
    }
  }

  void Entry(const YAML::Node& key, const YAML::Node& value, std::vector<std::string>& path,
             std::string name) {
    Match match = Find(path);
    const std::string shown = Shown(path);
    if (match.key == nullptr && match.section == nullptr) {
      std::optional<std::string> close = Closest(path.back(), match.siblings);
      if (close.has_value()) {
        std::vector<std::string> suggested(path.begin(), path.end() - 1);
        suggested.push_back(*close);
        close = absl::StrJoin(suggested, ".");
      }
      Error(LineOf(key), "",
            absl::StrCat("unknown key ", Quoted(absl::StrJoin(path, ".")), DidYouMean(close)));
      return;
    }
    if (match.placeholder) {
      const Key& named = match.key != nullptr ? *match.key : *match.section;
      if (std::find(named.names.begin(), named.names.end(), path.back()) == named.names.end()) {
        Error(LineOf(key), shown,
              absl::StrCat(Quoted(path.back()), " is not ", named.names_are,
                           DidYouMean(Closest(path.back(), named.names)), "; expected one of ",
                           absl::StrJoin(named.names, ", ")));
        return;
      }
      name = path.back();
    }
    if (match.section != nullptr) {
      if (value.IsNull()) return;
      if (!value.IsMap()) {
        Error(LineOf(value), shown,
              absl::StrCat("expected a mapping of keys, got ", KindOf(value)));
        return;
      }
      Map(value, path, name);
      return;
    }
    Value parsed;
    if (value.IsNull()) {
      if (match.key->type != ValueType::kString) {
        Error(LineOf(key), shown, "needs a value");
        return;
      }
    } else if (!value.IsScalar()) {
      Error(LineOf(value), shown, absl::StrCat("expected a single value, got ", KindOf(value)));
      return;
    } else {
      absl::StatusOr<Value> result = ParseValue(*match.key, value.Scalar());
      if (!result.ok()) {
        Error(LineOf(value), shown, result.status().message());
        return;
      }
      parsed = *std::move(result);
    }
    match.key->apply(parsed, name, config_);
  }

  std::string file_;
  Config& config_;
  std::vector<std::string> errors_;
  size_t unlisted_ = 0;
};

Config Defaults() {
  Config config;
  for (const Key& key : Schema()) {
    if (!key.default_text.has_value()) continue;
    // schema_test parses every default, so this never fails in a tested build.
    absl::StatusOr<Value> value = ParseValue(key, *key.default_text);
    if (value.ok()) key.apply(*value, "", config);
  }
  return config;
}

// Reads at most kMaxConfigBytes + 1 bytes, enough for LoadConfig to tell a file is too large.
absl::StatusOr<std::string> ReadFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat(path, ": cannot be read"));
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{fd};
  struct stat info;
  if (fstat(fd, &info) == 0 && S_ISDIR(info.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": is a directory, not a file"));
  }
  std::string text;
  char buffer[65536];
  while (text.size() <= kMaxConfigBytes) {
    ssize_t got = read(fd, buffer, std::min(sizeof(buffer), kMaxConfigBytes + 1 - text.size()));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return absl::ErrnoToStatus(errno, absl::StrCat(path, ": cannot be read"));
    if (got == 0) break;
    text.append(buffer, static_cast<size_t>(got));
  }
  return text;
}

}  // namespace

Config DefaultConfig() {
  static const auto* defaults = new Config(Defaults());
  return *defaults;
}

absl::StatusOr<Config> LoadConfig(absl::string_view yaml_text, absl::string_view file_name) {
  if (yaml_text.size() > kMaxConfigBytes) {
    return absl::InvalidArgumentError(absl::StrCat(file_name, ": larger than ", kMaxConfigBytes,
                                                   " bytes, too large for a configuration"));
  }
  Config config = DefaultConfig();
  Walker walker(file_name, config);
  YamlDocument document = ParseYamlDocument(yaml_text);
  walker.Document(document.root);
  for (const YamlProblem& problem : document.problems) {
    walker.Error(problem.line, "", problem.message);
  }
  TAPIO_RETURN_IF_ERROR(walker.status());
  return config;
}

absl::StatusOr<Config> LoadConfigFile(const std::string& path) {
  TAPIO_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return LoadConfig(text, path);
}

}  // namespace tapio::config
