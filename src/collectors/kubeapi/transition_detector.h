// Turns object changes into semantic events (DESIGN §3): a container terminated, a restart,
// a waiting reason, an eviction, a readiness flip, a node condition, a stalled rollout, a
// failed Job, a pending claim, a NetworkPolicy applied or changed, and every Kubernetes
// Event. It compares each object with the version it saw last, so replaying the same state
// twice (a relist after 410 Gone) emits nothing new. Not thread-safe: one detector per stream of
// changes.
#ifndef TAPIO_COLLECTORS_KUBEAPI_TRANSITION_DETECTOR_H_
#define TAPIO_COLLECTORS_KUBEAPI_TRANSITION_DETECTOR_H_

#include <vector>

#include "absl/container/flat_hash_map.h"
#include "domain/entity.h"
#include "domain/event.h"
#include "domain/event_id.h"
#include "domain/kube_object.h"

namespace tapio::collectors::kubeapi {

// The event types this detector emits; the pattern library refers to them by these names.
namespace event_type {
inline constexpr char kPodPhase[] = "k8s.pod_phase";
inline constexpr char kPodEvicted[] = "k8s.pod_evicted";
inline constexpr char kPodReady[] = "k8s.pod_ready";
inline constexpr char kPodUnschedulable[] = "k8s.pod_unschedulable";
inline constexpr char kContainerTerminated[] = "k8s.container_terminated";
inline constexpr char kInitContainerFailed[] = "k8s.init_container_failed";
inline constexpr char kContainerRestarted[] = "k8s.container_restarted";
inline constexpr char kContainerWaiting[] = "k8s.container_waiting";
inline constexpr char kContainerCreatingSlow[] = "k8s.container_creating_slow";
inline constexpr char kContainerReady[] = "k8s.container_ready";
inline constexpr char kNodeCondition[] = "k8s.node_condition";
inline constexpr char kNodeCordoned[] = "k8s.node_cordoned";
inline constexpr char kNodeTaint[] = "k8s.node_taint";
inline constexpr char kRolloutStarted[] = "k8s.rollout_started";
inline constexpr char kRolloutProgressing[] = "k8s.rollout_progressing";
inline constexpr char kRolloutStalled[] = "k8s.rollout_stalled";
inline constexpr char kRolloutComplete[] = "k8s.rollout_complete";
inline constexpr char kReplicasUnavailable[] = "k8s.replicas_unavailable";
inline constexpr char kJobFailed[] = "k8s.job_failed";
inline constexpr char kJobComplete[] = "k8s.job_complete";
inline constexpr char kClaimPhase[] = "k8s.pvc_phase";
inline constexpr char kNetworkPolicyChanged[] = "k8s.network_policy_changed";
inline constexpr char kObjectDeleted[] = "k8s.object_deleted";
inline constexpr char kKubernetesEvent[] = "k8s.event";
}  // namespace event_type

class TransitionDetector {
 public:
  // `registry` and `ids` must outlive the detector.
  TransitionDetector(domain::Symbol cluster, domain::EntityRegistry& registry,
                     domain::EventIdGenerator& ids);

  // Appends the events that `change` means, given the last version seen of its object, and
  // remembers the new version (forgets it on delete). Objects of kinds Tapio does not model
  // produce nothing.
  void Observe(const domain::ObjectChange& change, std::vector<domain::Event>* out);

  // The last version seen of each object, by uid (or kind/namespace/name when it has none):
  // what a relist compares against to find objects deleted while the watch was away.
  std::vector<const domain::KubeObject*> Known(domain::KubeKind kind) const;

 private:
  domain::Symbol cluster_;
  domain::EntityRegistry& registry_;
  domain::EventIdGenerator& ids_;
  absl::flat_hash_map<domain::Symbol, domain::KubeObject> last_;
  absl::flat_hash_map<domain::Symbol, bool> slow_creation_reported_;
};

}  // namespace tapio::collectors::kubeapi

#endif  // TAPIO_COLLECTORS_KUBEAPI_TRANSITION_DETECTOR_H_
