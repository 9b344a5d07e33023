// The first step every record takes into the analysis, offline or live: an object change
// updates the topology graph (and, where no collector did so already, becomes the events its
// transitions mean); an event is moved to its pod and, when it is a traced call, teaches the
// graph who calls whom. Not thread-safe.
#ifndef TAPIO_SERVER_RECORD_INTAKE_H_
#define TAPIO_SERVER_RECORD_INTAKE_H_

#include <vector>

#include "collectors/kubeapi/transition_detector.h"
#include "domain/entity.h"
#include "domain/event.h"
#include "domain/event_id.h"
#include "domain/kube_object.h"
#include "intelligence/topology/topology_graph.h"

namespace tapio::server {

class RecordIntake {
 public:
  // All three must outlive the intake; `ids` numbers the transition events.
  RecordIntake(domain::EntityRegistry& registry, intelligence::TopologyGraph& graph,
               domain::EventIdGenerator& ids);

  // Applies the change to the graph.
  void Apply(const domain::ObjectChange& change);
  // Applies the change to the graph and appends the events it means to `out`.
  void Change(const domain::ObjectChange& change, std::vector<domain::Event>* out);
  // Attributes the event to its pod and learns the call it may describe.
  void Prepare(domain::Event& event);

 private:
  domain::EntityRegistry& registry_;
  intelligence::TopologyGraph& graph_;
  collectors::kubeapi::TransitionDetector detector_;
  const domain::Symbol call_type_;
};

}  // namespace tapio::server

#endif  // TAPIO_SERVER_RECORD_INTAKE_H_
