// Kernel and network events arrive about the node they happened on, with the pod uid or
// container id of the cgroup involved. Once the topology knows that pod, the event belongs to it:
// this moves such an event to the pod (keeping the node as the "node" label). Call it before an
// event is submitted, since the pipeline shards by entity. Thread-safe (reads the graph).
#ifndef TAPIO_INTELLIGENCE_TOPOLOGY_POD_ATTRIBUTION_H_
#define TAPIO_INTELLIGENCE_TOPOLOGY_POD_ATTRIBUTION_H_

#include "domain/event.h"
#include "intelligence/topology/topology_graph.h"

namespace tapio::intelligence {

// Returns true when `event` was moved to its pod; false when it names no pod, or a pod the
// graph does not know (the event then stays on its node).
bool AttributeToPod(const TopologyGraph& graph, domain::Event& event);

}  // namespace tapio::intelligence

#endif  // TAPIO_INTELLIGENCE_TOPOLOGY_POD_ATTRIBUTION_H_
