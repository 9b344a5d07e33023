// The SQLite store's write path alone: batches of 1,000 events appended with durability on
// (synchronous=FULL, an fsync per batch), each its own commit, into a store that
// grows to `state.range(0)` batches.
#include <unistd.h>

#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "domain/process.h"
#include "storage/sqlite/sqlite_store.h"

namespace tapio::storage::sqlite {
namespace {

constexpr int kBatch = 1000;
constexpr int kPods = 10'000;

// Pod events from four collectors, each with its own id prefix, a quarter of them in a trace.
std::vector<v1::UnifiedEvent> Batch(int b) {
  std::vector<v1::UnifiedEvent> events(kBatch);
  for (int i = 0; i < kBatch; ++i) {
    uint64_t n = static_cast<uint64_t>(b) * kBatch + static_cast<uint64_t>(i);
    v1::UnifiedEvent& e = events[static_cast<size_t>(i)];
    e.set_id((static_cast<uint64_t>(1 + b % 4) << 40) | n);
    e.set_time_unix_nano(1'772'360'100'000'000'000 + n * 1000);
    e.set_source(v1::SOURCE_KERNEL);
    e.set_type(i % 2 == 0 ? "kernel.process_exit" : "kernel.tcp_retransmit");
    e.set_severity(v1::SEVERITY_WARNING);
    e.mutable_entity()->set_kind("Pod");
    e.mutable_entity()->set_namespace_("shop");
    e.mutable_entity()->set_name(absl::StrCat("checkout-", n % kPods));
    e.mutable_kernel()->set_pid(static_cast<uint32_t>(n));
    e.mutable_kernel()->set_comm("worker");
    if (i % 4 == 0) e.mutable_trace()->set_trace_id(absl::StrCat("trace-", n / 16, "-0000000"));
  }
  return events;
}

void BM_AppendDurable(benchmark::State& state) {
  // As `tapio serve` runs.
  domain::ConfigureProcess();
  const int batches = static_cast<int>(state.range(0));
  std::vector<std::vector<v1::UnifiedEvent>> work;
  for (int b = 0; b < batches; ++b) work.push_back(Batch(b));
  std::string path = absl::StrCat(std::filesystem::temp_directory_path().string(), "/tapio-append-",
                                  getpid(), ".db");
  int64_t appended = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    auto store = *SqliteStore::Open({path, /*durable=*/true});
    state.ResumeTiming();
    for (const auto& batch : work) appended += static_cast<int64_t>(store->Append(batch)->size());
    state.PauseTiming();
    store.reset();
    state.ResumeTiming();
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  state.SetItemsProcessed(appended);
}
BENCHMARK(BM_AppendDurable)
    ->Arg(2)
    ->Arg(100)
    ->Arg(1000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace tapio::storage::sqlite
