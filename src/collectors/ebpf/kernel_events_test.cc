#include "collectors/ebpf/kernel_events.h"

#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "collectors/ebpf/cgroup_resolver.h"
#include "domain/clock.h"
#include "domain/string_list.h"
#include "domain/symbol_table.h"
#include "gtest/gtest.h"

namespace tapio::collectors::ebpf {
namespace {

constexpr char kPodUid[] = "3f1c9a2e-7b4d-4e8a-9c61-0d2b5e8f4a17";
constexpr char kContainerId[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
constexpr int64_t kBootToUnix = 1'700'000'000'000'000'000;

template <typename T>
absl::Span<const uint8_t> Bytes(const T& record) {
  return absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(&record), sizeof(record));
}

class KernelEventDecoderTest : public ::testing::Test {
 protected:
  KernelEventDecoderTest() {
    static int serial = 0;
    unified_ = absl::StrCat(::testing::TempDir(), "/unified-", getpid(), "-", ++serial);
    memory_ = absl::StrCat(::testing::TempDir(), "/memory-", getpid(), "-", serial);
    std::filesystem::create_directories(unified_ + "/tapio-test");
    container_path_ = absl::StrCat("/kubepods/burstable/pod", kPodUid, "/", kContainerId);
    std::filesystem::create_directories(memory_ + container_path_);
    std::filesystem::create_directories(unified_ + container_path_);
    CgroupResolver::Options roots;
    roots.unified_root = unified_;
    roots.memory_root = memory_;
    resolver_ = std::make_unique<CgroupResolver>(roots, clock_);
    decoder_ = std::make_unique<KernelEventDecoder>(domain::EntityId{5}, kBootToUnix, ids_, clock_,
                                                    *resolver_);
  }
  ~KernelEventDecoderTest() override {
    std::error_code ignored;
    std::filesystem::remove_all(unified_, ignored);
    std::filesystem::remove_all(memory_, ignored);
  }

  static uint64_t Inode(const std::string& path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
  }
  uint64_t ContainerMemcg() const { return Inode(memory_ + container_path_); }
  uint64_t UnifiedRoot() const { return Inode(unified_); }
  uint64_t UnifiedTestCgroup() const { return Inode(unified_ + "/tapio-test"); }
  uint64_t UnifiedContainer() const { return Inode(unified_ + container_path_); }

