#include "collectors/kmsg/kernel_line.h"

#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tapio::collectors::kmsg {
namespace {

KernelLine Classify(absl::string_view message) {
  absl::StatusOr<KernelLine> line = ClassifyKernelLine(message);
  EXPECT_TRUE(line.ok()) << message << ": " << line.status();
  return line.ok() ? *line : KernelLine{};
}

void ExpectMalformed(absl::string_view message) {
  EXPECT_EQ(ClassifyKernelLine(message).status().code(), absl::StatusCode::kInvalidArgument)
      << message;
}

// Messages below are verbatim from ../shared/realdata unless a comment says otherwise.
TEST(ClassifyKernelLineTest, ModernKilledLine) {
  KernelLine line = Classify(
      "Memory cgroup out of memory: Killed process 6755 (java) total-vm:68268kB, "
      "anon-rss:65280kB, file-rss:960kB, shmem-rss:0kB, UID:0 pgtables:176kB oom_score_adj:0");
  EXPECT_EQ(line.kind, LineKind::kOomKilled);
  EXPECT_EQ(line.scope, OomScope::kMemcg);
  EXPECT_EQ(line.pid, 6755u);
  EXPECT_EQ(line.comm, "java");
  EXPECT_EQ(line.figures.total_vm_kb, 68268u);
  EXPECT_EQ(line.figures.anon_rss_kb, 65280u);
  EXPECT_EQ(line.figures.file_rss_kb, 960u);
  EXPECT_EQ(line.figures.shmem_rss_kb, 0u);
  EXPECT_EQ(line.figures.pgtables_kb, 176u);
  EXPECT_TRUE(line.figures.has_oom_score_adj);
  EXPECT_EQ(line.figures.oom_score_adj, 0);

  line = Classify(
      "Memory cgroup out of memory: Killed process 63214 (uwsgi) total-vm:3149468kB, "
      "anon-rss:164992kB, file-rss:52176kB, shmem-rss:92kB, UID:0 pgtables:1372kB "
      "oom_score_adj:986");
  EXPECT_EQ(line.figures.shmem_rss_kb, 92u);
  EXPECT_EQ(line.figures.oom_score_adj, 986);
}

TEST(ClassifyKernelLineTest, OldKilledAndChoiceLines) {
  KernelLine line = Classify(
      "Killed process 1532 (badsysprogram) total-vm:1641388kB, anon-rss:1595164kB, "
      "file-rss:76kB");
  EXPECT_EQ(line.kind, LineKind::kOomKilled);
  EXPECT_EQ(line.scope, OomScope::kUnstated);
  EXPECT_EQ(line.pid, 1532u);
  EXPECT_EQ(line.figures.anon_rss_kb, 1595164u);
  EXPECT_FALSE(line.figures.has_oom_score_adj);

  line = Classify("Out of memory: Kill process 1532 (badsysprogram) score 919 or sacrifice child");
  EXPECT_EQ(line.kind, LineKind::kOomChoice);
  EXPECT_EQ(line.scope, OomScope::kGlobal);
  line = Classify(
      "Memory cgroup out of memory: Kill process 1381 (gunpowder-memho) score 1046 or "
      "sacrifice child");
  EXPECT_EQ(line.kind, LineKind::kOomChoice);
  EXPECT_EQ(line.scope, OomScope::kMemcg);
  EXPECT_EQ(line.comm, "gunpowder-memho");

  line = Classify(
      "Task in /docker/2e088fe462e25e60be1dafafe2c05c47bda1a97978648d10ad2b7484fc0b8f50 killed "
      "as a result of limit of "
      "/docker/2e088fe462e25e60be1dafafe2c05c47bda1a97978648d10ad2b7484fc0b8f50");
  EXPECT_EQ(line.kind, LineKind::kOomTaskIn);
  EXPECT_EQ(line.memcg, "/docker/2e088fe462e25e60be1dafafe2c05c47bda1a97978648d10ad2b7484fc0b8f50");
}

TEST(ClassifyKernelLineTest, ConstraintLine) {
  KernelLine line = Classify(
      "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
      "oom_memcg=/tapiotest,task_memcg=/tapiotest,task=hog,pid=4774,uid=0");
  EXPECT_EQ(line.kind, LineKind::kOomConstraint);
  EXPECT_EQ(line.scope, OomScope::kMemcg);
  EXPECT_EQ(line.pid, 4774u);
  EXPECT_EQ(line.comm, "hog");
  EXPECT_EQ(line.memcg, "/tapiotest");
  EXPECT_EQ(line.oom_memcg, "/tapiotest");

  // The form of mem_cgroup_print_oom_context() for a global OOM (mm/memcontrol.c).
  line = Classify(
      "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,"
      "task_memcg=/system.slice/a,b.service,task=a,b,pid=17,uid=1000");
  EXPECT_EQ(line.scope, OomScope::kGlobal);
  EXPECT_EQ(line.memcg, "/system.slice/a,b.service");
  EXPECT_EQ(line.comm, "a,b");
  EXPECT_EQ(line.oom_memcg, "");
  EXPECT_EQ(line.pid, 17u);
}

TEST(ClassifyKernelLineTest, ReportLines) {
  KernelLine line = Classify("memory: usage 65536kB, limit 65536kB, failcnt 81");
  EXPECT_EQ(line.kind, LineKind::kMemcgUsage);
  EXPECT_EQ(line.usage_kb, 65536u);
  EXPECT_EQ(line.limit_kb, 65536u);
  EXPECT_EQ(Classify("memory+swap: usage 65536kB, limit 9007199254740988kB, failcnt 0").kind,
            LineKind::kOther);
  EXPECT_EQ(Classify("kmem: usage 192kB, limit 9007199254740988kB, failcnt 0").kind,
            LineKind::kOther);
  line = Classify("java invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0");
  EXPECT_EQ(line.kind, LineKind::kOomStart);
  EXPECT_EQ(line.comm, "java");
  // mm/memcontrol.c mem_cgroup_print_oom_group().
  line = Classify(
      "Tasks in /kubepods/burstable/podx are going to be killed due to memory.oom.group set");
  EXPECT_EQ(line.kind, LineKind::kOomGroup);
  EXPECT_EQ(line.memcg, "/kubepods/burstable/podx");
  for (absl::string_view noise :
       {"Memory cgroup stats for /tapiotest:", "Tasks state (memory values in pages):",
        "[   6755]     0  6755    17067    16560    16320      240         0   180224        0  "
        "           0 java",
        " dump_stack_lvl+0x57/0x80",
        "oom_reaper: reaped process 1381 (gunpowder-memho), now "
        "anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
        "Out of memory: OOM victim 5 (x) is already exiting. Skip killing the task"}) {
    EXPECT_EQ(Classify(noise).kind, LineKind::kOther) << noise;
  }
}

TEST(ClassifyKernelLineTest, HalfWrittenOomLinesAreMalformed) {
  ExpectMalformed("oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_al");
  ExpectMalformed(
      "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
      "oom_memcg=/tapiotest,task_memcg=/tapiotest,task=hog,pid=4774,uid=");
  ExpectMalformed("oom-kill:constraint=CONSTRAINT_WHATEVER,task_memcg=/a,task=x,pid=1,uid=0");
  ExpectMalformed(
      "Memory cgroup out of memory: Killed process 6755 (java) total-vm:68268kB, anon-r");
  ExpectMalformed(
      "Memory cgroup out of memory: Killed process 6755 (java) total-vm:68268kB, "
      "anon-rss:65280kB, file-rss:960kB, shmem-rss:0kB, UID:0 pgtables:176kB oom_score_adj:");
  ExpectMalformed(
      "Memory cgroup out of memory: Killed process 6755 (java) total-vm:68268kB, "
      "anon-rss:65280kB, file-rss:96");
  ExpectMalformed("Memory cgroup out of memory: Killed process 6755 (ja");
  ExpectMalformed("Killed process 99999999999 (x) total-vm:1kB, anon-rss:1kB, file-rss:1kB");
  ExpectMalformed("memory: usage 65536kB, limit 655");
  ExpectMalformed("Task in /kubepods/burstable");
}

TEST(ClassifyKernelLineTest, HungTask) {
  KernelLine line = Classify("INFO: task docker:20744 blocked for more than 120 seconds.");
  EXPECT_EQ(line.kind, LineKind::kHungTask);
  EXPECT_EQ(line.comm, "docker");
  EXPECT_EQ(line.pid, 20744u);
  EXPECT_EQ(line.seconds, 120u);
  line = Classify("INFO: task umount.aufs:21568 blocked for more than 120 seconds.");
  EXPECT_EQ(line.comm, "umount.aufs");
  // A comm with a colon of its own, as kernel/hung_task.c prints it.
  line = Classify("INFO: task kworker/u8:2:123 blocked for more than 245 seconds.");
  EXPECT_EQ(line.comm, "kworker/u8:2");
  EXPECT_EQ(line.pid, 123u);
  ExpectMalformed("INFO: task docker:20744 blocked for more than 12");
  EXPECT_EQ(Classify("      Tainted: G         C    3.16.0-4-amd64 #1").kind, LineKind::kOther);
}

TEST(ClassifyKernelLineTest, SoftLockup) {
  // kernel/watchdog.c with its "watchdog: " pr_fmt (4.15 on) and the older "NMI watchdog: ".
  KernelLine line = Classify("watchdog: BUG: soft lockup - CPU#3 stuck for 23s! [java:6755]");
  EXPECT_EQ(line.kind, LineKind::kSoftLockup);
  EXPECT_EQ(line.cpu, 3u);
  EXPECT_EQ(line.seconds, 23u);
  EXPECT_EQ(line.comm, "java");
  EXPECT_EQ(line.pid, 6755u);
  line = Classify("NMI watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [kworker/0:1:31]");
  EXPECT_EQ(line.comm, "kworker/0:1");
  EXPECT_EQ(line.pid, 31u);
  ExpectMalformed("watchdog: BUG: soft lockup - CPU#3 stuck for 2");
  EXPECT_EQ(Classify("something BUG: soft lockup - CPU#3 stuck for 23s! [a:1]").kind,
            LineKind::kOther);
}

TEST(ClassifyKernelLineTest, LinkDown) {
  // netdev_info() forms of e1000e, igb, tg3, mlx5 and phylib.
  KernelLine line = Classify("e1000e 0000:00:19.0 eth0: NIC Link is Down");
  EXPECT_EQ(line.kind, LineKind::kLinkDown);
  EXPECT_EQ(line.subject, "eth0");
  EXPECT_EQ(Classify("igb 0000:01:00.0 eno1: igb: eno1 NIC Link is Down").subject, "eno1");
  EXPECT_EQ(Classify("tg3 0000:02:00.0 eth1: Link is down").subject, "eth1");
  EXPECT_EQ(Classify("mlx5_core 0000:5e:00.0 ens1f0: Link down").subject, "ens1f0");
  EXPECT_EQ(Classify("eth0: Link is Down").subject, "eth0");
  for (absl::string_view other : {
           "IPv6: ADDRCONF(NETDEV_CHANGE): vethcd0dbfb: link becomes ready",
           "IPv6: ADDRCONF(NETDEV_UP): vethcd0dbfb: link is not ready",
           "docker0: port 2(veth380a1cd) entered disabled state",
           "device veth380a1cd left promiscuous mode",
           "eth0: renamed from vethbcd01c4",
           "a b c d: Link is Down",
       }) {
    EXPECT_EQ(Classify(other).kind, LineKind::kOther) << other;
  }
}

TEST(ClassifyKernelLineTest, FilesystemErrors) {
  KernelLine line = Classify(
      "EXT4-fs error (device sda1): ext4_find_entry:1455: inode #2: comm ls: reading "
      "directory lblock 0");
  EXPECT_EQ(line.kind, LineKind::kFsError);
  EXPECT_EQ(line.subject, "sda1");
  EXPECT_EQ(Classify("EXT4-fs (sda1): Remounting filesystem read-only").subject, "sda1");
  EXPECT_EQ(Classify("XFS (dm-0): Log I/O Error Detected.  Shutting down filesystem").subject,
            "dm-0");
  EXPECT_EQ(Classify("XFS (vda1): Filesystem has been shut down due to log error (0x2).").subject,
            "vda1");
  EXPECT_EQ(Classify("Buffer I/O error on dev sdb1, logical block 0, async page read").subject,
            "sdb1");
  EXPECT_EQ(Classify("Buffer I/O error on device dm-2, logical block 1234").subject, "dm-2");
  EXPECT_EQ(Classify("blk_update_request: I/O error, dev sda, sector 12345 op 0x0:(READ) flags "
                     "0x0 phys_seg 1 prio class 0")
                .subject,
            "sda");
  EXPECT_EQ(Classify("I/O error, dev nvme0n1, sector 2048 op 0x1:(WRITE) flags 0x800 phys_seg 1 "
                     "prio class 2")
                .subject,
            "nvme0n1");
  EXPECT_EQ(Classify("critical medium error, dev sdc, sector 77 op 0x0:(READ) flags 0x0").subject,
            "sdc");
  for (absl::string_view other : {
           "EXT4-fs (sda1): mounted filesystem with ordered data mode. Opts: (null)",
           "EXT4-fs (sda1): re-mounted. Opts: errors=remount-ro",
           "blk_update_request: I/O error, dev fd0, sector 0",
           "XFS (sda1): Mounting V5 Filesystem",
           "EXT4-fs warning (device sda1): ext4_dx_add_entry: Directory index full!",
       }) {
    EXPECT_EQ(Classify(other).kind, LineKind::kOther) << other;
  }
}

TEST(ClassifyKernelLineTest, NeighbourOverflow) {
  KernelLine line = Classify("neighbour: arp_cache: neighbor table overflow!");
  EXPECT_EQ(line.kind, LineKind::kNeighbourOverflow);
  EXPECT_EQ(line.subject, "arp_cache");
  EXPECT_EQ(Classify("neighbour: ndisc_cache: neighbor table overflow!").subject, "ndisc_cache");
  EXPECT_EQ(Classify("Neighbour table overflow.").kind, LineKind::kNeighbourOverflow);
  EXPECT_EQ(Classify("nf_conntrack: table full, dropping packet").kind, LineKind::kOther);
}

}  // namespace
}  // namespace tapio::collectors::kmsg
