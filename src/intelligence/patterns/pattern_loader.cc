#include "intelligence/patterns/pattern_loader.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <optional>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "config/suggestion.h"
#include "config/yaml_document.h"
#include "domain/source_file.h"
#include "intelligence/patterns/category.h"
#include "intelligence/patterns/internal/match_compiler.h"
#include "intelligence/patterns/internal/yaml_problems.h"

namespace tapio::intelligence {
namespace {

using internal::Quoted;

constexpr int64_t kMaxWindowNs = int64_t{24} * 3600 * 1000000000;
constexpr int64_t kDefaultDedupNs = int64_t{3600} * 1000000000;

const std::vector<std::string> kTopKeys = {"pattern",  "description", "category", "layer",
                                           "severity", "confidence",  "trigger",  "evidence",
                                           "at_fault", "root_cause",  "actions",  "dedup"};
const std::vector<std::string> kEvidenceKeys = {"id",    "on",        "match", "before",
                                                "after", "min_count", "role",  "weight"};
const std::vector<std::string> kActionKeys = {"immediate", "short_term", "investigate"};
const std::vector<std::string> kLayers = {"kernel",     "node",        "network",
                                          "kubernetes", "application", "control-plane"};

// One file's compilation, gathering every problem before failing.
class PatternCompiler {
 public:
  explicit PatternCompiler(std::string file) : file_(file), problems_(std::move(file)) {}

  absl::StatusOr<Pattern> Compile(absl::string_view text) {
    config::YamlDocument doc = config::ParseYamlDocument(text);
    for (const config::YamlProblem& p : doc.problems) problems_.Add(p.line, "", p.message);
    if (!doc.problems.empty()) return problems_.Failure();
    const YAML::Node& root = doc.root;
    if (!root.IsMap()) {
      problems_.Add(config::LineOf(root), "", "a pattern file holds one mapping (pattern: …)");
      return problems_.Failure();
    }
    pattern_.file = file_;
    problems_.CheckKeys(root, "", kTopKeys);
    pattern_.name = RequiredText(root, "pattern");
    if (!pattern_.name.empty() &&
        !std::all_of(pattern_.name.begin(), pattern_.name.end(), [](char c) {
          return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-';
        })) {
      problems_.Add(root["pattern"], "pattern", "use lower-case letters, digits and '-'");
    }
    pattern_.description = RequiredText(root, "description");
    pattern_.category = RequiredText(root, "category");
    if (!pattern_.category.empty() && !IsCategory(pattern_.category)) {
      std::vector<std::string> names(kCategories.begin(), kCategories.end());
      problems_.Add(root["category"], "category",
                    absl::StrCat("unknown category ", Quoted(pattern_.category),
                                 config::DidYouMean(config::Closest(pattern_.category, names))));
    }
    pattern_.layer = RequiredText(root, "layer");
    if (!pattern_.layer.empty() &&
        std::find(kLayers.begin(), kLayers.end(), pattern_.layer) == kLayers.end()) {
      problems_.Add(root["layer"], "layer",
                    absl::StrCat("unknown layer ", Quoted(pattern_.layer), "; one of ",
                                 absl::StrJoin(kLayers, ", ")));
    }
    ParseSeverity(root);
    ParseConfidence(root);
    ParseTriggers(root);
    ParseEvidence(root);
    pattern_.at_fault = ParsePath(root["at_fault"], "at_fault", /*self=*/-2);
    if (pattern_.at_fault.origin >= 0 && !order_.empty()) {
      pattern_.at_fault.origin = order_[pattern_.at_fault.origin];
    }
    pattern_.root_cause = ParseTemplate(root["root_cause"], "root_cause", /*required=*/true);
    ParseActions(root);
    pattern_.dedup_ns = root["dedup"] ? ParseDuration(root["dedup"], "dedup") : kDefaultDedupNs;
    if (!problems_.empty()) return problems_.Failure();
    return std::move(pattern_);
  }

