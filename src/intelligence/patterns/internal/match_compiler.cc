#include "intelligence/patterns/internal/match_compiler.h"

#include <algorithm>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "config/suggestion.h"
#include "intelligence/patterns/event_field.h"

namespace tapio::intelligence::internal {
namespace {

const std::vector<std::string> kOperators = {"contains", "matches", "at_least",
                                             "at_most",  "exists",  "not"};

std::optional<FieldCondition> ParseCondition(const EventField& field, const YAML::Node& node,
                                             const std::string& key, YamlProblems& problems) {
  FieldCondition c;
  c.field = field;
  if (node.IsMap()) {
    if (node.size() != 1 || !node.begin()->first.IsScalar()) {
      problems.Add(
          node, key,
          absl::StrCat("an operator mapping holds one of ", absl::StrJoin(kOperators, ", ")));
      return std::nullopt;
    }
    std::string op = node.begin()->first.Scalar();
    YAML::Node value = node.begin()->second;
    std::string path = absl::StrCat(key, ".", op);
    if (op == "not") {
      std::optional<FieldCondition> inner = ParseCondition(field, value, path, problems);
      if (inner.has_value()) inner->negate = !inner->negate;
      return inner;
    }
    if (op == "contains") {
      c.op = FieldCondition::Op::kContains;
      for (std::string& t : problems.Texts(value, path))
        c.texts.push_back(absl::AsciiStrToLower(t));
      if (c.texts.empty()) return std::nullopt;
      return c;
    }
    if (op == "matches") {
      c.op = FieldCondition::Op::kMatches;
      if (!value.IsScalar()) {
        problems.Add(value, path, "must be a regular expression");
        return std::nullopt;
      }
      RE2::Options options;
      options.set_log_errors(false);
      auto regex = std::make_shared<const RE2>(value.Scalar(), options);
      if (!regex->ok()) {
        problems.Add(value, path, absl::StrCat("bad regular expression: ", regex->error()));
        return std::nullopt;
      }
      c.regex = std::move(regex);
      return c;
    }
    if (op == "at_least" || op == "at_most") {
      c.op = op == "at_least" ? FieldCondition::Op::kAtLeast : FieldCondition::Op::kAtMost;
      int64_t n = 0;
      if (!IsNumericField(field.id) || !value.IsScalar() || !absl::SimpleAtoi(value.Scalar(), &n)) {
        problems.Add(value, path, "needs a numeric field and an integer");
        return std::nullopt;
      }
      c.numbers.push_back(n);
      return c;
    }
    if (op == "exists") {
      c.op = FieldCondition::Op::kExists;
      if (!value.IsScalar() || (value.Scalar() != "true" && value.Scalar() != "false")) {
        problems.Add(value, path, "must be true or false");
        return std::nullopt;
      }
      c.negate = value.Scalar() == "false";
      return c;
    }
    problems.Add(
        node.begin()->first, path,
        absl::StrCat("unknown operator", config::DidYouMean(config::Closest(op, kOperators)),
                     "; one of ", absl::StrJoin(kOperators, ", ")));
    return std::nullopt;
  }
  std::vector<std::string> texts = problems.Texts(node, key);
  if (texts.empty()) return std::nullopt;
  c.op = FieldCondition::Op::kEquals;
  if (IsNumericField(field.id)) {
    for (const std::string& t : texts) {
      int64_t n = 0;
      if (!absl::SimpleAtoi(t, &n)) {
        problems.Add(node, key, absl::StrCat(Quoted(t), " is not an integer"));
        return std::nullopt;
      }
      c.numbers.push_back(n);
    }
  }
  c.texts = std::move(texts);
  return c;
}

}  // namespace

std::optional<EventMatcher> CompileMatch(const YAML::Node& node, const std::string& key,
                                         YamlProblems& problems) {
  if (!node || !node.IsMap()) {
    problems.Add(node ? node : YAML::Node(), key, "must be a mapping with at least a type");
    return std::nullopt;
  }
  EventMatcher matcher;
  bool ok = true;
  for (const auto& entry : node) {
    if (!entry.first.IsScalar()) {
      problems.Add(entry.first, key, "a key must be a plain name");
      ok = false;
      continue;
    }
    const std::string& name = entry.first.Scalar();
    std::string path = absl::StrCat(key, ".", name);
    if (name == "type") {
      std::vector<std::string> types = problems.Texts(entry.second, path);
      if (types.empty()) ok = false;
      for (const std::string& t : types) matcher.types.push_back(domain::Intern(t));
      continue;
    }
    std::optional<EventField> field = ParseEventField(name);
    if (!field.has_value()) {
      problems.Add(entry.first, path,
                   absl::StrCat("unknown event field",
                                config::DidYouMean(config::Closest(name, EventFieldNames()))));
      ok = false;
      continue;
    }
    // A list of operator mappings: all of them must hold.
    bool all_of = entry.second.IsSequence() && entry.second.size() > 0 &&
                  std::all_of(entry.second.begin(), entry.second.end(),
                              [](const YAML::Node& item) { return item.IsMap(); });
    std::vector<YAML::Node> specs;
    if (all_of) {
      for (const YAML::Node& item : entry.second) specs.push_back(item);
    } else {
      specs.push_back(entry.second);
    }
    for (size_t k = 0; k < specs.size(); ++k) {
      std::optional<FieldCondition> condition = ParseCondition(
          *field, specs[k], all_of ? absl::StrCat(path, "[", k, "]") : path, problems);
      if (!condition.has_value()) {
        ok = false;
        continue;
      }
      matcher.conditions.push_back(std::move(*condition));
    }
  }
  if (ok && matcher.types.empty()) {
    problems.Add(node, key, "needs a type (such as k8s.event or kernel.oom_kill)");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return matcher;
}

}  // namespace tapio::intelligence::internal
