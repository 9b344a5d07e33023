#include "server/collector_registry.h"

#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"

namespace tapio::server {

using google::protobuf::util::TimeUtil;

namespace {

// Heartbeat intervals without a heartbeat before a collector counts as silent.
constexpr int kSilentAfterIntervals = 3;

}  // namespace

CollectorRegistry::CollectorRegistry(v1::CollectorConfig config, const domain::Clock& clock)
    : clock_(clock), config_(std::move(config)) {
  config_.set_generation(1);
}

v1::CollectorStatus& CollectorRegistry::Entry(const std::string& id) {
  v1::CollectorStatus& s = collectors_[id];
  if (s.id().empty()) {
    s.set_id(id);
    *s.mutable_first_seen() = TimeUtil::NanosecondsToTimestamp(clock_.NowNanos());
  }
  *s.mutable_last_seen() = TimeUtil::NanosecondsToTimestamp(clock_.NowNanos());
  return s;
}

v1::CollectorConfig CollectorRegistry::Register(const v1::Registration& registration) {
  absl::MutexLock lock(&mu_);
  v1::CollectorStatus& s = Entry(registration.collector_id());
  s.set_kind(registration.kind());
  s.set_node(registration.node());
  s.set_version(registration.version());
  *s.mutable_sources() = registration.sources();
  // The registration starts the silence clock.
  *s.mutable_last_heartbeat() = s.last_seen();
  return config_;
}

bool CollectorRegistry::Registered(const std::string& id) const {
  absl::MutexLock lock(&mu_);
  auto found = collectors_.find(id);
  return found != collectors_.end() && found->second.has_last_heartbeat();
}

void CollectorRegistry::Heartbeat(const v1::CollectorHeartbeat& heartbeat) {
  absl::MutexLock lock(&mu_);
  v1::CollectorStatus& s = Entry(heartbeat.collector_id());
  *s.mutable_last_heartbeat() = s.last_seen();
  s.set_config_generation(heartbeat.config_generation());
  s.set_events_seen(heartbeat.events_seen());
  s.set_events_acked(heartbeat.events_acked());
  s.set_events_dropped(heartbeat.events_dropped());
  s.set_events_queued(heartbeat.events_queued());
  if (heartbeat.has_kernel()) *s.mutable_kernel() = heartbeat.kernel();
}

void CollectorRegistry::StreamOpened(const std::string& id) {
  absl::MutexLock lock(&mu_);
  v1::CollectorStatus& s = Entry(id);
  s.set_streams(s.streams() + 1);
}

void CollectorRegistry::StreamClosed(const std::string& id) {
  absl::MutexLock lock(&mu_);
  v1::CollectorStatus& s = Entry(id);
  s.set_streams(s.streams() - 1);
}

void CollectorRegistry::BatchIngested(const std::string& id, const BatchTally& tally) {
  absl::MutexLock lock(&mu_);
  v1::CollectorStatus& s = Entry(id);
  s.set_batches(s.batches() + 1);
  s.set_events_stored(s.events_stored() + tally.stored);
  s.set_events_duplicate(s.events_duplicate() + tally.duplicate);
  s.set_events_rejected(s.events_rejected() + tally.rejected);
  s.set_batches_throttled(s.batches_throttled() + tally.throttled);
}

v1::CollectorConfig CollectorRegistry::SetConfig(v1::CollectorConfig config) {
  absl::MutexLock lock(&mu_);
  config.set_generation(config_.generation());
  if (!google::protobuf::util::MessageDifferencer::Equals(config, config_)) {
    config.set_generation(config_.generation() + 1);
    config_ = std::move(config);
  }
  return config_;
}

v1::CollectorConfig CollectorRegistry::config() const {
  absl::MutexLock lock(&mu_);
  return config_;
}

bool CollectorRegistry::AwaitNewerConfig(uint64_t generation, absl::Duration timeout,
                                         v1::CollectorConfig* out) const {
  absl::MutexLock lock(&mu_);
  auto newer = [this, generation]()
                   ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return config_.generation() > generation; };
  if (!mu_.AwaitWithTimeout(absl::Condition(&newer), timeout)) return false;
  *out = config_;
  return true;
}

std::vector<v1::CollectorStatus> CollectorRegistry::Collectors() const {
  absl::MutexLock lock(&mu_);
  const int64_t silent_ns =
      kSilentAfterIntervals * TimeUtil::DurationToNanoseconds(config_.heartbeat_interval());
  const int64_t now = clock_.NowNanos();
  std::vector<v1::CollectorStatus> out;
  for (const auto& [id, status] : collectors_) {
    out.push_back(status);
    if (status.has_last_heartbeat()) {
      out.back().set_silent(now - TimeUtil::TimestampToNanoseconds(status.last_heartbeat()) >
                            silent_ns);
    }
  }
  return out;
}

}  // namespace tapio::server
