// The server side of CollectorService. Stream: each batch's events are checked (a malformed
// event is refused and counted, naming the collector, the batch and the field; the rest of
// the batch is kept), stored idempotently by event id, then acknowledged, so that an
// acknowledged event survives the server's crash, and handed to the analysis pipeline (only
// those new to the store, so a re-sent batch is analysed once). Batches a stream sends while
// earlier ones are being stored are stored together, then acknowledged in order. A collector over
// its rate has its batch refused with RESOURCE_EXHAUSTED, saying when to retry; it re-sends it
// after reconnecting. A batch marked final is followed by a stored kReplayEndType event at the
// stream's newest time, which makes the analysis conclude what is pending; that batch is
// acknowledged once it has. What is stored is published to the event tail. Register and Heartbeat
// keep the collector registry and push its configuration to each collector as it changes.
// Thread-safe.
#ifndef TAPIO_SERVER_COLLECTOR_STREAM_H_
#define TAPIO_SERVER_COLLECTOR_STREAM_H_

#include <atomic>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "domain/event.h"
#include "domain/event_id.h"
#include "server/analysis_pipeline.h"
#include "server/bearer_token.h"
#include "server/collector_rate_limit.h"
#include "server/collector_registry.h"
#include "server/duration_histogram.h"
#include "server/event_tail.h"
#include "server/live_analysis.h"
#include "storage/store.h"
#include "tapio/v1/collector.grpc.pb.h"
#include "tapio/v1/tapio_service.pb.h"

namespace tapio::server {

struct IngestCounts {
  std::atomic<uint64_t> batches{0};
  std::atomic<uint64_t> events_stored{0};
  std::atomic<uint64_t> events_duplicate{0};
  std::atomic<uint64_t> events_rejected{0};
  // Batches refused because their collector was over its rate.
  std::atomic<uint64_t> batches_throttled{0};
  // How long the store took for each append of checked batches.
  mutable absl::Mutex appends_mu;
  DurationHistogram appends ABSL_GUARDED_BY(appends_mu);
};

class CollectorStream final : public tapio::v1::CollectorService::Service {
 public:
  // All must outlive the service.
  CollectorStream(storage::Store& store, AnalysisPipeline& analysis, const BearerToken& token,
                  CollectorRateLimit& limit, CollectorRegistry& registry, EventTail& tail)
      : store_(store),
        analysis_(analysis),
        token_(token),
        limit_(limit),
        registry_(registry),
        tail_(tail) {}

  grpc::Status Stream(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<tapio::v1::BatchAck, tapio::v1::EventBatch>* stream) override;
  grpc::Status Register(grpc::ServerContext* context, const tapio::v1::Registration* request,
                        tapio::v1::CollectorConfig* response) override;
  grpc::Status Heartbeat(grpc::ServerContext* context,
                         grpc::ServerReaderWriter<tapio::v1::CollectorConfig,
                                                  tapio::v1::CollectorHeartbeat>* stream) override;

  const IngestCounts& counts() const { return counts_; }
  // Every collector seen since start, by id.
  std::vector<tapio::v1::CollectorStatus> Collectors() const { return registry_.Collectors(); }
  // Takes a batch from a collector inside the server (its own Kubernetes watch): checked,
  // stored, analysed and published as a streamed one, with no rate limit.
  absl::Status Accept(const std::string& collector, std::vector<tapio::v1::UnifiedEvent> events);
  // Ends the event and heartbeat streams, which otherwise wait for the collector to end them,
  // and refuses new ones. What a stream had stored is acknowledged as far as it can be; the
  // collector re-sends the rest to the next server.
  void Stop();

 private:
  // A batch's events that passed the check, waiting to be stored.
  struct CheckedBatch {
    uint64_t sequence = 0;
    bool final = false;
    // The newest event time the stream has sent, up to this batch.
    uint64_t newest = 0;
    std::vector<tapio::v1::UnifiedEvent> valid;
    // Each of `valid` as the check decoded it, for the analysis.
    std::vector<domain::Event> decoded;
    BatchTally tally;
  };
  // Holds the batch to the collector's rate when `limited` and moves its valid events into
  // `checked`; not OK ends the stream with that status.
  grpc::Status Check(const std::string& collector, tapio::v1::EventBatch& batch, bool limited,
                     uint64_t* newest, CheckedBatch* checked);
  // Stores the batches' events in one append, then analyses and publishes those that were new;
  // not OK ends the stream with that status.
  grpc::Status Store(const std::string& collector, absl::Span<CheckedBatch> group);

  storage::Store& store_;
  AnalysisPipeline& analysis_;
  const BearerToken& token_;
  CollectorRateLimit& limit_;
  CollectorRegistry& registry_;
  EventTail& tail_;
  std::atomic<bool> stopping_{false};
  absl::Mutex open_mu_;
  // The calls of the event streams open now, for Stop to cancel.
  absl::flat_hash_set<grpc::ServerContext*> open_ ABSL_GUARDED_BY(open_mu_);
  domain::EventIdGenerator ids_{std::random_device{}()};
  IngestCounts counts_;
};

}  // namespace tapio::server

#endif  // TAPIO_SERVER_COLLECTOR_STREAM_H_
