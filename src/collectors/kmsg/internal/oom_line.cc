#include "collectors/kmsg/internal/oom_line.h"

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "collectors/kmsg/internal/scan.h"

namespace tapio::collectors::kmsg::internal {
namespace {

constexpr absl::string_view kMemcgPrefix = "Memory cgroup out of memory: ";
constexpr absl::string_view kGlobalPrefix = "Out of memory: ";
constexpr absl::string_view kAllocatingTaskPrefix = "Out of memory (oom_kill_allocating_task): ";
constexpr absl::string_view kKilled = "Killed process ";
constexpr absl::string_view kChoice = "Kill process ";
constexpr absl::string_view kConstraint = "oom-kill:constraint=";
constexpr absl::string_view kInvoked = " invoked oom-killer: ";
constexpr absl::string_view kUsage = "memory: usage ";
constexpr absl::string_view kTaskIn = "Task in ";
constexpr absl::string_view kTaskInLimit = " killed as a result of limit of ";
constexpr absl::string_view kGroupPrefix = "Tasks in ";
constexpr absl::string_view kGroupSuffix = " are going to be killed due to memory.oom.group set";
// TASK_COMM_LEN is 16 with its NUL; leave room for kernels that print longer names.
constexpr size_t kMaxComm = 64;

absl::Status Malformed(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("malformed ", what, " line"));
}

// Parses "<pid> (<comm>)" followed by `after`, leaving the rest after `after` in `*text`.
bool ParsePidComm(absl::string_view* text, absl::string_view after, KernelLine* line) {
  size_t space = text->find(' ');
  if (space == absl::string_view::npos || !ParseU32(text->substr(0, space), &line->pid)) {
    return false;
  }
  absl::string_view rest = text->substr(space + 1);
  if (!absl::ConsumePrefix(&rest, "(")) return false;
  size_t close = rest.find(absl::StrCat(")", after));
  if (close == absl::string_view::npos || close > kMaxComm) return false;
  line->comm = rest.substr(0, close);
  *text = rest.substr(close + 1 + after.size());
  return true;
}

// Parses the figures after "total-vm:": "68268kB, anon-rss:65280kB, ..., oom_score_adj:0".
// Unknown well-formed "key:value" tokens are skipped, for kernels that add figures.
bool ParseFigures(absl::string_view text, KilledFigures* figures) {
  bool total_vm = false, anon_rss = false, file_rss = false;
  bool first = true;
  for (absl::string_view token : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    absl::ConsumeSuffix(&token, ",");
    absl::string_view key = "total-vm";
    absl::string_view value = token;
    if (!first) {
      size_t colon = token.find(':');
      if (colon == absl::string_view::npos) return false;
      key = token.substr(0, colon);
      value = token.substr(colon + 1);
    }
    first = false;
    if (key.empty() || value.empty()) return false;
    bool ok = true;
    if (key == "total-vm") {
      ok = ParseKilobytes(value, &figures->total_vm_kb);
      total_vm = true;
    } else if (key == "anon-rss") {
      ok = ParseKilobytes(value, &figures->anon_rss_kb);
      anon_rss = true;
    } else if (key == "file-rss") {
      ok = ParseKilobytes(value, &figures->file_rss_kb);
      file_rss = true;
    } else if (key == "shmem-rss") {
      ok = ParseKilobytes(value, &figures->shmem_rss_kb);
    } else if (key == "pgtables") {
      ok = ParseKilobytes(value, &figures->pgtables_kb);
    } else if (key == "oom_score_adj") {
      ok = ParseI32(value, &figures->oom_score_adj);
      figures->has_oom_score_adj = ok;
    } else if (key == "UID") {
      uint32_t uid = 0;
      ok = ParseU32(value, &uid);
    }
    if (!ok) return false;
  }
  return total_vm && anon_rss && file_rss;
}

absl::StatusOr<KernelLine> ParseKilled(absl::string_view rest, OomScope scope) {
  KernelLine line;
  line.kind = LineKind::kOomKilled;
  line.scope = scope;
  if (!ParsePidComm(&rest, " total-vm:", &line) || !ParseFigures(rest, &line.figures)) {
    return Malformed("Killed process");
  }
  return line;
}

absl::StatusOr<KernelLine> ParseChoice(absl::string_view rest, OomScope scope) {
  KernelLine line;
  line.kind = LineKind::kOomChoice;
  line.scope = scope;
  if (!ParsePidComm(&rest, " score ", &line)) return Malformed("Kill process");
  return line;
}

// "oom-kill:constraint=%s,nodemask=%*pbl,cpuset=%s,mems_allowed=%*pbl[,oom_memcg=%s|
// ,global_oom],task_memcg=%s,task=%s,pid=%d,uid=%d". Cgroup names and comms may hold
// commas, so the tail is read from the right.
absl::StatusOr<KernelLine> ParseConstraint(absl::string_view rest) {
  KernelLine line;
  line.kind = LineKind::kOomConstraint;
  size_t comma = rest.find(',');
  if (comma == absl::string_view::npos) return Malformed("oom-kill");
  absl::string_view constraint = rest.substr(0, comma);
  if (constraint == "CONSTRAINT_MEMCG") {
    line.scope = OomScope::kMemcg;
  } else if (constraint == "CONSTRAINT_NONE" || constraint == "CONSTRAINT_CPUSET" ||
             constraint == "CONSTRAINT_MEMORY_POLICY") {
    line.scope = OomScope::kGlobal;
  } else {
    return Malformed("oom-kill");
  }
  size_t uid_at = rest.rfind(",uid=");
  if (uid_at == absl::string_view::npos) return Malformed("oom-kill");
  uint32_t uid = 0;
  if (!ParseU32(rest.substr(uid_at + 5), &uid)) return Malformed("oom-kill");
  size_t pid_at = rest.substr(0, uid_at).rfind(",pid=");
  if (pid_at == absl::string_view::npos ||
      !ParseU32(rest.substr(pid_at + 5, uid_at - pid_at - 5), &line.pid)) {
    return Malformed("oom-kill");
  }
  size_t task_at = rest.substr(0, pid_at).rfind(",task=");
  if (task_at == absl::string_view::npos) return Malformed("oom-kill");
  line.comm = rest.substr(task_at + 6, pid_at - task_at - 6);
  size_t memcg_at = rest.substr(0, task_at).find(",task_memcg=");
  if (memcg_at == absl::string_view::npos) return Malformed("oom-kill");
  line.memcg = rest.substr(memcg_at + 12, task_at - memcg_at - 12);
  size_t oom_memcg_at = rest.substr(0, memcg_at).find(",oom_memcg=");
  if (oom_memcg_at != absl::string_view::npos) {
    line.oom_memcg = rest.substr(oom_memcg_at + 11, memcg_at - oom_memcg_at - 11);
  }
  if (line.comm.size() > kMaxComm || line.memcg.empty()) return Malformed("oom-kill");
  return line;
}

// "memory: usage %llukB, limit %llukB, failcnt %lu".
absl::StatusOr<KernelLine> ParseUsage(absl::string_view rest) {
  KernelLine line;
  line.kind = LineKind::kMemcgUsage;
  std::vector<absl::string_view> parts = absl::StrSplit(rest, ", ");
  if (parts.size() != 3 || !ParseKilobytes(parts[0], &line.usage_kb) ||
      !absl::ConsumePrefix(&parts[1], "limit ") || !ParseKilobytes(parts[1], &line.limit_kb) ||
      !absl::ConsumePrefix(&parts[2], "failcnt ")) {
    return Malformed("memory: usage");
  }
  uint64_t failcnt = 0;
  if (!ParseU64(parts[2], &failcnt)) return Malformed("memory: usage");
  return line;
}

}  // namespace

