#include "cli/analyze_command.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/json_text.h"
#include "cli/offline_analysis.h"
#include "cli/pattern_library.h"
#include "cli/report_text.h"
#include "cli/why_report.h"
#include "domain/event_proto.h"
#include "domain/time.h"
#include "google/protobuf/util/json_util.h"
#include "intelligence/report/event_summary.h"
#include "intelligence/report/report_builder.h"

namespace tapio::cli {
namespace {

constexpr domain::KubeKind kSummaryKinds[] = {domain::KubeKind::kNode,
                                              domain::KubeKind::kNamespace,
                                              domain::KubeKind::kPod,
                                              domain::KubeKind::kDeployment,
                                              domain::KubeKind::kReplicaSet,
                                              domain::KubeKind::kStatefulSet,
                                              domain::KubeKind::kDaemonSet,
                                              domain::KubeKind::kJob,
                                              domain::KubeKind::kCronJob,
                                              domain::KubeKind::kService,
                                              domain::KubeKind::kPersistentVolumeClaim,
                                              domain::KubeKind::kPersistentVolume,
                                              domain::KubeKind::kStorageClass,
                                              domain::KubeKind::kConfigMap,
                                              domain::KubeKind::kSecret,
                                              domain::KubeKind::kResourceQuota};

// Inputs a dump can hold beyond the Kubernetes objects, and what each would add.
struct MissingInput {
  absl::string_view input;
  absl::string_view hint;
};
constexpr MissingInput kOtherInputs[] = {
    {"kmsg",
     "kernel logs (nodes/<node>/kmsg.log, `dmesg --time-format=iso`) would show OOM kills "
     "outside a container's limit, hung tasks and file system errors"},
    {"journal",
     "node journals (nodes/<node>/journal.jsonl, `journalctl -o json`) would show kubelet and "
     "container runtime failures"},
    {"otlp",
     "application traces (otlp/*.json) would show which callers failed and through which "
     "service"},
};

std::vector<absl::string_view> MissingHints(const OfflineAnalysis& analysis) {
  std::vector<absl::string_view> hints;
  for (const MissingInput& other : kOtherInputs) {
    const auto& inputs = analysis.report.inputs;
    if (std::find(inputs.begin(), inputs.end(), other.input) == inputs.end()) {
      hints.push_back(other.hint);
    }
  }
  return hints;
}

struct Grouped {
  std::vector<domain::EntityId> order;
  std::map<uint32_t, std::vector<const domain::Event*>> by_entity;
};

Grouped GroupByEntity(const std::vector<domain::Event>& events) {
  Grouped grouped;
  for (const domain::Event& event : events) {
    auto& list = grouped.by_entity[event.entity.value];
    if (list.empty()) grouped.order.push_back(event.entity);
    list.push_back(&event);
  }
  return grouped;
}

void PrintText(const OfflineAnalysis& analysis, bool explain) {
  const auto& report = analysis.report;
  std::printf("tapio analyze: %zu file(s) read, %zu skipped, %zu record(s) unusable\n",
              report.read.size(), report.skipped.size(), report.problems.size());
  for (const auto& skipped : report.skipped) {
    std::printf("  skipped %s: %s\n", skipped.place.c_str(), skipped.problem.c_str());
  }
  pipeline::SourceCounts counts = analysis.metrics.Total();
  if (counts.rejected + counts.dropped + counts.abandoned > 0) {
    std::printf("  %llu event(s) rejected as invalid, %llu dropped, %llu abandoned\n",
                static_cast<unsigned long long>(counts.rejected),
                static_cast<unsigned long long>(counts.dropped),
                static_cast<unsigned long long>(counts.abandoned));
  }
  for (const auto& problem : report.problems) {
    std::printf("  unusable %s: %s\n", problem.place.c_str(), problem.problem.c_str());
  }
  int64_t at = analysis.last_time_ns;
  std::vector<std::string> kinds;
  for (domain::KubeKind kind : kSummaryKinds) {
    size_t n = analysis.graph->EntitiesOfKind(kind, at).size();
    if (n > 0) kinds.push_back(absl::StrCat(n, " ", domain::KubeKindName(kind)));
  }
  std::printf("\nTopology as of %s\n  %s\n  %zu edges over time\n",
              at > 0 ? domain::FormatRfc3339Nanos(at).c_str() : "(no time in the records)",
              kinds.empty() ? "no objects" : absl::StrJoin(kinds, ", ").c_str(),
              analysis.graph->edge_count());

  std::vector<absl::string_view> hints = MissingHints(analysis);
  if (!hints.empty()) {
    std::printf("\nNot in this dump, and what it would add:\n");
    for (absl::string_view hint : hints) std::printf("  - %s\n", std::string(hint).c_str());
  }

  std::printf("\n%s",
              IncidentsText(intelligence::BuildIncidents(analysis.view()), explain).c_str());

  const intelligence::PatternEngineCounts& pc = analysis.pattern_counts;
  std::printf(
      "\nPatterns matched (%zu; %llu trigger(s) evaluated, %llu set aside for missing or "
      "contradicting evidence)\n",
      static_cast<size_t>(std::count_if(analysis.matches.begin(), analysis.matches.end(),
                                        [](const auto& m) { return !m.retracted; })),
      static_cast<unsigned long long>(pc.triggers), static_cast<unsigned long long>(pc.rejected));
  for (const intelligence::PatternMatch& m : analysis.matches) {
    if (m.retracted) continue;
    std::printf("  %s  %-22s %s  [%s, confidence %.2f%s]\n    %s\n",
                domain::FormatRfc3339Nanos(m.trigger.time_ns).c_str(), m.category.c_str(),
                domain::ToString(analysis.registry.Get(m.at_fault)).c_str(), m.pattern.c_str(),
                m.confidence,
                m.occurrences > 1 ? absl::StrCat(", seen ", m.occurrences, " times").c_str() : "",
                m.root_cause.c_str());
  }

  Grouped grouped = GroupByEntity(analysis.events);
  std::printf("\nEvents by entity (%zu events, %zu entities)\n", analysis.events.size(),
              grouped.order.size());
  for (domain::EntityId entity : grouped.order) {
    std::printf("%s\n", domain::ToString(analysis.registry.Get(entity)).c_str());
    for (const domain::Event* event : grouped.by_entity[entity.value]) {
      std::printf("  %s  %-8s %s\n", domain::FormatRfc3339Nanos(event->time_ns).c_str(),
                  std::string(domain::SeverityName(event->severity)).c_str(),
                  intelligence::EventSummary(*event).c_str());
    }
  }
}

void PrintJson(const OfflineAnalysis& analysis) {
  const auto& report = analysis.report;
  auto problems = [](const std::vector<collectors::kubeapi::DumpProblem>& list) {
    std::vector<std::string> items;
    for (const auto& p : list) {
      items.push_back(absl::StrCat("{\"place\":", JsonString(p.place),
                                   ",\"problem\":", JsonString(p.problem), "}"));
    }
    return absl::StrCat("[", absl::StrJoin(items, ","), "]");
  };
  std::vector<std::string> read;
  for (const auto& f : report.read) read.push_back(JsonString(f));
  int64_t at = analysis.last_time_ns;
  std::vector<std::string> kinds;
  for (domain::KubeKind kind : kSummaryKinds) {
    size_t n = analysis.graph->EntitiesOfKind(kind, at).size();
    if (n > 0) kinds.push_back(absl::StrCat(JsonString(domain::KubeKindName(kind)), ":", n));
  }
  Grouped grouped = GroupByEntity(analysis.events);
  std::vector<std::string> entities;
  for (domain::EntityId entity : grouped.order) {
    std::vector<std::string> events;
    for (const domain::Event* event : grouped.by_entity[entity.value]) {
      std::string json;
      (void)google::protobuf::util::MessageToJsonString(domain::ToProto(*event, analysis.registry),
                                                        &json);
      events.push_back(json);
    }
    entities.push_back(
        absl::StrCat("{\"entity\":", JsonString(domain::ToString(analysis.registry.Get(entity))),
                     ",\"events\":[", absl::StrJoin(events, ","), "]}"));
  }
  auto texts = [](const std::vector<std::string>& list) {
    std::vector<std::string> items;
    for (const std::string& t : list) items.push_back(JsonString(t));
    return absl::StrCat("[", absl::StrJoin(items, ","), "]");
  };
  std::vector<std::string> incidents;
  for (const v1::Incident& incident : intelligence::BuildIncidents(analysis.view())) {
    incidents.push_back(intelligence::ReportJson(incident));
  }
  std::vector<std::string> matches;
  for (const intelligence::PatternMatch& m : analysis.matches) {
    if (m.retracted) continue;
    matches.push_back(absl::StrCat(
        "{\"pattern\":", JsonString(m.pattern), ",\"category\":", JsonString(m.category),
        ",\"at_fault\":", JsonString(domain::ToString(analysis.registry.Get(m.at_fault))),
        ",\"confidence\":", absl::StrFormat("%.3f", m.confidence),
        ",\"time\":", JsonString(domain::FormatRfc3339Nanos(m.trigger.time_ns)),
        ",\"occurrences\":", m.occurrences, ",\"root_cause\":", JsonString(m.root_cause),
        ",\"actions\":{\"immediate\":", texts(m.immediate), ",\"short_term\":", texts(m.short_term),
        ",\"investigate\":", texts(m.investigate), "}}"));
  }
  std::printf(
      "{\"read\":[%s],\"skipped\":%s,\"problems\":%s,\"topology\":{\"as_of\":%s,"
      "\"entities\":{%s},\"edges\":%zu},\"incidents\":[%s],\"patterns_matched\":[%s],"
      "\"entities\":[%s]}\n",
      absl::StrJoin(read, ",").c_str(), problems(report.skipped).c_str(),
      problems(report.problems).c_str(),
      JsonString(at > 0 ? domain::FormatRfc3339Nanos(at) : "").c_str(),
      absl::StrJoin(kinds, ",").c_str(), analysis.graph->edge_count(),
      absl::StrJoin(incidents, ",").c_str(), absl::StrJoin(matches, ",").c_str(),
      absl::StrJoin(entities, ",").c_str());
}

}  // namespace

CLI::App* AnalyzeCommand::Register(CLI::App& app) {
  CLI::App* analyze = app.add_subcommand(
      "analyze", "Analyse incident dumps: kubectl JSON, watch recordings, scenario directories");
  analyze->add_option("PATH", paths_, "Files or directories to read")->required();
  analyze->add_option("--output", output_, "text or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  analyze->add_option("--why", why_,
                      "Answer why this entity failed: KIND/NAMESPACE/NAME, or KIND/NAME");
  analyze->add_option("--at", at_, "Ask --why as of this RFC 3339 time (default: the last record)");
  analyze->add_flag("--explain", explain_, "Say how each cause's score was made");
  analyze->add_option("--patterns", patterns_,
                      "A directory of pattern files to use instead of the built-in library");
  return analyze;
}

int AnalyzeCommand::Run() {
  absl::StatusOr<std::vector<intelligence::Pattern>> patterns = LoadPatternLibrary(patterns_);
  if (!patterns.ok()) {
    std::fprintf(stderr, "tapio analyze: %s\n", std::string(patterns.status().message()).c_str());
    return 2;
  }
  absl::StatusOr<std::unique_ptr<OfflineAnalysis>> analysis =
      AnalyzeOffline(paths_, "", *std::move(patterns));
  if (!analysis.ok()) {
    std::fprintf(stderr, "tapio analyze: %s\n", std::string(analysis.status().message()).c_str());
    return 2;
  }
  if (!why_.empty()) {
    WhyQuestion question{why_, 0};
    if (!at_.empty()) {
      absl::StatusOr<int64_t> at = domain::ParseRfc3339Nanos(at_);
      if (!at.ok()) {
        std::fprintf(stderr, "tapio analyze: --at %s: not an RFC 3339 time\n", at_.c_str());
        return 2;
      }
      question.at_ns = *at;
    }
    absl::StatusOr<v1::WhyReport> report = AnswerWhy((*analysis)->view(), question);
    if (!report.ok()) {
      std::fprintf(stderr, "tapio analyze: --why %s\n",
                   std::string(report.status().message()).c_str());
      return 2;
    }
    std::string text =
        output_ == "json" ? intelligence::ReportJson(*report) + "\n" : WhyText(*report, explain_);
    std::fputs(text.c_str(), stdout);
    return 0;
  }
  if (output_ == "json") {
    PrintJson(**analysis);
  } else {
    PrintText(**analysis, explain_);
  }
  return 0;
}

}  // namespace tapio::cli
