// Privileged: loads bpf/exit.bpf.c into this kernel and watches forked children die.
#include <signal.h>
#include <sys/resource.h>

#include <memory>
#include <variant>
#include <vector>

#include "absl/time/time.h"
#include "collectors/ebpf/bpf_test_support.h"
#include "collectors/ebpf/exit_probe.h"
#include "collectors/ebpf/kernel_collector.h"
#include "domain/clock.h"
#include "domain/entity.h"
#include "domain/event_id.h"
#include "domain/string_list.h"
#include "domain/symbol_table.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tapio::collectors::ebpf {
namespace {

using bpf_testing::Child;
using bpf_testing::PollUntil;
using bpf_testing::TestCgroup;

const domain::KernelPayload* ExitOf(const domain::Event& event, pid_t pid) {
  const auto* kernel = std::get_if<domain::KernelPayload>(&event.payload);
  if (event.type != domain::Intern("kernel.process_exit") || kernel == nullptr ||
      kernel->tgid != static_cast<uint32_t>(pid)) {
    return nullptr;
  }
  return kernel;
}

int WaitForever() {
  while (true) pause();
}

int Segfault() {
  // No core file: a test should not write one (and the exit code then has no core bit).
  rlimit no_core = {0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  // A sanitizer's handler would turn the signal into an exit status.
  struct sigaction default_action = {};
  default_action.sa_handler = SIG_DFL;
  sigaction(SIGSEGV, &default_action, nullptr);
  raise(SIGSEGV);
  return 1;
}

class ExitProbeBpfTest : public ::testing::Test {
 protected:
  // Starts a collector of process exits under a fresh cgroup v2 directory (where there is a
  // cgroup2 mount; everywhere otherwise).
  void Start() {
    absl::StatusOr<std::unique_ptr<TestCgroup>> cgroup = TestCgroup::Unified("exit");
    if (cgroup.ok()) cgroup_ = std::move(*cgroup);
    KernelCollector::Options options;
    options.node = "node-1";
    options.oom = false;
    options.tcp = false;
    if (cgroup_) options.exit_cgroup_filter = cgroup_->path();
    absl::StatusOr<std::unique_ptr<KernelCollector>> collector =
        KernelCollector::Create(options, registry_, ids_, domain::Clock::Real());
    ASSERT_TRUE(collector.ok()) << collector.status();
    collector_ = std::move(*collector);
  }

  // Releases `child` into the test cgroup.
  void Enter(Child& child) {
    ASSERT_GT(child.pid(), 0);
    if (cgroup_) {
      ASSERT_TRUE(cgroup_->AddProcess(child.pid()).ok());
    }
  }

  std::vector<domain::Event> AwaitExitOf(pid_t pid) {
    return PollUntil(*collector_, absl::Seconds(2),
                     [&](const domain::Event& e) { return ExitOf(e, pid) != nullptr; });
  }

  domain::EntityRegistry registry_;
  domain::EventIdGenerator ids_{7};
  // Declared before the collector: the cgroup outlives the filter that names it.
  std::unique_ptr<TestCgroup> cgroup_;
  std::unique_ptr<KernelCollector> collector_;
};

TEST_F(ExitProbeBpfTest, ReportsAChildKilledBySigkill) {
  TAPIO_REQUIRE_BPF();
  ASSERT_NO_FATAL_FAILURE(Start());
  Child child("tapio-exit-kill", WaitForever);
  ASSERT_NO_FATAL_FAILURE(Enter(child));
  child.Release();
  ASSERT_EQ(kill(child.pid(), SIGKILL), 0);
  child.Wait();

  std::vector<domain::Event> events = AwaitExitOf(child.pid());
  const domain::Event* exit = nullptr;
  for (const domain::Event& event : events) {
    if (ExitOf(event, child.pid())) exit = &event;
  }
  ASSERT_NE(exit, nullptr) << "no exit event for pid " << child.pid();
  const auto& payload = std::get<domain::KernelPayload>(exit->payload);
  EXPECT_EQ(exit->source, domain::Source::kKernel);
  EXPECT_EQ(exit->severity, domain::Severity::kError);
  EXPECT_EQ(payload.pid, static_cast<uint32_t>(child.pid()));
  EXPECT_EQ(payload.signal, SIGKILL);
  EXPECT_EQ(payload.exit_code, 0);
  EXPECT_EQ(payload.comm.view(), "tapio-exit-kill");
  EXPECT_EQ(domain::FindLabel(exit->labels, "signal_name"), "SIGKILL");
  EXPECT_EQ(domain::FindLabel(exit->labels, "ppid"), absl::StrCat(getpid()));
  if (cgroup_) {
    EXPECT_EQ(payload.cgroup_id, cgroup_->id());
    EXPECT_EQ(domain::Resolve(payload.cgroup_path), cgroup_->relative_path());
  }
}

TEST_F(ExitProbeBpfTest, ReportsAChildKilledBySigsegv) {
  TAPIO_REQUIRE_BPF();
  ASSERT_NO_FATAL_FAILURE(Start());
  Child child("tapio-exit-segv", Segfault);
  ASSERT_NO_FATAL_FAILURE(Enter(child));
  child.Release();
  int status = child.Wait();
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_EQ(WTERMSIG(status), SIGSEGV);

  std::vector<domain::Event> events = AwaitExitOf(child.pid());
  const domain::KernelPayload* payload = nullptr;
  for (const domain::Event& event : events) {
    if (const domain::KernelPayload* p = ExitOf(event, child.pid())) payload = p;
  }
  ASSERT_NE(payload, nullptr) << "no exit event for pid " << child.pid();
  EXPECT_EQ(payload->signal, SIGSEGV);
  EXPECT_EQ(payload->comm.view(), "tapio-exit-segv");
}

// Ring-buffer records keep the order they were reserved in, and a child's exit is recorded
// before its parent can reap it: once the marker (exiting after the clean child was reaped)
// arrives, an event for the clean child would have arrived before it.
TEST_F(ExitProbeBpfTest, ReportsANonZeroStatusButNotACleanExit) {
  TAPIO_REQUIRE_BPF();
  ASSERT_NO_FATAL_FAILURE(Start());
  Child clean("tapio-exit-zero", [] { return 0; });
  ASSERT_NO_FATAL_FAILURE(Enter(clean));
  clean.Release();
  ASSERT_EQ(clean.Wait(), 0);
  Child marker("tapio-exit-mark", [] { return 3; });
  ASSERT_NO_FATAL_FAILURE(Enter(marker));
  marker.Release();
  marker.Wait();

  std::vector<domain::Event> events = AwaitExitOf(marker.pid());
  const domain::Event* marker_exit = nullptr;
  for (const domain::Event& event : events) {
    EXPECT_EQ(ExitOf(event, clean.pid()), nullptr) << "a clean exit was reported";
    if (ExitOf(event, marker.pid())) marker_exit = &event;
  }
  ASSERT_NE(marker_exit, nullptr) << "no exit event for the marker " << marker.pid();
  const auto& payload = std::get<domain::KernelPayload>(marker_exit->payload);
  EXPECT_EQ(payload.exit_code, 3);
  EXPECT_EQ(payload.signal, 0);
  EXPECT_EQ(marker_exit->severity, domain::Severity::kWarning);
  // The kernel side drops clean exits; none reached the decoder to be refused there.
  absl::StatusOr<KernelCollector::Counts> counts = collector_->ReadCounts();
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->malformed, 0u);
}

TEST_F(ExitProbeBpfTest, IgnoresExitsOutsideTheFilterCgroup) {
  TAPIO_REQUIRE_BPF();
  ASSERT_NO_FATAL_FAILURE(Start());
  if (!cgroup_) GTEST_SKIP() << "no cgroup2 mount to filter by";
  Child outside("tapio-exit-out", WaitForever);
  ASSERT_GT(outside.pid(), 0);
  outside.Release();
  ASSERT_EQ(kill(outside.pid(), SIGKILL), 0);
  outside.Wait();
  Child marker("tapio-exit-mark", [] { return 4; });
  ASSERT_NO_FATAL_FAILURE(Enter(marker));
  marker.Release();
  marker.Wait();

  std::vector<domain::Event> events = AwaitExitOf(marker.pid());
  bool marker_seen = false;
  for (const domain::Event& event : events) {
    EXPECT_EQ(ExitOf(event, outside.pid()), nullptr) << "an exit outside the cgroup";
    if (ExitOf(event, marker.pid())) marker_seen = true;
  }
  EXPECT_TRUE(marker_seen);
}

TEST(ExitProbeFilterBpfTest, RefusesAFilterThatIsNotACgroupV2Directory) {
  TAPIO_REQUIRE_BPF();
  ExitProbe::Options missing;
  missing.cgroup_filter = "/nonexistent/cgroup";
  absl::StatusOr<std::unique_ptr<ExitProbe>> probe = ExitProbe::Create(missing);
  EXPECT_EQ(probe.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(probe.status().message(), ::testing::HasSubstr("bpf/exit.bpf.c"));

  ExitProbe::Options not_cgroup;
  not_cgroup.cgroup_filter = ::testing::TempDir();
  probe = ExitProbe::Create(not_cgroup);
  EXPECT_EQ(probe.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(probe.status().message(), ::testing::HasSubstr("not a cgroup v2 directory"));

  // Not a kernel's shortcoming: the collector does not go on without the program.
  domain::EntityRegistry registry;
  domain::EventIdGenerator ids(7);
  KernelCollector::Options options;
  options.node = "node-1";
  options.skip_unavailable = true;
  options.exit_cgroup_filter = "/nonexistent/cgroup";
  absl::StatusOr<std::unique_ptr<KernelCollector>> collector =
      KernelCollector::Create(options, registry, ids, domain::Clock::Real());
  EXPECT_EQ(collector.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tapio::collectors::ebpf
