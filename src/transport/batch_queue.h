// The batches a collector has yet to see acknowledged, oldest first: in memory up to a bound
// of events, beyond it spilled to files in a directory (so that a server away for long costs
// disk, not memory), and beyond the disk bound dropped and counted. Spilled batches left by
// an earlier run are queued again on start. Thread-compatible.
#ifndef TAPIO_TRANSPORT_BATCH_QUEUE_H_
#define TAPIO_TRANSPORT_BATCH_QUEUE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "transport/encoded_batch.h"

namespace tapio::transport {

class BatchQueue {
 public:
  struct Options {
    // Events held in memory before new batches go to disk.
    size_t memory_events = 100'000;
    // Where batches spill; empty: nowhere, so batches beyond the memory bound are dropped.
    std::string spill_dir;
    uint64_t spill_bytes = uint64_t{1} << 30;
  };

  struct Counts {
    uint64_t pushed = 0;
    uint64_t acked = 0;
    uint64_t spilled = 0;
    // Batches dropped because memory and disk were full, and the events in them.
    uint64_t dropped = 0;
    uint64_t dropped_events = 0;
  };

  // Creates the spill directory if it is missing and queues the batches spilled there by an
  // earlier run. Fails with the directory's name when it cannot be created or read.
  static absl::StatusOr<BatchQueue> Create(Options options);

  // Numbers the batch (1, 2, … after any recovered) and queues it; false when it was dropped.
  bool Push(EncodedBatch batch);

  // The `index`-th batch from the oldest unacknowledged, loaded from disk when spilled; null
  // when there are not that many. Shared, not copied: it stays whole while being sent, whatever
  // the queue does meanwhile.
  std::shared_ptr<const EncodedBatch> At(size_t index);

  // Forgets every batch up to and including `sequence`; returns how many events they held.
  uint64_t Ack(uint64_t sequence);

  size_t size() const { return memory_.size() + spilled_.size(); }
  size_t memory_events() const { return memory_events_; }
  const Counts& counts() const { return counts_; }

 private:
  explicit BatchQueue(Options options) : options_(std::move(options)) {}
  bool Spill(const EncodedBatch& batch);
  // Moves the oldest spilled batch into memory; false when none can be read.
  bool Unspill();

  struct SpilledBatch {
    uint64_t sequence;
    std::string path;
    uint64_t bytes;
  };

  Options options_;
  std::deque<std::shared_ptr<const EncodedBatch>> memory_;
  std::deque<SpilledBatch> spilled_;
  size_t memory_events_ = 0;
  uint64_t spill_bytes_ = 0;
  uint64_t next_sequence_ = 1;
  Counts counts_;
};

}  // namespace tapio::transport

#endif  // TAPIO_TRANSPORT_BATCH_QUEUE_H_
