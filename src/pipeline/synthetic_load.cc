#include "pipeline/synthetic_load.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "domain/event_id.h"

namespace tapio::pipeline {
namespace {

int64_t MonotonicNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Counts what reaches it and remembers when it last received anything.
class CountingSink : public Stage {
 public:
  CountingSink(std::atomic<uint64_t>& delivered, std::atomic<int64_t>& last_ns)
      : delivered_(delivered), last_ns_(last_ns) {}
  absl::string_view name() const override { return "sink"; }
  void Process(Batch& batch) override {
    // Relaxed: read only after the pipeline's workers are joined.
    delivered_.fetch_add(batch.size(), std::memory_order_relaxed);
    int64_t now = MonotonicNanos();
    int64_t last = last_ns_.load(std::memory_order_relaxed);
    while (now > last && !last_ns_.compare_exchange_weak(last, now, std::memory_order_relaxed)) {
    }
  }

 private:
  std::atomic<uint64_t>& delivered_;
  std::atomic<int64_t>& last_ns_;
};

// Events shaped like a busy node's: mostly Kubernetes and kernel facts about many pods.
std::vector<domain::Event> MakeTemplates(int entities) {
  const domain::Source sources[] = {domain::Source::kKubernetes, domain::Source::kKernel,
                                    domain::Source::kJournal, domain::Source::kOtlp};
  const domain::Symbol types[] = {
      domain::Intern("k8s.container_terminated"), domain::Intern("net.connection_refused"),
      domain::Intern("node.unit_log"), domain::Intern("app.error_span")};
  const domain::Severity severities[] = {domain::Severity::kInfo, domain::Severity::kWarning,
                                         domain::Severity::kError, domain::Severity::kDebug};
  std::vector<domain::Event> templates;
  templates.reserve(entities);
  for (int i = 0; i < entities; ++i) {
    domain::Event event;
    // Entity ids without a registry: the pipeline only hashes them.
    event.entity = domain::EntityId{static_cast<uint32_t>(i + 1)};
    event.source = sources[i % 4];
    event.type = types[i % 4];
    event.severity = severities[i % 4];
    domain::KubernetesPayload payload;
    payload.reason = domain::Intern("OOMKilled");
    payload.count = 1;
    event.payload = payload;
    templates.push_back(event);
  }
  return templates;
}

void Produce(Pipeline& pipeline, const std::vector<domain::Event>& templates, uint64_t first,
             uint64_t count, double rate, size_t batch_size, domain::EventIdGenerator& ids) {
  std::vector<domain::Event> batch;
  batch.reserve(batch_size);
  const int64_t start = MonotonicNanos();
  uint64_t sent = 0;
  while (sent < count) {
    size_t n = std::min<uint64_t>(batch_size, count - sent);
    if (rate > 0) {
      double elapsed_s = static_cast<double>(MonotonicNanos() - start) / 1e9;
      auto due = static_cast<uint64_t>(elapsed_s * rate);
      if (due <= sent) {
        // Pacing, not waiting for a condition: the offered rate is the point of the run.
        auto next = std::chrono::nanoseconds(start + static_cast<int64_t>((sent + 1) / rate * 1e9));
        std::this_thread::sleep_until(std::chrono::steady_clock::time_point(next));
        continue;
      }
      n = std::min<uint64_t>(n, due - sent);
    }
    batch.clear();
    uint64_t id = ids.NextBlock(static_cast<uint32_t>(n));
    int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    for (size_t i = 0; i < n; ++i) {
      domain::Event event = templates[(first + sent + i) % templates.size()];
      event.id = id + i;
      event.time_ns = now_ns;
      event.observed_ns = now_ns;
      batch.push_back(event);
    }
    pipeline.Submit(batch);
    sent += n;
  }
}

}  // namespace

absl::StatusOr<SyntheticLoadReport> RunSyntheticLoad(const SyntheticLoadOptions& options,
                                                     PipelineBuilder builder) {
  if (options.events == 0 || options.producers < 1 || options.producers > 256 || options.rate < 0 ||
      options.submit_batch < 1 || options.entities < 1) {
    return absl::InvalidArgumentError(
        "bench needs events > 0, 1 to 256 producers, a rate >= 0, a batch >= 1 and entities >= 1");
  }
  std::atomic<uint64_t> delivered{0};
  std::atomic<int64_t> last_ns{0};
  builder.set_overflow(Overflow::kBlock);
  for (int s = 0; s < domain::kSourceCount; ++s) {
    builder.set_source_overflow(static_cast<domain::Source>(s), Overflow::kBlock);
  }
  builder.set_sink([&](int) { return std::make_unique<CountingSink>(delivered, last_ns); });
  absl::StatusOr<std::unique_ptr<Pipeline>> built = builder.Build();
  if (!built.ok()) return built.status();
  Pipeline& pipeline = **built;

  const std::vector<domain::Event> templates = MakeTemplates(options.entities);
  domain::EventIdGenerator ids(0xbe7c4);
  const int64_t start = MonotonicNanos();
  std::vector<std::thread> producers;
  uint64_t per_producer = options.events / options.producers;
  for (int p = 0; p < options.producers; ++p) {
    uint64_t count = per_producer + (p == 0 ? options.events % options.producers : 0);
    producers.emplace_back([&, p, count] {
      Produce(pipeline, templates, p * per_producer, count, options.rate / options.producers,
              options.submit_batch, ids);
    });
  }
  for (auto& t : producers) t.join();
  const size_t queue_bytes = CountingQueueTraits::allocated_bytes();
  absl::Status stopped = pipeline.Stop();
  if (!stopped.ok()) return stopped;

  MetricsSnapshot metrics = pipeline.Metrics();
  SyntheticLoadReport report;
  report.events = options.events;
  report.delivered = delivered.load(std::memory_order_relaxed);
  report.seconds = static_cast<double>(last_ns.load(std::memory_order_relaxed) - start) / 1e9;
  report.events_per_sec = report.seconds > 0 ? report.delivered / report.seconds : 0;
  report.p50_us = metrics.enqueue_to_sink.Quantile(0.50) / 1e3;
  report.p99_us = metrics.enqueue_to_sink.Quantile(0.99) / 1e3;
  report.bytes_per_event =
      static_cast<double>(queue_bytes) /
      static_cast<double>(pipeline.options().queue_capacity * pipeline.options().shards);
  report.shards = pipeline.options().shards;
  report.producers = options.producers;
  if (report.delivered != options.events) {
    return absl::InternalError(
        absl::StrCat("bench delivered ", report.delivered, " of ", options.events, " events"));
  }
  return report;
}

}  // namespace tapio::pipeline
