#include "server/collector_stream.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "domain/entity.h"
#include "domain/event_proto.h"
#include "google/protobuf/util/time_util.h"

namespace tapio::server {

using google::protobuf::util::TimeUtil;

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
      absl::MutexLock lock(&mu_);
      v1::CollectorStatus& s = collectors_[collector];
      if (s.id().empty()) {
        s.set_id(collector);
        *s.mutable_first_seen() = TimeUtil::GetCurrentTime();
      }
      s.set_streams(s.streams() + 1);
    }
    Tally tally;
    ended = Ingest(collector, batch, &newest, &tally);
    {
      absl::MutexLock lock(&mu_);
      v1::CollectorStatus& s = collectors_[collector];
      *s.mutable_last_seen() = TimeUtil::GetCurrentTime();
      s.set_batches(s.batches() + 1);
      s.set_events_stored(s.events_stored() + tally.stored);
      s.set_events_duplicate(s.events_duplicate() + tally.duplicate);
      s.set_events_rejected(s.events_rejected() + tally.rejected);
      s.set_batches_throttled(s.batches_throttled() + tally.throttled);
    }
    if (!ended.ok()) break;
    v1::BatchAck ack;
    ack.set_sequence(batch.sequence());
    if (!stream->Write(ack)) break;
  }
  if (!collector.empty()) {
    absl::MutexLock lock(&mu_);
    v1::CollectorStatus& s = collectors_[collector];
    s.set_streams(s.streams() - 1);
  }
  return ended;
}

grpc::Status CollectorStream::Ingest(const std::string& collector, v1::EventBatch& batch,
                                     uint64_t* newest, Tally* tally) {
  ++counts_.batches;
  absl::Duration retry;
  if (!limit_.Take(collector, static_cast<uint64_t>(batch.events_size()), &retry)) {
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
  } else if (!stored->empty()) {
    std::vector<v1::UnifiedEvent> fresh;
    fresh.reserve(stored->size());
    for (size_t i : *stored) fresh.push_back(std::move(valid[i]));
    analysis_.Observe(fresh);
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

std::vector<v1::CollectorStatus> CollectorStream::Collectors() const {
  absl::MutexLock lock(&mu_);
  std::vector<v1::CollectorStatus> out;
  for (const auto& [id, status] : collectors_) out.push_back(status);
  return out;
}

}  // namespace tapio::server
