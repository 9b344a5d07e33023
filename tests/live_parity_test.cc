// Every scenario through both doors: the offline analysis `tapio eval` runs, and the server's
// live analysis fed what `tapio replay` would send, decoded and passed through the analysis
// pipeline as a stream's batches are. A server must answer as the evaluation
// measured, so for each scenario the ranked causes of its symptom and the incidents' causes
// must be the same.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "cli/offline_analysis.h"
#include "cli/why_report.h"
#include "collectors/scenario/expected_outcome.h"
#include "collectors/scenario/scenario_events.h"
#include "domain/clock.h"
#include "domain/event_proto.h"
#include "gtest/gtest.h"
#include "intelligence/patterns/builtin_patterns.h"
#include "intelligence/report/report_builder.h"
#include "pipeline/pipeline_builder.h"
#include "server/analysis_pipeline.h"
#include "server/live_analysis.h"

namespace tapio {
namespace {

// Batches as an agent's shipper cuts them.
constexpr size_t kBatch = 1000;

// "category Kind/name" per cause, best first.
std::vector<std::string> Causes(const v1::WhyReport& report) {
  std::vector<std::string> causes;
  for (const v1::Cause& c : report.causes()) {
    causes.push_back(absl::StrCat(c.category(), " ", c.entity().kind(), "/", c.entity().name()));
  }
  return causes;
}

std::vector<std::string> IncidentCauses(const std::vector<v1::Incident>& incidents) {
  std::vector<std::string> causes;
  for (const v1::Incident& i : incidents) {
    causes.push_back(absl::StrCat(i.cause().category(), " ", i.cause().entity().name(), " from ",
                                  i.symptom().name(), " ", i.matches()));
  }
  return causes;
}

TEST(LiveParityTest, TheServerAnswersEveryScenarioAsTheOfflineAnalysisDoes) {
  absl::StatusOr<std::vector<intelligence::Pattern>> patterns = intelligence::LoadBuiltinPatterns();
  ASSERT_TRUE(patterns.ok()) << patterns.status();
  int compared = 0;
  for (const auto& entry : std::filesystem::directory_iterator("scenarios")) {
    const std::string dir = entry.path().string();
    auto expected = collectors::scenario::ReadExpectedOutcome(dir + "/expected.yaml");
    if (!expected.ok()) continue;
    SCOPED_TRACE(dir);
    auto offline = cli::AnalyzeOffline({dir}, "", *patterns);
    ASSERT_TRUE(offline.ok()) << offline.status();
    auto sent = collectors::scenario::ReadScenarioEvents(dir, "");
    ASSERT_TRUE(sent.ok()) << sent.status();
    server::LiveAnalysis live(*patterns, {}, domain::Clock::Real());
    auto pipe = server::AnalysisPipeline::Start(
        pipeline::PipelineBuilder().set_overflow(pipeline::Overflow::kBlock), live);
    ASSERT_TRUE(pipe.ok()) << pipe.status();
    absl::Span<const v1::UnifiedEvent> all(sent->events);
    uint64_t newest = 0;
    for (size_t at = 0; at < all.size(); at += kBatch) {
      absl::Span<const v1::UnifiedEvent> batch = all.subspan(at, kBatch);
      std::vector<domain::Event> decoded;
      for (const v1::UnifiedEvent& e : batch) {
        auto event = domain::FromProto(e, (*pipe)->registry());
        ASSERT_TRUE(event.ok()) << event.status();
        decoded.push_back(*event);
        newest = std::max(newest, e.time_unix_nano());
      }
      (*pipe)->Submit(batch, absl::MakeSpan(decoded));
    }
    (*pipe)->Conclude(server::ReplayEnd(~uint64_t{0}, newest, newest, "replay/parity"));

    const auto& s = expected->symptom;
    std::string asked =
        absl::StrCat(absl::AsciiStrToLower(s.kind), "/",
                     s.namespace_name.empty() ? "" : s.namespace_name + "/", s.name);
    auto want = cli::AnswerWhy((*offline)->view(), {asked, expected->at_ns.value_or(0)});
    ASSERT_TRUE(want.ok()) << want.status();
    auto got = live.Why(asked, expected->at_ns.value_or((*offline)->last_time_ns), 3);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(Causes(*got), Causes(*want));
    EXPECT_EQ(IncidentCauses(live.Incidents(false)),
              IncidentCauses(intelligence::BuildIncidents((*offline)->view())));
    ++compared;
  }
  EXPECT_GE(compared, 40);
}

}  // namespace
}  // namespace tapio
