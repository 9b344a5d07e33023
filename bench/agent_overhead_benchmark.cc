// The CPU the whole node agent takes while it ships kernel events (root; skips with the reason
// otherwise): `tapio serve` and `tapio agent --server` run as child processes, as an operator
// starts them, and this process has connect()s to a closed port on 127.0.0.1 refused at
// range(1) per second, range(0) per iteration, after a warm-up of a second's worth. Reported:
// the agent process's CPU time over the iterations (every thread, user and system, read from
// its CPU-time clock) per connect and as a share of a core, and what the agent said on
// stopping it saw, had acknowledged and lost. The programs' own run time in the kernel lands
// in the connecting process, not in the agent: tapio_ebpf_overhead_benchmark reports it.
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "benchmark/benchmark.h"
#include "tests/support/loopback.h"
#include "tests/support/tapio_process.h"

namespace tapio {
namespace {

using ::tapio::testing::TapioProcess;

constexpr int64_t kNanosPerSecond = 1'000'000'000;

int64_t ClockNanos(clockid_t clock) {
  timespec now;
  if (clock_gettime(clock, &now) != 0) return -1;
  return int64_t{now.tv_sec} * kNanosPerSecond + now.tv_nsec;
}

// The number after `word ` in `line`, or -1.
int64_t NumberAfter(absl::string_view line, absl::string_view word) {
  std::vector<absl::string_view> words = absl::StrSplit(line, absl::ByAnyChar(" ,;"));
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    int64_t value = 0;
    if (words[i] == word && absl::SimpleAtoi(words[i + 1], &value)) return value;
  }
  return -1;
}

// The first number before ` word` in `line` ("400 event(s) seen"), or -1.
int64_t NumberBefore(absl::string_view line, absl::string_view word) {
  std::vector<absl::string_view> words = absl::StrSplit(line, absl::ByAnyChar(" ,;"));
  for (size_t i = 1; i < words.size(); ++i) {
    int64_t value = 0;
    if (words[i] == word && absl::SimpleAtoi(words[i - 1], &value)) return value;
  }
  return -1;
}

void BM_Agent_ShippedRefusals(benchmark::State& state) {
  if (geteuid() != 0) {
    state.SkipWithError("needs root to load the kernel programs");
    return;
  }
  const int64_t per_iteration = state.range(0);
  const int64_t interval_ns = kNanosPerSecond / state.range(1);
  const std::string dir = absl::StrCat(std::filesystem::temp_directory_path().string(),
                                       "/tapio-agent-bench-", getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);

  TapioProcess serve({"serve", "--listen", "127.0.0.1:0", "--http-listen", "", "--store",
                      dir + "/tapio.db", "--no-kube-watch", "--collector-rate", "0"});
  int64_t port = -1;
  for (std::string line; port < 0;) {
    line = serve.Line(/*from_stderr=*/true, deadline);
    if (line.empty()) break;
    if (absl::StrContains(line, "listening on port")) port = NumberAfter(line, "port");
  }
  if (port <= 0) {
    state.SkipWithError("tapio serve did not say which port it listens on");
    return;
  }
  TapioProcess agent({"agent", "--server", absl::StrCat("127.0.0.1:", port), "--node", "bench-node",
                      "--kernel", "ebpf", "--for", "1h"});
  std::string mode = agent.Line(/*from_stderr=*/true, deadline);
  if (!absl::StrContains(mode, "kernel collector: eBPF")) {
    state.SkipWithError(absl::StrCat("tapio agent: ", mode).c_str());
    return;
  }
  clockid_t agent_clock;
  if (clock_getcpuclockid(agent.pid(), &agent_clock) != 0) {
    state.SkipWithError("no CPU-time clock for the agent process");
    return;
  }

  const uint16_t closed = ::tapio::testing::ClosedPort();
  int64_t refused = ::tapio::testing::RefusePaced(closed, state.range(1), interval_ns);
  const int64_t cpu_start = ClockNanos(agent_clock);
  const int64_t wall_start = ClockNanos(CLOCK_MONOTONIC);
  int64_t measured = 0;
  for (auto _ : state) {
    measured += ::tapio::testing::RefusePaced(closed, per_iteration, interval_ns);
  }
  const int64_t agent_ns = ClockNanos(agent_clock) - cpu_start;
  const int64_t wall_ns = ClockNanos(CLOCK_MONOTONIC) - wall_start;
  refused += measured;

  agent.Stop(SIGTERM);
  std::string summary;
  for (std::string line; !(line = agent.Line(/*from_stderr=*/true, deadline)).empty();) {
    if (absl::StrContains(line, "event(s) seen")) summary = line;
  }
  serve.Stop(SIGTERM);
  std::filesystem::remove_all(dir);
  if (summary.empty() || measured == 0) {
    state.SkipWithError("the agent did not say what it shipped");
    return;
  }
  state.counters["refused"] = static_cast<double>(refused);
  state.counters["agent_cpu_ns_per_connect"] =
      static_cast<double>(agent_ns) / static_cast<double>(measured);
  state.counters["agent_cpu_percent"] =
      100.0 * static_cast<double>(agent_ns) / static_cast<double>(wall_ns);
  state.counters["connects_per_s"] =
      static_cast<double>(measured) * kNanosPerSecond / static_cast<double>(wall_ns);
  state.counters["events_seen"] = static_cast<double>(NumberBefore(summary, "event(s)"));
  state.counters["events_acked"] = static_cast<double>(NumberBefore(summary, "acknowledged"));
  state.counters["events_dropped"] = static_cast<double>(NumberBefore(summary, "dropped"));
  state.counters["ring_buffer_drops"] = static_cast<double>(NumberAfter(summary, "drops"));
}
BENCHMARK(BM_Agent_ShippedRefusals)
    ->ArgNames({"connects", "per_s"})
    ->Args({10'000, 10'000})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace tapio
