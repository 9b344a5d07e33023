// docs/patterns.md's worked example is what runs: its YAML is the library's file, and that
// pattern alone finds the example scenario's cause.
#include <fstream>
#include <sstream>
#include <string>

#include "cli/scenario_evaluation.h"
#include "gtest/gtest.h"
#include "intelligence/patterns/pattern_loader.h"

namespace tapio {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string ExampleBlock() {
  std::string doc = Read("docs/patterns.md");
  size_t marker = doc.find("<!-- worked-example:pattern -->");
  if (marker == std::string::npos) return "";
  size_t open = doc.find("```yaml\n", marker);
  if (open == std::string::npos) return "";
  open += 8;
  size_t close = doc.find("```", open);
  return close == std::string::npos ? "" : doc.substr(open, close - open);
}

TEST(WorkedExampleTest, TheDocumentedPatternIsTheLibrarysFile) {
  std::string block = ExampleBlock();
  ASSERT_FALSE(block.empty()) << "docs/patterns.md lost its worked example";
  EXPECT_EQ(block, Read("patterns/quota-exceeded.yaml"));
}

TEST(WorkedExampleTest, TheDocumentedPatternAloneFindsTheExampleScenariosCause) {
  absl::StatusOr<intelligence::Pattern> pattern =
      intelligence::ParsePattern(ExampleBlock(), "docs/patterns.md");
  ASSERT_TRUE(pattern.ok()) << pattern.status();
  absl::StatusOr<cli::Evaluation> with =
      cli::EvaluateScenarios({"tests/fixtures/worked-example"}, {*pattern});
  ASSERT_TRUE(with.ok()) << with.status();
  ASSERT_EQ(with->results.size(), 1u);
  EXPECT_EQ(with->results[0].error, "");
  EXPECT_EQ(with->results[0].rank, 1);
  ASSERT_FALSE(with->results[0].got.empty());
  EXPECT_EQ(with->results[0].got[0].pattern, "quota-exceeded");

  absl::StatusOr<cli::Evaluation> without =
      cli::EvaluateScenarios({"tests/fixtures/worked-example"}, {});
  ASSERT_TRUE(without.ok());
  EXPECT_EQ(without->results[0].rank, 0) << "nothing but the pattern can find the cause";
}

}  // namespace
}  // namespace tapio
