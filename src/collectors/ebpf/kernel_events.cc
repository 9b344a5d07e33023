#include "collectors/ebpf/kernel_events.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "domain/string_list.h"

namespace tapio::collectors::ebpf {
namespace {

using domain::Intern;
using domain::Severity;
using Labels = std::vector<std::pair<absl::string_view, absl::string_view>>;

constexpr uint64_t kPageKb = 4;  // the BPF side is built for x86-64 and arm64 4 KiB pages
constexpr uint8_t kTcpSynSent = 2;
constexpr uint8_t kIpprotoUdp = 17;
constexpr uint16_t kDnsPort = 53;

template <typename T>
bool Read(absl::Span<const uint8_t> record, T* out) {
  if (record.size() < sizeof(T)) return false;
  std::memcpy(out, record.data(), sizeof(T));
  return true;
}

absl::string_view CommOf(const char (&comm)[TAPIO_COMM_LEN]) {
  return absl::string_view(comm, strnlen(comm, TAPIO_COMM_LEN));
}

void SetComm(domain::Comm* comm, const char (&bytes)[TAPIO_COMM_LEN]) {
  absl::string_view text = CommOf(bytes);
  if (!text.empty()) comm->Assign(text);
}

// "SIGKILL", or "SIG<number>" for one glibc does not name.
std::string SignalName(int signal) {
  const char* abbrev = sigabbrev_np(signal);
  return abbrev ? absl::StrCat("SIG", abbrev) : absl::StrCat("SIG", signal);
}

void AddPodLabels(const ResolvedCgroup& cgroup, Labels* labels) {
  if (!cgroup.in_pod) return;
  labels->emplace_back("qos_class", cgroup::QosClassName(cgroup.qos));
  if (cgroup.runtime != cgroup::ContainerRuntime::kUnknown) {
    labels->emplace_back("container_runtime", cgroup::ContainerRuntimeName(cgroup.runtime));
  }
  if (cgroup.role == cgroup::CgroupRole::kConmon) {
    labels->emplace_back("cgroup_role", "conmon");
    labels->emplace_back("monitored_container_id", domain::Resolve(cgroup.monitored_container_id));
  }
}

void CopyFlow(const tapio_tcp_flow& flow, domain::NetworkPayload* payload) {
  payload->family = static_cast<uint8_t>(flow.family);
  payload->protocol = IPPROTO_TCP;
  size_t bytes = flow.family == AF_INET6 ? 16 : 4;
  std::memcpy(payload->saddr.data(), flow.saddr, bytes);
  std::memcpy(payload->daddr.data(), flow.daddr, bytes);
  payload->sport = flow.sport;
  payload->dport = flow.dport;
  payload->netns = flow.netns;
}

}  // namespace

KernelEventDecoder::KernelEventDecoder(domain::EntityId node, int64_t boot_to_unix_ns,
                                       domain::EventIdGenerator& ids, const domain::Clock& clock,
                                       CgroupResolver& cgroups)
    : node_(node), boot_to_unix_ns_(boot_to_unix_ns), ids_(ids), clock_(clock), cgroups_(cgroups) {}

domain::Event KernelEventDecoder::NewEvent(uint64_t boot_ns, const char* type, Severity severity) {
  domain::Event event;
  event.id = ids_.Next();
  event.time_ns = boot_to_unix_ns_ + static_cast<int64_t>(boot_ns);
  event.observed_ns = clock_.NowNanos();
  event.entity = node_;
  event.type = Intern(type);
  event.source = domain::Source::kKernel;
  event.severity = severity;
  ++counts_.events;
  return event;
}

absl::Status KernelEventDecoder::Malformed(absl::string_view what, size_t size) {
  ++counts_.malformed;
  return absl::InvalidArgumentError(absl::StrCat("bpf ", what, " record of ", size, " bytes"));
}

void KernelEventDecoder::ResolveTask(uint64_t cgroup_id, uint64_t memcg_id, bool prefer_memcg,
                                     domain::KernelPayload* payload, Labels* labels) {
  struct Candidate {
    CgroupHierarchy hierarchy;
    uint64_t id;
  };
  Candidate unified{CgroupHierarchy::kUnified, cgroup_id};
  Candidate memory{CgroupHierarchy::kMemory, memcg_id};
  Candidate order[2] = {prefer_memcg ? memory : unified, prefer_memcg ? unified : memory};
  std::optional<std::pair<uint64_t, ResolvedCgroup>> root;
  for (const Candidate& candidate : order) {
    if (candidate.id == 0) continue;
    absl::StatusOr<ResolvedCgroup> resolved = cgroups_.Resolve(candidate.hierarchy, candidate.id);
    if (!resolved.ok()) continue;
    // A hybrid host keeps every task in the unified root: the other hierarchy says more.
    if (domain::Resolve(resolved->path) == "/") {
      if (!root) root.emplace(candidate.id, *resolved);
      continue;
    }
    root.emplace(candidate.id, *resolved);
    break;
  }
  if (!root) {
    ++counts_.unresolved_cgroups;
    payload->cgroup_id = prefer_memcg && memcg_id ? memcg_id : cgroup_id;
    return;
  }
  const ResolvedCgroup& cgroup = root->second;
  payload->cgroup_id = root->first;
  payload->cgroup_path = cgroup.path;
  payload->pod_uid = cgroup.pod_uid;
  payload->container_id = cgroup.container_id;
  AddPodLabels(cgroup, labels);
}

void KernelEventDecoder::ResolveSocket(uint64_t cgroup_id, domain::NetworkPayload* payload,
                                       Labels* labels) {
  if (cgroup_id == 0) return;
  absl::StatusOr<ResolvedCgroup> resolved = cgroups_.Resolve(CgroupHierarchy::kUnified, cgroup_id);
  if (!resolved.ok()) {
    ++counts_.unresolved_cgroups;
    return;
  }
  payload->cgroup_path = resolved->path;
  payload->pod_uid = resolved->pod_uid;
  payload->container_id = resolved->container_id;
  AddPodLabels(*resolved, labels);
}

absl::Status KernelEventDecoder::DecodeOomKill(absl::Span<const uint8_t> bytes,
                                               std::vector<domain::Event>* out) {
  ++counts_.records;
  tapio_oom_kill record;
  if (!Read(bytes, &record)) return Malformed("oom kill", bytes.size());
  domain::Event event = NewEvent(record.time_ns, event_type::kOomKill, Severity::kError);
  domain::KernelPayload payload;
  payload.pid = record.pid;
  payload.tgid = record.tgid;
  SetComm(&payload.comm, record.comm);
  payload.signal = SIGKILL;
  payload.oom_score_adj = record.oom_score_adj;
  payload.total_vm_kb = record.total_vm_pages * kPageKb;
  payload.anon_rss_kb = record.anon_rss_pages * kPageKb;
  payload.file_rss_kb = record.file_rss_pages * kPageKb;
  payload.shmem_rss_kb = record.shmem_rss_pages * kPageKb;
  payload.pgtables_kb = record.pgtables_bytes / 1024;
  payload.memcg_usage_kb = record.memcg_usage_pages * kPageKb;
  // The root and an unlimited memcg have PAGE_COUNTER_MAX: no limit to report.
  if (record.memcg_limit_pages < (uint64_t{1} << 50)) {
    payload.memcg_limit_kb = record.memcg_limit_pages * kPageKb;
  }
  Labels labels;
  std::string trigger = absl::StrCat(record.trigger_pid);
  std::string uid = absl::StrCat(record.uid);
  labels.emplace_back("trigger_pid", trigger);
  labels.emplace_back("uid", uid);
  ResolveTask(record.cgroup_id, record.memcg_id, /*prefer_memcg=*/true, &payload, &labels);
  event.labels = domain::InternLabels(std::move(labels));
  event.payload = payload;
  out->push_back(event);
  return absl::OkStatus();
}

absl::Status KernelEventDecoder::DecodeProcessExit(absl::Span<const uint8_t> bytes,
                                                   std::vector<domain::Event>* out) {
  ++counts_.records;
  tapio_process_exit record;
  if (!Read(bytes, &record) || record.exit_code == 0) {
    return Malformed("process exit", bytes.size());
  }
  int signal = static_cast<int>(record.exit_code & 0x7f);
  domain::Event event = NewEvent(record.time_ns, event_type::kProcessExit,
                                 signal != 0 ? Severity::kError : Severity::kWarning);
  domain::KernelPayload payload;
  payload.pid = record.pid;
  payload.tgid = record.tgid;
  SetComm(&payload.comm, record.comm);
  payload.signal = signal;
  payload.exit_code = static_cast<int32_t>((record.exit_code >> 8) & 0xff);
  Labels labels;
  std::string ppid = absl::StrCat(record.ppid);
  std::string signal_name;
  labels.emplace_back("ppid", ppid);
  if (signal != 0) {
    signal_name = SignalName(signal);
    labels.emplace_back("signal_name", signal_name);
  }
  if (record.exit_code & 0x80) labels.emplace_back("core_dumped", "true");
  ResolveTask(record.cgroup_id, record.memcg_id, /*prefer_memcg=*/false, &payload, &labels);
  event.labels = domain::InternLabels(std::move(labels));
  event.payload = payload;
  out->push_back(event);
  return absl::OkStatus();
}

absl::Status KernelEventDecoder::DecodeTcpEvent(absl::Span<const uint8_t> bytes,
                                                std::vector<domain::Event>* out) {
  ++counts_.records;
  tapio_tcp_event record;
  if (!Read(bytes, &record)) return Malformed("tcp", bytes.size());
  const char* type;
  absl::string_view direction;
  int32_t error;
  switch (record.kind) {
    case TAPIO_TCP_REFUSED:
      type = event_type::kConnectionRefused;
      error = ECONNREFUSED;
      break;
    case TAPIO_TCP_RESET_RECEIVED:
      type = event_type::kConnectionReset;
      direction = "received";
      error = ECONNRESET;
      break;
    case TAPIO_TCP_RESET_SENT:
      type = event_type::kConnectionReset;
      direction = "sent";
      error = ECONNRESET;
      break;
    default:
      return Malformed(absl::StrCat("tcp kind ", record.kind), bytes.size());
  }
  domain::Event event = NewEvent(record.time_ns, type, Severity::kWarning);
  domain::NetworkPayload payload;
  CopyFlow(record.flow, &payload);
  payload.new_state = record.state;
  payload.error = error;
  payload.count = 1;
  payload.pid = record.tgid;
  SetComm(&payload.comm, record.comm);
  payload.cgroup_id = record.cgroup_id;
  Labels labels;
  if (!direction.empty()) labels.emplace_back("direction", direction);
  ResolveSocket(record.cgroup_id, &payload, &labels);
  event.labels = domain::InternLabels(std::move(labels));
  event.payload = payload;
  out->push_back(event);
  return absl::OkStatus();
}

void KernelEventDecoder::DecodeRetransmits(const tapio_tcp_flow& flow,
                                           const tapio_tcp_retransmits& value,
                                           std::vector<domain::Event>* out) {
  ++counts_.records;
  domain::Event event = NewEvent(value.last_ns, event_type::kTcpRetransmits, Severity::kWarning);
  domain::NetworkPayload payload;
  CopyFlow(flow, &payload);
  payload.new_state = value.state;
  payload.count = value.count;
  payload.pid = value.tgid;
  SetComm(&payload.comm, value.comm);
  payload.cgroup_id = value.cgroup_id;
  Labels labels;
  std::string first = absl::StrCat(boot_to_unix_ns_ + static_cast<int64_t>(value.first_ns));
  labels.emplace_back("first_time_ns", first);
  if (value.state == kTcpSynSent) labels.emplace_back("handshake", "true");
  ResolveSocket(value.cgroup_id, &payload, &labels);
  event.labels = domain::InternLabels(std::move(labels));
  event.payload = payload;
  out->push_back(event);
}

void KernelEventDecoder::DecodeDnsErrors(const tapio_dns_key& key, const tapio_dns_errors& value,
                                         std::vector<domain::Event>* out) {
  ++counts_.records;
  domain::Event event = NewEvent(value.last_ns, event_type::kDnsErrors, Severity::kWarning);
  domain::NetworkPayload payload;
  payload.protocol = kIpprotoUdp;
  payload.sport = kDnsPort;
  payload.count = value.count;
  payload.cgroup_id = key.cgroup_id;
  Labels labels;
  labels.emplace_back("rcode", key.rcode == TAPIO_DNS_SERVFAIL   ? "SERVFAIL"
                               : key.rcode == TAPIO_DNS_NXDOMAIN ? "NXDOMAIN"
                               : key.rcode == TAPIO_DNS_REFUSED  ? "REFUSED"
                                                                 : "OTHER");
  std::string first = absl::StrCat(boot_to_unix_ns_ + static_cast<int64_t>(value.first_ns));
  labels.emplace_back("first_time_ns", first);
  ResolveSocket(key.cgroup_id, &payload, &labels);
  event.labels = domain::InternLabels(std::move(labels));
  event.payload = payload;
  out->push_back(event);
}

}  // namespace tapio::collectors::ebpf
