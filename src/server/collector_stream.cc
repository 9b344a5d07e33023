#include "server/collector_stream.h"

#include <algorithm>
#include <cstdio>
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
  while (stream->Read(&batch)) {
    ++counts_.batches;
    absl::Duration retry;
    if (!limit_.Take(batch.collector_id(), static_cast<uint64_t>(batch.events_size()), &retry)) {
      ++counts_.batches_throttled;
      return grpc::Status(
          grpc::StatusCode::RESOURCE_EXHAUSTED,
          absl::StrCat("collector ", batch.collector_id(), " is over its rate; retry in ",
                       absl::FormatDuration(retry)));
    }
    // A scratch registry: the check is FromProto's, the store keeps the wire form.
    domain::EntityRegistry registry;
    std::vector<int> refused;
    for (int i = 0; i < batch.events_size(); ++i) {
      absl::StatusOr<domain::Event> checked = domain::FromProto(batch.events(i), registry);
      if (checked.ok()) continue;
      refused.push_back(i);
      ++counts_.events_rejected;
      std::fprintf(stderr, "tapio serve: %s batch %llu event %d: %s\n",
                   batch.collector_id().c_str(), static_cast<unsigned long long>(batch.sequence()),
                   i, std::string(checked.status().message()).c_str());
    }
    std::vector<v1::UnifiedEvent> valid;
    valid.reserve(static_cast<size_t>(batch.events_size()));
    size_t next_refused = 0;
    for (int i = 0; i < batch.events_size(); ++i) {
      if (next_refused < refused.size() && refused[next_refused] == i) {
        ++next_refused;
        continue;
      }
      valid.push_back(std::move(*batch.mutable_events(i)));
    }
    for (const v1::UnifiedEvent& e : valid) newest = std::max(newest, e.time_unix_nano());
    absl::StatusOr<std::vector<size_t>> stored = store_.Append(valid);
    if (!stored.ok()) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                          absl::StrCat("the store refused the batch: ", stored.status().message()));
    }
    counts_.events_stored += stored->size();
    counts_.events_duplicate += valid.size() - stored->size();
    if (stored->size() == valid.size()) {
      analysis_.Observe(valid);
    } else if (!stored->empty()) {
      std::vector<v1::UnifiedEvent> fresh;
      fresh.reserve(stored->size());
      for (size_t i : *stored) fresh.push_back(std::move(valid[i]));
      analysis_.Observe(fresh);
    }
    if (batch.final()) {
      // Stored like any event, so that replaying the store concludes at the same place.
      v1::UnifiedEvent end;
      end.set_id(ids_.Next());
      end.set_time_unix_nano(newest);
      end.set_observed_time_unix_nano(static_cast<uint64_t>(absl::ToUnixNanos(absl::Now())));
      end.set_source(v1::SOURCE_TAPIO);
      end.set_type(kReplayEndType);
      end.set_severity(v1::SEVERITY_INFO);
      end.mutable_entity()->set_kind("Collector");
      end.mutable_entity()->set_name(batch.collector_id().empty() ? "unnamed"
                                                                  : batch.collector_id());
      std::vector<v1::UnifiedEvent> marker = {end};
      absl::StatusOr<std::vector<size_t>> kept = store_.Append(marker);
      if (!kept.ok()) {
        return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                            absl::StrCat("the store refused the batch: ", kept.status().message()));
      }
      analysis_.Observe(marker);
    }
    v1::BatchAck ack;
    ack.set_sequence(batch.sequence());
    if (!stream->Write(ack)) break;
  }
  return grpc::Status::OK;
}

}  // namespace tapio::server