  domain::FakeClock clock_{42};
  domain::EventIdGenerator ids_{7};
  std::string unified_;
  std::string memory_;
  std::string container_path_;
  std::unique_ptr<CgroupResolver> resolver_;
  std::unique_ptr<KernelEventDecoder> decoder_;
};

TEST_F(KernelEventDecoderTest, DecodesAnOomKillWithItsFiguresAndPod) {
  tapio_oom_kill record = {};
  record.time_ns = 1000;
  record.pid = 4242;
  record.tgid = 4242;
  record.uid = 1000;
  record.trigger_pid = 4243;
  record.oom_score_adj = 999;
  std::memcpy(record.comm, "java", 4);
  record.total_vm_pages = 100;
  record.anon_rss_pages = 50;
  record.file_rss_pages = 2;
  record.shmem_rss_pages = 1;
  record.pgtables_bytes = 8192;
  record.memcg_usage_pages = 12800;
  record.memcg_limit_pages = 12800;
  // A hybrid host: the task sits in the unified root, its memory cgroup is the container's.
  record.cgroup_id = UnifiedRoot();
  record.memcg_id = ContainerMemcg();
  std::vector<domain::Event> out;
  ASSERT_TRUE(decoder_->DecodeOomKill(Bytes(record), &out).ok());
  ASSERT_EQ(out.size(), 1u);
  const domain::Event& event = out[0];
  EXPECT_EQ(domain::Resolve(event.type), "kernel.oom_kill");
  EXPECT_EQ(event.source, domain::Source::kKernel);
  EXPECT_EQ(event.severity, domain::Severity::kError);
  EXPECT_EQ(event.time_ns, kBootToUnix + 1000);
  EXPECT_EQ(event.observed_ns, 42);
  EXPECT_EQ(event.entity, domain::EntityId{5});
  const auto& payload = std::get<domain::KernelPayload>(event.payload);
  EXPECT_EQ(payload.pid, 4242u);
  EXPECT_EQ(payload.comm.view(), "java");
  EXPECT_EQ(payload.signal, SIGKILL);
  EXPECT_EQ(payload.oom_score_adj, 999);
  EXPECT_EQ(payload.total_vm_kb, 400u);
  EXPECT_EQ(payload.anon_rss_kb, 200u);
  EXPECT_EQ(payload.file_rss_kb, 8u);
  EXPECT_EQ(payload.shmem_rss_kb, 4u);
  EXPECT_EQ(payload.pgtables_kb, 8u);
  EXPECT_EQ(payload.memcg_usage_kb, 51200u);
  EXPECT_EQ(payload.memcg_limit_kb, 51200u);
  EXPECT_EQ(payload.cgroup_id, ContainerMemcg());
  EXPECT_EQ(domain::Resolve(payload.cgroup_path), container_path_);
  EXPECT_EQ(domain::Resolve(payload.pod_uid), kPodUid);
  EXPECT_EQ(domain::Resolve(payload.container_id), kContainerId);
  EXPECT_EQ(domain::FindLabel(event.labels, "qos_class"), "burstable");
  EXPECT_EQ(domain::FindLabel(event.labels, "trigger_pid"), "4243");
}

TEST_F(KernelEventDecoderTest, ReportsNoLimitForAnUnlimitedMemcg) {
  tapio_oom_kill record = {};
  record.pid = 1;
  record.memcg_limit_pages = (uint64_t{1} << 63) / 4096;
  std::vector<domain::Event> out;
  ASSERT_TRUE(decoder_->DecodeOomKill(Bytes(record), &out).ok());
  EXPECT_EQ(std::get<domain::KernelPayload>(out.at(0).payload).memcg_limit_kb, 0u);
  EXPECT_EQ(decoder_->counts().unresolved_cgroups, 1u);
}

TEST_F(KernelEventDecoderTest, RefusesAShortRecord) {
  tapio_oom_kill record = {};
  std::vector<domain::Event> out;
  absl::Status status = decoder_->DecodeOomKill(Bytes(record).subspan(0, 10), &out);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(decoder_->counts().malformed, 1u);
  EXPECT_EQ(decoder_->counts().events, 0u);
}

TEST_F(KernelEventDecoderTest, DecodesExitsBySignalAndByStatus) {
  tapio_process_exit killed = {};
  killed.pid = 10;
  killed.tgid = 10;
  killed.ppid = 1;
  killed.exit_code = SIGKILL;
  killed.cgroup_id = UnifiedTestCgroup();
  std::memcpy(killed.comm, "worker", 6);
  tapio_process_exit failed = killed;
  failed.exit_code = 3 << 8;
  tapio_process_exit dumped = killed;
  dumped.exit_code = 0x80 | SIGSEGV;
  std::vector<domain::Event> out;
  ASSERT_TRUE(decoder_->DecodeProcessExit(Bytes(killed), &out).ok());
  ASSERT_TRUE(decoder_->DecodeProcessExit(Bytes(failed), &out).ok());
  ASSERT_TRUE(decoder_->DecodeProcessExit(Bytes(dumped), &out).ok());
  ASSERT_EQ(out.size(), 3u);

  const auto& by_signal = std::get<domain::KernelPayload>(out[0].payload);
  EXPECT_EQ(domain::Resolve(out[0].type), "kernel.process_exit");
  EXPECT_EQ(out[0].severity, domain::Severity::kError);
  EXPECT_EQ(by_signal.signal, SIGKILL);
  EXPECT_EQ(by_signal.exit_code, 0);
  EXPECT_EQ(by_signal.comm.view(), "worker");
  EXPECT_EQ(domain::Resolve(by_signal.cgroup_path), "/tapio-test");
  EXPECT_EQ(domain::FindLabel(out[0].labels, "signal_name"), "SIGKILL");
  EXPECT_EQ(domain::FindLabel(out[0].labels, "ppid"), "1");

  const auto& by_status = std::get<domain::KernelPayload>(out[1].payload);
  EXPECT_EQ(out[1].severity, domain::Severity::kWarning);
  EXPECT_EQ(by_status.signal, 0);
  EXPECT_EQ(by_status.exit_code, 3);
  EXPECT_FALSE(domain::FindLabel(out[1].labels, "signal_name").has_value());

  EXPECT_EQ(std::get<domain::KernelPayload>(out[2].payload).signal, SIGSEGV);
  EXPECT_EQ(domain::FindLabel(out[2].labels, "core_dumped"), "true");
}

TEST_F(KernelEventDecoderTest, RefusesACleanExitTheKernelNeverSends) {
  tapio_process_exit clean = {};
  clean.pid = 10;
  std::vector<domain::Event> out;
  EXPECT_EQ(decoder_->DecodeProcessExit(Bytes(clean), &out).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(out.empty());
}

TEST_F(KernelEventDecoderTest, DecodesRefusalsAndResets) {
  tapio_tcp_event refused = {};
  refused.time_ns = 5;
  refused.kind = TAPIO_TCP_REFUSED;
  refused.state = 2;
  refused.flow.family = AF_INET;
  uint8_t loopback[4] = {127, 0, 0, 1};
  std::memcpy(refused.flow.saddr, loopback, 4);
  std::memcpy(refused.flow.daddr, loopback, 4);
  refused.flow.sport = 40000;
  refused.flow.dport = 8080;
  refused.flow.netns = 4026531840u;
  refused.pid = 11;
  refused.tgid = 10;
  refused.cgroup_id = UnifiedTestCgroup();
  std::memcpy(refused.comm, "curl", 4);
  tapio_tcp_event sent = refused;
  sent.kind = TAPIO_TCP_RESET_SENT;
  tapio_tcp_event unknown = refused;
  unknown.kind = 77;
  std::vector<domain::Event> out;
  ASSERT_TRUE(decoder_->DecodeTcpEvent(Bytes(refused), &out).ok());
  ASSERT_TRUE(decoder_->DecodeTcpEvent(Bytes(sent), &out).ok());
  EXPECT_EQ(decoder_->DecodeTcpEvent(Bytes(unknown), &out).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(out.size(), 2u);

  EXPECT_EQ(domain::Resolve(out[0].type), "net.connection_refused");
  const auto& payload = std::get<domain::NetworkPayload>(out[0].payload);
  EXPECT_EQ(payload.family, AF_INET);
  EXPECT_EQ(payload.protocol, IPPROTO_TCP);
  EXPECT_EQ(std::memcmp(payload.daddr.data(), loopback, 4), 0);
  EXPECT_EQ(payload.sport, 40000);
  EXPECT_EQ(payload.dport, 8080);
  EXPECT_EQ(payload.netns, 4026531840u);
  EXPECT_EQ(payload.error, ECONNREFUSED);
  EXPECT_EQ(payload.new_state, 2);
  EXPECT_EQ(payload.pid, 10u);
  EXPECT_EQ(payload.comm.view(), "curl");
  EXPECT_EQ(payload.cgroup_id, UnifiedTestCgroup());
  EXPECT_EQ(domain::Resolve(payload.cgroup_path), "/tapio-test");
  EXPECT_TRUE(payload.pod_uid.empty()) << "not a pod's cgroup";

  EXPECT_EQ(domain::Resolve(out[1].type), "net.connection_reset");
  EXPECT_EQ(domain::FindLabel(out[1].labels, "direction"), "sent");
  EXPECT_EQ(std::get<domain::NetworkPayload>(out[1].payload).error, ECONNRESET);
}

TEST_F(KernelEventDecoderTest, ASocketOfAPodsContainerNamesThePodAndContainer) {
  tapio_tcp_event reset = {};
  reset.kind = TAPIO_TCP_RESET_RECEIVED;
  reset.state = 1;
  reset.flow.family = AF_INET;
  reset.cgroup_id = UnifiedContainer();
  std::vector<domain::Event> out;
  ASSERT_TRUE(decoder_->DecodeTcpEvent(Bytes(reset), &out).ok());
  ASSERT_EQ(out.size(), 1u);
  const auto& payload = std::get<domain::NetworkPayload>(out[0].payload);
  EXPECT_EQ(domain::Resolve(payload.cgroup_path), container_path_);
  EXPECT_EQ(domain::Resolve(payload.pod_uid), kPodUid);
  EXPECT_EQ(domain::Resolve(payload.container_id), kContainerId);
  EXPECT_EQ(domain::FindLabel(out[0].labels, "qos_class"), "burstable");
}

TEST_F(KernelEventDecoderTest, DecodesRetransmitsOfAFlowAsOneCountedEvent) {
  tapio_tcp_flow flow = {};
  flow.family = AF_INET6;
  flow.saddr[15] = 1;
  flow.daddr[15] = 1;
  flow.sport = 1234;
  flow.dport = 443;
  tapio_tcp_retransmits value = {};
  value.first_ns = 100;
  value.last_ns = 900;
  value.count = 17;
  value.state = 2;
  value.tgid = 10;
  std::vector<domain::Event> out;
  decoder_->DecodeRetransmits(flow, value, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(domain::Resolve(out[0].type), "net.tcp_retransmits");
  EXPECT_EQ(out[0].time_ns, kBootToUnix + 900);
  const auto& payload = std::get<domain::NetworkPayload>(out[0].payload);
  EXPECT_EQ(payload.family, AF_INET6);
  EXPECT_EQ(payload.daddr[15], 1);
  EXPECT_EQ(payload.count, 17u);
  EXPECT_EQ(payload.pid, 10u);
  EXPECT_EQ(domain::FindLabel(out[0].labels, "handshake"), "true");
  EXPECT_EQ(domain::FindLabel(out[0].labels, "first_time_ns"), absl::StrCat(kBootToUnix + 100));
}

}  // namespace
}  // namespace tapio::collectors::ebpf
