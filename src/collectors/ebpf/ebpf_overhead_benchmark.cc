// What the kernel collector costs and how fast user space keeps up (root only; each benchmark
// skips with the reason when BPF cannot load):
//
//  - BM_KernelCollector_PacedConnectOverhead: refused connect()s to a closed port on
//    127.0.0.1 at range(1) per second, range(0) per iteration, first with no program loaded,
//    then with the KernelCollector (tcp and dns) loaded and a consumer thread calling Poll. The
//    number of connects is range(0) times the iterations --benchmark_min_time asks for.
//    range(2) 0: the consumer waits in Poll, as the agent does (the programs wake it only
//    when a ring is a quarter full, so it drains once per Poll timeout); otherwise it sleeps
//    range(2) ms between drains (Flush). The programs' cost is the run time the kernel counts
//    in each of them (BPF_STATS_RUN_TIME), per connect; the agent's CPU is that at the
//    paced rate plus the consumer's. The difference of the connecting thread's CPU time with
//    and without the programs is reported too, as a noisy cross-check.
//  - BM_KernelCollector_ConnectOverhead: the same, as fast as connect() goes: the overhead
//    of the programs on the system-call path; range(1) as range(2) above.
//  - BM_RingBufferPoller_DecodedRate: bpf/load_generator.bpf.c (benchmark-only) writes tcp
//    records into a ring buffer of the collector's size at range(0) records per second (0:
//    as fast as it can) while a consumer thread drains them with RingBufferPoller and
//    KernelEventDecoder, as the collector does; the highest rate whose drop count stays 0
//    is the rate user space sustains. Also with a 4 MiB ring, to show what a larger ring buys.
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "bpf/load_generator.h"
#include "bpf/load_generator.skel.h"
#include "bpf/tapio_events.h"
#include "collectors/ebpf/bpf_support.h"
#include "collectors/ebpf/cgroup_resolver.h"
#include "collectors/ebpf/kernel_collector.h"
#include "collectors/ebpf/kernel_events.h"
#include "collectors/ebpf/probe.h"
#include "collectors/ebpf/ring_buffer_poller.h"
#include "domain/clock.h"
#include "domain/entity.h"
#include "domain/event_id.h"
#include "domain/symbol_table.h"
#include "tests/support/loopback.h"

namespace tapio::collectors::ebpf {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;

int64_t ClockNanos(clockid_t clock) {
  timespec now;
  clock_gettime(clock, &now);
  return int64_t{now.tv_sec} * kNanosPerSecond + now.tv_nsec;
}

int64_t MonotonicNanos() { return ClockNanos(CLOCK_MONOTONIC); }

// User and system time of the calling thread; the in-kernel BPF cost of a connect() lands in
// the connecting thread's system time.
int64_t ThreadRusageNanos() {
  rusage usage = {};
  getrusage(RUSAGE_THREAD, &usage);
  auto nanos = [](const timeval& t) {
    return int64_t{t.tv_sec} * kNanosPerSecond + t.tv_usec * 1000;
  };
  return nanos(usage.ru_utime) + nanos(usage.ru_stime);
}

using ::tapio::testing::ClosedPort;
using ::tapio::testing::Loopback;
using ::tapio::testing::RefusePaced;

struct ConnectRun {
  int64_t wall_ns = 0;
  // The connecting thread's CPU time (getrusage RUSAGE_THREAD).
  int64_t cpu_ns = 0;
  int64_t refused = 0;
};

// `count` refused connects, one every `interval_ns` on an absolute schedule (0: back to back).
ConnectRun RunConnects(uint16_t port, int64_t count, int64_t interval_ns) {
  ConnectRun run;
  const int64_t start = MonotonicNanos();
  const int64_t cpu_start = ThreadRusageNanos();
  run.refused = RefusePaced(port, count, interval_ns);
  run.cpu_ns = ThreadRusageNanos() - cpu_start;
  run.wall_ns = MonotonicNanos() - start;
  return run;
}

// Calls Poll on a collector from its own thread, as the agent's kernel thread does, or
// sleeps `drain_every` between drains when it is not zero, until stopped, then drains what
// is left. Counts the refused events to `port`.
class CollectorConsumer {
 public:
  CollectorConsumer(KernelCollector& collector, uint16_t port, absl::Duration drain_every)
      : collector_(collector), port_(port), drain_every_(drain_every), thread_([this] { Run(); }) {}

