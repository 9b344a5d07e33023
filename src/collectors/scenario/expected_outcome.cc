#include "collectors/scenario/expected_outcome.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "config/yaml_document.h"
#include "domain/time.h"

namespace tapio::collectors::scenario {
namespace {

constexpr size_t kMaxBytes = 64 * 1024;

class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  std::string Text(const YAML::Node& map, const std::string& key, const std::string& where,
                   bool required) {
    const YAML::Node node = map[key];
    if (!node || node.IsNull()) {
      if (required) Problem(map, where + key, "missing");
      return "";
    }
    if (!node.IsScalar()) {
      Problem(node, where + key, "must be a text");
      return "";
    }
    return node.Scalar();
  }

  EntityName Entity(const YAML::Node& node, const std::string& where, bool with_category) {
    EntityName e;
    if (!node || !node.IsMap()) {
      Problem(node ? node : YAML::Node(), where, "must be a mapping with kind and name");
      return e;
    }
    e.kind = Text(node, "kind", where + ".", true);
    e.namespace_name = Text(node, "namespace", where + ".", false);
    e.name = Text(node, "name", where + ".", true);
    if (with_category) e.category = Text(node, "category", where + ".", true);
    return e;
  }

  void Problem(const YAML::Node& node, const std::string& key, const std::string& message) {
    problems_.push_back(absl::StrCat(path_, ":", config::LineOf(node), ": ", key, ": ", message));
  }

  absl::StatusOr<ExpectedOutcome> Read(const std::string& text) {
    config::YamlDocument doc = config::ParseYamlDocument(text);
    for (const config::YamlProblem& p : doc.problems) {
      problems_.push_back(absl::StrCat(path_, ":", p.line, ": ", p.message));
    }
    ExpectedOutcome out;
    if (problems_.empty() && !doc.root.IsMap()) {
      problems_.push_back(
          absl::StrCat(path_, ":1: expected a mapping with symptom and root_cause"));
    }
    if (!problems_.empty()) return Failure();
    const YAML::Node& root = doc.root;
    out.description = Text(root, "description", "", false);
    out.symptom = Entity(root["symptom"], "symptom", false);
    if (root["symptom"] && root["symptom"].IsMap()) {
      std::string at = Text(root["symptom"], "at", "symptom.", false);
      if (!at.empty()) {
        absl::StatusOr<int64_t> ns = domain::ParseRfc3339Nanos(at);
        if (ns.ok()) {
          out.at_ns = *ns;
        } else {
          Problem(root["symptom"]["at"], "symptom.at", "not an RFC 3339 time");
        }
      }
    }
    out.root_cause = Entity(root["root_cause"], "root_cause", true);
    if (const YAML::Node chain = root["chain"]) {
      if (!chain.IsSequence()) {
        Problem(chain, "chain", "must be a list");
      } else {
        for (size_t i = 0; i < chain.size(); ++i) {
          out.chain.push_back(Entity(chain[i], absl::StrCat("chain[", i, "]"), false));
        }
      }
    }
    if (const YAML::Node near = root["near_miss"]) {
      if (!near.IsScalar() || (near.Scalar() != "true" && near.Scalar() != "false")) {
        Problem(near, "near_miss", "must be true or false");
      }
      out.near_miss = near.IsScalar() && near.Scalar() == "true";
    }
    if (!problems_.empty()) return Failure();
    return out;
  }

 private:
  absl::Status Failure() const {
    return absl::InvalidArgumentError(absl::StrJoin(problems_, "\n"));
  }

  std::string path_;
  std::vector<std::string> problems_;
};

}  // namespace

absl::StatusOr<ExpectedOutcome> ReadExpectedOutcome(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot be opened"));
  std::string text(kMaxBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxBytes) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": larger than ", kMaxBytes, " bytes"));
  }
  return Reader(path).Read(text);
}

}  // namespace tapio::collectors::scenario
