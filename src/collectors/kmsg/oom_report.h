// Assembles the lines of kernel OOM reports into kills, one per process killed. A report is
// many lines ("invoked oom-killer", a stack, the memcg usage, the task table, the
// "oom-kill:constraint=" summary, "Killed process"), and kernels differ in which they print:
// 4.19 on name the victim's memcg in the summary; older ones in "Task in ... killed as a
// result of limit of ..." and choose with "Kill process ... or sacrifice child"; rate-limited
// reports carry only the "Killed process" line; memory.oom.group kills every member of a
// group after the victim. Not thread-safe: one assembler per stream of kernel lines.
#ifndef TAPIO_COLLECTORS_KMSG_OOM_REPORT_H_
#define TAPIO_COLLECTORS_KMSG_OOM_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "collectors/kmsg/kernel_line.h"

namespace tapio::collectors::kmsg {

// One process killed by the OOM killer.
struct OomKill {
  // The time of the "Killed process" line (of the summary line when that never came).
  int64_t time_ns = 0;
  // kUnstated only when nothing in the report said which (a lone pre-4.19 "Killed process").
  OomScope scope = OomScope::kUnstated;
  uint32_t pid = 0;
  std::string comm;
  // The victim's memory cgroup; empty when the report did not name it.
  std::string cgroup_path;
  // The memcg whose limit was hit, when the report named it.
  std::string oom_memcg;
  // False when the kill is known from the summary line alone.
  bool has_figures = false;
  KilledFigures figures;
  bool has_memcg_usage = false;
  uint64_t memcg_usage_kb = 0;
  uint64_t memcg_limit_kb = 0;
  // The "Killed process" line, or the summary line when that never came.
  std::string message;
};

class OomReportAssembler {
 public:
  // A summary line whose "Killed process" line has not come this long after it is a kill
  // on its own: the kernel prints both from one call, microseconds apart.
  static constexpr int64_t kKilledLineWait = 1'000'000'000;

  // Takes one line of the stream, with its time and the message it was classified from;
  // appends the kills it completes to `*done`. Lines of kind kOther only age a pending
  // summary line.
  void Add(int64_t time_ns, const KernelLine& line, absl::string_view message,
           std::vector<OomKill>* done);

  // Appends the kill of a summary line whose "Killed process" line never came, and forgets
  // the report in progress.
  void Finish(std::vector<OomKill>* done);

 private:
  struct Summary {
    int64_t time_ns = 0;
    OomScope scope = OomScope::kUnstated;
    uint32_t pid = 0;
    std::string comm;
    std::string task_memcg;
    std::string oom_memcg;
    std::string message;
    bool has_usage = false;
    uint64_t usage_kb = 0;
    uint64_t limit_kb = 0;
  };

  void ForgetReport();
  void FlushPending(std::vector<OomKill>* done);
  void OnKilled(int64_t time_ns, const KernelLine& line, absl::string_view message,
                std::vector<OomKill>* done);
  // Fills `kill` from the summary line it belongs to.
  static void FromSummary(const Summary& summary, OomKill& kill);
  // Describes a kill from the pre-4.19 lines before it, when they are recent.
  void FromOldReport(OomKill& kill) const;
  void ForgetOldReport();

  // The summary line waiting for its "Killed process" line.
  std::optional<Summary> pending_;
  // The summary whose kill was emitted, for the members of a memory.oom.group kill that
  // follow it; `last_kill_ns_` is when the latest of them was killed.
  std::optional<Summary> consumed_;
  std::string group_memcg_;
  int64_t last_kill_ns_ = 0;
  // Pids killed since the summary line, so that a group kill repeating its victim counts once.
  absl::flat_hash_set<uint32_t> killed_;
  // Lines of the report in progress that come before its summary or its kill; `context_ns_`
  // is the time of the latest.
  int64_t context_ns_ = 0;
  std::string task_in_memcg_;
  std::string task_in_limit_memcg_;
  OomScope choice_scope_ = OomScope::kUnstated;
  bool has_usage_ = false;
  uint64_t usage_kb_ = 0;
  uint64_t limit_kb_ = 0;
};

}  // namespace tapio::collectors::kmsg

#endif  // TAPIO_COLLECTORS_KMSG_OOM_REPORT_H_
