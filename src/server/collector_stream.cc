#include "server/collector_stream.h"

#include <cstdio>
#include <vector>

#include "absl/strings/str_cat.h"
#include "domain/entity.h"
#include "domain/event_proto.h"

namespace tapio::server {

grpc::Status CollectorStream::Stream(
    grpc::ServerContext* context, grpc::ServerReaderWriter<v1::BatchAck, v1::EventBatch>* stream) {
  if (grpc::Status auth = token_.Check(*context); !auth.ok()) return auth;
  v1::EventBatch batch;
  while (stream->Read(&batch)) {
    ++counts_.batches;
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
    if (batch.final()) analysis_.Flush();
    v1::BatchAck ack;
    ack.set_sequence(batch.sequence());
    if (!stream->Write(ack)) break;
  }
  return grpc::Status::OK;
}

}  // namespace tapio::server
