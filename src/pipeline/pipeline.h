// The event pipeline: producers (collectors, ingest streams) submit events; each event goes to
// the shard its entity hashes to, so one entity's events from one producer stay in order; each
// shard's worker takes batches from its bounded queue and runs them through the stages
// (validate → enrich → correlate → sink). Full queues block the producer or drop lowest
// severity first, per source; every event is counted in exactly one of delivered, rejected,
// dropped, refused or abandoned. Build one with PipelineBuilder. Thread-safe.
#ifndef TAPIO_PIPELINE_PIPELINE_H_
#define TAPIO_PIPELINE_PIPELINE_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "domain/event.h"
#include "pipeline/bounded_event_queue.h"
#include "pipeline/overflow.h"
#include "pipeline/pipeline_metrics.h"
#include "pipeline/stage.h"

namespace tapio::pipeline {

struct PipelineOptions {
  int shards = 2;
  size_t queue_capacity = 65536;
  size_t batch_size = 256;
  // How long a worker waits for a partial batch to fill; 0 hands on whatever is there.
  absl::Duration batch_wait = absl::ZeroDuration();
  absl::Duration drain_timeout = absl::Seconds(30);
  std::array<Overflow, domain::kSourceCount> overflow;
};

class Pipeline {
 public:
  struct SubmitResult {
    size_t accepted = 0;
    // Not taken: the queue was full (drop-lowest-severity).
    size_t dropped = 0;
    // Not taken: the pipeline is stopping or stopped.
    size_t refused = 0;
  };

  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;
  // Stops the pipeline if Stop() was not called.
  ~Pipeline();

  // Offers `events`; under the block policy waits while a queue is full. Accepted events will
  // reach the sink (or be rejected by a stage) before Stop() returns.
  SubmitResult Submit(absl::Span<const domain::Event> events);
  // As above, and calls `not_accepted(i)` for each index of `events` that was not taken.
  // `not_accepted` must not call Submit().
  SubmitResult Submit(absl::Span<const domain::Event> events,
                      absl::FunctionRef<void(size_t)> not_accepted);

  // Stops taking events, waits for the queued ones to pass every stage, flushes the stages and
  // joins the workers. Returns DeadlineExceeded when the drain took longer than drain_timeout;
  // the events still queued then are counted as abandoned. Idempotent.
  absl::Status Stop();

  MetricsSnapshot Metrics() const;
  const PipelineOptions& options() const { return options_; }

 private:
  friend class PipelineBuilder;
  struct Shard {
    explicit Shard(size_t capacity) : queue(capacity) {}
    BoundedEventQueue queue;
    std::vector<std::unique_ptr<Stage>> stages;
    std::thread worker;
  };

  Pipeline(PipelineOptions options, std::vector<std::string> stage_names);
  void Start();
  void RunWorker(int shard_index);
  void RunStages(int shard_index, Batch& batch);
  size_t ShardOf(domain::EntityId entity) const;
  size_t Enqueue(Shard& shard, absl::Span<QueuedEvent> items, Overflow overflow,
                 absl::Span<uint8_t> admitted);

  const PipelineOptions options_;
  PipelineMetrics metrics_;
  std::vector<std::unique_ptr<Shard>> shards_;

  // Set once by Stop(); producers check it after announcing themselves in active_submitters_.
  std::atomic<bool> closed_{false};
  std::atomic<int> active_submitters_{0};
  // Set once producers are gone: workers exit when their queue is empty.
  std::atomic<bool> draining_{false};
  // Set when the drain timed out: workers exit at once, counting what is left.
  std::atomic<bool> abandon_{false};

  absl::Mutex stop_mu_;
  int running_workers_ ABSL_GUARDED_BY(stop_mu_) = 0;
  bool stop_started_ ABSL_GUARDED_BY(stop_mu_) = false;
  bool stop_done_ ABSL_GUARDED_BY(stop_mu_) = false;
  absl::Status stop_status_ ABSL_GUARDED_BY(stop_mu_);
};

}  // namespace tapio::pipeline

#endif  // TAPIO_PIPELINE_PIPELINE_H_