  // Joins the thread. Returns false when Poll or Flush failed.
  bool Stop() {
    stop_.store(true, std::memory_order_relaxed);  // joined below: join orders the rest
    thread_.join();
    return ok_;
  }
  int64_t cpu_ns() const { return cpu_ns_; }
  int64_t wall_ns() const { return wall_ns_; }
  int64_t events() const { return events_; }

 private:
  void Run() {
    const domain::Symbol refused = domain::Intern(event_type::kConnectionRefused);
    const int64_t start = MonotonicNanos();
    const int64_t cpu_start = ClockNanos(CLOCK_THREAD_CPUTIME_ID);
    std::vector<domain::Event> events;
    events.reserve(4096);
    auto count = [&] {
      for (const domain::Event& event : events) {
        const auto* network = std::get_if<domain::NetworkPayload>(&event.payload);
        if (event.type == refused && network != nullptr && network->dport == port_) ++events_;
      }
      events.clear();
    };
    while (ok_ && !stop_.load(std::memory_order_relaxed)) {
      if (drain_every_ > absl::ZeroDuration()) {
        absl::SleepFor(drain_every_);
        ok_ = collector_.Flush(&events).ok();
      } else {
        ok_ = collector_.Poll(absl::Milliseconds(20), &events).ok();
      }
      count();
    }
    if (ok_) ok_ = collector_.Flush(&events).ok();
    count();
    cpu_ns_ = ClockNanos(CLOCK_THREAD_CPUTIME_ID) - cpu_start;
    wall_ns_ = MonotonicNanos() - start;
  }

  KernelCollector& collector_;
  const uint16_t port_;
  const absl::Duration drain_every_;
  std::atomic<bool> stop_{false};
  bool ok_ = true;
  int64_t cpu_ns_ = 0;
  int64_t wall_ns_ = 0;
  int64_t events_ = 0;
  std::thread thread_;  // last: starts once the members above exist
};

// The kernel's own count of the time spent in BPF programs (as kernel.bpf_stats_enabled
// gives it) for the programs named tapio_* loaded while this object lives.
class ProgramRunTime {
 public:
  struct Program {
    std::string name;
    uint64_t run_ns = 0;
    uint64_t runs = 0;
  };

  ProgramRunTime() : stats_fd_(bpf_enable_stats(BPF_STATS_RUN_TIME)), before_(TapioIds()) {}
  ~ProgramRunTime() {
    if (stats_fd_ >= 0) close(stats_fd_);
  }
  ProgramRunTime(const ProgramRunTime&) = delete;
  ProgramRunTime& operator=(const ProgramRunTime&) = delete;

  bool counting() const { return stats_fd_ >= 0; }

  // The programs loaded since this object was made, as the kernel counts them now.
  std::vector<Program> Read() const {
    std::vector<Program> programs;
    for (uint32_t id : TapioIds()) {
      if (std::find(before_.begin(), before_.end(), id) != before_.end()) continue;
      bpf_prog_info info = {};
      if (!Info(id, info)) continue;
      programs.push_back({FullName(id, info), info.run_time_ns, info.run_cnt});
    }
    return programs;
  }

