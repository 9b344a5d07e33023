#include "server/collector_stream.h"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <iterator>
#include <numeric>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "domain/entity.h"
#include "domain/event_proto.h"

namespace tapio::server {
namespace {

// Checked batches of one stream waiting for the store, at most; reading waits beyond.
constexpr size_t kQueuedBatches = 32;

}  // namespace

grpc::Status CollectorStream::Stream(
    grpc::ServerContext* context, grpc::ServerReaderWriter<v1::BatchAck, v1::EventBatch>* stream) {
  if (grpc::Status auth = token_.Check(*context); !auth.ok()) return auth;
  {
    absl::MutexLock lock(&open_mu_);
    if (stopping_) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is shutting down");
    }
    open_.insert(context);
  }
  // The collector this stream is from, once its first batch names it.
  std::string collector;
  // Batches are checked on this thread and stored, analysed and acknowledged on `storing`, which
  // stores together all that have queued meanwhile.
  absl::Mutex mu;
  std::deque<CheckedBatch> queue;
  bool reading = true;
  grpc::Status failed = grpc::Status::OK;
  std::thread storing([&] {
    while (true) {
      std::vector<CheckedBatch> group;
      {
        absl::MutexLock lock(&mu);
        auto ready = [&] { return !queue.empty() || !reading; };
        mu.Await(absl::Condition(&ready));
        if (queue.empty()) return;
        group.assign(std::make_move_iterator(queue.begin()), std::make_move_iterator(queue.end()));
        queue.clear();
      }
      grpc::Status stored = Store(collector, absl::MakeSpan(group));
      bool acked = stored.ok();
      for (const CheckedBatch& b : group) {
        registry_.BatchIngested(collector, b.tally);
        if (!acked) continue;
        v1::BatchAck ack;
        ack.set_sequence(b.sequence);
        acked = stream->Write(ack);
      }
      if (acked) continue;
      absl::MutexLock lock(&mu);
      failed = stored.ok() ? grpc::Status(grpc::StatusCode::CANCELLED, "the collector went away")
                           : stored;
      context->TryCancel();
      return;
    }
  });
  grpc::Status ended = grpc::Status::OK;
  v1::EventBatch batch;
  uint64_t newest = 0;
  while (stream->Read(&batch)) {
    if (collector.empty()) {
      collector = batch.collector_id().empty() ? "unnamed" : batch.collector_id();
      registry_.StreamOpened(collector);
    }
    CheckedBatch checked;
    ended = Check(collector, batch, /*limited=*/true, &newest, &checked);
    if (!ended.ok()) {
      registry_.BatchIngested(collector, checked.tally);
      break;
    }
    absl::MutexLock lock(&mu);
    auto room = [&] { return queue.size() < kQueuedBatches || !failed.ok(); };
    mu.Await(absl::Condition(&room));
    if (!failed.ok()) break;
    queue.push_back(std::move(checked));
  }
  {
    absl::MutexLock lock(&mu);
    reading = false;
  }
  storing.join();
  {
    absl::MutexLock lock(&open_mu_);
    open_.erase(context);
  }
  if (!collector.empty()) registry_.StreamClosed(collector);
  return failed.ok() ? ended : failed;
}

grpc::Status CollectorStream::Register(grpc::ServerContext* context,
                                       const v1::Registration* request,
                                       v1::CollectorConfig* response) {
  if (grpc::Status auth = token_.Check(*context); !auth.ok()) return auth;
  if (request->collector_id().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "a registration names its collector (collector_id)");
  }
  *response = registry_.Register(*request);
  return grpc::Status::OK;
}

grpc::Status CollectorStream::Heartbeat(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::CollectorConfig, v1::CollectorHeartbeat>* stream) {
  if (grpc::Status auth = token_.Check(*context); !auth.ok()) return auth;
  v1::CollectorHeartbeat first;
  if (!stream->Read(&first)) return grpc::Status::OK;
  if (!registry_.Registered(first.collector_id())) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("collector \"", first.collector_id(),
                                     "\" has not registered: call Register first"));
  }
  registry_.Heartbeat(first);
  v1::CollectorConfig config = registry_.config();
  if (config.generation() != first.config_generation() && !stream->Write(config)) {
    return grpc::Status::OK;
  }
  // Heartbeats are read on a thread of their own; this one pushes each new configuration.
  std::atomic<bool> ended{false};
  std::thread reader([&] {
    v1::CollectorHeartbeat heartbeat;
    while (stream->Read(&heartbeat)) {
      heartbeat.set_collector_id(first.collector_id());
      registry_.Heartbeat(heartbeat);
    }
    ended = true;
  });
  constexpr absl::Duration kCheckEvery = absl::Milliseconds(200);
  while (!ended && !stopping_ && !context->IsCancelled()) {
    if (registry_.AwaitNewerConfig(config.generation(), kCheckEvery, &config) &&
        !stream->Write(config)) {
      break;
    }
  }
  if (!ended) context->TryCancel();
  reader.join();
  return grpc::Status::OK;
}

void CollectorStream::Stop() {
  absl::MutexLock lock(&open_mu_);
  stopping_ = true;
  for (grpc::ServerContext* context : open_) context->TryCancel();
}

