// Whole-path ingest: 4 agents' event streams (the shipper `tapio agent` uses) over loopback
// into one server storing in SQLite with durability on (synchronous=FULL, an fsync per
// commit): events per second from the first Submit until the last acknowledgement.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "domain/process.h"
#include "intelligence/patterns/builtin_patterns.h"
#include "server/server.h"
#include "storage/sqlite/sqlite_store.h"
#include "transport/event_shipper.h"

namespace tapio::server {
namespace {

constexpr int kAgents = 4;
constexpr int kBatch = 1000;

std::vector<v1::UnifiedEvent> Batch(uint64_t first) {
  std::vector<v1::UnifiedEvent> events(kBatch);
  for (int i = 0; i < kBatch; ++i) {
    v1::UnifiedEvent& e = events[static_cast<size_t>(i)];
    e.set_id(first + static_cast<uint64_t>(i));
    e.set_time_unix_nano(1'772'360'100'000'000'000 + first + static_cast<uint64_t>(i));
    e.set_source(v1::SOURCE_KERNEL);
    e.set_type("kernel.process_exit");
    e.set_severity(v1::SEVERITY_WARNING);
    e.mutable_entity()->set_kind("Node");
    e.mutable_entity()->set_name(absl::StrCat("node-", first % 97));
    e.mutable_kernel()->set_pid(static_cast<uint32_t>(first + static_cast<uint64_t>(i)));
    e.mutable_kernel()->set_comm("worker");
    e.mutable_kernel()->set_signal(9);
  }
  return events;
}

// `state.range(0)` batches of 1,000 events per agent.
void BM_IngestFourAgentsIntoDurableSqlite(benchmark::State& state) {
  // As `tapio serve` runs.
  domain::ConfigureProcess();
  const int batches = static_cast<int>(state.range(0));
  uint64_t total = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::string path = absl::StrCat(std::filesystem::temp_directory_path().string(),
                                    "/tapio-ingest-", getpid(), ".db");
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    auto store = *storage::sqlite::SqliteStore::Open({path, /*durable=*/true});
    ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.token = "bench";
    // Every event is analysed: agents wait rather than the analysis skipping events.
    options.pipeline.set_overflow(pipeline::Overflow::kBlock);
    LiveAnalysis analysis(*intelligence::LoadBuiltinPatterns(), {}, domain::Clock::Real());
    auto server = *Server::Start(options, *store, analysis);
    std::vector<std::vector<std::vector<v1::UnifiedEvent>>> work(kAgents);
    for (int a = 0; a < kAgents; ++a) {
      for (int b = 0; b < batches; ++b) {
        work[static_cast<size_t>(a)].push_back(Batch(
            (static_cast<uint64_t>(a) * static_cast<uint64_t>(batches) + static_cast<uint64_t>(b)) *
                kBatch +
            1));
      }
    }
    std::vector<std::unique_ptr<transport::EventShipper>> agents;
    for (int a = 0; a < kAgents; ++a) {
      transport::EventShipper::Options o;
      o.target = absl::StrCat("127.0.0.1:", server->port());
      o.collector_id = absl::StrCat("agent/", a);
      o.token = "bench";
      o.batch_events = kBatch;
      o.window = 16;
      agents.push_back(*transport::EventShipper::Start(o));
    }
    state.ResumeTiming();
    std::vector<std::thread> senders;
    for (int a = 0; a < kAgents; ++a) {
      senders.emplace_back([&, a] {
        for (auto& batch : work[static_cast<size_t>(a)])
          agents[static_cast<size_t>(a)]->Submit(batch);
        agents[static_cast<size_t>(a)]->Drain(absl::Minutes(5));
      });
    }
    for (std::thread& t : senders) t.join();
    // Acknowledged means stored; the run ends once the analysis has seen every event too.
    const uint64_t sent = uint64_t{kAgents} * static_cast<uint64_t>(batches) * kBatch;
    while (analysis.counts().events < sent)
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    state.PauseTiming();
    for (auto& agent : agents) total += agent->counts().acked;
    agents.clear();
    server.reset();
    store.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(total));
  state.counters["acked"] = static_cast<double>(total);
}
BENCHMARK(BM_IngestFourAgentsIntoDurableSqlite)
    ->Arg(2)
    ->Arg(100)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace tapio::server
