#include "server/record_intake.h"

#include <optional>

#include "collectors/otlp/otlp_parser.h"
#include "domain/string_list.h"
#include "intelligence/topology/pod_attribution.h"

namespace tapio::server {

RecordIntake::RecordIntake(domain::EntityRegistry& registry, intelligence::TopologyGraph& graph)
    : registry_(registry),
      graph_(graph),
      call_type_(domain::Intern(collectors::otlp::event_type::kCall)) {}

void RecordIntake::Apply(const domain::ObjectChange& change) { graph_.Apply(change).IgnoreError(); }

void RecordIntake::Prepare(domain::Event& event) {
  intelligence::AttributeToPod(graph_, event);
  if (event.type != call_type_) return;
  // An OTLP call event is the calls edge from its caller to the service it names.
  const auto* app = std::get_if<domain::ApplicationPayload>(&event.payload);
  if (app == nullptr || app->peer_service.empty()) return;
  domain::EntityRef caller = registry_.Get(event.entity);
  std::optional<absl::string_view> ns = domain::FindLabel(event.labels, "callee_namespace");
  domain::EntityRef callee{caller.cluster,
                           domain::Intern("Service"),
                           ns.has_value() ? domain::Intern(*ns) : caller.namespace_name,
                           app->peer_service,
                           {}};
  absl::StatusOr<domain::EntityId> id = registry_.Register(callee);
  if (id.ok() && *id != event.entity) graph_.AddCall(event.entity, *id, event.time_ns);
}

}  // namespace tapio::server
