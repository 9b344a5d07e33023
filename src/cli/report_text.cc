#include "cli/report_text.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "domain/event_proto.h"
#include "domain/time.h"
#include "google/protobuf/util/time_util.h"
#include "intelligence/report/event_summary.h"

namespace tapio::cli {
namespace {

using google::protobuf::util::TimeUtil;

std::string Name(const v1::EntityRef& e) {
  return e.namespace_().empty() ? absl::StrCat(e.kind(), "/", e.name())
                                : absl::StrCat(e.kind(), "/", e.namespace_(), "/", e.name());
}

// "Pod/a, Pod/b and 3 more".
std::string Names(const google::protobuf::RepeatedPtrField<v1::EntityRef>& list) {
  constexpr int kListed = 4;
  std::vector<std::string> names;
  for (int i = 0; i < list.size() && i < kListed; ++i) names.push_back(Name(list[i]));
  std::string text = absl::StrJoin(names, ", ");
  if (list.size() > kListed) absl::StrAppend(&text, " and ", list.size() - kListed, " more");
  return text;
}

std::string Time(const google::protobuf::Timestamp& t) { return TimeUtil::ToString(t); }

std::string SeverityWord(v1::Severity s) {
  std::string name = v1::Severity_Name(s);
  return absl::AsciiStrToLower(absl::StripPrefix(name, "SEVERITY_"));
}

std::string Duration(const google::protobuf::Duration& d) {
  int64_t seconds = d.seconds();
  if (seconds < 1) return absl::StrFormat("%d ms", TimeUtil::DurationToMilliseconds(d));
  if (seconds < 120) return absl::StrCat(seconds, " s");
  return absl::StrFormat("%d min %d s", seconds / 60, seconds % 60);
}

void AppendImpact(const v1::Impact& impact, const std::string& pad, std::string* out) {
  std::vector<std::string> parts;
  if (impact.pods_size() > 0) {
    parts.push_back(absl::StrCat(impact.pods_size(), " pod(s): ", Names(impact.pods())));
  }
  if (impact.workloads_size() > 0) parts.push_back("workloads " + Names(impact.workloads()));
  if (impact.services_size() > 0) parts.push_back("services " + Names(impact.services()));
  if (impact.callers_size() > 0) parts.push_back("their callers " + Names(impact.callers()));
  if (!parts.empty()) absl::StrAppend(out, pad, "Hit: ", absl::StrJoin(parts, "; "), "\n");
  if (impact.at_risk_size() > 0) {
    absl::StrAppend(out, pad, "At risk: ", impact.at_risk_size(),
                    " other pod(s) on the same node: ", Names(impact.at_risk()), "\n");
  }
}

void AppendCause(const v1::Cause& cause, bool explain, const std::string& head, std::string* out) {
  const std::string pad = head + "    ";
  absl::StrAppendFormat(out, "%s#%d  %s  %s  (confidence %.2f, %s)\n", head, cause.rank(),
                        cause.category(), Name(cause.entity()), cause.confidence(),
                        cause.relation());
  absl::StrAppend(out, pad, cause.root_cause(), "\n");
  absl::StrAppend(out, pad, "Severity: ", SeverityWord(cause.severity()));
  if (!cause.severity_reasons().empty()) {
    absl::StrAppend(out, " (", absl::StrJoin(cause.severity_reasons(), "; "), ")");
  }
  absl::StrAppend(out, "\n", pad, "Detected ", Duration(cause.time_to_detection()),
                  " after the first sign (", Time(cause.first_event()), ")\n");
  if (explain) absl::StrAppend(out, pad, "score: ", cause.explanation(), "\n");
  AppendImpact(cause.impact(), pad, out);
  absl::StrAppend(out, pad, "Evidence:\n");
  for (const v1::ChainLink& link : cause.chain()) {
    absl::StrAppendFormat(out, "%s  %s %-8s %s  %s%s\n", pad, Time(link.time()),
                          absl::StrCat("[", link.layer(), "]"), Name(link.entity()),
                          link.against() ? "(against) " : "", link.summary());
  }
  auto actions = [&](const char* title, const google::protobuf::RepeatedPtrField<std::string>& l) {
    if (l.empty()) return;
    absl::StrAppend(out, pad, title, ":\n");
    for (const std::string& a : l) absl::StrAppend(out, pad, "  - ", a, "\n");
  };
  actions("Do now", cause.actions().immediate());
  actions("Then", cause.actions().short_term());
  actions("Investigate", cause.actions().investigate());
}

}  // namespace

std::string WhyText(const v1::WhyReport& report, bool explain) {
  std::string out =
      absl::StrCat("Why ", Name(report.symptom()), " failed (as of ", Time(report.at()), ")\n");
  if (report.causes().empty()) absl::StrAppend(&out, "  ", report.note(), "\n");
  for (const v1::Cause& cause : report.causes()) {
    absl::StrAppend(&out, "\n");
    AppendCause(cause, explain, "", &out);
  }
  return out;
}

std::string IncidentsText(const std::vector<v1::Incident>& incidents, bool explain) {
  std::vector<const v1::Incident*> order;
  for (const v1::Incident& i : incidents) order.push_back(&i);
  std::stable_partition(order.begin(), order.end(), [](const v1::Incident* i) {
    return i->state() == v1::Incident::STATE_OPEN;
  });
  size_t open = std::count_if(order.begin(), order.end(), [](const v1::Incident* i) {
    return i->state() == v1::Incident::STATE_OPEN;
  });
  std::string out =
      absl::StrCat("Incidents (", open, " open, ", incidents.size() - open, " resolved)\n");
  if (incidents.empty()) absl::StrAppend(&out, "  none: no known failure pattern matched\n");
  for (const v1::Incident* i : order) {
    absl::StrAppendFormat(&out, "\nIncident %d  %s  %s  since %s, last symptom %s\n", i->id(),
                          i->state() == v1::Incident::STATE_OPEN ? "OPEN" : "resolved",
                          SeverityWord(i->cause().severity()), Time(i->opened()),
                          Time(i->updated()));
    absl::StrAppend(&out, "  First symptom: ", Name(i->symptom()), "; ", i->matches(),
                    " pattern match(es)\n");
    if (i->has_cause()) AppendCause(i->cause(), explain, "  ", &out);
  }
  return out;
}

std::string InsightText(const v1::Insight& insight) {
  const v1::Incident& i = insight.incident();
  std::string change(absl::StripPrefix(v1::Insight::Change_Name(insight.change()), "CHANGE_"));
  std::string out =
      absl::StrFormat("%s  incident %d %s  %s", Time(i.updated()), i.id(),
                      absl::AsciiStrToLower(change), SeverityWord(i.cause().severity()));
  if (i.has_cause()) {
    absl::StrAppend(&out, "  ", i.cause().category(), " at ", Name(i.cause().entity()), ": ",
                    i.cause().root_cause());
  }
  absl::StrAppend(&out, "  (first symptom ", Name(i.symptom()), ", ", i.matches(), " match(es))\n");
  return out;
}

std::string CorrelationText(const v1::Correlation& correlation, bool explain) {
  std::string out = absl::StrCat("Trace ", correlation.trace_id(), ": ", correlation.events_size(),
                                 " event(s) about ", correlation.entities_size(), " entity(ies)\n");
  domain::EntityRegistry registry;
  for (const v1::UnifiedEvent& e : correlation.events()) {
    absl::StatusOr<domain::Event> event = domain::FromProto(e, registry);
    absl::StrAppendFormat(&out, "  %s [%-6s] %s  %s\n",
                          domain::FormatRfc3339Nanos(static_cast<int64_t>(e.time_unix_nano())),
                          intelligence::LayerName(static_cast<domain::Source>(e.source())),
                          Name(e.entity()),
                          event.ok() ? intelligence::EventSummary(*event) : e.type());
  }
  if (!correlation.note().empty()) absl::StrAppend(&out, "\n", correlation.note(), "\n");
  for (const v1::Cause& cause : correlation.causes()) {
    absl::StrAppend(&out, "\n");
    AppendCause(cause, explain, "", &out);
  }
  return out;
}

}  // namespace tapio::cli