 private:
  std::string RequiredText(const YAML::Node& map, const std::string& key) {
    const YAML::Node node = map[key];
    if (!node) {
      problems_.Add(map, key, "missing");
      return "";
    }
    if (!node.IsScalar() || node.Scalar().empty()) {
      problems_.Add(node, key, "must be a non-empty text");
      return "";
    }
    return node.Scalar();
  }

  void ParseSeverity(const YAML::Node& root) {
    std::string text = RequiredText(root, "severity");
    if (text.empty()) return;
    for (int s = 1; s < domain::kSeverityCount; ++s) {
      if (domain::SeverityName(static_cast<domain::Severity>(s)) == text) {
        pattern_.severity = static_cast<domain::Severity>(s);
        return;
      }
    }
    problems_.Add(root["severity"], "severity",
                  absl::StrCat("unknown severity ", Quoted(text),
                               "; one of debug, info, warning, error, critical"));
  }

  void ParseConfidence(const YAML::Node& root) {
    std::string text = RequiredText(root, "confidence");
    if (text.empty()) return;
    if (!absl::SimpleAtod(text, &pattern_.confidence) || !(pattern_.confidence > 0) ||
        pattern_.confidence > 1) {
      problems_.Add(root["confidence"], "confidence", "must be a number in (0, 1]");
    }
  }

  int64_t ParseDuration(const YAML::Node& node, const std::string& key) {
    absl::Duration d;
    if (!node.IsScalar() || !absl::ParseDuration(node.Scalar(), &d) || d < absl::ZeroDuration() ||
        d > absl::Hours(24)) {
      problems_.Add(node, key, "must be a duration such as 30s, 10m or 2h, at most 24h");
      return 0;
    }
    return std::min(absl::ToInt64Nanoseconds(d), kMaxWindowNs);
  }

  void ParseTriggers(const YAML::Node& root) {
    const YAML::Node node = root["trigger"];
    if (!node) {
      problems_.Add(root, "trigger", "missing");
      return;
    }
    if (node.IsMap()) {
      if (auto m = internal::CompileMatch(node, "trigger", problems_))
        pattern_.triggers.push_back(std::move(*m));
      return;
    }
    if (!node.IsSequence() || node.size() == 0) {
      problems_.Add(node, "trigger", "must be an event match or a list of them");
      return;
    }
    for (size_t i = 0; i < node.size(); ++i) {
      if (auto m = internal::CompileMatch(node[i], absl::StrCat("trigger[", i, "]"), problems_)) {
        pattern_.triggers.push_back(std::move(*m));
      }
    }
  }

  // Parses "trigger.node.pods" or "<evidence id>.pods". `self` is the index of the evidence
  // whose path this is (it may not start from itself), or -2 for at_fault.
  RelationPath ParsePath(const YAML::Node& node, const std::string& key, int self) {
    RelationPath path;
    if (!node || !node.IsScalar() || node.Scalar().empty()) {
      problems_.Add(node ? node : YAML::Node(), key,
                    "missing: a relation path such as trigger.node");
      return path;
    }
    path.text = node.Scalar();
    std::vector<std::string> parts = absl::StrSplit(path.text, '.');
    if (parts[0] != "trigger") {
      auto it = std::find(evidence_ids_.begin(), evidence_ids_.end(), parts[0]);
      if (it == evidence_ids_.end()) {
        std::vector<std::string> origins = evidence_ids_;
        origins.push_back("trigger");
        problems_.Add(
            node, key,
            absl::StrCat("a path starts at trigger or at an evidence id, not ", Quoted(parts[0]),
                         config::DidYouMean(config::Closest(parts[0], origins))));
        return path;
      }
      path.origin = static_cast<int>(it - evidence_ids_.begin());
      if (path.origin == self) {
        problems_.Add(
            node, key,
            absl::StrCat("cyclic reference: evidence ", Quoted(parts[0]), " starts from itself"));
      }
    }
    for (size_t i = 1; i < parts.size(); ++i) {
      std::optional<RelationStep> step = ParseRelationStep(parts[i]);
      if (!step.has_value()) {
        problems_.Add(
            node, key,
            absl::StrCat("unknown relation ", Quoted(parts[i]),
                         config::DidYouMean(config::Closest(parts[i], RelationStepNames())),
                         "; one of ", absl::StrJoin(RelationStepNames(), ", ")));
        continue;
      }
      path.steps.push_back(*step);
    }
    return path;
  }

