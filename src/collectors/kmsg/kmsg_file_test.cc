#include "collectors/kmsg/kmsg_file.h"

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <variant>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "collectors/kmsg/kmsg_parser.h"
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

constexpr char kKernelData[] = "../shared/realdata/kernel/";
constexpr int64_t kObservedNs = 1'900'000'000'000'000'000;

int64_t IsoNanos(absl::string_view text) {
  absl::StatusOr<int64_t> nanos = domain::ParseDmesgIsoNanos(text);
  EXPECT_TRUE(nanos.ok()) << nanos.status();
  return nanos.value_or(0);
}

const KernelPayload& Kernel(const Event& event) { return std::get<KernelPayload>(event.payload); }

std::string Label(const Event& event, absl::string_view key) {
  return std::string(domain::FindLabel(event.labels, key).value_or(""));
}

// The real kernel logs of ../shared/realdata/kernel, read as a scenario's nodes/<node>/kmsg.log.
class KmsgFileTest : public ::testing::Test {
 protected:
  KmsgFileTest() : ids_(7), clock_(kObservedNs) { parser_ = NewParser("test.log"); }

  std::unique_ptr<KmsgParser> NewParser(std::string source) {
    KmsgParser::Options options;
    options.cluster = "prod";
    options.node = "node-1";
    options.source_name = std::move(source);
    auto parser = KmsgParser::Create(options, registry_, ids_, clock_);
    EXPECT_TRUE(parser.ok()) << parser.status();
    return parser.ok() ? *std::move(parser) : nullptr;
  }

  KmsgFile ReadFile(const std::string& path) {
    absl::StatusOr<KmsgFile> file = ReadKmsgFile(path, *parser_);
    EXPECT_TRUE(file.ok()) << file.status();
    return file.ok() ? *std::move(file) : KmsgFile{};
  }

  domain::EntityRegistry registry_;
  domain::EventIdGenerator ids_;
  domain::FakeClock clock_;
  std::unique_ptr<KmsgParser> parser_;
};

TEST_F(KmsgFileTest, MemcgOomKubepodsPaths) {
  KmsgFile file = ReadFile(absl::StrCat(kKernelData, "memcg-oom-kubepods-paths.dmesg-iso.log"));
  EXPECT_THAT(file.line_errors, IsEmpty());
  ASSERT_THAT(file.events, SizeIs(2));
  EXPECT_EQ(file.counts.lines, 158u);
  EXPECT_EQ(file.counts.events, 2u);
  EXPECT_EQ(file.counts.rejected, 0u);

  const Event& java = file.events[0];
  EXPECT_EQ(Resolve(java.type), "kernel.oom_kill");
  EXPECT_EQ(java.source, domain::Source::kKmsg);
  EXPECT_EQ(java.severity, domain::Severity::kError);
  EXPECT_EQ(java.time_ns, IsoNanos("2026-11-22T16:31:34,633289+00:00"));
  EXPECT_EQ(java.observed_ns, kObservedNs);
  EXPECT_NE(java.id, 0u);
  domain::EntityRef node = registry_.Get(java.entity);
  EXPECT_EQ(Resolve(node.kind), "Node");
  EXPECT_EQ(Resolve(node.name), "node-1");
  EXPECT_EQ(Resolve(node.cluster), "prod");
  const KernelPayload& k1 = Kernel(java);
  EXPECT_EQ(k1.pid, 6755u);
  EXPECT_EQ(k1.comm.view(), "java");
  EXPECT_EQ(Resolve(k1.cgroup_path),
            "/kubepods/burstable/pod3f1c9a2e-7b4d-4e8a-9c61-0d2b5e8f4a17/"
            "5b9a4704eef8e2c2d8b8feb12c0a5299b5461fc46ff8a874c5422404d5f42424");
  EXPECT_EQ(Resolve(k1.pod_uid), "3f1c9a2e-7b4d-4e8a-9c61-0d2b5e8f4a17");
  EXPECT_EQ(Resolve(k1.container_id),
            "5b9a4704eef8e2c2d8b8feb12c0a5299b5461fc46ff8a874c5422404d5f42424");
  EXPECT_EQ(k1.signal, 9);
  EXPECT_EQ(k1.total_vm_kb, 68268u);
  EXPECT_EQ(k1.anon_rss_kb, 65280u);
  EXPECT_EQ(k1.file_rss_kb, 960u);
  EXPECT_EQ(k1.shmem_rss_kb, 0u);
  EXPECT_EQ(k1.pgtables_kb, 176u);
  EXPECT_EQ(k1.oom_score_adj, 0);
  EXPECT_EQ(k1.memcg_usage_kb, 65536u);
  EXPECT_EQ(k1.memcg_limit_kb, 65536u);
  EXPECT_EQ(Resolve(k1.message),
            "Memory cgroup out of memory: Killed process 6755 (java) total-vm:68268kB, "
            "anon-rss:65280kB, file-rss:960kB, shmem-rss:0kB, UID:0 pgtables:176kB "
            "oom_score_adj:0");
  EXPECT_EQ(Label(java, "qos_class"), "burstable");

  const Event& python = file.events[1];
  EXPECT_EQ(python.time_ns, IsoNanos("2026-11-22T16:31:34,708260+00:00"));
  EXPECT_NE(python.id, java.id);
  const KernelPayload& k2 = Kernel(python);
  EXPECT_EQ(k2.pid, 6765u);
  EXPECT_EQ(k2.comm.view(), "python3");
  EXPECT_EQ(
      Resolve(k2.cgroup_path),
      "/kubepods.slice/kubepods-besteffort.slice/"
      "kubepods-besteffort-pod8e2d4f61_0a3b_4c7d_9e15_2f6a8b4c0d93.slice/"
      "cri-containerd-a3fe75ce2c23b0560c4376345cf1c9686f20ff50f74387ebbfc2fdb7eaf4cc13.scope");
  EXPECT_EQ(Resolve(k2.pod_uid), "8e2d4f61-0a3b-4c7d-9e15-2f6a8b4c0d93");
  EXPECT_EQ(Resolve(k2.container_id),
            "a3fe75ce2c23b0560c4376345cf1c9686f20ff50f74387ebbfc2fdb7eaf4cc13");
  EXPECT_EQ(k2.total_vm_kb, 43596u);
  EXPECT_EQ(k2.anon_rss_kb, 40704u);
  EXPECT_EQ(k2.file_rss_kb, 964u);
  EXPECT_EQ(k2.shmem_rss_kb, 0u);
  EXPECT_EQ(k2.pgtables_kb, 124u);
  EXPECT_EQ(k2.memcg_usage_kb, 40960u);
  EXPECT_EQ(k2.memcg_limit_kb, 40960u);
  EXPECT_EQ(Label(python, "qos_class"), "besteffort");
  EXPECT_EQ(Label(python, "container_runtime"), "containerd");
}

