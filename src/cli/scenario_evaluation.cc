#include "cli/scenario_evaluation.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "cli/offline_analysis.h"
#include "domain/kube_object.h"
#include "intelligence/rca/root_cause_ranker.h"
#include "intelligence/report/asked_entity.h"

namespace tapio::cli {
namespace {

namespace fs = std::filesystem;
using collectors::scenario::EntityName;
using domain::EntityId;

std::vector<std::string> FindScenarios(const std::string& path) {
  std::vector<std::string> found;
  std::error_code error;
  if (fs::exists(fs::path(path) / "expected.yaml", error)) return {path};
  for (fs::recursive_directory_iterator
           it(path, fs::directory_options::skip_permission_denied, error),
       end;
       !error && it != end; it.increment(error)) {
    if (it->is_regular_file(error) && it->path().filename() == "expected.yaml") {
      found.push_back(it->path().parent_path().string());
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

EntityName NameOf(const domain::EntityRegistry& registry, EntityId id) {
  domain::EntityRef ref = registry.Get(id);
  return {std::string(domain::Resolve(ref.kind)), std::string(domain::Resolve(ref.namespace_name)),
          std::string(domain::Resolve(ref.name)), ""};
}

std::optional<EntityId> Lookup(const OfflineAnalysis& a, const EntityName& e) {
  return intelligence::FindEntity(a.view(), e.kind, e.namespace_name, e.name);
}

bool SameName(const EntityName& a, const EntityName& b) {
  return a.kind == b.kind && a.namespace_name == b.namespace_name && a.name == b.name;
}

// Whether `workload` owns `pod`, as of the pod's last moment when it is gone by `at`.
bool Owns(const OfflineAnalysis& a, const EntityName& workload, const EntityName& pod, int64_t at) {
  std::optional<EntityId> pod_id = Lookup(a, pod);
  if (!pod_id.has_value()) return false;
  for (EntityId owner : a.graph->OwnerChain(*pod_id, a.graph->LastSeenBy(*pod_id, at))) {
    if (SameName(NameOf(a.registry, owner), workload)) return true;
  }
  return false;
}

// SCENARIOS.md: a workload and the pods it owns stand for each other.
bool Matches(const OfflineAnalysis& a, const EntityName& expected, const CauseView& got,
             int64_t at) {
  if (expected.category != got.entity.category) return false;
  if (SameName(expected, got.entity)) return true;
  if (got.entity.kind == "Pod") return Owns(a, expected, got.entity, at);
  if (expected.kind == "Pod") return Owns(a, got.entity, expected, at);
  return false;
}

ScenarioResult Evaluate(const std::string& dir,
                        const std::vector<intelligence::Pattern>& patterns) {
  ScenarioResult result;
  result.name = fs::path(dir).filename().string();
  absl::StatusOr<collectors::scenario::ExpectedOutcome> expected =
      collectors::scenario::ReadExpectedOutcome((fs::path(dir) / "expected.yaml").string());
  if (!expected.ok()) {
    result.error = std::string(expected.status().message());
    return result;
  }
  result.expected = *std::move(expected);
  absl::StatusOr<std::unique_ptr<OfflineAnalysis>> analysis = AnalyzeOffline({dir}, "", patterns);
  if (!analysis.ok()) {
    result.error = std::string(analysis.status().message());
    return result;
  }
  const OfflineAnalysis& a = **analysis;
  std::optional<EntityId> symptom = Lookup(a, result.expected.symptom);
  if (!symptom.has_value()) {
    result.error = absl::StrCat("the symptom ", result.expected.symptom.kind, "/",
                                result.expected.symptom.namespace_name, "/",
                                result.expected.symptom.name, " is not in the scenario's records");
    return result;
  }
  int64_t at = result.expected.at_ns.value_or(a.last_time_ns);
  std::vector<intelligence::RankedCause> ranked =
      intelligence::RankCauses(*a.graph, a.matches, {*symptom, at});
  for (const intelligence::RankedCause& cause : ranked) {
    CauseView view{NameOf(a.registry, cause.entity), cause.score,
                   a.matches[cause.matches.front()].pattern};
    view.entity.category = cause.category;
    result.got.push_back(std::move(view));
    if (result.rank == 0 && Matches(a, result.expected.root_cause, result.got.back(), at)) {
      result.rank = static_cast<int>(result.got.size());
      int64_t fastest = INT64_MAX;
      for (size_t i : cause.matches) {
        fastest = std::min(fastest, a.matches[i].detection_ns);
        result.true_cause_patterns.push_back(a.matches[i].pattern);
      }
      result.detection_ns = fastest;
    }
  }
  result.near_miss_false_positive =
      result.expected.near_miss && !result.got.empty() &&
      result.got.front().entity.category != result.expected.root_cause.category;
  return result;
}

}  // namespace

absl::StatusOr<Evaluation> EvaluateScenarios(const std::vector<std::string>& paths,
                                             const std::vector<intelligence::Pattern>& patterns) {
  Evaluation evaluation;
  for (const std::string& path : paths) {
    std::error_code error;
    if (!fs::is_directory(path, error)) {
      return absl::NotFoundError(absl::StrCat(path, ": not a directory of scenarios"));
    }
    std::vector<std::string> dirs = FindScenarios(path);
    if (dirs.empty()) {
      return absl::NotFoundError(absl::StrCat(path, ": holds no scenario (no expected.yaml)"));
    }
    for (const std::string& dir : dirs) evaluation.results.push_back(Evaluate(dir, patterns));
  }
  int top1 = 0;
  int top3 = 0;
  std::vector<int64_t> detections;
  for (const ScenarioResult& r : evaluation.results) {
    top1 += r.rank == 1;
    top3 += r.rank >= 1 && r.rank <= 3;
    evaluation.near_miss_false_positives += r.near_miss_false_positive;
    if (r.detection_ns.has_value()) detections.push_back(*r.detection_ns);
  }
  double n = static_cast<double>(evaluation.results.size());
  evaluation.top1 = top1 / n;
  evaluation.top3 = top3 / n;
  if (!detections.empty()) {
    std::sort(detections.begin(), detections.end());
    size_t mid = detections.size() / 2;
    double median = detections.size() % 2 == 1
                        ? static_cast<double>(detections[mid])
                        : (static_cast<double>(detections[mid - 1]) + detections[mid]) / 2;
    evaluation.median_detection_ms = median / 1e6;
  }
  return evaluation;
}

}  // namespace tapio::cli