  void ParseEvidence(const YAML::Node& root) {
    const YAML::Node list = root["evidence"];
    if (!list) return;
    if (!list.IsSequence()) {
      problems_.Add(list, "evidence", "must be a list");
      return;
    }
    for (size_t i = 0; i < list.size(); ++i) {
      const YAML::Node item = list[i];
      std::string key = absl::StrCat("evidence[", i, "]");
      std::string id =
          item.IsMap() && item["id"] && item["id"].IsScalar() ? item["id"].Scalar() : "";
      if (id.empty() || id == "trigger" || id == "at_fault" || id.find('.') != std::string::npos) {
        problems_.Add(item, key, "needs an id: a plain name other than trigger and at_fault");
      } else if (std::find(evidence_ids_.begin(), evidence_ids_.end(), id) != evidence_ids_.end()) {
        problems_.Add(item["id"], key, absl::StrCat("evidence id ", Quoted(id), " is used twice"));
      }
      evidence_ids_.push_back(id);
    }
    for (size_t i = 0; i < list.size(); ++i) {
      const YAML::Node item = list[i];
      std::string key = absl::StrCat("evidence[", i, "]");
      Evidence e;
      e.id = evidence_ids_[i];
      if (!item.IsMap()) {
        problems_.Add(item, key, "must be a mapping");
        pattern_.evidence.push_back(std::move(e));
        continue;
      }
      problems_.CheckKeys(item, key, kEvidenceKeys);
      e.on = ParsePath(item["on"], key + ".on", static_cast<int>(i));
      e.has_match = static_cast<bool>(item["match"]);
      if (!e.has_match) {
        // About the entities the path reaches: no events, so no window.
        for (const char* window : {"before", "after"}) {
          if (item[window]) {
            problems_.Add(item[window], absl::StrCat(key, ".", window),
                          "evidence without a match is about entities and takes no window");
          }
        }
      } else if (auto m = internal::CompileMatch(item["match"], key + ".match", problems_)) {
        e.match = std::move(*m);
      }
      if (e.has_match) {
        if (item["before"]) e.before_ns = ParseDuration(item["before"], key + ".before");
        if (item["after"]) e.after_ns = ParseDuration(item["after"], key + ".after");
        if (!item["before"] && !item["after"]) {
          problems_.Add(item, key, "needs a window: before, after or both");
        }
      }
      if (const YAML::Node n = item["min_count"]) {
        if (!n.IsScalar() || !absl::SimpleAtoi(n.Scalar(), &e.min_count) || e.min_count == 0) {
          problems_.Add(n, key + ".min_count", "must be a positive integer");
        }
      }
      std::string role =
          item["role"] && item["role"].IsScalar() ? item["role"].Scalar() : "required";
      if (role == "required") {
        e.role = Evidence::Role::kRequired;
      } else if (role == "supporting") {
        e.role = Evidence::Role::kSupporting;
      } else if (role == "contradicting") {
        e.role = Evidence::Role::kContradicting;
      } else {
        problems_.Add(item["role"], key + ".role", "one of required, supporting, contradicting");
      }
      if (const YAML::Node w = item["weight"]) {
        if (!w.IsScalar() || !absl::SimpleAtod(w.Scalar(), &e.weight) || e.weight < 0 ||
            e.weight > 1) {
          problems_.Add(w, key + ".weight", "must be a number in [0, 1]");
        }
        if (e.role == Evidence::Role::kRequired) {
          problems_.Add(w, key + ".weight",
                        "only supporting and contradicting evidence have a weight");
        }
      }
      pattern_.evidence.push_back(std::move(e));
    }
    OrderEvidence(list);
  }

