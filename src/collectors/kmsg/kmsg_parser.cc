#include "collectors/kmsg/kmsg_parser.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "collectors/cgroup/cgroup_path.h"
#include "collectors/kmsg/kmsg_record.h"
#include "domain/status_macros.h"
#include "domain/string_list.h"

namespace tapio::collectors::kmsg {
namespace {

using domain::Intern;
using domain::Severity;

constexpr int32_t kSigKill = 9;

absl::string_view DropLineEnd(absl::string_view line) {
  absl::ConsumeSuffix(&line, "\n");
  absl::ConsumeSuffix(&line, "\r");
  return line;
}

}  // namespace

absl::StatusOr<std::unique_ptr<KmsgParser>> KmsgParser::Create(Options options,
                                                               domain::EntityRegistry& registry,
                                                               domain::EventIdGenerator& ids,
                                                               const domain::Clock& clock) {
  if (options.node.empty()) {
    return absl::InvalidArgumentError("kmsg parser needs the node's name");
  }
  domain::EntityRef ref;
  ref.cluster = Intern(options.cluster);
  ref.kind = Intern("Node");
  ref.name = Intern(options.node);
  TAPIO_ASSIGN_OR_RETURN(domain::EntityId node, registry.Register(ref));
  return std::unique_ptr<KmsgParser>(new KmsgParser(std::move(options), node, ids, clock));
}

KmsgParser::KmsgParser(Options options, domain::EntityId node, domain::EventIdGenerator& ids,
                       const domain::Clock& clock)
    : options_(std::move(options)), node_(node), ids_(ids), clock_(clock) {}

absl::Status KmsgParser::ParseIsoLine(absl::string_view line, std::vector<domain::Event>* out) {
  ++counts_.lines;
  line = DropLineEnd(line);
  if (line.empty() || line.front() == ' ' || line.front() == '\t') {
    ++counts_.ignored;
    return absl::OkStatus();
  }
  if (absl::Status status = CheckText(line); !status.ok()) return Reject(status);
  absl::StatusOr<IsoLine> split = SplitIsoLine(line);
  if (!split.ok()) return Reject(split.status());
  return Feed(split->time_ns, split->message, out);
}

absl::Status KmsgParser::ParseKmsgRecord(absl::string_view record,
                                         std::vector<domain::Event>* out) {
  ++counts_.lines;
  if (record.size() > kMaxLineBytes) return Reject(CheckText(record));
  absl::StatusOr<KmsgRecord> parsed = ParseKmsgRecordText(record);
  if (!parsed.ok()) return Reject(parsed.status());
  absl::string_view message = DropLineEnd(parsed->message);
  if (absl::Status status = CheckText(message); !status.ok()) return Reject(status);
  int64_t since_boot = parsed->usec * 1000;
  if (options_.boot_time_ns > std::numeric_limits<int64_t>::max() - since_boot) {
    return Reject(absl::InvalidArgumentError("kmsg timestamp out of range"));
  }
  if (parsed->facility != 0) {
    ++counts_.ignored;
    return absl::OkStatus();
  }
  return Feed(options_.boot_time_ns + since_boot, message, out);
}

absl::Status KmsgParser::ParseMessage(int64_t time_ns, absl::string_view message,
                                      std::vector<domain::Event>* out) {
  ++counts_.lines;
  message = DropLineEnd(message);
  if (absl::Status status = CheckText(message); !status.ok()) return Reject(status);
  return Feed(time_ns, message, out);
}

void KmsgParser::Finish(std::vector<domain::Event>* out) {
  oom_.Finish(&kills_);
  EmitKills(out);
}

absl::Status KmsgParser::Reject(const absl::Status& cause) {
  ++counts_.rejected;
  return absl::InvalidArgumentError(
      absl::StrCat(options_.source_name, ":", counts_.lines, ": ", cause.message()));
}

absl::Status KmsgParser::Feed(int64_t time_ns, absl::string_view message,
                              std::vector<domain::Event>* out) {
  absl::StatusOr<KernelLine> line = ClassifyKernelLine(message);
  if (!line.ok()) return Reject(line.status());
  oom_.Add(time_ns, *line, message, &kills_);
  EmitKills(out);
  if (line->kind == LineKind::kOther) {
    ++counts_.ignored;
  } else {
    Emit(time_ns, *line, message, out);
  }
  return absl::OkStatus();
}

domain::Event KmsgParser::NewEvent(int64_t time_ns, domain::Symbol type, Severity severity) {
  domain::Event event;
  event.id = ids_.Next();
  event.time_ns = time_ns;
  event.observed_ns = clock_.NowNanos();
  event.entity = node_;
  event.type = type;
  event.source = domain::Source::kKmsg;
  event.severity = severity;
  ++counts_.events;
  return event;
}

void KmsgParser::Emit(int64_t time_ns, const KernelLine& line, absl::string_view message,
                      std::vector<domain::Event>* out) {
  absl::string_view type;
  Severity severity = Severity::kError;
  std::vector<std::pair<absl::string_view, absl::string_view>> labels;
  std::string number;
  std::string cpu;
  switch (line.kind) {
    case LineKind::kHungTask:
      type = event_type::kHungTask;
      number = absl::StrCat(line.seconds);
      labels.emplace_back("blocked_seconds", number);
      break;
    case LineKind::kSoftLockup:
      type = event_type::kSoftLockup;
      number = absl::StrCat(line.seconds);
      cpu = absl::StrCat(line.cpu);
      labels.emplace_back("stuck_seconds", number);
      labels.emplace_back("cpu", cpu);
      break;
    case LineKind::kLinkDown:
      type = event_type::kLinkDown;
      severity = Severity::kWarning;
      labels.emplace_back("interface", line.subject);
      break;
    case LineKind::kFsError:
      type = event_type::kFsError;
      labels.emplace_back("device", line.subject);
      break;
    case LineKind::kNeighbourOverflow:
      type = event_type::kNeighbourTableOverflow;
      severity = Severity::kWarning;
      if (!line.subject.empty()) labels.emplace_back("table", line.subject);
      break;
    default:
      return;
  }
  domain::Event event = NewEvent(time_ns, Intern(type), severity);
  event.labels = domain::InternLabels(std::move(labels));
  domain::KernelPayload payload;
  payload.pid = line.pid;
  // Comm::Assign copies from text.data(), which an empty view may leave null.
  if (!line.comm.empty()) payload.comm.Assign(line.comm);
  payload.message = Intern(message);
  event.payload = payload;
  out->push_back(event);
}

void KmsgParser::EmitKills(std::vector<domain::Event>* out) {
  for (const OomKill& kill : kills_) {
    bool global = kill.scope == OomScope::kGlobal;
    domain::Event event =
        NewEvent(kill.time_ns, Intern(global ? event_type::kGlobalOom : event_type::kOomKill),
                 global ? Severity::kCritical : Severity::kError);
    domain::KernelPayload payload;
    payload.pid = kill.pid;
    if (!kill.comm.empty()) payload.comm.Assign(kill.comm);
    payload.cgroup_path = Intern(kill.cgroup_path);
    payload.signal = kSigKill;
    if (kill.has_figures) {
      payload.total_vm_kb = kill.figures.total_vm_kb;
      payload.anon_rss_kb = kill.figures.anon_rss_kb;
      payload.file_rss_kb = kill.figures.file_rss_kb;
      payload.shmem_rss_kb = kill.figures.shmem_rss_kb;
      payload.pgtables_kb = kill.figures.pgtables_kb;
      payload.oom_score_adj = kill.figures.oom_score_adj;
    }
    if (kill.has_memcg_usage) {
      payload.memcg_usage_kb = kill.memcg_usage_kb;
      payload.memcg_limit_kb = kill.memcg_limit_kb;
    }
    payload.message = Intern(kill.message);

    std::vector<std::pair<absl::string_view, absl::string_view>> labels;
    if (!kill.oom_memcg.empty()) labels.emplace_back("oom_memcg", kill.oom_memcg);
    absl::StatusOr<cgroup::PodCgroup> owner = cgroup::ParseCgroupPath(kill.cgroup_path);
    if (owner.ok()) {
      payload.pod_uid = Intern(owner->pod_uid);
      payload.container_id = Intern(owner->container_id);
      labels.emplace_back("qos_class", cgroup::QosClassName(owner->qos));
      if (owner->runtime != cgroup::ContainerRuntime::kUnknown) {
        labels.emplace_back("container_runtime", cgroup::ContainerRuntimeName(owner->runtime));
      }
      if (owner->role == cgroup::CgroupRole::kConmon) {
        labels.emplace_back("cgroup_role", "conmon");
        labels.emplace_back("monitored_container_id", owner->monitored_container_id);
      }
    }
    event.labels = domain::InternLabels(std::move(labels));
    event.payload = payload;
    out->push_back(event);
  }
  kills_.clear();
}

}  // namespace tapio::collectors::kmsg