absl::Status CollectorStream::Accept(const std::string& collector,
                                     std::vector<v1::UnifiedEvent> events) {
  v1::EventBatch batch;
  batch.mutable_events()->Reserve(static_cast<int>(events.size()));
  for (v1::UnifiedEvent& e : events) *batch.add_events() = std::move(e);
  uint64_t newest = 0;
  CheckedBatch checked;
  grpc::Status done = Check(collector, batch, /*limited=*/false, &newest, &checked);
  if (done.ok()) done = Store(collector, absl::MakeSpan(&checked, 1));
  registry_.BatchIngested(collector, checked.tally);
  if (done.ok()) return absl::OkStatus();
  return absl::UnavailableError(done.error_message());
}

grpc::Status CollectorStream::Check(const std::string& collector, v1::EventBatch& batch,
                                    bool limited, uint64_t* newest, CheckedBatch* checked) {
  ++counts_.batches;
  checked->sequence = batch.sequence();
  checked->final = batch.final();
  absl::Duration retry;
  if (limited && !limit_.Take(collector, static_cast<uint64_t>(batch.events_size()), &retry)) {
    ++counts_.batches_throttled;
    checked->tally.throttled = 1;
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        absl::StrCat("collector ", collector, " is over its rate; retry in ",
                                     absl::FormatDuration(retry)));
  }
  // The check is FromProto's: the store keeps the wire form, the analysis what it decoded.
  checked->valid.reserve(static_cast<size_t>(batch.events_size()));
  checked->decoded.reserve(static_cast<size_t>(batch.events_size()));
  for (int i = 0; i < batch.events_size(); ++i) {
    absl::StatusOr<domain::Event> event = domain::FromProto(batch.events(i), analysis_.registry());
    if (!event.ok()) {
      ++counts_.events_rejected;
      ++checked->tally.rejected;
      std::fprintf(stderr, "tapio serve: %s batch %llu event %d: %s\n", collector.c_str(),
                   static_cast<unsigned long long>(batch.sequence()), i,
                   std::string(event.status().message()).c_str());
      continue;
    }
    *newest = std::max(*newest, batch.events(i).time_unix_nano());
    checked->valid.push_back(std::move(*batch.mutable_events(i)));
    checked->decoded.push_back(*std::move(event));
  }
  checked->newest = *newest;
  return grpc::Status::OK;
}

grpc::Status CollectorStream::Store(const std::string& collector, absl::Span<CheckedBatch> group) {
  std::vector<size_t> sizes;
  for (const CheckedBatch& b : group) sizes.push_back(b.valid.size());
  std::vector<v1::UnifiedEvent> joined;
  std::vector<domain::Event> joined_decoded;
  if (group.size() > 1) {
    const size_t total = std::accumulate(sizes.begin(), sizes.end(), size_t{0});
    joined.reserve(total);
    joined_decoded.reserve(total);
    for (CheckedBatch& b : group) {
      std::move(b.valid.begin(), b.valid.end(), std::back_inserter(joined));
      std::move(b.decoded.begin(), b.decoded.end(), std::back_inserter(joined_decoded));
    }
  }
  std::vector<v1::UnifiedEvent>& events = group.size() > 1 ? joined : group[0].valid;
  std::vector<domain::Event>& decoded = group.size() > 1 ? joined_decoded : group[0].decoded;
  const absl::Time began = absl::Now();
  absl::StatusOr<std::vector<size_t>> stored = store_.Append(events);
  {
    absl::MutexLock lock(&counts_.appends_mu);
    counts_.appends.Record(absl::Now() - began);
  }
  if (!stored.ok()) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        absl::StrCat("the store refused the batch: ", stored.status().message()));
  }
  size_t batch = 0;
  size_t first = 0;
  for (size_t i : *stored) {
    while (i >= first + sizes[batch]) first += sizes[batch++];
    ++group[batch].tally.stored;
  }
  for (size_t b = 0; b < group.size(); ++b) {
    BatchTally& tally = group[b].tally;
    tally.duplicate = sizes[b] - tally.stored;
    counts_.events_stored += tally.stored;
    counts_.events_duplicate += tally.duplicate;
  }
  if (stored->size() == events.size()) {
    tail_.Publish(events);
    analysis_.Submit(events, absl::MakeSpan(decoded));
  } else if (!stored->empty()) {
    std::vector<v1::UnifiedEvent> fresh;
    std::vector<domain::Event> fresh_decoded;
    fresh.reserve(stored->size());
    fresh_decoded.reserve(stored->size());
    for (size_t i : *stored) {
      fresh.push_back(std::move(events[i]));
      fresh_decoded.push_back(std::move(decoded[i]));
    }
    tail_.Publish(fresh);
    analysis_.Submit(fresh, absl::MakeSpan(fresh_decoded));
  }
  for (const CheckedBatch& b : group) {
    if (!b.final) continue;
    // Stored like any event, so that replaying the store concludes at the same place.
    v1::UnifiedEvent end = ReplayEnd(
        ids_.Next(), b.newest, static_cast<uint64_t>(absl::ToUnixNanos(absl::Now())), collector);
    std::vector<v1::UnifiedEvent> marker = {end};
    absl::StatusOr<std::vector<size_t>> kept = store_.Append(marker);
    if (!kept.ok()) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                          absl::StrCat("the store refused the batch: ", kept.status().message()));
    }
    analysis_.Conclude(end);
  }
  return grpc::Status::OK;
}

}  // namespace tapio::server
