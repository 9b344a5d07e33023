#include "server/kubernetes_intake.h"

#include <cstdio>
#include <random>
#include <utility>

#include "collectors/kubeapi/object_change_event.h"
#include "domain/clock.h"
#include "domain/event_proto.h"
#include "domain/symbol_table.h"

namespace tapio::server {
namespace {

constexpr size_t kBatchEvents = 1000;
constexpr absl::Duration kBatchDelay = absl::Milliseconds(200);

}  // namespace

std::unique_ptr<KubernetesIntake> KubernetesIntake::Start(collectors::kubeapi::ApiEndpoint endpoint,
                                                          const std::string& cluster,
                                                          CollectorStream& sink,
                                                          std::vector<domain::ObjectChange> known) {
  std::unique_ptr<KubernetesIntake> intake(
      new KubernetesIntake(std::move(endpoint), cluster, sink));
  std::vector<domain::KubeObject> objects;
  objects.reserve(known.size());
  {
    absl::MutexLock lock(&intake->mu_);
    std::vector<domain::Event> already_stored;
    for (domain::ObjectChange& change : known) {
      intake->detector_.Observe(change, &already_stored);
      already_stored.clear();
      objects.push_back(std::move(change.object));
    }
  }
  intake->flusher_ = std::thread([i = intake.get()] { i->Flusher(); });
  collectors::kubeapi::WatchOptions options;
  options.keep_raw = true;
  intake->watch_ = std::make_unique<collectors::kubeapi::ClusterWatch>(
      collectors::kubeapi::WatchedResources(), intake->client_, options, domain::Clock::Real(),
      [i = intake.get()](const domain::ObjectChange& change) { i->OnChange(change); }, objects);
  intake->watch_->Start();
  return intake;
}

KubernetesIntake::KubernetesIntake(collectors::kubeapi::ApiEndpoint endpoint,
                                   const std::string& cluster, CollectorStream& sink)
    : cluster_(cluster),
      sink_(sink),
      client_(std::move(endpoint)),
      ids_(std::random_device{}()),
      detector_(domain::Intern(cluster), registry_, ids_) {}

KubernetesIntake::~KubernetesIntake() {
  if (watch_ != nullptr) watch_->Stop();
  watch_.reset();
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (flusher_.joinable()) flusher_.join();
  Flush();
}

std::vector<collectors::kubeapi::ClusterWatch::ResourceStatus> KubernetesIntake::Status() const {
  return watch_->Status();
}

void KubernetesIntake::OnChange(const domain::ObjectChange& change) {
  std::vector<domain::Event> transitions;
  bool full;
  {
    absl::MutexLock lock(&mu_);
    detector_.Observe(change, &transitions);
    // The object first, so that the graph knows it when its transitions are analysed.
    if (!change.raw.empty()) {
      pending_.push_back(collectors::kubeapi::ObjectChangeEvent(change, cluster_, ids_.Next()));
    }
    for (const domain::Event& e : transitions) pending_.push_back(domain::ToProto(e, registry_));
    full = pending_.size() >= kBatchEvents;
  }
  if (full) Flush();
}

void KubernetesIntake::Flusher() {
  absl::MutexLock lock(&mu_);
  while (!mu_.AwaitWithTimeout(absl::Condition(&stopping_), kBatchDelay)) {
    mu_.Unlock();
    Flush();
    mu_.Lock();
  }
}

void KubernetesIntake::Flush() {
  absl::MutexLock order(&flush_mu_);
  std::vector<v1::UnifiedEvent> batch;
  {
    absl::MutexLock lock(&mu_);
    batch.swap(pending_);
  }
  if (batch.empty()) return;
  if (absl::Status s = sink_.Accept(kKubernetesCollector, std::move(batch)); !s.ok()) {
    std::fprintf(stderr, "tapio serve: Kubernetes watch: %s\n", std::string(s.message()).c_str());
  }
}

}  // namespace tapio::server
