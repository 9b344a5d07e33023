#include "cli/why_report.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "domain/kube_object.h"
#include "domain/time.h"
#include "intelligence/rca/impact.h"
#include "intelligence/rca/root_cause_ranker.h"

namespace tapio::cli {
namespace {

using domain::EntityId;

constexpr int kLastKind = static_cast<int>(domain::KubeKind::kSecret);

// "pod" or "Pod" or "pods" → Pod; "service" stays "Service" for OTLP services too.
std::string KindName(absl::string_view text) {
  std::string lower = absl::AsciiStrToLower(text);
  for (int k = 1; k <= kLastKind; ++k) {
    std::string name(domain::KubeKindName(static_cast<domain::KubeKind>(k)));
    std::string candidate = absl::AsciiStrToLower(name);
    if (lower == candidate || lower == candidate + "s") return name;
  }
  return "";
}

absl::string_view LayerTag(domain::Source source) {
  switch (source) {
    case domain::Source::kKernel:
    case domain::Source::kKmsg:
      return "[KERNEL]";
    case domain::Source::kJournal:
      return "[NODE]  ";
    case domain::Source::kCni:
      return "[NET]   ";
    case domain::Source::kOtlp:
      return "[APP]   ";
    default:
      return "[K8S]   ";
  }
}

std::string Summary(const domain::Event& e) {
  std::string text(domain::Resolve(e.type));
  auto add = [&](absl::string_view label, domain::Symbol value) {
    if (!value.empty()) absl::StrAppend(&text, " ", label, domain::Resolve(value));
  };
  if (const auto* k = std::get_if<domain::KubernetesPayload>(&e.payload)) {
    add("", k->reason);
    if (k->exit_code != 0) absl::StrAppend(&text, " exit ", k->exit_code);
    if (!k->message.empty()) {
      absl::StrAppend(&text, ": ", domain::Resolve(k->message).substr(0, 140));
    } else if (!k->to.empty()) {
      absl::StrAppend(&text, " -> ", domain::Resolve(k->to));
    }
  } else if (const auto* kernel = std::get_if<domain::KernelPayload>(&e.payload)) {
    if (kernel->pid != 0) absl::StrAppend(&text, " ", kernel->comm.view(), " pid ", kernel->pid);
    if (!kernel->message.empty()) {
      absl::StrAppend(&text, ": ", domain::Resolve(kernel->message).substr(0, 140));
    }
  } else if (const auto* s = std::get_if<domain::ServicePayload>(&e.payload)) {
    add("", s->unit);
    if (!s->message.empty())
      absl::StrAppend(&text, ": ", domain::Resolve(s->message).substr(0, 140));
  } else if (const auto* a = std::get_if<domain::ApplicationPayload>(&e.payload)) {
    add("", a->service);
    add("-> ", a->peer_service);
    if (a->http_status != 0) absl::StrAppend(&text, " HTTP ", a->http_status);
    add(": ", a->status_message.empty() ? a->log_line : a->status_message);
  }
  return text;
}

// "Pod/a, Pod/b and 3 more".
std::string Names(const domain::EntityRegistry& registry, const std::vector<EntityId>& ids) {
  constexpr size_t kListed = 4;
  std::vector<std::string> names;
  for (size_t i = 0; i < ids.size() && i < kListed; ++i) {
    names.push_back(domain::ToString(registry.Get(ids[i])));
  }
  std::string text = absl::StrJoin(names, ", ");
  if (ids.size() > kListed) absl::StrAppend(&text, " and ", ids.size() - kListed, " more");
  return text;
}

void AppendImpact(const domain::EntityRegistry& registry, const intelligence::Impact& impact,
                  std::string* out) {
  std::vector<std::string> parts;
  if (!impact.pods.empty()) {
    parts.push_back(absl::StrCat(impact.pods.size(), " pod(s): ", Names(registry, impact.pods)));
  }
  if (!impact.workloads.empty()) {
    parts.push_back(absl::StrCat("workloads ", Names(registry, impact.workloads)));
  }
  if (!impact.services.empty()) {
    parts.push_back(absl::StrCat("services ", Names(registry, impact.services)));
  }
  if (!impact.callers.empty()) {
    parts.push_back(absl::StrCat("their callers ", Names(registry, impact.callers)));
  }
  if (!parts.empty()) absl::StrAppend(out, "    Hit: ", absl::StrJoin(parts, "; "), "\n");
  if (!impact.at_risk.empty()) {
    absl::StrAppend(out, "    At risk: ", impact.at_risk.size(),
                    " other pod(s) on the same node: ", Names(registry, impact.at_risk), "\n");
  }
}

}  // namespace

absl::StatusOr<EntityId> FindAskedEntity(const OfflineAnalysis& analysis,
                                         const std::string& entity) {
  std::vector<std::string> parts = absl::StrSplit(entity, '/');
  std::string kind = parts.empty() ? "" : KindName(parts[0]);
  if (kind.empty() || parts.size() < 2 || parts.size() > 3 || parts.back().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", entity, "\": name the entity as KIND/NAMESPACE/NAME or, cluster-scoped, KIND/NAME"));
  }
  std::string ns = parts.size() == 3 ? parts[1] : "";
  const std::string& name = parts.back();
  std::optional<EntityId> id = FindEntity(analysis, kind, ns, name);
  if (!id.has_value()) {
    return absl::NotFoundError(
        absl::StrCat(kind, "/", ns.empty() ? "" : ns + "/", name, " is not in the records read"));
  }
  return *id;
}

