#include "collectors/kmsg/kmsg_parser.h"

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "collectors/kmsg/kmsg_record.h"
#include "domain/string_list.h"
#include "domain/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tapio::collectors::kmsg {
namespace {

using domain::Event;
using domain::KernelPayload;
using domain::Resolve;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr char kPublicData[] = "../shared/realdata/public/B_kernel_journal/";
constexpr int64_t kObservedNs = 1'900'000'000'000'000'000;

int64_t IsoNanos(absl::string_view text) {
  absl::StatusOr<int64_t> nanos = domain::ParseDmesgIsoNanos(text);
  EXPECT_TRUE(nanos.ok()) << nanos.status();
  return nanos.value_or(0);
}

// "Jan  5 15:19:27 host program[pid]: ...".
bool IsSyslogLine(absl::string_view line) {
  return line.size() > 16 && line[3] == ' ' && line[6] == ' ' && line[9] == ':' && line[12] == ':';
}

const KernelPayload& Kernel(const Event& event) { return std::get<KernelPayload>(event.payload); }

std::string Label(const Event& event, absl::string_view key) {
  return std::string(domain::FindLabel(event.labels, key).value_or(""));
}

class KmsgParserTest : public ::testing::Test {
 protected:
  KmsgParserTest() : ids_(7), clock_(kObservedNs) { parser_ = NewParser("test.log"); }

  std::unique_ptr<KmsgParser> NewParser(std::string source) {
    KmsgParser::Options options;
    options.cluster = "prod";
    options.node = "node-1";
    options.source_name = std::move(source);
    options.boot_time_ns = IsoNanos("2026-11-22T14:50:01,000000+00:00");
    auto parser = KmsgParser::Create(options, registry_, ids_, clock_);
    EXPECT_TRUE(parser.ok()) << parser.status();
    return parser.ok() ? *std::move(parser) : nullptr;
  }

  // Feeds the kernel messages of a syslog excerpt ("... kernel: [ 12.34] <message>"), of
  // raw dmesg ("[ 12.34] <message>", "[Thu Dec  7 00:05:14 2017] <message>") or of bare
  // messages, one microsecond apart, and finishes the stream.
  std::vector<Event> ReadMessages(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in.good()) << path;
    std::vector<Event> events;
    std::string line;
    int64_t time_ns = IsoNanos("2026-11-22T16:00:00,000000+00:00");
    while (std::getline(in, line)) {
      absl::string_view message = line;
      size_t kernel = message.find(" kernel: ");
      if (kernel != absl::string_view::npos) {
        message.remove_prefix(kernel + 9);
      } else if (IsSyslogLine(message)) {
        continue;  // Another program's syslog line.
      }
      if (absl::StartsWith(message, "[")) {
        size_t close = message.find("] ");
        if (close != absl::string_view::npos) message.remove_prefix(close + 2);
      }
      time_ns += 1000;
      EXPECT_TRUE(parser_->ParseMessage(time_ns, message, &events).ok()) << line;
    }
    parser_->Finish(&events);
    return events;
  }

  domain::EntityRegistry registry_;
  domain::EventIdGenerator ids_;
  domain::FakeClock clock_;
  std::unique_ptr<KmsgParser> parser_;
};

TEST_F(KmsgParserTest, CadvisorDockerKernel48TwoKills) {
  std::vector<Event> events =
      ReadMessages(absl::StrCat(kPublicData, "cadvisor_kmsg_multiple_ooms_4.8_docker.log"));
  ASSERT_THAT(events, SizeIs(2));
  EXPECT_EQ(parser_->counts().rejected, 0u);
  const KernelPayload& first = Kernel(events[0]);
  EXPECT_EQ(Resolve(events[0].type), "kernel.oom_kill");
  EXPECT_EQ(first.pid, 1381u);
  EXPECT_EQ(first.comm.view(), "gunpowder-memho");
  EXPECT_EQ(Resolve(first.cgroup_path),
            "/docker/2e088fe462e25e60be1dafafe2c05c47bda1a97978648d10ad2b7484fc0b8f50");
  EXPECT_TRUE(first.pod_uid.empty());
  EXPECT_EQ(first.total_vm_kb, 2121528u);
  EXPECT_EQ(first.anon_rss_kb, 18624u);
  EXPECT_EQ(first.file_rss_kb, 2140u);
  EXPECT_EQ(first.memcg_usage_kb, 20480u);
  EXPECT_EQ(first.memcg_limit_kb, 20480u);
  const KernelPayload& second = Kernel(events[1]);
  EXPECT_EQ(second.pid, 1667u);
  EXPECT_EQ(second.total_vm_kb, 843576u);
  EXPECT_EQ(second.anon_rss_kb, 248180u);
  EXPECT_EQ(second.memcg_usage_kb, 307112u);
  EXPECT_EQ(second.memcg_limit_kb, 307200u);
}

