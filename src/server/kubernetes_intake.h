// The server's own watch of the Kubernetes API: each object change (as a k8s.object_change
// event with the object's JSON, never a Secret's) and each transition it means (what
// TransitionDetector finds) is stored, analysed and published as a batch from the collector
// "kubernetes/api", cut at 1,000 events or every 200 ms. Objects the store already holds are
// known from the start: listed again unchanged (the same resourceVersion) they are neither
// stored again nor mean any transition, changed they mean only what changed, and missing from
// the list they are stored as deleted. A resource the API refuses stops alone and is reported;
// the others go on. Thread-safe.
#ifndef TAPIO_SERVER_KUBERNETES_INTAKE_H_
#define TAPIO_SERVER_KUBERNETES_INTAKE_H_

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "collectors/kubeapi/cluster_watch.h"
#include "collectors/kubeapi/http_client.h"
#include "collectors/kubeapi/transition_detector.h"
#include "domain/entity.h"
#include "domain/event_id.h"
#include "domain/kube_object.h"
#include "server/collector_stream.h"

namespace tapio::server {

// The collector id the watch's batches carry.
inline constexpr char kKubernetesCollector[] = "kubernetes/api";

class KubernetesIntake {
 public:
  // Starts watching every resource Tapio models, `known` being the objects as the store holds
  // them; `sink` must outlive the intake.
  static std::unique_ptr<KubernetesIntake> Start(collectors::kubeapi::ApiEndpoint endpoint,
                                                 const std::string& cluster, CollectorStream& sink,
                                                 std::vector<domain::ObjectChange> known = {});
  // Stops the watch and hands on what it still holds.
  ~KubernetesIntake();

  std::vector<collectors::kubeapi::ClusterWatch::ResourceStatus> Status() const;

 private:
  KubernetesIntake(collectors::kubeapi::ApiEndpoint endpoint, const std::string& cluster,
                   CollectorStream& sink);
  void OnChange(const domain::ObjectChange& change);
  void Flusher();
  // Hands the pending events to the sink.
  void Flush() ABSL_LOCKS_EXCLUDED(mu_);

  const std::string cluster_;
  CollectorStream& sink_;
  collectors::kubeapi::HttpClient client_;
  domain::EntityRegistry registry_;
  domain::EventIdGenerator ids_;
  absl::Mutex mu_;
  collectors::kubeapi::TransitionDetector detector_ ABSL_GUARDED_BY(mu_);
  std::vector<tapio::v1::UnifiedEvent> pending_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Batches reach the sink one at a time, in the order cut.
  absl::Mutex flush_mu_;
  std::thread flusher_;
  std::unique_ptr<collectors::kubeapi::ClusterWatch> watch_;
};

}  // namespace tapio::server

#endif  // TAPIO_SERVER_KUBERNETES_INTAKE_H_
