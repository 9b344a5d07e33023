// The first step every record takes into the analysis, offline or live: an object change
// updates the topology graph; an event is moved to its pod and, when it is a traced call,
// teaches the graph who calls whom. Transitions are detected where objects are watched, not
// here. Not thread-safe.
#ifndef TAPIO_SERVER_RECORD_INTAKE_H_
#define TAPIO_SERVER_RECORD_INTAKE_H_

#include "domain/entity.h"
#include "domain/event.h"
#include "domain/kube_object.h"
#include "intelligence/topology/topology_graph.h"

namespace tapio::server {

class RecordIntake {
 public:
  // Both must outlive the intake.
  RecordIntake(domain::EntityRegistry& registry, intelligence::TopologyGraph& graph);

  // Applies the change to the graph.
  void Apply(const domain::ObjectChange& change);
  // Attributes the event to its pod and learns the call it may describe.
  void Prepare(domain::Event& event);

 private:
  domain::EntityRegistry& registry_;
  intelligence::TopologyGraph& graph_;
  const domain::Symbol call_type_;
};

}  // namespace tapio::server

#endif  // TAPIO_SERVER_RECORD_INTAKE_H_