TEST_F(KmsgParserTest, CadvisorSyslogExamples) {
  std::vector<Event> events =
      ReadMessages(absl::StrCat(kPublicData, "cadvisor_containerOomExampleLog.txt"));
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(Resolve(events[0].type), "kernel.oom_kill");
  EXPECT_EQ(Kernel(events[0]).pid, 13536u);
  EXPECT_EQ(Resolve(Kernel(events[0]).cgroup_path), "/mem2");
  EXPECT_EQ(Kernel(events[0]).memcg_limit_kb, 980u);

  parser_ = NewParser("system");
  events = ReadMessages(absl::StrCat(kPublicData, "cadvisor_systemOomExampleLog.txt"));
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(Resolve(events[0].type), "kernel.global_oom");
  EXPECT_EQ(events[0].severity, domain::Severity::kCritical);
  EXPECT_EQ(Kernel(events[0]).pid, 1532u);
  EXPECT_EQ(Kernel(events[0]).anon_rss_kb, 1595164u);
  EXPECT_EQ(Kernel(events[0]).memcg_limit_kb, 0u);
}

TEST_F(KmsgParserTest, IssueExcerpts) {
  std::string dir = absl::StrCat(kPublicData, "issue_excerpts/");
  std::vector<Event> events = ReadMessages(dir + "reportportal_k8s_203_dmesg_memcg_oom_5.4.log");
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(Kernel(events[0]).pid, 63214u);
  EXPECT_EQ(Kernel(events[0]).oom_score_adj, 986);
  EXPECT_EQ(Kernel(events[0]).shmem_rss_kb, 92u);

  parser_ = NewParser("k8s_56891");
  events = ReadMessages(dir + "k8s_56891_dmesg_T_kubepods_oom_3.10.log");
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(Resolve(events[0].type), "kernel.oom_kill");
  EXPECT_EQ(Kernel(events[0]).pid, 28438u);

  // The summary line alone: emitted at the end with what it says.
  parser_ = NewParser("gpud");
  events = ReadMessages(dir + "gpud_pr70_oom-kill_constraint_cri-containerd.log");
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(Kernel(events[0]).pid, 461754u);
  EXPECT_EQ(Kernel(events[0]).comm.view(), "pt_main_thread");
  EXPECT_EQ(Resolve(Kernel(events[0]).pod_uid), "eded8c65-6e8e-4c6e-a889-3e427565c740");
  EXPECT_EQ(Resolve(Kernel(events[0]).container_id),
            "ec9ee26695deb4cc72bc665efff1cf3a03fdfb12f1303e02fe9252985e084a95");
  EXPECT_EQ(Kernel(events[0]).total_vm_kb, 0u);

  // A report cut before its kill is no kill.
  parser_ = NewParser("istio");
  EXPECT_THAT(ReadMessages(dir + "istio_42734_cgroupv1_kubepods_slice_oom.log"), IsEmpty());

  parser_ = NewParser("appstream");
  events = ReadMessages(dir + "appstream_102_k8snode_arp_cache_neighbor_table_overflow.log");
  ASSERT_THAT(events, SizeIs(10));
  EXPECT_EQ(Resolve(events[0].type), "kernel.neighbour_table_overflow");
  EXPECT_EQ(Label(events[0], "table"), "arp_cache");

  for (absl::string_view quiet : {"rancher_11313_dmesg_syn_flooding_veth.log",
                                  "k8s_18604_dmesg_nf_conntrack_table_full.log"}) {
    parser_ = NewParser(std::string(quiet));
    EXPECT_THAT(ReadMessages(dir + std::string(quiet)), IsEmpty()) << quiet;
  }
}

TEST_F(KmsgParserTest, NodeProblemDetectorSamples) {
  std::string dir = absl::StrCat(kPublicData, "npd_kernel_log_generator/");
  std::vector<Event> events = ReadMessages(dir + "docker_hung.log");
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(Resolve(events[0].type), "kernel.hung_task");
  EXPECT_EQ(Kernel(events[0]).pid, 20744u);
  EXPECT_EQ(Kernel(events[0]).comm.view(), "docker");
  EXPECT_EQ(Label(events[0], "blocked_seconds"), "120");

  parser_ = NewParser("oom");
  events = ReadMessages(dir + "oom_kill.log");
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(Resolve(events[0].type), "kernel.oom_kill");
  EXPECT_EQ(Kernel(events[0]).shmem_rss_kb, 12345u);

  parser_ = NewParser("ro");
  events = ReadMessages(dir + "readonly_filesystem.log");
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(Resolve(events[0].type), "kernel.fs_error");
  EXPECT_EQ(Label(events[0], "device"), "sda1");

  for (absl::string_view quiet :
       {"divide_zero.log", "null_pointer.log", "au_opts_verify.log", "unregister_netdevice.log"}) {
    parser_ = NewParser(std::string(quiet));
    EXPECT_THAT(ReadMessages(dir + std::string(quiet)), IsEmpty()) << quiet;
  }
}