 private:
  static bool Info(uint32_t id, bpf_prog_info& info, bpf_func_info* first_function = nullptr) {
    int fd = bpf_prog_get_fd_by_id(id);
    if (fd < 0) return false;
    if (first_function != nullptr) {
      info.nr_func_info = 1;
      info.func_info_rec_size = sizeof(*first_function);
      info.func_info = reinterpret_cast<uintptr_t>(first_function);
    }
    uint32_t size = sizeof(info);
    bool ok = bpf_obj_get_info_by_fd(fd, &info, &size) == 0;
    close(fd);
    return ok;
  }

  // bpf_prog_info's name stops at 15 characters; the program's BTF has the whole of it.
  static std::string FullName(uint32_t id, const bpf_prog_info& short_info) {
    std::string name = short_info.name;
    bpf_prog_info info = {};
    bpf_func_info function = {};
    if (short_info.btf_id == 0 || short_info.nr_func_info == 0 || !Info(id, info, &function)) {
      return name;
    }
    btf* types = btf__load_from_kernel_by_id(info.btf_id);
    if (types == nullptr) return name;
    if (const btf_type* type = btf__type_by_id(types, function.type_id); type != nullptr) {
      name = btf__name_by_offset(types, type->name_off);
    }
    btf__free(types);
    return name;
  }

  static std::vector<uint32_t> TapioIds() {
    std::vector<uint32_t> ids;
    uint32_t id = 0;
    while (bpf_prog_get_next_id(id, &id) == 0) {
      bpf_prog_info info = {};
      if (Info(id, info) && absl::StartsWith(info.name, "tapio_")) ids.push_back(id);
    }
    return ids;
  }

