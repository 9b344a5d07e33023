// Privileged: loads bpf/oom.bpf.c into this kernel and makes a real memory cgroup OOM kill.
#include <sys/mman.h>

#include <cstddef>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "collectors/ebpf/bpf_test_support.h"
#include "collectors/ebpf/kernel_collector.h"
#include "collectors/ebpf/oom_probe.h"
#include "domain/clock.h"
#include "domain/entity.h"
#include "domain/event_id.h"
#include "domain/symbol_table.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tapio::collectors::ebpf {
namespace {

using bpf_testing::Child;
using bpf_testing::PollUntil;
using bpf_testing::TestCgroup;

constexpr uint64_t kLimitBytes = 50ull << 20;

// Touches memory a page at a time until the OOM killer stops it.
int AllocatePastTheLimit() {
  constexpr size_t kBytes = 4 * kLimitBytes;
  void* memory = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) return 2;
  volatile char* bytes = static_cast<volatile char*>(memory);
  for (size_t i = 0; i < kBytes; i += 4096) bytes[i] = 1;
  return 3;
}

bool IsOomOf(const domain::Event& event, pid_t pid) {
  const auto* kernel = std::get_if<domain::KernelPayload>(&event.payload);
  return event.type == domain::Intern("kernel.oom_kill") && kernel != nullptr &&
         kernel->pid == static_cast<uint32_t>(pid);
}

TEST(OomProbeBpfTest, ReportsTheKillOfAChildOverItsMemoryLimitOnce) {
  TAPIO_REQUIRE_BPF();
  domain::EntityRegistry registry;
  domain::EventIdGenerator ids(7);
  KernelCollector::Options options;
  options.node = "node-1";
  options.process_exit = false;
  options.tcp = false;
  absl::StatusOr<std::unique_ptr<KernelCollector>> collector =
      KernelCollector::Create(options, registry, ids, domain::Clock::Real());
  ASSERT_TRUE(collector.ok()) << collector.status();
  absl::StatusOr<std::unique_ptr<TestCgroup>> cgroup = TestCgroup::Memory("oom", kLimitBytes);
  ASSERT_TRUE(cgroup.ok()) << cgroup.status();

  Child child("tapio-oom-test", AllocatePastTheLimit);
  ASSERT_GT(child.pid(), 0);
  ASSERT_TRUE((*cgroup)->AddProcess(child.pid()).ok());
  child.Release();
  int status = child.Wait();
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);

  std::vector<domain::Event> events =
      PollUntil(**collector, absl::Seconds(1),
                [&](const domain::Event& e) { return IsOomOf(e, child.pid()); });
  // Everything the kill produced is in the ring buffer before the child is reaped.
  ASSERT_TRUE((*collector)->Flush(&events).ok());
  std::vector<domain::Event> kills;
  for (const domain::Event& event : events) {
    if (IsOomOf(event, child.pid())) kills.push_back(event);
  }
  ASSERT_EQ(kills.size(), 1u);
  const domain::Event& kill = kills[0];
  EXPECT_EQ(kill.source, domain::Source::kKernel);
  EXPECT_EQ(kill.severity, domain::Severity::kError);
  const auto& payload = std::get<domain::KernelPayload>(kill.payload);
  EXPECT_EQ(payload.tgid, static_cast<uint32_t>(child.pid()));
  EXPECT_EQ(payload.comm.view(), "tapio-oom-test");
  EXPECT_EQ(domain::Resolve(payload.cgroup_path), (*cgroup)->relative_path());
  EXPECT_EQ(payload.cgroup_id, (*cgroup)->id());
  EXPECT_EQ(payload.signal, SIGKILL);
  EXPECT_EQ(payload.memcg_limit_kb, kLimitBytes / 1024);
  EXPECT_GT(payload.memcg_usage_kb, kLimitBytes / 1024 / 2);
  EXPECT_GT(payload.anon_rss_kb, 10u * 1024);
  EXPECT_GE(payload.total_vm_kb, 4 * kLimitBytes / 1024);
  EXPECT_TRUE(payload.pod_uid.empty());
  int64_t now = domain::Clock::Real().NowNanos();
  EXPECT_LT(now - kill.time_ns, int64_t{10'000'000'000});
  EXPECT_GE(now, kill.time_ns);

  absl::StatusOr<KernelCollector::Counts> counts = (*collector)->ReadCounts();
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->ring_buffer_drops, 0u);
  EXPECT_GE(counts->events, 1u);
}

// The degraded mode: without privilege the loader says which program failed and why, as the
// agent prints it, and returns instead of crashing.
TEST(OomProbeErrorBpfTest, NamesTheProgramThatCannotLoadWithoutPrivilege) {
  TAPIO_REQUIRE_BPF();
  int message[2];
  ASSERT_EQ(pipe(message), 0);
  pid_t child = fork();
  if (child == 0) {
    close(message[0]);
    // Root's capabilities go with its uid.
    if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0) _exit(2);
    absl::StatusOr<std::unique_ptr<OomProbe>> probe = OomProbe::Create();
    std::string text = probe.ok() ? "loaded" : probe.status().ToString();
    // Going on without unavailable programs, none is left: the first one's error.
    domain::EntityRegistry registry;
    domain::EventIdGenerator ids(7);
    KernelCollector::Options options;
    options.node = "node-1";
    options.skip_unavailable = true;
    absl::StatusOr<std::unique_ptr<KernelCollector>> collector =
        KernelCollector::Create(options, registry, ids, domain::Clock::Real());
    text += "\n" + (collector.ok() ? "loaded" : collector.status().ToString());
    if (write(message[1], text.data(), text.size()) < 0) _exit(3);
    _exit(0);
  }
  close(message[1]);
  std::string text;
  char buffer[512];
  ssize_t n;
  while ((n = read(message[0], buffer, sizeof(buffer))) > 0) text.append(buffer, n);
  close(message[0]);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << text;
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  ASSERT_EQ(lines.size(), 2u) << text;
  EXPECT_THAT(lines[0], ::testing::StartsWith("PERMISSION_DENIED: loading bpf/oom.bpf.c: "));
  EXPECT_THAT(lines[1], ::testing::StartsWith("PERMISSION_DENIED: loading bpf/oom.bpf.c: "));
}

}  // namespace
}  // namespace tapio::collectors::ebpf
