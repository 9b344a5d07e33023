// Watches many Kubernetes resources at once, one thread per resource, so that a resource
// Tapio may not read (403) or that fails for good stops alone while the others keep going.
// The change handler is called from several threads and must be thread-safe. Status() and
// Stop() are thread-safe.
#ifndef TAPIO_COLLECTORS_KUBEAPI_CLUSTER_WATCH_H_
#define TAPIO_COLLECTORS_KUBEAPI_CLUSTER_WATCH_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "collectors/kubeapi/resource_watch.h"

namespace tapio::collectors::kubeapi {

class ClusterWatch {
 public:
  struct ResourceStatus {
    std::string resource;
    bool running = false;
    // Why the watch of this resource ended, when it did.
    absl::Status ended;
  };

  // `client` and `clock` must outlive the watch. `known` are objects remembered from before (a
  // store's): each goes to the watches of its kind (ResourceWatch::Know).
  ClusterWatch(std::vector<ResourceType> resources, HttpClient& client, WatchOptions options,
               const domain::Clock& clock, ResourceWatch::ChangeHandler on_change,
               const std::vector<domain::KubeObject>& known = {});
  // Stops and joins every thread.
  ~ClusterWatch();
  ClusterWatch(const ClusterWatch&) = delete;
  ClusterWatch& operator=(const ClusterWatch&) = delete;

  // Starts one thread per resource. Call once.
  void Start();
  void Stop();
  std::vector<ResourceStatus> Status() const;

 private:
  std::vector<std::unique_ptr<ResourceWatch>> watches_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  mutable absl::Mutex mu_;
  std::vector<ResourceStatus> status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tapio::collectors::kubeapi

#endif  // TAPIO_COLLECTORS_KUBEAPI_CLUSTER_WATCH_H_