absl::StatusOr<std::string> WhyReport(const OfflineAnalysis& analysis, const WhyQuestion& q) {
  absl::StatusOr<EntityId> symptom = FindAskedEntity(analysis, q.entity);
  if (!symptom.ok()) return symptom.status();
  int64_t at = q.at_ns != 0 ? q.at_ns : analysis.last_time_ns;
  const domain::EntityRegistry& registry = analysis.registry;
  std::vector<intelligence::RankedCause> ranked =
      intelligence::RankCauses(*analysis.graph, analysis.matches, {*symptom, at});
  std::string out = absl::StrCat("Why ", domain::ToString(registry.Get(*symptom)),
                                 " failed (as of ", domain::FormatRfc3339Nanos(at), ")\n");
  if (ranked.empty()) {
    absl::StrAppend(&out,
                    "  No known failure pattern explains it from the records read. Node logs, "
                    "journals or traces may hold what these records lack.\n");
    return out;
  }
  for (size_t c = 0; c < ranked.size() && c < static_cast<size_t>(q.causes); ++c) {
    const intelligence::RankedCause& cause = ranked[c];
    const intelligence::PatternMatch& best = analysis.matches[cause.matches.front()];
    absl::StrAppendFormat(&out, "\n#%d  %s  %s  (confidence %.2f, %s)\n", static_cast<int>(c + 1),
                          cause.category, domain::ToString(registry.Get(cause.entity)), cause.score,
                          cause.relation);
    absl::StrAppend(&out, "    ", best.root_cause, "\n");
    if (q.explain) absl::StrAppend(&out, "    score: ", cause.explanation, "\n");
    AppendImpact(registry, intelligence::AssessImpact(*analysis.graph, analysis.matches, cause, at),
                 &out);
    std::vector<const domain::Event*> chain = {&best.trigger};
    for (const intelligence::MatchEvidence& e : best.evidence) {
      for (const domain::Event& ev : e.events) chain.push_back(&ev);
    }
    std::stable_sort(
        chain.begin(), chain.end(),
        [](const domain::Event* a, const domain::Event* b) { return a->time_ns < b->time_ns; });
    absl::StrAppend(&out, "    Evidence:\n");
    for (const domain::Event* e : chain) {
      absl::StrAppend(&out, "      ", domain::FormatRfc3339Nanos(e->time_ns), " ",
                      LayerTag(e->source), " ", domain::ToString(registry.Get(e->entity)), "  ",
                      Summary(*e), "\n");
    }
    auto actions = [&](const char* title, const std::vector<std::string>& list) {
      if (list.empty()) return;
      absl::StrAppend(&out, "    ", title, ":\n");
      for (const std::string& a : list) absl::StrAppend(&out, "      - ", a, "\n");
    };
    actions("Do now", best.immediate);
    actions("Then", best.short_term);
    actions("Investigate", best.investigate);
  }
  return out;
}

}  // namespace tapio::cli
