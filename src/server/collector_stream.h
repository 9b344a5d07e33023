// The server side of CollectorService.Stream: each batch's events are checked (a malformed
// event is refused and counted, naming the collector, the batch and the field; the rest of
// the batch is kept), stored idempotently by event id, handed to the live analysis (only those
// new to the store, so a re-sent batch is analysed once), and only then acknowledged, so that an
// acknowledged event survives the server's crash. A collector over its rate has its batch refused
// with RESOURCE_EXHAUSTED, saying when to retry; it re-sends it after reconnecting. A batch marked
// final is followed by a stored kReplayEndType event at the stream's newest time, which makes the
// analysis conclude what is pending. Each collector's streams and figures are kept for
// TapioService. Thread-safe.
#ifndef TAPIO_SERVER_COLLECTOR_STREAM_H_
#define TAPIO_SERVER_COLLECTOR_STREAM_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "domain/event_id.h"
#include "server/bearer_token.h"
#include "server/collector_rate_limit.h"
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
};

class CollectorStream final : public tapio::v1::CollectorService::Service {
 public:
  // `store`, `analysis` and `limit` must outlive the service.
  CollectorStream(storage::Store& store, LiveAnalysis& analysis, const BearerToken& token,
                  CollectorRateLimit& limit)
      : store_(store), analysis_(analysis), token_(token), limit_(limit) {}

  grpc::Status Stream(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<tapio::v1::BatchAck, tapio::v1::EventBatch>* stream) override;

  const IngestCounts& counts() const { return counts_; }
  // Every collector seen since start, by id.
  std::vector<tapio::v1::CollectorStatus> Collectors() const;

 private:
  // What one batch did to its collector's figures.
  struct Tally {
    uint64_t stored = 0;
    uint64_t duplicate = 0;
    uint64_t rejected = 0;
    uint64_t throttled = 0;
  };
  // Checks, stores and analyses one batch; not OK ends the stream with that status.
  grpc::Status Ingest(const std::string& collector, tapio::v1::EventBatch& batch, uint64_t* newest,
                      Tally* tally);

  storage::Store& store_;
  LiveAnalysis& analysis_;
  const BearerToken& token_;
  CollectorRateLimit& limit_;
  mutable absl::Mutex mu_;
  std::map<std::string, tapio::v1::CollectorStatus> collectors_ ABSL_GUARDED_BY(mu_);
  domain::EventIdGenerator ids_{std::random_device{}()};
  IngestCounts counts_;
};

}  // namespace tapio::server

#endif  // TAPIO_SERVER_COLLECTOR_STREAM_H_