TEST_F(KmsgFileTest, MemcgOomPlainCgroupHasNoPod) {
  KmsgFile file = ReadFile(absl::StrCat(kKernelData, "memcg-oom-plain-cgroup.dmesg-iso.log"));
  EXPECT_THAT(file.line_errors, IsEmpty());
  ASSERT_THAT(file.events, SizeIs(1));
  const KernelPayload& k = Kernel(file.events[0]);
  EXPECT_EQ(Resolve(file.events[0].type), "kernel.oom_kill");
  EXPECT_EQ(k.pid, 4774u);
  EXPECT_EQ(k.comm.view(), "hog");
  EXPECT_EQ(Resolve(k.cgroup_path), "/tapiotest");
  EXPECT_TRUE(k.pod_uid.empty());
  EXPECT_TRUE(k.container_id.empty());
  EXPECT_EQ(k.total_vm_kb, 53876u);
  EXPECT_EQ(k.anon_rss_kb, 50944u);
  EXPECT_EQ(k.file_rss_kb, 964u);
  EXPECT_EQ(k.pgtables_kb, 144u);
  EXPECT_EQ(k.memcg_usage_kb, 51200u);
  EXPECT_EQ(k.memcg_limit_kb, 51200u);
}

TEST_F(KmsgFileTest, BootNoiseGivesNothing) {
  KmsgFile file = ReadFile(absl::StrCat(kKernelData, "boot-noise.dmesg-iso.log"));
  EXPECT_THAT(file.events, IsEmpty());
  EXPECT_THAT(file.line_errors, IsEmpty());
  EXPECT_EQ(file.counts.lines, 60u);
  EXPECT_EQ(file.counts.ignored, 60u);
}

TEST_F(KmsgFileTest, ReadKmsgFileKeepsGoingAfterBadLines) {
  std::string path = ::testing::TempDir() + "kmsg_parser_test_bad.log";
  {
    std::ofstream out(path, std::ios::binary);
    out << "2026-11-22T16:31:34,632565+00:00 INFO: task docker:20744 blocked for more than 120 "
           "seconds.\n";
    out << "2026-11-22T16:31:34,63\n";
    out << std::string(3 * kMaxLineBytes, 'y') << "\n";
    out << std::string("\0\0garbage\0", 10) << "\r\n";
    out << "2026-11-22T16:31:35,000000+00:00 neighbour: arp_cache: neighbor table overflow!";
  }
  parser_ = NewParser("nodes/node-1/kmsg.log");
  KmsgFile file = ReadFile(path);
  std::remove(path.c_str());
  ASSERT_THAT(file.events, SizeIs(2));
  EXPECT_EQ(Resolve(file.events[0].type), "kernel.hung_task");
  EXPECT_EQ(Resolve(file.events[1].type), "kernel.neighbour_table_overflow");
  ASSERT_THAT(file.line_errors, SizeIs(3));
  EXPECT_THAT(std::string(file.line_errors[0].message()), HasSubstr("nodes/node-1/kmsg.log:2:"));
  EXPECT_THAT(std::string(file.line_errors[1].message()), HasSubstr("kmsg.log:3: line of"));
  EXPECT_THAT(std::string(file.line_errors[2].message()), HasSubstr("kmsg.log:4:"));
  EXPECT_EQ(file.counts.lines, 5u);
  EXPECT_EQ(file.counts.rejected, 3u);
}

TEST_F(KmsgFileTest, ReadKmsgFileMissing) {
  EXPECT_EQ(ReadKmsgFile("../shared/no/such/kmsg.log", *parser_).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace tapio::collectors::kmsg