  // Puts each evidence item after the one its path starts from; a loop is an error.
  void OrderEvidence(const YAML::Node& list) {
    size_t n = pattern_.evidence.size();
    std::vector<int> state(n, 0);
    std::vector<size_t> order;
    bool cyclic = false;
    std::function<void(size_t)> visit = [&](size_t i) {
      if (state[i] == 2) return;
      if (state[i] == 1) {
        if (!cyclic) {
          problems_.Add(
              list[i], absl::StrCat("evidence[", i, "].on"),
              absl::StrCat("cyclic reference through evidence ", Quoted(pattern_.evidence[i].id)));
        }
        cyclic = true;
        return;
      }
      state[i] = 1;
      int origin = pattern_.evidence[i].on.origin;
      if (origin >= 0 && static_cast<size_t>(origin) != i) visit(static_cast<size_t>(origin));
      state[i] = 2;
      order.push_back(i);
    };
    for (size_t i = 0; i < n; ++i) visit(i);
    if (cyclic) return;
    std::vector<Evidence> sorted;
    std::vector<int> new_index(n);
    for (size_t k = 0; k < order.size(); ++k) new_index[order[k]] = static_cast<int>(k);
    for (size_t i : order) sorted.push_back(std::move(pattern_.evidence[i]));
    for (Evidence& e : sorted) {
      if (e.on.origin >= 0) e.on.origin = new_index[e.on.origin];
    }
    pattern_.evidence = std::move(sorted);
    order_ = std::move(new_index);
  }

  absl::Status CheckVariable(const TemplateVariable& v) const {
    if (v.scope == "at_fault") {
      return v.member.empty() ? absl::OkStatus()
                              : absl::InvalidArgumentError("at_fault has no members");
    }
    bool evidence =
        std::find(evidence_ids_.begin(), evidence_ids_.end(), v.scope) != evidence_ids_.end();
    if (v.scope != "trigger" && !evidence) {
      std::vector<std::string> scopes = evidence_ids_;
      scopes.push_back("trigger");
      scopes.push_back("at_fault");
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown name ", Quoted(v.scope), config::DidYouMean(config::Closest(v.scope, scopes))));
    }
    if (v.member.empty()) return absl::InvalidArgumentError("name a field, entity or count");
    if (v.member == "entity" || (evidence && v.member == "count")) return absl::OkStatus();
    if (ParseEventField(v.member).has_value()) return absl::OkStatus();
    return absl::InvalidArgumentError(
        absl::StrCat("unknown event field ", Quoted(v.member),
                     config::DidYouMean(config::Closest(v.member, EventFieldNames()))));
  }

  MessageTemplate ParseTemplate(const YAML::Node& node, const std::string& key, bool required) {
    if (!node) {
      if (required) problems_.Add(YAML::Node(), key, "missing");
      return {};
    }
    if (!node.IsScalar() || node.Scalar().empty()) {
      problems_.Add(node, key, "must be a non-empty text");
      return {};
    }
    absl::StatusOr<MessageTemplate> t = MessageTemplate::Parse(
        node.Scalar(), [this](const TemplateVariable& v) { return CheckVariable(v); });
    if (!t.ok()) {
      problems_.Add(node, key, absl::StrCat("bad template: ", t.status().message()));
      return {};
    }
    return *std::move(t);
  }

