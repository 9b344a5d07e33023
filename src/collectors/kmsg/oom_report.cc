#include "collectors/kmsg/oom_report.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "collectors/kmsg/kernel_line.h"

namespace tapio::collectors::kmsg {
namespace {

// Bounds the memory a hostile stream of group kills can take.
constexpr size_t kMaxKilledPids = 1 << 16;

// True when `a` and `b` are at most `window` apart; safe for any int64 pair.
bool Within(int64_t a, int64_t b, int64_t window) {
  uint64_t distance = a >= b ? static_cast<uint64_t>(a) - static_cast<uint64_t>(b)
                             : static_cast<uint64_t>(b) - static_cast<uint64_t>(a);
  return distance <= static_cast<uint64_t>(window);
}

}  // namespace

void OomReportAssembler::Add(int64_t time_ns, const KernelLine& line, absl::string_view message,
                             std::vector<OomKill>* done) {
  if (pending_.has_value() && !Within(time_ns, pending_->time_ns, kKilledLineWait)) {
    FlushPending(done);
  }
  switch (line.kind) {
    case LineKind::kOomStart:
      FlushPending(done);
      ForgetReport();
      return;
    case LineKind::kMemcgUsage:
      has_usage_ = true;
      usage_kb_ = line.usage_kb;
      limit_kb_ = line.limit_kb;
      context_ns_ = time_ns;
      return;
    case LineKind::kOomTaskIn:
      task_in_memcg_ = std::string(line.memcg);
      task_in_limit_memcg_ = std::string(line.oom_memcg);
      context_ns_ = time_ns;
      return;
    case LineKind::kOomChoice:
      choice_scope_ = line.scope;
      context_ns_ = time_ns;
      return;
    case LineKind::kOomConstraint: {
      FlushPending(done);
      Summary summary;
      summary.time_ns = time_ns;
      summary.scope = line.scope;
      summary.pid = line.pid;
      summary.comm = std::string(line.comm);
      summary.task_memcg = std::string(line.memcg);
      summary.oom_memcg = std::string(line.oom_memcg);
      summary.message = std::string(message);
      if (has_usage_ && line.scope == OomScope::kMemcg &&
          Within(time_ns, context_ns_, kKilledLineWait)) {
        summary.has_usage = true;
        summary.usage_kb = usage_kb_;
        summary.limit_kb = limit_kb_;
      }
      ForgetOldReport();
      consumed_.reset();
      group_memcg_.clear();
      killed_.clear();
      pending_ = std::move(summary);
      return;
    }
    case LineKind::kOomGroup:
      group_memcg_ = std::string(line.memcg);
      return;
    case LineKind::kOomKilled:
      OnKilled(time_ns, line, message, done);
      return;
    default:
      return;
  }
}

void OomReportAssembler::Finish(std::vector<OomKill>* done) {
  FlushPending(done);
  ForgetReport();
}

void OomReportAssembler::OnKilled(int64_t time_ns, const KernelLine& line,
                                  absl::string_view message, std::vector<OomKill>* done) {
  OomKill kill;
  kill.time_ns = time_ns;
  kill.scope = line.scope;
  kill.pid = line.pid;
  kill.comm = std::string(line.comm);
  kill.has_figures = true;
  kill.figures = line.figures;
  kill.message = std::string(message);
  auto agrees = [&](OomScope scope) {
    return line.scope == OomScope::kUnstated || line.scope == scope;
  };

  if (pending_.has_value()) {
    // From 5.3 the victim of the summary is the process killed. Before, a bare "Killed
    // process" line may name a child sacrificed in its parent's place; a stated one naming
    // another pid means lines of this report were lost.
    bool same_kill = line.pid == pending_->pid || line.scope == OomScope::kUnstated;
    if (same_kill && agrees(pending_->scope)) {
      FromSummary(*pending_, kill);
      consumed_ = std::move(pending_);
      pending_.reset();
      last_kill_ns_ = time_ns;
      killed_.insert(line.pid);
      ForgetOldReport();
      done->push_back(std::move(kill));
      return;
    }
    FlushPending(done);
  }

  if (consumed_.has_value() && !group_memcg_.empty() &&
      Within(time_ns, last_kill_ns_, kKilledLineWait) && agrees(consumed_->scope)) {
    if (killed_.contains(line.pid)) return;
    FromSummary(*consumed_, kill);
    kill.cgroup_path = group_memcg_;
    last_kill_ns_ = time_ns;
    if (killed_.size() < kMaxKilledPids) killed_.insert(line.pid);
    done->push_back(std::move(kill));
    return;
  }

  consumed_.reset();
  group_memcg_.clear();
  killed_.clear();
  if (Within(time_ns, context_ns_, kKilledLineWait)) FromOldReport(kill);
  ForgetOldReport();
  done->push_back(std::move(kill));
}

void OomReportAssembler::FromSummary(const Summary& summary, OomKill& kill) {
  kill.scope = summary.scope;
  kill.cgroup_path = summary.task_memcg;
  kill.oom_memcg = summary.oom_memcg;
  kill.has_memcg_usage = summary.has_usage;
  kill.memcg_usage_kb = summary.usage_kb;
  kill.memcg_limit_kb = summary.limit_kb;
}

void OomReportAssembler::FromOldReport(OomKill& kill) const {
  if (kill.scope == OomScope::kUnstated) kill.scope = choice_scope_;
  if (kill.scope == OomScope::kUnstated && (!task_in_memcg_.empty() || has_usage_)) {
    kill.scope = OomScope::kMemcg;
  }
  if (kill.scope != OomScope::kMemcg) return;
  kill.cgroup_path = task_in_memcg_;
  kill.oom_memcg = task_in_limit_memcg_;
  kill.has_memcg_usage = has_usage_;
  kill.memcg_usage_kb = usage_kb_;
  kill.memcg_limit_kb = limit_kb_;
}

void OomReportAssembler::FlushPending(std::vector<OomKill>* done) {
  if (!pending_.has_value()) return;
  OomKill kill;
  kill.time_ns = pending_->time_ns;
  kill.pid = pending_->pid;
  kill.comm = pending_->comm;
  kill.message = pending_->message;
  FromSummary(*pending_, kill);
  pending_.reset();
  done->push_back(std::move(kill));
}

void OomReportAssembler::ForgetOldReport() {
  context_ns_ = 0;
  task_in_memcg_.clear();
  task_in_limit_memcg_.clear();
  choice_scope_ = OomScope::kUnstated;
  has_usage_ = false;
  usage_kb_ = 0;
  limit_kb_ = 0;
}

void OomReportAssembler::ForgetReport() {
  pending_.reset();
  consumed_.reset();
  group_memcg_.clear();
  last_kill_ns_ = 0;
  killed_.clear();
  ForgetOldReport();
}

}  // namespace tapio::collectors::kmsg
