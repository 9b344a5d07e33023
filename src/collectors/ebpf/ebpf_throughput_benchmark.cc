// Benchmarks of the kernel collector: events per second delivered to user space from real
// refused connections on 127.0.0.1 with bpf/tcp.bpf.c loaded (root only; the kernel's drop
// counter is reported beside the rate), and the user-space decoding of one record alone.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "collectors/ebpf/bpf_support.h"
#include "collectors/ebpf/cgroup_resolver.h"
#include "collectors/ebpf/kernel_collector.h"
#include "collectors/ebpf/kernel_events.h"
#include "domain/clock.h"
#include "domain/entity.h"
#include "domain/event_id.h"
#include "domain/symbol_table.h"
#include "tests/support/loopback.h"

namespace tapio::collectors::ebpf {
namespace {

using ::tapio::testing::ClosedPort;
using ::tapio::testing::Loopback;
using ::tapio::testing::RefuseOnce;

// `state.range(0)` connects refused between two drains of the ring buffer.
void BM_KernelCollector_RefusedConnects(benchmark::State& state) {
  if (absl::Status support = CheckBpfSupport(); !support.ok()) {
    state.SkipWithError(std::string(support.message()).c_str());
    return;
  }
  domain::EntityRegistry registry;
  domain::EventIdGenerator ids(7);
  KernelCollector::Options options;
  options.node = "bench-node";
  options.oom = false;
  options.process_exit = false;
  options.retransmit_interval = absl::Hours(1);
  absl::StatusOr<std::unique_ptr<KernelCollector>> collector =
      KernelCollector::Create(options, registry, ids, domain::Clock::Real());
  if (!collector.ok()) {
    state.SkipWithError(collector.status().ToString().c_str());
    return;
  }
  const uint16_t port = ClosedPort();
  const int batch = static_cast<int>(state.range(0));
  const domain::Symbol refused_type = domain::Intern(event_type::kConnectionRefused);
  std::vector<domain::Event> events;
  events.reserve(static_cast<size_t>(batch) * 2);
  int64_t delivered = 0;
  int64_t attempted = 0;
  for (auto _ : state) {
    for (int i = 0; i < batch; ++i) attempted += RefuseOnce(port) ? 1 : 0;
    events.clear();
    if (!(*collector)->Flush(&events).ok()) {
      state.SkipWithError("draining the ring buffer failed");
      return;
    }
    for (const domain::Event& event : events) {
      const auto* network = std::get_if<domain::NetworkPayload>(&event.payload);
      if (event.type == refused_type && network != nullptr && network->dport == port) {
        ++delivered;
      }
    }
  }
  absl::StatusOr<KernelCollector::Counts> counts = (*collector)->ReadCounts();
  state.SetItemsProcessed(delivered);
  state.counters["events_per_second"] =
      benchmark::Counter(static_cast<double>(delivered), benchmark::Counter::kIsRate);
  state.counters["refused"] = static_cast<double>(attempted);
  state.counters["delivered"] = static_cast<double>(delivered);
  state.counters["ring_buffer_drops"] =
      counts.ok() ? static_cast<double>(counts->ring_buffer_drops) : -1;
}
BENCHMARK(BM_KernelCollector_RefusedConnects)->Arg(1)->Arg(256)->Arg(4096)->UseRealTime();

// Decoding one TCP record into an event, its cgroup already cached: the user-space cost per
// record once it has left the kernel.
void BM_KernelEventDecoder_TcpEvent(benchmark::State& state) {
  domain::EventIdGenerator ids(7);
  CgroupResolver resolver(CgroupResolver::Options{}, domain::Clock::Real());
  KernelEventDecoder decoder(domain::EntityId{1}, 0, ids, domain::Clock::Real(), resolver);
  tapio_tcp_event record = {};
  record.kind = TAPIO_TCP_REFUSED;
  record.flow.family = AF_INET;
  record.flow.sport = 40000;
  record.flow.dport = 8080;
  record.tgid = 10;
  std::memcpy(record.comm, "curl", 4);
  absl::Span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(&record), sizeof(record));
  std::vector<domain::Event> out;
  out.reserve(1);
  for (auto _ : state) {
    out.clear();
    benchmark::DoNotOptimize(decoder.DecodeTcpEvent(bytes, &out));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_KernelEventDecoder_TcpEvent);

}  // namespace
}  // namespace tapio::collectors::ebpf