  void ParseActions(const YAML::Node& root) {
    const YAML::Node actions = root["actions"];
    if (!actions) {
      problems_.Add(root, "actions", "missing: at least one immediate action");
      return;
    }
    if (!actions.IsMap()) {
      problems_.Add(actions, "actions", "must map immediate, short_term and investigate to lists");
      return;
    }
    problems_.CheckKeys(actions, "actions", kActionKeys);
    std::vector<MessageTemplate>* lists[] = {&pattern_.immediate, &pattern_.short_term,
                                             &pattern_.investigate};
    for (size_t k = 0; k < kActionKeys.size(); ++k) {
      const YAML::Node list = actions[kActionKeys[k]];
      if (!list) continue;
      std::string key = absl::StrCat("actions.", kActionKeys[k]);
      if (!list.IsSequence()) {
        problems_.Add(list, key, "must be a list of texts");
        continue;
      }
      for (size_t i = 0; i < list.size(); ++i) {
        lists[k]->push_back(ParseTemplate(list[i], absl::StrCat(key, "[", i, "]"), true));
      }
    }
    if (pattern_.immediate.empty()) {
      problems_.Add(actions, "actions.immediate", "at least one immediate action");
    }
  }

  std::string file_;
  Pattern pattern_;
  std::vector<std::string> evidence_ids_;
  // The evaluation position of each evidence item, by its position in the file.
  std::vector<int> order_;
  internal::YamlProblems problems_;
};

}  // namespace

int64_t Pattern::settle_ns() const {
  int64_t settle = 0;
  for (const Evidence& e : evidence) settle = std::max(settle, e.after_ns);
  return settle;
}

int64_t Pattern::conclude_ns() const {
  int64_t conclude = 0;
  for (const Evidence& e : evidence) {
    if (e.role == Evidence::Role::kRequired) conclude = std::max(conclude, e.after_ns);
  }
  return conclude;
}

absl::StatusOr<Pattern> ParsePattern(absl::string_view text, const std::string& file) {
  return PatternCompiler(file).Compile(text);
}

namespace {

absl::StatusOr<std::string> ReadPatternFile(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return absl::NotFoundError(absl::StrCat(path, ": no such pattern file"));
  }
  absl::StatusOr<std::string> text = domain::ReadWholeFile(path, kMaxPatternFileBytes);
  if (absl::IsResourceExhausted(text.status())) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": larger than ", kMaxPatternFileBytes, " bytes; not read"));
  }
  return text;
}

}  // namespace

absl::StatusOr<Pattern> LoadPatternFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadPatternFile(path);
  if (!text.ok()) return text.status();
  return ParsePattern(*text, path);
}

absl::StatusOr<std::vector<Pattern>> CompilePatterns(absl::Span<const PatternSource> sources) {
  std::vector<Pattern> patterns;
  std::vector<std::string> problems;
  for (const PatternSource& source : sources) {
    absl::StatusOr<Pattern> p = ParsePattern(source.text, std::string(source.file));
    if (!p.ok()) {
      problems.emplace_back(p.status().message());
      continue;
    }
    for (const Pattern& other : patterns) {
      if (other.name == p->name) {
        problems.push_back(absl::StrCat(source.file, ":1: pattern: the name ", Quoted(p->name),
                                        " is already used by ", other.file));
      }
    }
    patterns.push_back(*std::move(p));
  }
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "\n"));
  return patterns;
}

absl::StatusOr<std::vector<Pattern>> LoadPatternDirectory(const std::string& dir) {
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error)) {
    return absl::NotFoundError(absl::StrCat(dir, ": not a directory of patterns"));
  }
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> texts;
  for (const std::string& file : files) {
    absl::StatusOr<std::string> text = ReadPatternFile(file);
    if (!text.ok()) return text.status();
    texts.push_back(*std::move(text));
  }
  std::vector<PatternSource> sources;
  for (size_t i = 0; i < files.size(); ++i) sources.push_back({files[i], texts[i]});
  return CompilePatterns(sources);
}

}  // namespace tapio::intelligence
