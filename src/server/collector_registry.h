// The server's collectors: each one's registration, open streams, ingest figures and last
// heartbeat, and the one configuration every collector is to run with. Replacing that
// configuration gives it the next generation and wakes every heartbeat stream waiting to push
// it. Thread-safe.
#ifndef TAPIO_SERVER_COLLECTOR_REGISTRY_H_
#define TAPIO_SERVER_COLLECTOR_REGISTRY_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "domain/clock.h"
#include "tapio/v1/collector.pb.h"
#include "tapio/v1/tapio_service.pb.h"

namespace tapio::server {

// What one batch did to its collector's figures.
struct BatchTally {
  uint64_t stored = 0;
  uint64_t duplicate = 0;
  uint64_t rejected = 0;
  uint64_t throttled = 0;
};

class CollectorRegistry {
 public:
  // `config` starts as generation 1. `clock` must outlive the registry.
  CollectorRegistry(tapio::v1::CollectorConfig config, const domain::Clock& clock);

  // Records who the collector is (again, after its restart) and returns the configuration.
  tapio::v1::CollectorConfig Register(const tapio::v1::Registration& registration);
  bool Registered(const std::string& id) const;
  void Heartbeat(const tapio::v1::CollectorHeartbeat& heartbeat);

  void StreamOpened(const std::string& id);
  void StreamClosed(const std::string& id);
  void BatchIngested(const std::string& id, const BatchTally& tally);

  // Takes `config` as the next generation unless it equals the current one; returns the
  // configuration now in force.
  tapio::v1::CollectorConfig SetConfig(tapio::v1::CollectorConfig config);
  tapio::v1::CollectorConfig config() const;
  // Waits up to `timeout` for a configuration newer than `generation`; true and `out` set
  // when there is one.
  bool AwaitNewerConfig(uint64_t generation, absl::Duration timeout,
                        tapio::v1::CollectorConfig* out) const;

  // Every collector seen since start, by id; a registered one is silent after three heartbeat
  // intervals without a heartbeat.
  std::vector<tapio::v1::CollectorStatus> Collectors() const;

 private:
  tapio::v1::CollectorStatus& Entry(const std::string& id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const domain::Clock& clock_;
  mutable absl::Mutex mu_;
  tapio::v1::CollectorConfig config_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, tapio::v1::CollectorStatus> collectors_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tapio::server

#endif  // TAPIO_SERVER_COLLECTOR_REGISTRY_H_
