// Finding the entity a question names: by kind, namespace and name, or from the text people
// type ("pod/shop/checkout-7d9f8c6b4-x2x9q", "node/node-7", "Deployment/shop/checkout").
// Thread-compatible.
#ifndef TAPIO_INTELLIGENCE_REPORT_ASKED_ENTITY_H_
#define TAPIO_INTELLIGENCE_REPORT_ASKED_ENTITY_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "intelligence/report/analysis_view.h"

namespace tapio::intelligence {

// The entity of that kind ("Pod", or "Service" for an OTLP service.name too), namespace
// (empty when cluster-scoped) and name; nullopt when there is none.
std::optional<domain::EntityId> FindEntity(const AnalysisView& view, absl::string_view kind,
                                           absl::string_view namespace_name,
                                           absl::string_view name);

// The entity `text` names: the kind in any case, singular or plural, then the namespace for
// namespaced kinds, then the name. Fails with InvalidArgument for a malformed name and
// NotFound, naming it, when the analysis holds no such entity.
absl::StatusOr<domain::EntityId> FindAskedEntity(const AnalysisView& view, const std::string& text);

}  // namespace tapio::intelligence

#endif  // TAPIO_INTELLIGENCE_REPORT_ASKED_ENTITY_H_
