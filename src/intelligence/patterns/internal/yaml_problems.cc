#include "intelligence/patterns/internal/yaml_problems.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "config/suggestion.h"
#include "config/yaml_document.h"

namespace tapio::intelligence::internal {
namespace {

constexpr size_t kMaxQuotedBytes = 120;

std::string Printable(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      absl::StrAppend(&out, "\\x", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string Quoted(absl::string_view text) {
  if (text.size() > kMaxQuotedBytes) {
    return absl::StrCat("\"", text.substr(0, kMaxQuotedBytes), "…\"");
  }
  return absl::StrCat("\"", text, "\"");
}

void YamlProblems::Add(int line, absl::string_view key, absl::string_view message) {
  if (problems_.size() >= kMaxProblems) return;
  problems_.push_back(absl::StrCat(file_, ":", line, ": ", Printable(key), key.empty() ? "" : ": ",
                                   Printable(message)));
}

void YamlProblems::Add(const YAML::Node& node, absl::string_view key, absl::string_view message) {
  Add(config::LineOf(node), key, message);
}

absl::Status YamlProblems::Failure() const {
  return absl::InvalidArgumentError(absl::StrJoin(problems_, "\n"));
}

void YamlProblems::CheckKeys(const YAML::Node& map, absl::string_view path,
                             const std::vector<std::string>& allowed) {
  for (const auto& entry : map) {
    if (!entry.first.IsScalar()) {
      Add(entry.first, path, "a key must be a plain name");
      continue;
    }
    const std::string& key = entry.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      Add(entry.first, absl::StrCat(path, path.empty() ? "" : ".", key),
          absl::StrCat("unknown field", config::DidYouMean(config::Closest(key, allowed))));
    }
  }
}

std::vector<std::string> YamlProblems::Texts(const YAML::Node& node, const std::string& key) {
  std::vector<std::string> out;
  if (node.IsScalar() && !node.Scalar().empty()) {
    out.push_back(node.Scalar());
  } else if (node.IsSequence() && node.size() > 0) {
    for (const YAML::Node& item : node) {
      if (!item.IsScalar() || item.Scalar().empty()) {
        Add(item, key, "list items must be non-empty texts");
        return {};
      }
      out.push_back(item.Scalar());
    }
  } else {
    Add(node, key, "must be a text or a list of texts");
  }
  return out;
}

}  // namespace tapio::intelligence::internal
