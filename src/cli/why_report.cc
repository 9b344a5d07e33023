#include "cli/why_report.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/report_builder.h"
#include "cli/report_text.h"
#include "domain/kube_object.h"

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

absl::StatusOr<v1::WhyReport> AnswerWhy(const OfflineAnalysis& analysis, const WhyQuestion& q) {
  absl::StatusOr<EntityId> symptom = FindAskedEntity(analysis, q.entity);
  if (!symptom.ok()) return symptom.status();
  return BuildWhyReport(analysis, *symptom, q.at_ns != 0 ? q.at_ns : analysis.last_time_ns,
                        q.causes);
}

absl::StatusOr<std::string> WhyReport(const OfflineAnalysis& analysis, const WhyQuestion& q) {
  absl::StatusOr<v1::WhyReport> report = AnswerWhy(analysis, q);
  if (!report.ok()) return report.status();
  return WhyText(*report, q.explain);
}

}  // namespace tapio::cli