TEST_F(KmsgParserTest, EventTypesAndSeverities) {
  std::vector<Event> events;
  const std::string at = "2026-11-22T16:31:34,632565+00:00 ";
  ASSERT_TRUE(parser_
                  ->ParseIsoLine(at + "watchdog: BUG: soft lockup - CPU#3 stuck for 23s! "
                                      "[java:6755]",
                                 &events)
                  .ok());
  ASSERT_TRUE(
      parser_->ParseIsoLine(at + "e1000e 0000:00:19.0 eth0: NIC Link is Down", &events).ok());
  ASSERT_TRUE(parser_
                  ->ParseIsoLine(at + "EXT4-fs error (device sda1): ext4_find_entry:1455: "
                                      "inode #2: comm ls: reading directory lblock 0",
                                 &events)
                  .ok());
  ASSERT_TRUE(
      parser_->ParseIsoLine(at + "IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready", &events)
          .ok());
  ASSERT_THAT(events, SizeIs(3));
  EXPECT_EQ(Resolve(events[0].type), "kernel.soft_lockup");
  EXPECT_EQ(events[0].severity, domain::Severity::kError);
  EXPECT_EQ(Kernel(events[0]).pid, 6755u);
  EXPECT_EQ(Label(events[0], "cpu"), "3");
  EXPECT_EQ(Resolve(events[1].type), "kernel.link_down");
  EXPECT_EQ(events[1].severity, domain::Severity::kWarning);
  EXPECT_EQ(Label(events[1], "interface"), "eth0");
  EXPECT_THAT(std::string(Resolve(Kernel(events[1]).message)), HasSubstr("eth0"));
  EXPECT_EQ(Resolve(events[2].type), "kernel.fs_error");
  EXPECT_EQ(events[2].severity, domain::Severity::kError);
  EXPECT_EQ(parser_->counts().ignored, 1u);
}

TEST_F(KmsgParserTest, GlobalOomResolvesTheVictimsPod) {
  std::vector<Event> events;
  const std::string at = "2026-11-22T16:31:34,632565+00:00 ";
  ASSERT_TRUE(parser_
                  ->ParseIsoLine(at +
                                     "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,"
                                     "mems_allowed=0,global_oom,task_memcg=/kubepods/besteffort/"
                                     "pod3f1c9a2e-7b4d-4e8a-9c61-0d2b5e8f4a17/"
                                     "5b9a4704eef8e2c2d8b8feb12c0a5299b5461fc46ff8a874c5422404d5f4"
                                     "2424,task=java,pid=6755,uid=0",
                                 &events)
                  .ok());
  ASSERT_TRUE(parser_
                  ->ParseIsoLine(at + "Out of memory: Killed process 6755 (java) total-vm:1kB, "
                                      "anon-rss:2kB, file-rss:3kB, shmem-rss:0kB, UID:0 "
                                      "pgtables:4kB oom_score_adj:-997",
                                 &events)
                  .ok());
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(Resolve(events[0].type), "kernel.global_oom");
  EXPECT_EQ(events[0].severity, domain::Severity::kCritical);
  EXPECT_EQ(Resolve(Kernel(events[0]).pod_uid), "3f1c9a2e-7b4d-4e8a-9c61-0d2b5e8f4a17");
  EXPECT_EQ(Kernel(events[0]).oom_score_adj, -997);
}

