// Replays scenarios (../shared/SCENARIOS.md) through the offline analysis, asks each one's
// symptom, and compares the ranked causes with its expected.yaml: the numbers `tapio eval`
// prints. Not thread-safe.
#ifndef TAPIO_CLI_SCENARIO_EVALUATION_H_
#define TAPIO_CLI_SCENARIO_EVALUATION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "collectors/scenario/expected_outcome.h"
#include "intelligence/patterns/pattern.h"

namespace tapio::cli {

struct CauseView {
  collectors::scenario::EntityName entity;
  double score = 0;
  std::string pattern;
};

struct ScenarioResult {
  // The scenario's directory as found under the path given.
  std::string name;
  collectors::scenario::ExpectedOutcome expected;
  // 1-based rank of the true cause among `got`; 0 when absent.
  int rank = 0;
  // Every ranked cause, best first.
  std::vector<CauseView> got;
  // The patterns whose matches named the true cause.
  std::vector<std::string> true_cause_patterns;
  // Wall time from the trigger of the true cause's match reaching the engine to the match.
  std::optional<int64_t> detection_ns;
  // A near miss whose best-ranked cause has another category than the truth.
  bool near_miss_false_positive = false;
  // Why the scenario could not be evaluated (an unreadable expected.yaml, an unknown
  // symptom); such a scenario counts as missed.
  std::string error;
};

struct Evaluation {
  std::vector<ScenarioResult> results;
  double top1 = 0;
  double top3 = 0;
  int near_miss_false_positives = 0;
  // Over the scenarios whose true cause was found; nullopt when none was.
  std::optional<double> median_detection_ms;
};

// Finds the scenarios under each path (a directory holding expected.yaml, or any directories
// below it that do), in name order, and evaluates each with `patterns`. Fails with NotFound
// when a path does not exist or holds no scenario.
absl::StatusOr<Evaluation> EvaluateScenarios(const std::vector<std::string>& paths,
                                             const std::vector<intelligence::Pattern>& patterns);

}  // namespace tapio::cli

#endif  // TAPIO_CLI_SCENARIO_EVALUATION_H_
