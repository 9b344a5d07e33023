#include "cli/demo_command.h"

#include <cstdio>
#include <filesystem>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "cli/offline_analysis.h"
#include "cli/pattern_library.h"
#include "cli/report_text.h"
#include "cli/why_report.h"
#include "collectors/scenario/expected_outcome.h"
#include "intelligence/report/report_builder.h"

namespace tapio::cli {
namespace {

std::string Asked(const collectors::scenario::EntityName& e) {
  return absl::StrCat(absl::AsciiStrToLower(e.kind), "/",
                      e.namespace_name.empty() ? "" : e.namespace_name + "/", e.name);
}

}  // namespace

CLI::App* DemoCommand::Register(CLI::App& app) {
  incident_ = TAPIO_DEMO_INCIDENT;
  CLI::App* demo =
      app.add_subcommand("demo", "Replay the bundled incident and answer why its pods failed");
  demo->add_option("--incident", incident_, "A scenario directory to replay instead")
      ->capture_default_str();
  return demo;
}

int DemoCommand::Run() {
  absl::StatusOr<std::vector<intelligence::Pattern>> patterns = LoadPatternLibrary("");
  if (!patterns.ok()) {
    std::fprintf(stderr, "tapio demo: %s\n", std::string(patterns.status().message()).c_str());
    return 2;
  }
  size_t pattern_count = patterns->size();
  absl::StatusOr<std::unique_ptr<OfflineAnalysis>> analysis =
      AnalyzeOffline({incident_}, "", *std::move(patterns));
  if (!analysis.ok()) {
    std::fprintf(stderr, "tapio demo: %s\n", std::string(analysis.status().message()).c_str());
    return 2;
  }
  const OfflineAnalysis& a = **analysis;
  std::printf(
      "Replayed %s: %zu files, %zu records unusable, %zu events through the pipeline, %zu "
      "patterns\n",
      incident_.c_str(), a.report.read.size(), a.report.problems.size(), a.events.size(),
      pattern_count);
  for (const auto& p : a.report.problems) {
    std::printf("  unusable %s: %s\n", p.place.c_str(), p.problem.c_str());
  }
  std::printf("\n%s",
              IncidentsText(intelligence::BuildIncidents(a.view()), /*explain=*/false).c_str());
  absl::StatusOr<collectors::scenario::ExpectedOutcome> expected =
      collectors::scenario::ReadExpectedOutcome(
          (std::filesystem::path(incident_) / "expected.yaml").string());
  if (!expected.ok()) {
    std::fprintf(stderr, "tapio demo: %s\n", std::string(expected.status().message()).c_str());
    return 2;
  }
  std::vector<std::string> asked = {Asked(expected->symptom)};
  for (const auto& entry : expected->chain) {
    if (entry.kind == "Pod" && asked.size() < 2 && Asked(entry) != asked.front()) {
      asked.push_back(Asked(entry));
    }
  }
  for (const std::string& entity : asked) {
    absl::StatusOr<std::string> report = WhyReport(a.view(), {entity, expected->at_ns.value_or(0)});
    if (!report.ok()) {
      std::fprintf(stderr, "tapio demo: %s\n", std::string(report.status().message()).c_str());
      return 2;
    }
    std::printf("\n$ tapio analyze %s --why %s\n%s", incident_.c_str(), entity.c_str(),
                report->c_str());
  }
  return 0;
}

}  // namespace tapio::cli