  const int stats_fd_;
  const std::vector<uint32_t> before_;
};

// Each iteration: range(0) connects without any program, then range(0) with the collector
// loaded and consumed, paced at `rate` per second (0: unpaced).
void ConnectOverhead(benchmark::State& state, int64_t rate, absl::Duration drain_every) {
  if (absl::Status support = CheckBpfSupport(); !support.ok()) {
    state.SkipWithError(std::string(support.message()).c_str());
    return;
  }
  const int64_t batch = state.range(0);
  const int64_t interval_ns = rate > 0 ? kNanosPerSecond / rate : 0;
  const uint16_t port = ClosedPort();
  domain::EntityRegistry registry;
  domain::EventIdGenerator ids(7);
  KernelCollector::Options options;
  options.node = "bench-node";
  options.oom = false;
  options.process_exit = false;
  options.retransmit_interval = absl::Hours(1);
  ConnectRun without;
  ConnectRun with;
  int64_t consumer_cpu_ns = 0;
  int64_t consumer_wall_ns = 0;
  int64_t events = 0;
  int64_t drops = 0;
  std::map<std::string, uint64_t> program_ns;
  uint64_t programs_ns = 0;
  bool counted = true;
  for (auto _ : state) {
    ConnectRun base = RunConnects(port, batch, interval_ns);
    ProgramRunTime run_time;
    counted = counted && run_time.counting();
    absl::StatusOr<std::unique_ptr<KernelCollector>> collector =
        KernelCollector::Create(options, registry, ids, domain::Clock::Real());
    if (!collector.ok()) {
      state.SkipWithError(collector.status().ToString().c_str());
      return;
    }
    CollectorConsumer consumer(**collector, port, drain_every);
    ConnectRun agent = RunConnects(port, batch, interval_ns);
    if (!consumer.Stop()) {
      state.SkipWithError("polling the kernel collector failed");
      return;
    }
    for (const ProgramRunTime::Program& program : run_time.Read()) {
      program_ns[program.name] += program.run_ns;
      programs_ns += program.run_ns;
    }
    absl::StatusOr<KernelCollector::Counts> counts = (*collector)->ReadCounts();
    if (!counts.ok()) {
      state.SkipWithError(counts.status().ToString().c_str());
      return;
    }
    without.wall_ns += base.wall_ns;
    without.cpu_ns += base.cpu_ns;
    without.refused += base.refused;
    with.wall_ns += agent.wall_ns;
    with.cpu_ns += agent.cpu_ns;
    with.refused += agent.refused;
    consumer_cpu_ns += consumer.cpu_ns();
    consumer_wall_ns += consumer.wall_ns();
    events += consumer.events();
    drops += static_cast<int64_t>(counts->ring_buffer_drops);
  }
  const double connects = static_cast<double>(batch * state.iterations());
  const double extra_ns_per_connect = static_cast<double>(with.cpu_ns - without.cpu_ns) / connects;
  const double consumer_percent =
      100.0 * static_cast<double>(consumer_cpu_ns) / static_cast<double>(consumer_wall_ns);
  auto per_second = [&](const ConnectRun& run) {
    return connects * kNanosPerSecond / static_cast<double>(run.wall_ns);
  };
  state.counters["connects"] = connects;
  state.counters["refused"] = static_cast<double>(with.refused + without.refused);
  state.counters["events"] = static_cast<double>(events);
  state.counters["ring_buffer_drops"] = static_cast<double>(drops);
  state.counters["connects_per_s_without"] = per_second(without);
  state.counters["connects_per_s_with"] = per_second(with);
  state.counters["connect_cpu_ns_without"] = static_cast<double>(without.cpu_ns) / connects;
  state.counters["connect_cpu_ns_with"] = static_cast<double>(with.cpu_ns) / connects;
  // The difference of two connect costs of tens of microseconds: noisy, a cross-check only.
  state.counters["extra_cpu_ns_per_connect"] = extra_ns_per_connect;
  // The consumer thread's CPU time over its wall time, in percent of one core.
  state.counters["consumer_cpu_percent"] = consumer_percent;
  if (!counted) {
    state.SkipWithError("bpf_enable_stats(BPF_STATS_RUN_TIME) failed: no program run time");
    return;
  }
  // The time the kernel counted in each program, per connect, and in all of them.
  for (const auto& [name, ns] : program_ns) {
    state.counters[absl::StrCat(absl::StripPrefix(name, "tapio_"), "_ns_per_connect")] =
        static_cast<double>(ns) / connects;
  }
  const double programs_ns_per_connect = static_cast<double>(programs_ns) / connects;
  state.counters["programs_ns_per_connect"] = programs_ns_per_connect;
  if (rate > 0) {
    // What the programs take at this rate, and the agent's total with its consumer.
    double kernel_percent =
        100.0 * programs_ns_per_connect * static_cast<double>(rate) / kNanosPerSecond;
    state.counters["kernel_cpu_percent"] = kernel_percent;
    state.counters["agent_cpu_percent"] = consumer_percent + kernel_percent;
  } else {
    state.counters["slowdown_percent"] = 100.0 * (1.0 - per_second(with) / per_second(without));
  }
}

void BM_KernelCollector_PacedConnectOverhead(benchmark::State& state) {
  ConnectOverhead(state, state.range(1), absl::Milliseconds(state.range(2)));
}
// 10,000 connects per iteration at 10,000/s: one second each way.
BENCHMARK(BM_KernelCollector_PacedConnectOverhead)
    ->ArgNames({"connects", "per_s", "drain_ms"})
    ->Args({10'000, 10'000, 0})
    ->Args({10'000, 10'000, 10})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_KernelCollector_ConnectOverhead(benchmark::State& state) {
  ConnectOverhead(state, 0, absl::Milliseconds(state.range(1)));
}
// At about 60,000 refused connects/s, 10 ms between drains leaves the ring a quarter full.
BENCHMARK(BM_KernelCollector_ConnectOverhead)
    ->ArgNames({"connects", "drain_ms"})
    ->Args({20'000, 0})
    ->Args({20'000, 10})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// bpf/load_generator.bpf.c as a Probe, so that its records and counters are read by the same
// code as the real programs'. Benchmark-only.
class LoadGeneratorProbe : public Probe {
 public:
  static constexpr char kName[] = "bpf/load_generator.bpf.c";

  // Loads the program with a ring buffer of `ring_bytes` (a power of 2, at least a page).
  static absl::StatusOr<std::unique_ptr<LoadGeneratorProbe>> Create(uint32_t ring_bytes) {
    load_generator_bpf* skeleton = load_generator_bpf__open();
    if (skeleton == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat("opening ", kName, ": ", std::strerror(errno)));
    }
    std::unique_ptr<LoadGeneratorProbe> probe(new LoadGeneratorProbe(skeleton));
    if (int error = bpf_map__set_max_entries(skeleton->maps.events, ring_bytes); error != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("sizing the ring buffer of ", kName, ": ", std::strerror(-error)));
    }
    if (int error = load_generator_bpf__load(skeleton); error != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("loading ", kName, ": ", std::strerror(-error)));
    }
    return probe;
  }
  ~LoadGeneratorProbe() override { load_generator_bpf__destroy(skeleton_); }

  absl::string_view name() const override { return kName; }
  int ring_buffer_fd() const override { return bpf_map__fd(skeleton_->maps.events); }
  absl::Status Decode(absl::Span<const uint8_t> record, KernelEventDecoder& decoder,
                      std::vector<domain::Event>* out) override {
    return decoder.DecodeTcpEvent(record, out);
  }

  // Writes `count` records in one BPF_PROG_TEST_RUN. Returns how many were submitted.
  absl::StatusOr<uint32_t> Generate(uint32_t count, uint16_t dport) {
    tapio_load_generator_args args = {};
    args.count = count;
    args.dport = dport;
    bpf_test_run_opts run = {};
    run.sz = sizeof(run);
    run.ctx_in = &args;
    run.ctx_size_in = sizeof(args);
    if (bpf_prog_test_run_opts(bpf_program__fd(skeleton_->progs.tapio_load_generator), &run) != 0) {
      return absl::InternalError(absl::StrCat("running ", kName, ": ", std::strerror(errno)));
    }
    return args.written;
  }

 protected:
  int counters_fd() const override { return bpf_map__fd(skeleton_->maps.counters); }

 private:
  explicit LoadGeneratorProbe(load_generator_bpf* skeleton) : skeleton_(skeleton) {}
  load_generator_bpf* skeleton_;
};

// range(0) records per second (0: as fast as the producer goes), range(1) per iteration,
// into a ring buffer of range(2) KiB (256: the collector's, tapio_bpf.h).
void BM_RingBufferPoller_DecodedRate(benchmark::State& state) {
  if (absl::Status support = CheckBpfSupport(); !support.ok()) {
    state.SkipWithError(std::string(support.message()).c_str());
    return;
  }
  absl::StatusOr<std::unique_ptr<LoadGeneratorProbe>> probe =
      LoadGeneratorProbe::Create(static_cast<uint32_t>(state.range(2)) * 1024);
  if (!probe.ok()) {
    state.SkipWithError(probe.status().ToString().c_str());
    return;
  }
  const int64_t rate = state.range(0);
  const int64_t per_iteration = state.range(1);
  // Small enough that the producer spreads its records over time at the lowest rate swept;
  // one test run costs about a system call.
  constexpr uint32_t kBatch = 128;
  const uint16_t port = 9;
  domain::EventIdGenerator ids(7);
  CgroupResolver cgroups(CgroupResolver::DetectMounts(), domain::Clock::Real());
  KernelEventDecoder decoder(domain::EntityId{1}, 0, ids, domain::Clock::Real(), cgroups);
  RingBufferPoller poller;
  std::vector<domain::Event> events;
  events.reserve(8192);
  LoadGeneratorProbe& generator = **probe;
  if (absl::Status added = poller.Add(generator.name(), generator.ring_buffer_fd(),
                                      [&](absl::Span<const uint8_t> record) {
                                        generator.Decode(record, decoder, &events).IgnoreError();
                                      });
      !added.ok()) {
    state.SkipWithError(added.ToString().c_str());
    return;
  }

  // The consumer publishes how many events it decoded; release so that the producer, which
  // acquires it, waits for no record the consumer has not finished with.
  std::atomic<int64_t> decoded{0};
  std::atomic<bool> stop{false};
  std::atomic<bool> consumer_ok{true};
  int64_t consumer_cpu_ns = 0;
  int64_t consumer_wall_ns = 0;
  std::thread consumer([&] {
    const int64_t start = MonotonicNanos();
    const int64_t cpu_start = ClockNanos(CLOCK_THREAD_CPUTIME_ID);
    while (!stop.load(std::memory_order_relaxed)) {
      if (!poller.Poll(absl::Milliseconds(20)).ok()) {
        consumer_ok.store(false, std::memory_order_relaxed);
        break;
      }
      events.clear();
      decoded.store(static_cast<int64_t>(decoder.counts().events), std::memory_order_release);
    }
    consumer_cpu_ns = ClockNanos(CLOCK_THREAD_CPUTIME_ID) - cpu_start;
    consumer_wall_ns = MonotonicNanos() - start;
  });

  int64_t requested = 0;
  int64_t submitted = 0;
  int64_t busy_ns = 0;
  bool failed = false;
  for (auto _ : state) {
    const int64_t start = MonotonicNanos();
    for (int64_t written = 0; written < per_iteration && !failed; written += kBatch) {
      if (rate > 0) {
        const int64_t due = start + written * kNanosPerSecond / rate;
        while (MonotonicNanos() < due) {
        }
      }
      absl::StatusOr<uint32_t> count = generator.Generate(kBatch, port);
      if (!count.ok()) {
        state.SkipWithError(count.status().ToString().c_str());
        failed = true;
        break;
      }
      requested += kBatch;
      submitted += *count;
    }
    if (failed) break;
    // The iteration ends when the consumer has decoded every record submitted.
    const int64_t deadline = MonotonicNanos() + 2 * kNanosPerSecond;
    while (decoded.load(std::memory_order_acquire) < submitted && MonotonicNanos() < deadline) {
    }
    const int64_t elapsed = MonotonicNanos() - start;
    busy_ns += elapsed;
    state.SetIterationTime(static_cast<double>(elapsed) / kNanosPerSecond);
  }
  stop.store(true, std::memory_order_relaxed);
  consumer.join();
  if (failed) return;
  if (!consumer_ok.load(std::memory_order_relaxed)) {
    state.SkipWithError("polling the ring buffer failed");
    return;
  }
  absl::StatusOr<ProbeCounters> counters = generator.ReadCounters();
  if (!counters.ok()) {
    state.SkipWithError(counters.status().ToString().c_str());
    return;
  }
  const double total = static_cast<double>(decoder.counts().events);
  state.counters["requested"] = static_cast<double>(requested);
  state.counters["decoded"] = total;
  state.counters["ring_buffer_drops"] = static_cast<double>(counters->ring_buffer_drops);
  state.counters["malformed"] = static_cast<double>(decoder.counts().malformed);
  // Events decoded to domain::Event per second of the iterations (production until drained).
  state.counters["decoded_per_s"] = total * kNanosPerSecond / static_cast<double>(busy_ns);
  state.counters["consumer_cpu_percent"] =
      100.0 * static_cast<double>(consumer_cpu_ns) / static_cast<double>(consumer_wall_ns);
}
BENCHMARK(BM_RingBufferPoller_DecodedRate)
    ->ArgNames({"per_s", "records", "ring_kib"})
    ->ArgsProduct({{250'000, 500'000, 750'000, 1'000'000, 1'500'000, 2'000'000, 0},
                   {100'000},
                   {256, 4096}})
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();

}  // namespace
}  // namespace tapio::collectors::ebpf
