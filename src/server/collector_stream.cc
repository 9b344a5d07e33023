#include "server/collector_stream.h"

#include <algorithm>
#include <cstdio>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "domain/entity.h"
#include "domain/event_proto.h"

namespace tapio::server {

grpc::Status CollectorStream::Stream(
    grpc::ServerContext* context, grpc::ServerReaderWriter<v1::BatchAck, v1::EventBatch>* stream) {
  if (grpc::Status auth = token_.Check(*context); !auth.ok()) return auth;
  v1::EventBatch batch;
  uint64_t newest = 0;
  // The collector this stream is from, once its first batch names it.
  std::string collector;
  grpc::Status ended = grpc::Status::OK;
  while (stream->Read(&batch)) {
    if (collector.empty()) {
      collector = batch.collector_id().empty() ? "unnamed" : batch.collector_id();
      registry_.StreamOpened(collector);
    }
    BatchTally tally;
    ended = Ingest(collector, batch, &newest, &tally, /*limited=*/true);
    registry_.BatchIngested(collector, tally);
    if (!ended.ok()) break;
    v1::BatchAck ack;
    ack.set_sequence(batch.sequence());
    if (!stream->Write(ack)) break;
  }
  if (!collector.empty()) registry_.StreamClosed(collector);
  return ended;
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

void CollectorStream::Stop() { stopping_ = true; }

absl::Status CollectorStream::Accept(const std::string& collector,
                                     std::vector<v1::UnifiedEvent> events) {
  v1::EventBatch batch;
  batch.mutable_events()->Reserve(static_cast<int>(events.size()));
  for (v1::UnifiedEvent& e : events) *batch.add_events() = std::move(e);
  uint64_t newest = 0;
  BatchTally tally;
  grpc::Status done = Ingest(collector, batch, &newest, &tally, /*limited=*/false);
  registry_.BatchIngested(collector, tally);
  if (done.ok()) return absl::OkStatus();
  return absl::UnavailableError(done.error_message());
}

grpc::Status CollectorStream::Ingest(const std::string& collector, v1::EventBatch& batch,
                                     uint64_t* newest, BatchTally* tally, bool limited) {
  ++counts_.batches;
  absl::Duration retry;
  if (limited && !limit_.Take(collector, static_cast<uint64_t>(batch.events_size()), &retry)) {
    ++counts_.batches_throttled;
    tally->throttled = 1;
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        absl::StrCat("collector ", collector, " is over its rate; retry in ",
                                     absl::FormatDuration(retry)));
  }
  // A scratch registry: the check is FromProto's, the store keeps the wire form.
  domain::EntityRegistry registry;
  std::vector<v1::UnifiedEvent> valid;
  valid.reserve(static_cast<size_t>(batch.events_size()));
  for (int i = 0; i < batch.events_size(); ++i) {
    absl::StatusOr<domain::Event> checked = domain::FromProto(batch.events(i), registry);
    if (!checked.ok()) {
      ++counts_.events_rejected;
      ++tally->rejected;
      std::fprintf(stderr, "tapio serve: %s batch %llu event %d: %s\n", collector.c_str(),
                   static_cast<unsigned long long>(batch.sequence()), i,
                   std::string(checked.status().message()).c_str());
      continue;
    }
    *newest = std::max(*newest, batch.events(i).time_unix_nano());
    valid.push_back(std::move(*batch.mutable_events(i)));
  }
  absl::StatusOr<std::vector<size_t>> stored = store_.Append(valid);
  if (!stored.ok()) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        absl::StrCat("the store refused the batch: ", stored.status().message()));
  }
  tally->stored = stored->size();
  tally->duplicate = valid.size() - stored->size();
  counts_.events_stored += tally->stored;
  counts_.events_duplicate += tally->duplicate;
  if (stored->size() == valid.size()) {
    analysis_.Observe(valid);
    tail_.Publish(valid);
  } else if (!stored->empty()) {
    std::vector<v1::UnifiedEvent> fresh;
    fresh.reserve(stored->size());
    for (size_t i : *stored) fresh.push_back(std::move(valid[i]));
    analysis_.Observe(fresh);
    tail_.Publish(fresh);
  }
  if (!batch.final()) return grpc::Status::OK;
  // Stored like any event, so that replaying the store concludes at the same place.
  v1::UnifiedEvent end;
  end.set_id(ids_.Next());
  end.set_time_unix_nano(*newest);
  end.set_observed_time_unix_nano(static_cast<uint64_t>(absl::ToUnixNanos(absl::Now())));
  end.set_source(v1::SOURCE_TAPIO);
  end.set_type(kReplayEndType);
  end.set_severity(v1::SEVERITY_INFO);
  end.mutable_entity()->set_kind("Collector");
  end.mutable_entity()->set_name(collector);
  std::vector<v1::UnifiedEvent> marker = {end};
  absl::StatusOr<std::vector<size_t>> kept = store_.Append(marker);
  if (!kept.ok()) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        absl::StrCat("the store refused the batch: ", kept.status().message()));
  }
  analysis_.Observe(marker);
  return grpc::Status::OK;
}

}  // namespace tapio::server
