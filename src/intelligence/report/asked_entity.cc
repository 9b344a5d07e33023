#include "intelligence/report/asked_entity.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "domain/kube_object.h"

namespace tapio::intelligence {
namespace {

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

std::optional<domain::EntityId> FindEntity(const AnalysisView& view, absl::string_view kind,
                                           absl::string_view namespace_name,
                                           absl::string_view name) {
  domain::KubeKind known = domain::KubeKindFromName(kind);
  if (known != domain::KubeKind::kUnknown) {
    if (auto id = view.graph.Find(known, namespace_name, name)) return id;
  }
  return view.registry.FindByName(view.graph.cluster(), domain::Intern(kind),
                                  domain::Intern(namespace_name), domain::Intern(name));
}

absl::StatusOr<domain::EntityId> FindAskedEntity(const AnalysisView& view,
                                                 const std::string& text) {
  std::vector<std::string> parts = absl::StrSplit(text, '/');
  std::string kind = parts.empty() ? "" : KindName(parts[0]);
  if (kind.empty() || parts.size() < 2 || parts.size() > 3 || parts.back().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", text, "\": name the entity as KIND/NAMESPACE/NAME or, cluster-scoped, KIND/NAME"));
  }
  std::string ns = parts.size() == 3 ? parts[1] : "";
  const std::string& name = parts.back();
  std::optional<domain::EntityId> id = FindEntity(view, kind, ns, name);
  if (!id.has_value()) {
    return absl::NotFoundError(
        absl::StrCat(kind, "/", ns.empty() ? "" : ns + "/", name, " has not been seen"));
  }
  return *id;
}

}  // namespace tapio::intelligence
