#include "cli/eval_command.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/json_text.h"
#include "cli/pattern_library.h"
#include "cli/scenario_evaluation.h"

namespace tapio::cli {
namespace {

using collectors::scenario::EntityName;

std::string EntityJson(const EntityName& e) {
  return absl::StrCat(
      "{\"kind\":", JsonString(e.kind), ",\"namespace\":", JsonString(e.namespace_name),
      ",\"name\":", JsonString(e.name), ",\"category\":", JsonString(e.category), "}");
}

std::string EntityText(const EntityName& e) {
  return absl::StrCat(e.category, " ", e.kind, "/",
                      e.namespace_name.empty() ? "" : absl::StrCat(e.namespace_name, "/"), e.name);
}

void PrintJson(const Evaluation& evaluation) {
  std::vector<std::string> results;
  for (const ScenarioResult& r : evaluation.results) {
    std::vector<std::string> got;
    for (const CauseView& c : r.got) {
      std::string entity = EntityJson(c.entity);
      entity.pop_back();
      got.push_back(absl::StrFormat("%s,\"score\":%.3f,\"pattern\":%s}", entity, c.score,
                                    JsonString(c.pattern)));
    }
    results.push_back(absl::StrCat(
        "{\"name\":", JsonString(r.name), ",\"rank\":", r.rank,
        ",\"near_miss\":", r.expected.near_miss ? "true" : "false",
        ",\"near_miss_false_positive\":", r.near_miss_false_positive ? "true" : "false",
        ",\"expected\":", EntityJson(r.expected.root_cause), ",\"got\":[", absl::StrJoin(got, ","),
        "]",
        r.detection_ns.has_value()
            ? absl::StrFormat(",\"detection_ms\":%.3f", *r.detection_ns / 1e6)
            : "",
        r.error.empty() ? "" : absl::StrCat(",\"error\":", JsonString(r.error)), "}"));
  }
  std::printf(
      "{\"scenarios\":%zu,\"top1\":%.4f,\"top3\":%.4f,\"near_miss_false_positives\":%d,"
      "\"median_detection_ms\":%s,\"results\":[%s]}\n",
      evaluation.results.size(), evaluation.top1, evaluation.top3,
      evaluation.near_miss_false_positives,
      evaluation.median_detection_ms.has_value()
          ? absl::StrFormat("%.3f", *evaluation.median_detection_ms).c_str()
          : "null",
      absl::StrJoin(results, ",").c_str());
}

void PrintText(const Evaluation& evaluation) {
  for (const ScenarioResult& r : evaluation.results) {
    std::string verdict = r.rank == 1  ? "ok  "
                          : r.rank > 0 ? absl::StrCat("#", r.rank, "  ")
                                       : "MISS";
    std::printf("%s %-32s expected %s\n", verdict.c_str(), r.name.c_str(),
                EntityText(r.expected.root_cause).c_str());
    if (!r.error.empty()) std::printf("     error: %s\n", r.error.c_str());
    if (r.rank != 1) {
      for (size_t i = 0; i < r.got.size() && i < 3; ++i) {
        std::printf("     got #%zu %s (%.2f, %s)\n", i + 1, EntityText(r.got[i].entity).c_str(),
                    r.got[i].score, r.got[i].pattern.c_str());
      }
      if (r.got.empty()) std::printf("     got nothing\n");
    }
    if (r.near_miss_false_positive) std::printf("     near-miss false positive\n");
  }
  std::printf("\nscenarios %zu  top-1 %.3f  top-3 %.3f  near-miss false positives %d",
              evaluation.results.size(), evaluation.top1, evaluation.top3,
              evaluation.near_miss_false_positives);
  if (evaluation.median_detection_ms.has_value()) {
    std::printf("  median detection %.3f ms", *evaluation.median_detection_ms);
  }
  std::printf("\n");
}

}  // namespace

CLI::App* EvalCommand::Register(CLI::App& app) {
  CLI::App* eval = app.add_subcommand(
      "eval", "Replay scenarios and measure root-cause accuracy against their expected.yaml");
  eval->add_option("DIR", paths_, "Scenario directories, or directories holding them")->required();
  eval->add_option("--output", output_, "text or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  eval->add_option("--patterns", patterns_,
                   "A directory of pattern files to use instead of the built-in library");
  return eval;
}

int EvalCommand::Run() {
  absl::StatusOr<std::vector<intelligence::Pattern>> patterns = LoadPatternLibrary(patterns_);
  if (!patterns.ok()) {
    std::fprintf(stderr, "tapio eval: %s\n", std::string(patterns.status().message()).c_str());
    return 2;
  }
  absl::StatusOr<Evaluation> evaluation = EvaluateScenarios(paths_, *patterns);
  if (!evaluation.ok()) {
    std::fprintf(stderr, "tapio eval: %s\n", std::string(evaluation.status().message()).c_str());
    return 2;
  }
  if (output_ == "json") {
    PrintJson(*evaluation);
  } else {
    PrintText(*evaluation);
  }
  return 0;
}

}  // namespace tapio::cli