TEST_F(KmsgParserTest, HostileLinesAreCountedNeverCrash) {
  std::vector<Event> events;
  absl::Status truncated = parser_->ParseIsoLine("2026-11-22T16:31:34,63", &events);
  EXPECT_EQ(truncated.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(truncated.message()), HasSubstr("test.log:1:"));

  std::string garbage("2026-11-22T16:31:34,632565+00:00 \0\x01\xfe\xff junk\0", 44);
  absl::Status binary = parser_->ParseIsoLine(garbage, &events);
  EXPECT_EQ(binary.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(binary.message()), HasSubstr("test.log:2:"));
  EXPECT_FALSE(parser_->ParseIsoLine(std::string("\0\0\0\x7f", 4), &events).ok());
  EXPECT_FALSE(parser_->ParseIsoLine("no timestamp at all", &events).ok());

  const std::string at = "2026-11-22T16:31:34,632565+00:00 ";
  std::string huge = at + std::string(kMaxLineBytes + 1 - at.size(), 'x');
  ASSERT_EQ(huge.size(), kMaxLineBytes + 1);
  EXPECT_EQ(parser_->ParseIsoLine(huge, &events).code(), absl::StatusCode::kInvalidArgument);
  huge.pop_back();
  EXPECT_TRUE(parser_->ParseIsoLine(huge, &events).ok());

  EXPECT_EQ(parser_
                ->ParseIsoLine(at + "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),"
                                    "cpuset=/,mems_al",
                               &events)
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(parser_
                ->ParseIsoLine(at + "Memory cgroup out of memory: Killed process 6755 (java) "
                                    "total-vm:68268kB, anon-r",
                               &events)
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(parser_->ParseIsoLine(at, &events).ok());
  EXPECT_TRUE(parser_->ParseIsoLine("", &events).ok());
  EXPECT_TRUE(parser_->ParseIsoLine("        indented continuation", &events).ok());
  parser_->Finish(&events);
  EXPECT_THAT(events, IsEmpty());
  KmsgParser::Counts counts = parser_->counts();
  EXPECT_EQ(counts.lines, 11u);
  EXPECT_EQ(counts.rejected, 7u);
  EXPECT_EQ(counts.ignored, 4u);
  EXPECT_EQ(counts.events, 0u);
}

TEST_F(KmsgParserTest, KillWhoseKilledLineIsCutIsEmittedFromItsSummary) {
  std::vector<Event> events;
  const std::string at = "2026-11-22T16:31:34,632565+00:00 ";
  ASSERT_TRUE(parser_
                  ->ParseIsoLine(at + "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),"
                                      "cpuset=/,mems_allowed=0,oom_memcg=/tapiotest,task_memcg=/"
                                      "tapiotest,task=hog,pid=4774,uid=0",
                                 &events)
                  .ok());
  EXPECT_FALSE(parser_
                   ->ParseIsoLine(at + "Memory cgroup out of memory: Killed process 4774 (hog) "
                                       "total-vm:53876kB, anon-rss:509",
                                  &events)
                   .ok());
  EXPECT_THAT(events, IsEmpty());
  parser_->Finish(&events);
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(Kernel(events[0]).pid, 4774u);
  EXPECT_EQ(Kernel(events[0]).anon_rss_kb, 0u);
  EXPECT_EQ(Resolve(Kernel(events[0]).cgroup_path), "/tapiotest");
}

TEST_F(KmsgParserTest, KmsgRecords) {
  std::vector<Event> events;
  ASSERT_TRUE(parser_
                  ->ParseKmsgRecord(
                      "3,1042,5000000,-,caller=T6755;Memory cgroup out of memory: Killed process "
                      "6755 (java) total-vm:68268kB, anon-rss:65280kB, file-rss:960kB, "
                      "shmem-rss:0kB, UID:0 pgtables:176kB oom_score_adj:0\n",
                      &events)
                  .ok());
  ASSERT_TRUE(parser_
                  ->ParseKmsgRecord("6,1043,6000000,-;e1000e 0000:00:19.0 eth0: NIC Link is Down\n"
                                    " SUBSYSTEM=pci\n DEVICE=+pci:0000:00:19.0\n",
                                    &events)
                  .ok());
  // User space writing to /dev/kmsg (facility 1) cannot forge a kernel event.
  ASSERT_TRUE(parser_
                  ->ParseKmsgRecord("11,1044,7000000,-;Out of memory: Killed process 1 (x) "
                                    "total-vm:1kB, anon-rss:1kB, file-rss:1kB",
                                    &events)
                  .ok());
  EXPECT_EQ(parser_->ParseKmsgRecord("garbage;", &events).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(parser_->ParseKmsgRecord("6,1,2;too few fields", &events).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(parser_->ParseKmsgRecord("6,1,99999999999999999,-;x", &events).code(),
            absl::StatusCode::kInvalidArgument);
  parser_->Finish(&events);
  ASSERT_THAT(events, SizeIs(2));
  int64_t boot = IsoNanos("2026-11-22T14:50:01,000000+00:00");
  EXPECT_EQ(events[0].time_ns, boot + 5'000'000'000);
  EXPECT_EQ(Kernel(events[0]).pid, 6755u);
  EXPECT_EQ(events[1].time_ns, boot + 6'000'000'000);
  EXPECT_EQ(Resolve(events[1].type), "kernel.link_down");
  EXPECT_EQ(parser_->counts().rejected, 3u);
  EXPECT_EQ(parser_->counts().ignored, 1u);
}

TEST(KmsgParserCreateTest, NeedsANode) {
  domain::EntityRegistry registry;
  domain::EventIdGenerator ids(1);
  domain::FakeClock clock(0);
  EXPECT_EQ(KmsgParser::Create({}, registry, ids, clock).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tapio::collectors::kmsg
