#include "pipeline/pipeline.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"

namespace tapio::pipeline {
namespace {

// How long an idle worker sleeps in its queue before looking at the stop flags again; bounds
// how long Stop() waits for an idle pipeline.
constexpr absl::Duration kIdlePoll = absl::Milliseconds(10);

int64_t MonotonicNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Per-source tallies of one Submit() call, added to the shared counters once at the end.
struct SubmitTally {
  std::array<Pipeline::SubmitResult, domain::kSourceCount> by_source{};
};

// Reused across Submit() calls of one thread, so submitting allocates nothing once warm.
struct SubmitScratch {
  std::vector<std::vector<uint32_t>> by_shard;
  std::vector<QueuedEvent> items;
  std::vector<uint8_t> admitted;
};

}  // namespace

Pipeline::Pipeline(PipelineOptions options, std::vector<std::string> stage_names)
    : options_(std::move(options)), metrics_(options_.shards, std::move(stage_names)) {
  for (int i = 0; i < options_.shards; ++i) {
    shards_.push_back(std::make_unique<Shard>(options_.queue_capacity));
  }
}

Pipeline::~Pipeline() { Stop().IgnoreError(); }

void Pipeline::Start() {
  absl::MutexLock lock(&stop_mu_);
  running_workers_ = static_cast<int>(shards_.size());
  for (int i = 0; i < static_cast<int>(shards_.size()); ++i) {
    shards_[i]->worker = std::thread([this, i] { RunWorker(i); });
  }
}

size_t Pipeline::ShardOf(domain::EntityId entity) const {
  // Fibonacci hashing spreads consecutive entity ids evenly.
  uint64_t hash = uint64_t{entity.value} * 0x9E3779B97F4A7C15ull;
  return static_cast<size_t>((hash >> 32) % shards_.size());
}

Pipeline::SubmitResult Pipeline::Submit(absl::Span<const domain::Event> events) {
  return Submit(events, [](size_t) {});
}

Pipeline::SubmitResult Pipeline::Submit(absl::Span<const domain::Event> events,
                                        absl::FunctionRef<void(size_t)> not_accepted) {
  SubmitResult result;
  if (events.empty()) return result;
  SubmitTally tally;
  // Sequentially consistent with Stop(): either Stop() sees this producer active and waits
  // for it, or this producer sees closed_ and takes nothing.
  active_submitters_.fetch_add(1, std::memory_order_seq_cst);
  if (closed_.load(std::memory_order_seq_cst)) {
    active_submitters_.fetch_sub(1, std::memory_order_seq_cst);
    for (size_t i = 0; i < events.size(); ++i) {
      ++tally.by_source[static_cast<size_t>(events[i].source)].refused;
      not_accepted(i);
    }
  } else {
    thread_local SubmitScratch scratch;
    scratch.by_shard.resize(std::max(scratch.by_shard.size(), shards_.size()));
    for (size_t s = 0; s < shards_.size(); ++s) scratch.by_shard[s].clear();
    for (size_t i = 0; i < events.size(); ++i) {
      scratch.by_shard[ShardOf(events[i].entity)].push_back(static_cast<uint32_t>(i));
    }
    const int64_t now = MonotonicNanos();
    for (size_t s = 0; s < shards_.size(); ++s) {
      const std::vector<uint32_t>& indices = scratch.by_shard[s];
      // Runs of one overflow policy, handled in order so an entity's events keep their order.
      for (size_t begin = 0; begin < indices.size();) {
        Overflow overflow = options_.overflow[static_cast<size_t>(events[indices[begin]].source)];
        size_t end = begin + 1;
        while (end < indices.size() &&
               options_.overflow[static_cast<size_t>(events[indices[end]].source)] == overflow) {
          ++end;
        }
        scratch.items.clear();
        for (size_t k = begin; k < end; ++k) scratch.items.push_back({events[indices[k]], now});
        scratch.admitted.assign(scratch.items.size(), 0);
        Enqueue(*shards_[s], absl::MakeSpan(scratch.items), overflow,
                absl::MakeSpan(scratch.admitted));
        for (size_t k = begin; k < end; ++k) {
          const domain::Event& event = events[indices[k]];
          SubmitResult& by_source = tally.by_source[static_cast<size_t>(event.source)];
          switch (scratch.admitted[k - begin]) {
            case 1:
              ++by_source.accepted;
              break;
            case 0:
              ++(overflow == Overflow::kBlock ? by_source.refused : by_source.dropped);
              not_accepted(indices[k]);
              break;
          }
        }
        begin = end;
      }
    }
    active_submitters_.fetch_sub(1, std::memory_order_seq_cst);
  }
  for (size_t source = 0; source < tally.by_source.size(); ++source) {
    const SubmitResult& r = tally.by_source[source];
    size_t offered = r.accepted + r.dropped + r.refused;
    if (offered == 0) continue;
    metrics_.AddSubmitted(static_cast<domain::Source>(source), offered, r.accepted, r.dropped,
                          r.refused);
    result.accepted += r.accepted;
    result.dropped += r.dropped;
    result.refused += r.refused;
  }
  return result;
}

size_t Pipeline::Enqueue(Shard& shard, absl::Span<QueuedEvent> items, Overflow overflow,
                         absl::Span<uint8_t> admitted) {
  BoundedEventQueue& queue = shard.queue;
  if (overflow == Overflow::kDropLowestSeverity) {
    size_t granted = queue.ReserveBySeverity(items, admitted);
    if (granted == items.size()) {
      queue.Push(items);
    } else if (granted > 0) {
      // Admitted events are compacted into a prefix of a copy; `items` keeps its order.
      std::vector<QueuedEvent> kept;
      kept.reserve(granted);
      for (size_t i = 0; i < items.size(); ++i) {
        if (admitted[i]) kept.push_back(items[i]);
      }
      queue.Push(absl::MakeSpan(kept));
    }
    return granted;
  }
  size_t done = 0;
  while (done < items.size()) {
    size_t granted = queue.TryReserve(items.size() - done);
    if (granted > 0) {
      queue.Push(items.subspan(done, granted));
      for (size_t i = done; i < done + granted; ++i) admitted[i] = 1;
      done += granted;
      continue;
    }
    if (!queue.WaitForRoom(closed_)) break;
  }
  return done;
}

void Pipeline::RunWorker(int shard_index) {
  Shard& shard = *shards_[shard_index];
  Batch batch(options_.batch_size);
  while (!abandon_.load(std::memory_order_acquire)) {
    bool draining = draining_.load(std::memory_order_acquire);
    absl::Span<QueuedEvent> storage(batch.storage(), batch.capacity());
    size_t taken = shard.queue.Pop(storage, draining ? absl::ZeroDuration() : kIdlePoll);
    if (taken == 0) {
      if (draining && shard.queue.depth() == 0) break;
      continue;
    }
    if (taken < storage.size() && options_.batch_wait > absl::ZeroDuration()) {
      absl::Time deadline = absl::Now() + options_.batch_wait;
      while (taken < storage.size()) {
        absl::Duration left = deadline - absl::Now();
        if (left <= absl::ZeroDuration()) break;
        taken += shard.queue.Pop(storage.subspan(taken), left);
      }
    }
    batch.set_size(taken);
    RunStages(shard_index, batch);
  }
  if (abandon_.load(std::memory_order_acquire)) {
    absl::Span<QueuedEvent> storage(batch.storage(), batch.capacity());
    while (size_t taken = shard.queue.Pop(storage, absl::ZeroDuration())) {
      for (size_t i = 0; i < taken; ++i) {
        metrics_.AddAbandoned(shard_index, storage[i].event.source, 1);
      }
    }
  }
  for (auto& stage : shard.stages) stage->Flush();
  absl::MutexLock lock(&stop_mu_);
  --running_workers_;
}

void Pipeline::RunStages(int shard_index, Batch& batch) {
  Shard& shard = *shards_[shard_index];
  metrics_.AddBatch(shard_index);
  const size_t last = shard.stages.size() - 1;
  for (size_t s = 0; s < shard.stages.size() && batch.size() > 0; ++s) {
    int64_t start = MonotonicNanos();
    if (s == last) {
      LatencyHistogram& latency = metrics_.enqueue_to_sink(shard_index);
      std::array<uint64_t, domain::kSourceCount> delivered{};
      for (size_t i = 0; i < batch.size(); ++i) {
        latency.Record(static_cast<uint64_t>(std::max<int64_t>(0, start - batch.enqueued_ns(i))));
        ++delivered[static_cast<size_t>(batch.event(i).source)];
      }
      for (size_t source = 0; source < delivered.size(); ++source) {
        if (delivered[source] != 0) {
          metrics_.AddDelivered(shard_index, static_cast<domain::Source>(source),
                                delivered[source]);
        }
      }
    }
    shard.stages[s]->Process(batch);
    metrics_.stage_latency(shard_index, static_cast<int>(s))
        .Record(static_cast<uint64_t>(MonotonicNanos() - start));
    if (batch.rejected_count() > 0 && s != last) {
      for (size_t i = 0; i < batch.size(); ++i) {
        if (batch.rejected(i)) metrics_.AddRejected(shard_index, batch.event(i).source, 1);
      }
      batch.Compact();
    }
  }
}

absl::Status Pipeline::Stop() {
  {
    absl::MutexLock lock(&stop_mu_);
    if (stop_started_) {
      stop_mu_.Await(absl::Condition(&stop_done_));
      return stop_status_;
    }
    stop_started_ = true;
  }
  closed_.store(true, std::memory_order_seq_cst);
  for (auto& shard : shards_) shard->queue.WakeAll();
  while (active_submitters_.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
  draining_.store(true, std::memory_order_release);

  absl::Status status;
  {
    absl::MutexLock lock(&stop_mu_);
    auto all_done = [this]()
                        ABSL_EXCLUSIVE_LOCKS_REQUIRED(stop_mu_) { return running_workers_ == 0; };
    if (!stop_mu_.AwaitWithTimeout(absl::Condition(&all_done), options_.drain_timeout)) {
      size_t left = 0;
      for (auto& shard : shards_) left += shard->queue.depth();
      status = absl::DeadlineExceededError(absl::StrCat(
          "pipeline drain took longer than ", absl::FormatDuration(options_.drain_timeout), "; ",
          left, " queued events abandoned"));
      abandon_.store(true, std::memory_order_release);
    }
  }
  for (auto& shard : shards_) {
    if (shard->worker.joinable()) shard->worker.join();
  }
  absl::MutexLock lock(&stop_mu_);
  stop_status_ = status;
  stop_done_ = true;
  return status;
}

MetricsSnapshot Pipeline::Metrics() const {
  std::vector<size_t> depth;
  for (const auto& shard : shards_) depth.push_back(shard->queue.depth());
  return metrics_.Snapshot(depth, options_.queue_capacity);
}

}  // namespace tapio::pipeline
