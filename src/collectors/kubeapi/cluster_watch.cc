#include "collectors/kubeapi/cluster_watch.h"

namespace tapio::collectors::kubeapi {

ClusterWatch::ClusterWatch(std::vector<ResourceType> resources, HttpClient& client,
                           WatchOptions options, const domain::Clock& clock,
                           ResourceWatch::ChangeHandler on_change,
                           const std::vector<domain::KubeObject>& known) {
  absl::MutexLock lock(&mu_);
  for (ResourceType& type : resources) {
    status_.push_back({type.plural, false, absl::OkStatus()});
    const domain::KubeKind kind = domain::KubeKindFromName(type.kind);
    auto& watch = watches_.emplace_back(
        std::make_unique<ResourceWatch>(std::move(type), client, options, clock, on_change));
    for (const domain::KubeObject& object : known) {
      if (kind != domain::KubeKind::kUnknown && object.kind == kind) watch->Know(object);
    }
  }
}

ClusterWatch::~ClusterWatch() { Stop(); }

void ClusterWatch::Start() {
  absl::MutexLock lock(&mu_);
  for (size_t i = 0; i < watches_.size(); ++i) {
    status_[i].running = true;
    threads_.emplace_back([this, i] {
      absl::Status ended = watches_[i]->Run(stop_);
      absl::MutexLock done(&mu_);
      status_[i].running = false;
      status_[i].ended = ended;
    });
  }
}

void ClusterWatch::Stop() {
  stop_.store(true, std::memory_order_release);
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

std::vector<ClusterWatch::ResourceStatus> ClusterWatch::Status() const {
  absl::MutexLock lock(&mu_);
  return status_;
}

}  // namespace tapio::collectors::kubeapi
