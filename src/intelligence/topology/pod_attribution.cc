#include "intelligence/topology/pod_attribution.h"

#include <optional>
#include <utility>
#include <vector>

#include "domain/string_list.h"

namespace tapio::intelligence {

namespace {

// The pod a kernel or network event's cgroup names, when the graph knows it.
template <typename Payload>
std::optional<domain::EntityId> PodOf(const TopologyGraph& graph, const Payload& payload) {
  std::optional<domain::EntityId> pod;
  if (!payload.pod_uid.empty()) pod = graph.PodByUid(payload.pod_uid);
  if (!pod.has_value() && !payload.container_id.empty()) {
    pod = graph.PodByContainerId(payload.container_id);
  }
  return pod;
}

}  // namespace

bool AttributeToPod(const TopologyGraph& graph, domain::Event& event) {
  std::optional<domain::EntityId> pod;
  if (const auto* kernel = std::get_if<domain::KernelPayload>(&event.payload)) {
    pod = PodOf(graph, *kernel);
  } else if (const auto* network = std::get_if<domain::NetworkPayload>(&event.payload)) {
    pod = PodOf(graph, *network);
  }
  if (!pod.has_value() || *pod == event.entity) return false;
  domain::EntityRef node = graph.registry().Get(event.entity);
  std::vector<std::pair<absl::string_view, absl::string_view>> labels =
      domain::LabelItems(event.labels);
  if (domain::Resolve(node.kind) == "Node" && !domain::FindLabel(event.labels, "node")) {
    labels.emplace_back("node", domain::Resolve(node.name));
  }
  event.labels = domain::InternLabels(std::move(labels));
  event.entity = *pod;
  return true;
}

}  // namespace tapio::intelligence
