// The steps every event passes through on its shard, in order: validate → enrich →
// correlate → sink. Each shard owns its own instance of every stage, so a stage needs no lock
// for its own state; what it shares with other shards (a store, a graph) must be thread-safe.
#ifndef TAPIO_PIPELINE_STAGE_H_
#define TAPIO_PIPELINE_STAGE_H_

#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "domain/event.h"

namespace tapio::pipeline {

// An event with the moment it was accepted, for enqueue→sink latency.
struct QueuedEvent {
  domain::Event event;
  int64_t enqueued_ns = 0;
};

// The events one worker took from its queue at once. A stage may change events in place and
// reject some; rejected events are counted and skipped by the stages after it.
class Batch {
 public:
  explicit Batch(size_t capacity) : items_(capacity), rejected_(capacity, 0) {}

  size_t size() const { return size_; }
  const domain::Event& event(size_t i) const { return items_[i].event; }
  domain::Event& mutable_event(size_t i) { return items_[i].event; }
  int64_t enqueued_ns(size_t i) const { return items_[i].enqueued_ns; }

  // Rejects event `i`; it is counted and reaches no later stage.
  void Reject(size_t i) {
    rejected_count_ += rejected_[i] == 0 ? 1 : 0;
    rejected_[i] = 1;
  }

  // For the pipeline: the storage a worker fills, and the clean-up between stages.
  QueuedEvent* storage() { return items_.data(); }
  size_t capacity() const { return items_.size(); }
  void set_size(size_t size) { size_ = size; }
  size_t rejected_count() const { return rejected_count_; }
  bool rejected(size_t i) const { return rejected_[i] != 0; }
  // Moves the events not rejected to the front, keeping their order, and clears the marks.
  void Compact() {
    size_t kept = 0;
    for (size_t i = 0; i < size_; ++i) {
      if (rejected_[i] == 0) items_[kept++] = items_[i];
      rejected_[i] = 0;
    }
    size_ = kept;
    rejected_count_ = 0;
  }

 private:
  std::vector<QueuedEvent> items_;
  std::vector<uint8_t> rejected_;
  size_t size_ = 0;
  size_t rejected_count_ = 0;
};

class Stage {
 public:
  virtual ~Stage() = default;
  // A short, stable name for metrics ("validate", "sink").
  virtual absl::string_view name() const = 0;
  // Handles one batch. Must not block for long: the shard's queue fills meanwhile.
  virtual void Process(Batch& batch) = 0;
  // Called once after the last batch, when the pipeline stops.
  virtual void Flush() {}
};

}  // namespace tapio::pipeline

#endif  // TAPIO_PIPELINE_STAGE_H_
