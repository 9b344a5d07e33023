// The whole scenario set through the built-in library, as `tapio eval scenarios/` runs it:
// every scenario's true cause is found, no near miss is taken for the pattern it resembles,
// every pattern proves itself on at least one scenario, and no scenario's cause shows as two
// incidents.
#include <filesystem>
#include <set>
#include <string>

#include "cli/offline_analysis.h"
#include "cli/scenario_evaluation.h"
#include "gtest/gtest.h"
#include "intelligence/patterns/builtin_patterns.h"
#include "intelligence/report/report_builder.h"

namespace tapio {
namespace {

class ScenarioSetTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::vector<intelligence::Pattern>> library =
        intelligence::LoadBuiltinPatterns();
    ASSERT_TRUE(library.ok()) << library.status();
    patterns_ = new std::vector<intelligence::Pattern>(*std::move(library));
    absl::StatusOr<cli::Evaluation> evaluation = cli::EvaluateScenarios({"scenarios"}, *patterns_);
    ASSERT_TRUE(evaluation.ok()) << evaluation.status();
    evaluation_ = new cli::Evaluation(*std::move(evaluation));
  }
  static void TearDownTestSuite() {
    delete evaluation_;
    delete patterns_;
  }

  static std::vector<intelligence::Pattern>* patterns_;
  static cli::Evaluation* evaluation_;
};

std::vector<intelligence::Pattern>* ScenarioSetTest::patterns_ = nullptr;
cli::Evaluation* ScenarioSetTest::evaluation_ = nullptr;

TEST_F(ScenarioSetTest, EveryScenarioIsReadAndItsTrueCauseFound) {
  ASSERT_GE(evaluation_->results.size(), 40u);
  for (const cli::ScenarioResult& r : evaluation_->results) {
    EXPECT_EQ(r.error, "") << r.name;
    EXPECT_GE(r.rank, 1) << r.name << ": the true cause (" << r.expected.root_cause.category << " "
                         << r.expected.root_cause.name << ") is not among the causes";
  }
}

TEST_F(ScenarioSetTest, NoNearMissIsTakenForThePatternItResembles) {
  int near_misses = 0;
  for (const cli::ScenarioResult& r : evaluation_->results) {
    if (!r.expected.near_miss) continue;
    ++near_misses;
    EXPECT_FALSE(r.near_miss_false_positive)
        << r.name << ": ranked " << (r.got.empty() ? "" : r.got[0].entity.category) << " first";
  }
  EXPECT_GE(near_misses, 10);
  EXPECT_EQ(evaluation_->near_miss_false_positives, 0);
}

TEST_F(ScenarioSetTest, AccuracyMeetsTheProductTargets) {
  EXPECT_GE(evaluation_->top1, 0.90);
  EXPECT_GE(evaluation_->top3, 0.98);
}

TEST_F(ScenarioSetTest, EveryPatternFindsTheTrueCauseOfSomeScenario) {
  std::set<std::string> proven;
  for (const cli::ScenarioResult& r : evaluation_->results) {
    proven.insert(r.true_cause_patterns.begin(), r.true_cause_patterns.end());
  }
  for (const intelligence::Pattern& p : *patterns_) {
    EXPECT_TRUE(proven.count(p.name)) << p.name << " (" << p.file << ") has no scenario it proves";
  }
}

// Each scenario is one incident with its distractors: the patterns that see one cause from
// several places (a node's pressure through each pod it evicts, a control-plane failure
// through each object it fails to write) must land in one incident, not one per place.
TEST_F(ScenarioSetTest, NoCauseShowsAsTwoIncidents) {
  int scenarios = 0;
  for (const auto& entry : std::filesystem::directory_iterator("scenarios")) {
    if (!std::filesystem::exists(entry.path() / "expected.yaml")) continue;
    ++scenarios;
    absl::StatusOr<std::unique_ptr<cli::OfflineAnalysis>> analysis =
        cli::AnalyzeOffline({entry.path().string()}, "", *patterns_);
    ASSERT_TRUE(analysis.ok()) << analysis.status();
    std::set<std::string> categories;
    for (const v1::Incident& incident : intelligence::BuildIncidents((*analysis)->view())) {
      EXPECT_TRUE(categories.insert(incident.cause().category()).second)
          << entry.path().filename() << ": two incidents for " << incident.cause().category();
    }
  }
  EXPECT_GE(scenarios, 40);
}

}  // namespace
}  // namespace tapio
