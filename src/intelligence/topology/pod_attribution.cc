#include "intelligence/topology/pod_attribution.h"

#include <optional>
#include <utility>
#include <vector>

#include "domain/string_list.h"

namespace tapio::intelligence {

bool AttributeToPod(const TopologyGraph& graph, domain::Event& event) {
  const auto* kernel = std::get_if<domain::KernelPayload>(&event.payload);
  if (kernel == nullptr) return false;
  std::optional<domain::EntityId> pod;
  if (!kernel->pod_uid.empty()) pod = graph.PodByUid(kernel->pod_uid);
  if (!pod.has_value() && !kernel->container_id.empty()) {
    pod = graph.PodByContainerId(kernel->container_id);
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
