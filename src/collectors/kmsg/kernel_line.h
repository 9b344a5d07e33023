// Recognises the kernel messages Tapio turns into events, one message (no timestamp) at a
// time, with the exact formats the kernel prints: the lines of an OOM report (mm/oom_kill.c,
// mm/memcontrol.c), hung tasks (kernel/hung_task.c), soft lockups (kernel/watchdog.c), NIC
// link loss (netdev_info of the common drivers and phylib), filesystem and block I/O errors
// (ext2/3/4, XFS, buffer heads, the block layer) and neighbour table overflow. Assembling an
// OOM report's lines into one kill is oom_report.h's job. Pure functions; thread-safe.
#ifndef TAPIO_COLLECTORS_KMSG_KERNEL_LINE_H_
#define TAPIO_COLLECTORS_KMSG_KERNEL_LINE_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tapio::collectors::kmsg {

// Whether an OOM was confined to one memory cgroup or hit the node (CONSTRAINT_NONE, and
// the NUMA-confined CONSTRAINT_CPUSET and CONSTRAINT_MEMORY_POLICY, which are not a
// container's limit either).
enum class OomScope : uint8_t { kUnstated, kMemcg, kGlobal };

// The figures of a "Killed process" line, in kB.
struct KilledFigures {
  uint64_t total_vm_kb = 0;
  uint64_t anon_rss_kb = 0;
  uint64_t file_rss_kb = 0;
  uint64_t shmem_rss_kb = 0;
  uint64_t pgtables_kb = 0;
  // Kernels before 4.19 print neither.
  bool has_oom_score_adj = false;
  int32_t oom_score_adj = 0;
};

enum class LineKind : uint8_t {
  kOther,
  // "<comm> invoked oom-killer: gfp_mask=..., order=0, oom_score_adj=0": a report begins.
  kOomStart,
  // "memory: usage 65536kB, limit 65536kB, failcnt 81": the OOMing memcg's usage and limit.
  kMemcgUsage,
  // "Task in <memcg> killed as a result of limit of <memcg>" (kernels before 4.19).
  kOomTaskIn,
  // "Memory cgroup out of memory: Kill process <pid> (<comm>) score <n> or sacrifice child"
  // (kernels before 5.3; the process killed may be a child of this one).
  kOomChoice,
  // "oom-kill:constraint=CONSTRAINT_MEMCG,...,oom_memcg=...,task_memcg=...,task=<comm>,
  // pid=<pid>,uid=<uid>" (4.19 on): the victim chosen.
  kOomConstraint,
  // "[Memory cgroup out of memory: |Out of memory: ]Killed process <pid> (<comm>)
  // total-vm:..kB, anon-rss:..kB, file-rss:..kB[, shmem-rss:..kB, UID:.. pgtables:..kB
  // oom_score_adj:..]": the kill itself.
  kOomKilled,
  // "Tasks in <memcg> are going to be killed due to memory.oom.group set".
  kOomGroup,
  // "INFO: task <comm>:<pid> blocked for more than <n> seconds."
  kHungTask,
  // "[NMI ]watchdog: BUG: soft lockup - CPU#<cpu> stuck for <n>s! [<comm>:<pid>]"
  kSoftLockup,
  // "[<driver> <bus id> ]<ifname>: [...]NIC Link is Down", "...: Link is down", "...: Link down"
  kLinkDown,
  // "EXTn-fs error (device <dev>): ...", "EXTn-fs (<dev>): Remounting filesystem read-only",
  // "XFS (<dev>): ... Shutting down filesystem", "Buffer I/O error on dev <dev>, ...",
  // "[blk_update_request: ]I/O error, dev <dev>, sector ..."
  kFsError,
  // "neighbour: arp_cache: neighbor table overflow!"
  kNeighbourOverflow,
};

// One recognised message. Views point into the message passed to ClassifyKernelLine.
struct KernelLine {
  LineKind kind = LineKind::kOther;
  // kOomChoice, kOomConstraint, kOomKilled.
  OomScope scope = OomScope::kUnstated;
  // kOomChoice, kOomConstraint, kOomKilled, kHungTask, kSoftLockup (kOomStart: comm only).
  uint32_t pid = 0;
  absl::string_view comm;
  // kOomTaskIn: the task's memcg; kOomConstraint: task_memcg; kOomGroup: the group's memcg.
  absl::string_view memcg;
  // kOomConstraint: oom_memcg (empty for a global OOM); kOomTaskIn: the limiting memcg.
  absl::string_view oom_memcg;
  // kMemcgUsage.
  uint64_t usage_kb = 0;
  uint64_t limit_kb = 0;
  // kOomKilled.
  KilledFigures figures;
  // kLinkDown: the interface; kFsError: the device; kNeighbourOverflow: the table.
  absl::string_view subject;
  // kHungTask: seconds blocked; kSoftLockup: seconds stuck.
  uint32_t seconds = 0;
  // kSoftLockup.
  uint32_t cpu = 0;
};

// Classifies `message`. Returns kind kOther for messages Tapio does not model (boot noise,
// call traces, register dumps, the OOM task table). Fails with InvalidArgument when the
// message begins like a recognised line but is cut short or malformed (a half-written
// "oom-kill:" or "Killed process" line), so that no event is made from a part of it.
absl::StatusOr<KernelLine> ClassifyKernelLine(absl::string_view message);

}  // namespace tapio::collectors::kmsg

#endif  // TAPIO_COLLECTORS_KMSG_KERNEL_LINE_H_
