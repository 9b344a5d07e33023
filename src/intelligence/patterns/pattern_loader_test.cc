#include "intelligence/patterns/pattern_loader.h"

#include <set>
#include <string>

#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "intelligence/patterns/builtin_patterns.h"
#include "intelligence/patterns/category.h"

namespace tapio::intelligence {
namespace {

using ::testing::HasSubstr;

constexpr char kGood[] = R"(pattern: node-oom
description: the node ran out of memory
category: node-memory-pressure
layer: node
severity: critical
confidence: 0.8
trigger:
  type: k8s.pod_evicted
  message: {contains: "low on resource: memory"}
evidence:
  - id: pressure
    on: trigger.node
    match: {type: k8s.node_condition, field: condition/MemoryPressure, to: "True"}
    before: 10m
    role: supporting
    weight: 0.1
  - id: others
    on: pressure.pods
    match: {type: k8s.pod_evicted}
    after: 5m
    role: supporting
    weight: 0.05
at_fault: trigger.node
root_cause: "{at_fault} ran out of memory; {others.count} other pods evicted"
actions:
  immediate: ["cordon {at_fault}"]
)";

std::string Error(absl::string_view text) {
  absl::StatusOr<Pattern> p = ParsePattern(text, "patterns/x.yaml");
  EXPECT_FALSE(p.ok());
  return p.ok() ? "" : std::string(p.status().message());
}

std::string With(absl::string_view from, absl::string_view to) {
  std::string text = absl::StrReplaceAll(kGood, {{from, to}});
  EXPECT_NE(text, kGood) << "the test's replacement did not apply: " << from;
  return text;
}

TEST(PatternLoaderTest, CompilesAPatternWithEvidenceChainedThroughAnother) {
  absl::StatusOr<Pattern> p = ParsePattern(kGood, "patterns/x.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->name, "node-oom");
  EXPECT_EQ(p->severity, domain::Severity::kCritical);
  ASSERT_EQ(p->evidence.size(), 2u);
  EXPECT_EQ(p->evidence[0].before_ns, 600'000'000'000);
  EXPECT_EQ(p->evidence[1].on.origin, 0);
  EXPECT_EQ(p->evidence[1].on.steps, std::vector<RelationStep>{RelationStep::kPods});
  EXPECT_EQ(p->settle_ns(), 300'000'000'000);
  EXPECT_EQ(p->at_fault.steps, std::vector<RelationStep>{RelationStep::kNode});
}

TEST(PatternLoaderTest, UnknownFieldNamesFileLineAndSuggestion) {
  EXPECT_EQ(Error(With("severity: critical", "severty: critical")),
            "patterns/x.yaml:5: severty: unknown field (did you mean \"severity\"?)\n"
            "patterns/x.yaml:1: severity: missing");
}

TEST(PatternLoaderTest, UnknownEventFieldInAMatch) {
  EXPECT_THAT(Error(With("message: {contains", "mesage: {contains")),
              HasSubstr("patterns/x.yaml:9: trigger.mesage: unknown event field (did you mean "
                        "\"message\"?)"));
}

TEST(PatternLoaderTest, WrongRelationIsNamedWithTheChoices) {
  EXPECT_THAT(Error(With("on: trigger.node", "on: trigger.nodes")),
              HasSubstr("patterns/x.yaml:12: evidence[0].on: unknown relation \"nodes\" (did you "
                        "mean \"node\"?); one of owner,"));
}

TEST(PatternLoaderTest, BadTemplatesAreRejected) {
  EXPECT_THAT(Error(With("{others.count}", "{others.cont}")),
              HasSubstr("patterns/x.yaml:24: root_cause: bad template: {others.cont}: unknown "
                        "event field \"cont\" (did you mean \"count\"?)"));
  EXPECT_THAT(Error(With("{others.count}", "{nobody.count}")),
              HasSubstr("unknown name \"nobody\""));
  EXPECT_THAT(Error(With("{others.count}", "{others.count")), HasSubstr("unclosed '{'"));
  EXPECT_THAT(Error(With("cordon {at_fault}", "cordon {at_fault|mib}")),
              HasSubstr("actions.immediate[0]: bad template: {at_fault|mib}: unknown filter"));
}

TEST(PatternLoaderTest, CyclicReferencesAreRejected) {
  EXPECT_THAT(Error(With("on: trigger.node", "on: others.node")),
              HasSubstr("cyclic reference through evidence"));
  EXPECT_THAT(Error(With("on: pressure.pods", "on: others.pods")),
              HasSubstr("patterns/x.yaml:18: evidence[1].on: cyclic reference: evidence "
                        "\"others\" starts from itself"));
}

TEST(PatternLoaderTest, CategoryOutsideTheVocabularyIsRejected) {
  EXPECT_EQ(Error(With("category: node-memory-pressure", "category: node-memory")),
            "patterns/x.yaml:3: category: unknown category \"node-memory\"");
  EXPECT_THAT(Error(With("category: node-memory-pressure", "category: memory-limits")),
              HasSubstr("(did you mean \"memory-limit\"?)"));
}

TEST(PatternLoaderTest, EvidenceWithoutAMatchIsAboutEntitiesAndTakesNoWindow) {
  absl::StatusOr<Pattern> p = ParsePattern(
      With("    match: {type: k8s.node_condition, field: condition/MemoryPressure, to: \"True\"}\n"
           "    before: 10m\n",
           ""),
      "patterns/x.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_FALSE(p->evidence[0].has_match);
  EXPECT_TRUE(p->evidence[1].has_match);
  EXPECT_THAT(
      Error(With("    match: {type: k8s.node_condition, field: condition/MemoryPressure, to: "
                 "\"True\"}\n",
                 "")),
      HasSubstr("patterns/x.yaml:13: evidence[0].before: evidence without a match is about "
                "entities and takes no window"));
}

TEST(PatternLoaderTest, ValuesOfTheWrongKindAreRejected) {
  EXPECT_THAT(Error(With("confidence: 0.8", "confidence: high")),
              HasSubstr("patterns/x.yaml:6: confidence: must be a number in (0, 1]"));
  EXPECT_THAT(Error(With("before: 10m", "before: ten minutes")),
              HasSubstr("evidence[0].before: must be a duration"));
  EXPECT_THAT(Error(With("{contains: \"low on resource: memory\"}", "{matches: \"([a\"}")),
              HasSubstr("trigger.message.matches: bad regular expression"));
  EXPECT_THAT(Error(With("type: k8s.pod_evicted", "type: []")),
              HasSubstr("trigger.type: must be a text or a list of texts"));
  EXPECT_THAT(Error(With("role: supporting\n    weight: 0.1", "role: decisive")),
              HasSubstr("evidence[0].role: one of required, supporting, contradicting"));
  EXPECT_THAT(Error(With("role: supporting\n    weight: 0.1", "role: required\n    weight: 0.1")),
              HasSubstr("evidence[0].weight: only supporting and contradicting evidence have a "
                        "weight"));
}

TEST(PatternLoaderTest, EveryProblemStaysOnItsOwnLineWhateverTheFileHolds) {
  std::string error = Error(With("severity: critical", "\"sev\\nerity\x01\": critical"));
  EXPECT_THAT(error, HasSubstr("patterns/x.yaml:5: sev\\nerity\\x01: unknown field"));
  for (const std::string& line : std::vector<std::string>(absl::StrSplit(error, '\n'))) {
    EXPECT_THAT(line, ::testing::StartsWith("patterns/x.yaml:"));
  }
}

TEST(PatternLoaderTest, SyntaxErrorsAndNonMappingsAreRejected) {
  EXPECT_THAT(Error("pattern: [unclosed"), HasSubstr("patterns/x.yaml:"));
  EXPECT_EQ(Error("- a list"), "patterns/x.yaml:1: a pattern file holds one mapping (pattern: …)");
  EXPECT_THAT(Error(""), HasSubstr("a pattern file holds one mapping"));
}

TEST(PatternLoaderTest, TheBuiltInLibraryCompilesWithUniqueNamesAndKnownCategories) {
  absl::StatusOr<std::vector<Pattern>> library = LoadBuiltinPatterns();
  ASSERT_TRUE(library.ok()) << library.status();
  EXPECT_GE(library->size(), 25u);
  std::set<std::string> names;
  for (const Pattern& p : *library) {
    EXPECT_TRUE(names.insert(p.name).second) << p.name << " twice";
    EXPECT_TRUE(IsCategory(p.category)) << p.file;
    EXPECT_FALSE(p.immediate.empty()) << p.file;
  }
}

TEST(PatternLoaderTest, TwoFilesWithOneNameAreRejected) {
  std::vector<PatternSource> sources = {{"patterns/a.yaml", kGood}, {"patterns/b.yaml", kGood}};
  absl::StatusOr<std::vector<Pattern>> p = CompilePatterns(sources);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(),
            "patterns/b.yaml:1: pattern: the name \"node-oom\" is already used by patterns/a.yaml");
}

}  // namespace
}  // namespace tapio::intelligence
