#include "collectors/kmsg/oom_report.h"

#include <string>
#include <vector>

#include "collectors/kmsg/kernel_line.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tapio::collectors::kmsg {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;

constexpr int64_t kMicro = 1000;

class OomReportAssemblerTest : public ::testing::Test {
 protected:
  // Feeds `message` `micros` microseconds after the start.
  void Feed(int64_t micros, absl::string_view message) {
    absl::StatusOr<KernelLine> line = ClassifyKernelLine(message);
    ASSERT_TRUE(line.ok()) << message << ": " << line.status();
    assembler_.Add(micros * kMicro, *line, message, &kills_);
  }

  OomReportAssembler assembler_;
  std::vector<OomKill> kills_;
};

constexpr char kGroup[] = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podx.slice";

TEST_F(OomReportAssemblerTest, GroupKillCountsEachMemberOnce) {
  Feed(0, "web invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0");
  Feed(1, "memory: usage 1024kB, limit 1024kB, failcnt 3");
  Feed(2,
       "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
       "oom_memcg=/g,task_memcg=/g/a,task=web,pid=10,uid=0");
  Feed(3,
       "Memory cgroup out of memory: Killed process 10 (web) total-vm:10kB, anon-rss:1kB, "
       "file-rss:1kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0");
  Feed(4,
       std::string("Tasks in ") + kGroup + " are going to be killed due to memory.oom.group set");
  Feed(5,
       "Memory cgroup out of memory: Killed process 11 (sidecar) total-vm:20kB, anon-rss:2kB, "
       "file-rss:1kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0");
  Feed(6,
       "Memory cgroup out of memory: Killed process 10 (web) total-vm:10kB, anon-rss:1kB, "
       "file-rss:1kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0");
  assembler_.Finish(&kills_);
  ASSERT_THAT(kills_, ElementsAre(Field(&OomKill::pid, 10u), Field(&OomKill::pid, 11u)));
  EXPECT_EQ(kills_[0].cgroup_path, "/g/a");
  EXPECT_EQ(kills_[1].cgroup_path, kGroup);
  EXPECT_EQ(kills_[1].scope, OomScope::kMemcg);
  EXPECT_EQ(kills_[1].memcg_usage_kb, 1024u);
}

TEST_F(OomReportAssemblerTest, SummaryWithoutKilledLineIsEmittedAfterTheWait) {
  Feed(0,
       "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
       "oom_memcg=/g,task_memcg=/g,task=web,pid=10,uid=0");
  Feed(500'000, "docker0: port 2(veth380a1cd) entered disabled state");
  EXPECT_THAT(kills_, IsEmpty());
  Feed(1'000'001, "docker0: port 2(veth380a1cd) entered disabled state");
  ASSERT_THAT(kills_, ElementsAre(Field(&OomKill::pid, 10u)));
  EXPECT_FALSE(kills_[0].has_figures);
  EXPECT_EQ(kills_[0].time_ns, 0);
  EXPECT_EQ(kills_[0].comm, "web");
}

TEST_F(OomReportAssemblerTest, KilledLineOfAnotherPidMeansLostLines) {
  Feed(0,
       "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
       "oom_memcg=/g,task_memcg=/g,task=web,pid=10,uid=0");
  Feed(1,
       "Memory cgroup out of memory: Killed process 20 (db) total-vm:10kB, anon-rss:1kB, "
       "file-rss:1kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0");
  ASSERT_THAT(kills_, ElementsAre(Field(&OomKill::pid, 10u), Field(&OomKill::pid, 20u)));
  EXPECT_EQ(kills_[0].cgroup_path, "/g");
  EXPECT_FALSE(kills_[0].has_figures);
  EXPECT_EQ(kills_[1].cgroup_path, "");
  EXPECT_TRUE(kills_[1].has_figures);
}

TEST_F(OomReportAssemblerTest, BareKilledLineMayNameASacrificedChild) {
  Feed(0,
       "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
       "oom_memcg=/g,task_memcg=/g,task=parent,pid=10,uid=0");
  Feed(1, "Memory cgroup out of memory: Kill process 10 (parent) score 900 or sacrifice child");
  Feed(2, "Killed process 11 (child) total-vm:10kB, anon-rss:1kB, file-rss:1kB, shmem-rss:0kB");
  assembler_.Finish(&kills_);
  ASSERT_THAT(kills_, ElementsAre(Field(&OomKill::pid, 11u)));
  EXPECT_EQ(kills_[0].comm, "child");
  EXPECT_EQ(kills_[0].cgroup_path, "/g");
}

TEST_F(OomReportAssemblerTest, OldKernelReportFromTaskInAndChoice) {
  Feed(0, "memorymonster invoked oom-killer: gfp_mask=0xd0, order=0, oom_score_adj=0");
  Feed(1, "Task in /mem2 killed as a result of limit of /mem2");
  Feed(2, "memory: usage 980kB, limit 980kB, failcnt 4152239");
  Feed(3,
       "Memory cgroup out of memory: Kill process 13536 (memorymonster) score 996 or sacrifice "
       "child");
  Feed(4,
       "Killed process 13536 (memorymonster) total-vm:33558652kB, anon-rss:920kB, "
       "file-rss:452kB");
  // A later rate-limited kill shares nothing with it.
  Feed(5'000'000, "Killed process 99 (other) total-vm:1kB, anon-rss:1kB, file-rss:1kB");
  ASSERT_THAT(kills_, ElementsAre(Field(&OomKill::pid, 13536u), Field(&OomKill::pid, 99u)));
  EXPECT_EQ(kills_[0].scope, OomScope::kMemcg);
  EXPECT_EQ(kills_[0].cgroup_path, "/mem2");
  EXPECT_EQ(kills_[0].memcg_limit_kb, 980u);
  EXPECT_EQ(kills_[1].scope, OomScope::kUnstated);
  EXPECT_EQ(kills_[1].cgroup_path, "");
  EXPECT_FALSE(kills_[1].has_memcg_usage);
}

TEST_F(OomReportAssemblerTest, ContradictingScopeSplitsTheKill) {
  Feed(0,
       "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
       "oom_memcg=/g,task_memcg=/g,task=web,pid=10,uid=0");
  Feed(1,
       "Out of memory: Killed process 10 (web) total-vm:10kB, anon-rss:1kB, file-rss:1kB, "
       "shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0");
  ASSERT_EQ(kills_.size(), 2u);
  EXPECT_EQ(kills_[0].scope, OomScope::kMemcg);
  EXPECT_EQ(kills_[1].scope, OomScope::kGlobal);
  EXPECT_EQ(kills_[1].cgroup_path, "");
}

}  // namespace
}  // namespace tapio::collectors::kmsg