absl::StatusOr<KernelLine> ParseOomLine(absl::string_view message) {
  absl::string_view rest = message;
  OomScope scope = OomScope::kUnstated;
  if (absl::ConsumePrefix(&rest, kMemcgPrefix)) {
    scope = OomScope::kMemcg;
  } else if (absl::ConsumePrefix(&rest, kGlobalPrefix) ||
             absl::ConsumePrefix(&rest, kAllocatingTaskPrefix)) {
    scope = OomScope::kGlobal;
  }
  if (absl::ConsumePrefix(&rest, kKilled)) return ParseKilled(rest, scope);
  if (scope != OomScope::kUnstated) {
    if (absl::ConsumePrefix(&rest, kChoice)) return ParseChoice(rest, scope);
    return KernelLine{};
  }
  if (absl::ConsumePrefix(&rest, kConstraint)) return ParseConstraint(rest);
  if (absl::ConsumePrefix(&rest, kUsage)) return ParseUsage(rest);
  KernelLine line;
  if (absl::ConsumePrefix(&rest, kTaskIn)) {
    size_t at = rest.find(kTaskInLimit);
    if (at == absl::string_view::npos || at == 0) return Malformed("Task in");
    line.kind = LineKind::kOomTaskIn;
    line.memcg = rest.substr(0, at);
    line.oom_memcg = rest.substr(at + kTaskInLimit.size());
    return line;
  }
  if (absl::ConsumePrefix(&rest, kGroupPrefix) && absl::ConsumeSuffix(&rest, kGroupSuffix)) {
    if (rest.empty()) return Malformed("memory.oom.group");
    line.kind = LineKind::kOomGroup;
    line.memcg = rest;
    return line;
  }
  size_t invoked = message.find(kInvoked);
  if (invoked != absl::string_view::npos && invoked > 0 && invoked <= kMaxComm) {
    line.kind = LineKind::kOomStart;
    line.comm = message.substr(0, invoked);
  }
  return line;
}

}  // namespace tapio::collectors::kmsg::internal
