#include "domain/event_proto.h"

#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "domain/string_list.h"

namespace tapio::domain {
namespace {

namespace v1 = ::tapio::v1;

constexpr uint32_t kAfInet = 2;
constexpr uint32_t kAfInet6 = 10;

size_t AddressBytes(uint32_t family) { return family == kAfInet6 ? 16 : 4; }

// Checks fields one by one and keeps the first problem; later checks are skipped once one
// failed, so the error always names the first bad field.
class FieldCheck {
 public:
  Symbol Identifier(absl::string_view field, const std::string& value) {
    return Bounded(field, value, kMaxIdentifierBytes);
  }
  Symbol Text(absl::string_view field, const std::string& value) {
    return Bounded(field, value, kMaxTextBytes);
  }

  template <typename T>
  T Max(absl::string_view field, uint64_t value, uint64_t max) {
    if (value > max) Fail(field, absl::StrCat(value, " is more than the largest allowed, ", max));
    return static_cast<T>(value);
  }

  int64_t Nanos(absl::string_view field, uint64_t value) {
    return static_cast<int64_t>(
        Max<uint64_t>(field, value, static_cast<uint64_t>(std::numeric_limits<int64_t>::max())));
  }

  template <size_t N>
  void Bytes(absl::string_view field, const std::string& value, std::array<uint8_t, N>& out) {
    if (value.empty()) return;
    if (value.size() != N) {
      Fail(field, absl::StrCat(value.size(), " bytes where ", N, " (or none) belong"));
      return;
    }
    std::memcpy(out.data(), value.data(), N);
  }

  void Comm(absl::string_view field, const std::string& value, domain::Comm& out) {
    if (value.size() > out.bytes.size()) {
      Fail(field, absl::StrCat(value.size(), " bytes, more than the kernel's 16"));
      return;
    }
    if (value.find('\0') != std::string::npos) {
      Fail(field, "contains a NUL byte");
      return;
    }
    out.Assign(value);
  }

  void Fail(absl::string_view field, absl::string_view problem) {
    if (status_.ok()) status_ = absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
  }

  const absl::Status& status() const { return status_; }

 private:
  Symbol Bounded(absl::string_view field, const std::string& value, size_t max) {
    if (value.size() > max) {
      Fail(field, absl::StrCat(value.size(), " bytes, more than the ", max, " allowed"));
      return Symbol{};
    }
    return status_.ok() ? Intern(value) : Symbol{};
  }

  absl::Status status_;
};

KernelPayload KernelFromProto(const v1::KernelPayload& in, FieldCheck& check) {
  KernelPayload out;
  out.pid = in.pid();
  out.tgid = in.tgid();
  check.Comm("kernel.comm", in.comm(), out.comm);
  out.cgroup_id = in.cgroup_id();
  out.cgroup_path = check.Text("kernel.cgroup_path", in.cgroup_path());
  out.container_id = check.Identifier("kernel.container_id", in.container_id());
  out.pod_uid = check.Identifier("kernel.pod_uid", in.pod_uid());
  out.signal = in.signal();
  out.exit_code = in.exit_code();
  out.oom_score_adj = in.oom_score_adj();
  out.total_vm_kb = in.total_vm_kb();
  out.anon_rss_kb = in.anon_rss_kb();
  out.file_rss_kb = in.file_rss_kb();
  out.shmem_rss_kb = in.shmem_rss_kb();
  out.pgtables_kb = in.pgtables_kb();
  out.memcg_usage_kb = in.memcg_usage_kb();
  out.memcg_limit_kb = in.memcg_limit_kb();
  out.message = check.Text("kernel.message", in.message());
  return out;
}

NetworkPayload NetworkFromProto(const v1::NetworkPayload& in, FieldCheck& check) {
  NetworkPayload out;
  out.family = check.Max<uint8_t>("network.family", in.family(), 255);
  out.protocol = check.Max<uint8_t>("network.protocol", in.protocol(), 255);
  out.old_state = check.Max<uint8_t>("network.old_state", in.old_state(), 255);
  out.new_state = check.Max<uint8_t>("network.new_state", in.new_state(), 255);
  if (in.family() != 0 && in.family() != kAfInet && in.family() != kAfInet6) {
    check.Fail("network.family",
               absl::StrCat("unknown address family ", in.family(), " (2 is IPv4, 10 is IPv6)"));
  }
  size_t address_bytes = AddressBytes(out.family);
  for (auto [field, value, dest] : {std::tuple{"network.saddr", &in.saddr(), &out.saddr},
                                    std::tuple{"network.daddr", &in.daddr(), &out.daddr}}) {
    if (value->empty()) continue;
    if (value->size() != address_bytes) {
      check.Fail(field, absl::StrCat(value->size(), " bytes where an address of family ",
                                     in.family(), " has ", address_bytes));
    } else {
      std::memcpy(dest->data(), value->data(), value->size());
    }
  }
  out.sport = check.Max<uint16_t>("network.sport", in.sport(), 65535);
  out.dport = check.Max<uint16_t>("network.dport", in.dport(), 65535);
  out.error = in.error();
  out.netns = in.netns();
  out.count = in.count();
  out.pid = in.pid();
  check.Comm("network.comm", in.comm(), out.comm);
  out.cgroup_id = in.cgroup_id();
  out.cgroup_path = check.Text("network.cgroup_path", in.cgroup_path());
  out.container_id = check.Identifier("network.container_id", in.container_id());
  out.pod_uid = check.Identifier("network.pod_uid", in.pod_uid());
  return out;
}

KubernetesPayload KubernetesFromProto(const v1::KubernetesPayload& in, FieldCheck& check) {
  KubernetesPayload out;
  out.reason = check.Identifier("kubernetes.reason", in.reason());
  out.message = check.Text("kubernetes.message", in.message());
  out.count = in.count();
  out.first_time_ns = check.Nanos("kubernetes.first_time_unix_nano", in.first_time_unix_nano());
  out.last_time_ns = check.Nanos("kubernetes.last_time_unix_nano", in.last_time_unix_nano());
  out.container = check.Identifier("kubernetes.container", in.container());
  out.exit_code = in.exit_code();
  out.signal = in.signal();
  out.restart_count = in.restart_count();
  out.field = check.Identifier("kubernetes.field", in.field());
  out.from = check.Text("kubernetes.from", in.from());
  out.to = check.Text("kubernetes.to", in.to());
  out.component = check.Identifier("kubernetes.component", in.component());
  return out;
}

ServicePayload ServiceFromProto(const v1::ServicePayload& in, FieldCheck& check) {
  ServicePayload out;
  out.unit = check.Identifier("service.unit", in.unit());
  out.state = check.Identifier("service.state", in.state());
  out.sub_state = check.Identifier("service.sub_state", in.sub_state());
  out.priority = check.Max<uint8_t>("service.priority", in.priority(), 7);
  out.pid = in.pid();
  out.message = check.Text("service.message", in.message());
  out.source_location = check.Identifier("service.source_location", in.source_location());
  out.exit_status = in.exit_status();
  return out;
}

ApplicationPayload ApplicationFromProto(const v1::ApplicationPayload& in, FieldCheck& check) {
  ApplicationPayload out;
  out.service = check.Identifier("application.service", in.service());
  out.span_name = check.Text("application.span_name", in.span_name());
  out.span_kind = check.Max<uint8_t>("application.span_kind", in.span_kind(), 5);
  out.status_code = check.Max<uint8_t>("application.status_code", in.status_code(), 2);
  out.status_message = check.Text("application.status_message", in.status_message());
  out.http_status = check.Max<uint16_t>("application.http_status", in.http_status(), 999);
  out.peer_service = check.Identifier("application.peer_service", in.peer_service());
  out.duration_ns = in.duration_nano();
  out.log_line = check.Text("application.log_line", in.log_line());
  return out;
}

}  // namespace

absl::StatusOr<Event> FromProto(const v1::UnifiedEvent& wire, EntityRegistry& registry) {
  FieldCheck check;
  Event event;
  event.id = wire.id();
  event.time_ns = check.Nanos("time_unix_nano", wire.time_unix_nano());
  event.observed_ns = check.Nanos("observed_time_unix_nano", wire.observed_time_unix_nano());
  if (wire.source() < 0 || wire.source() >= kSourceCount) {
    check.Fail("source", absl::StrCat("unknown source ", wire.source()));
  }
  event.source = static_cast<Source>(wire.source());
  if (wire.severity() < 0 || wire.severity() >= kSeverityCount) {
    check.Fail("severity", absl::StrCat("unknown severity ", wire.severity()));
  }
  event.severity = static_cast<Severity>(wire.severity());
  if (wire.type().empty()) check.Fail("type", "missing");
  event.type = check.Identifier("type", wire.type());

  const v1::EntityRef& entity = wire.entity();
  EntityRef ref{check.Identifier("entity.cluster", entity.cluster()),
                check.Identifier("entity.kind", entity.kind()),
                check.Identifier("entity.namespace", entity.namespace_()),
                check.Identifier("entity.name", entity.name()),
                check.Identifier("entity.uid", entity.uid())};

  check.Bytes("trace.trace_id", wire.trace().trace_id(), event.trace.trace_id);
  check.Bytes("trace.span_id", wire.trace().span_id(), event.trace.span_id);
  check.Bytes("trace.parent_span_id", wire.trace().parent_span_id(), event.trace.parent_span_id);

  if (wire.labels_size() > kMaxLabels) {
    check.Fail("labels",
               absl::StrCat(wire.labels_size(), " labels, more than the ", kMaxLabels, " allowed"));
  }
  std::vector<std::pair<absl::string_view, absl::string_view>> labels;
  for (const auto& [key, value] : wire.labels()) {
    if (key.size() > kMaxIdentifierBytes || value.size() > kMaxTextBytes) {
      check.Fail(absl::StrCat("labels[", key.substr(0, 64), "]"), "too long");
    }
    labels.emplace_back(key, value);
  }
  if (wire.correlation_ids_size() > kMaxCorrelationIds) {
    check.Fail("correlation_ids", absl::StrCat(wire.correlation_ids_size(), " ids, more than the ",
                                               kMaxCorrelationIds, " allowed"));
  }
  std::vector<absl::string_view> correlation_ids;
  for (const std::string& id : wire.correlation_ids()) {
    if (id.size() > kMaxIdentifierBytes) check.Fail("correlation_ids", "an id is too long");
    correlation_ids.push_back(id);
  }

  switch (wire.payload_case()) {
    case v1::UnifiedEvent::kKernel:
      event.payload = KernelFromProto(wire.kernel(), check);
      break;
    case v1::UnifiedEvent::kNetwork:
      event.payload = NetworkFromProto(wire.network(), check);
      break;
    case v1::UnifiedEvent::kKubernetes:
      event.payload = KubernetesFromProto(wire.kubernetes(), check);
      break;
    case v1::UnifiedEvent::kService:
      event.payload = ServiceFromProto(wire.service(), check);
      break;
    case v1::UnifiedEvent::kApplication:
      event.payload = ApplicationFromProto(wire.application(), check);
      break;
    case v1::UnifiedEvent::PAYLOAD_NOT_SET:
      break;
  }
  if (!check.status().ok()) return check.status();

  absl::StatusOr<EntityId> id = registry.Register(ref);
  if (!id.ok()) return absl::InvalidArgumentError(absl::StrCat("entity: ", id.status().message()));
  event.entity = *id;
  event.labels = InternLabels(std::move(labels));
  event.correlation_ids = InternStringList(correlation_ids);
  return event;
}

namespace {

std::string BytesOf(const auto& array, size_t size) {
  return std::string(reinterpret_cast<const char*>(array.data()), size);
}

bool IsZero(const auto& array) {
  for (auto byte : array) {
    if (byte != 0) return false;
  }
  return true;
}

// Sets a string field to a symbol's text, without a temporary string. An empty text leaves
// the field unset: the wire leaves it out either way, and setting it would allocate.
template <typename Message>
void SetText(Message& message, std::string* (Message::*field)(), absl::string_view text) {
  if (!text.empty()) (message.*field)()->assign(text.data(), text.size());
}
template <typename Message>
void SetText(Message& message, std::string* (Message::*field)(), Symbol text) {
  SetText(message, field, Resolve(text));
}

struct PayloadToProto {
  v1::UnifiedEvent& out;

  void operator()(std::monostate) const {}
  void operator()(const KernelPayload& in) const {
    v1::KernelPayload& k = *out.mutable_kernel();
    k.set_pid(in.pid);
    k.set_tgid(in.tgid);
    SetText(k, &v1::KernelPayload::mutable_comm, in.comm.view());
    k.set_cgroup_id(in.cgroup_id);
    SetText(k, &v1::KernelPayload::mutable_cgroup_path, in.cgroup_path);
    SetText(k, &v1::KernelPayload::mutable_container_id, in.container_id);
    SetText(k, &v1::KernelPayload::mutable_pod_uid, in.pod_uid);
    k.set_signal(in.signal);
    k.set_exit_code(in.exit_code);
    k.set_oom_score_adj(in.oom_score_adj);
    k.set_total_vm_kb(in.total_vm_kb);
    k.set_anon_rss_kb(in.anon_rss_kb);
    k.set_file_rss_kb(in.file_rss_kb);
    k.set_shmem_rss_kb(in.shmem_rss_kb);
    k.set_pgtables_kb(in.pgtables_kb);
    k.set_memcg_usage_kb(in.memcg_usage_kb);
    k.set_memcg_limit_kb(in.memcg_limit_kb);
    SetText(k, &v1::KernelPayload::mutable_message, in.message);
  }
  void operator()(const NetworkPayload& in) const {
    v1::NetworkPayload& n = *out.mutable_network();
    n.set_family(in.family);
    n.set_protocol(in.protocol);
    if (!IsZero(in.saddr)) n.set_saddr(BytesOf(in.saddr, AddressBytes(in.family)));
    if (!IsZero(in.daddr)) n.set_daddr(BytesOf(in.daddr, AddressBytes(in.family)));
    n.set_sport(in.sport);
    n.set_dport(in.dport);
    n.set_old_state(in.old_state);
    n.set_new_state(in.new_state);
    n.set_error(in.error);
    n.set_netns(in.netns);
    n.set_count(in.count);
    n.set_pid(in.pid);
    SetText(n, &v1::NetworkPayload::mutable_comm, in.comm.view());
    n.set_cgroup_id(in.cgroup_id);
    SetText(n, &v1::NetworkPayload::mutable_cgroup_path, in.cgroup_path);
    SetText(n, &v1::NetworkPayload::mutable_container_id, in.container_id);
    SetText(n, &v1::NetworkPayload::mutable_pod_uid, in.pod_uid);
  }
  void operator()(const KubernetesPayload& in) const {
    v1::KubernetesPayload& k = *out.mutable_kubernetes();
    SetText(k, &v1::KubernetesPayload::mutable_reason, in.reason);
    SetText(k, &v1::KubernetesPayload::mutable_message, in.message);
    k.set_count(in.count);
    k.set_first_time_unix_nano(in.first_time_ns);
    k.set_last_time_unix_nano(in.last_time_ns);
    SetText(k, &v1::KubernetesPayload::mutable_container, in.container);
    k.set_exit_code(in.exit_code);
    k.set_signal(in.signal);
    k.set_restart_count(in.restart_count);
    SetText(k, &v1::KubernetesPayload::mutable_field, in.field);
    SetText(k, &v1::KubernetesPayload::mutable_from, in.from);
    SetText(k, &v1::KubernetesPayload::mutable_to, in.to);
    SetText(k, &v1::KubernetesPayload::mutable_component, in.component);
  }
  void operator()(const ServicePayload& in) const {
    v1::ServicePayload& s = *out.mutable_service();
    SetText(s, &v1::ServicePayload::mutable_unit, in.unit);
    SetText(s, &v1::ServicePayload::mutable_state, in.state);
    SetText(s, &v1::ServicePayload::mutable_sub_state, in.sub_state);
    s.set_priority(in.priority);
    s.set_pid(in.pid);
    SetText(s, &v1::ServicePayload::mutable_message, in.message);
    SetText(s, &v1::ServicePayload::mutable_source_location, in.source_location);
    s.set_exit_status(in.exit_status);
  }
  void operator()(const ApplicationPayload& in) const {
    v1::ApplicationPayload& a = *out.mutable_application();
    SetText(a, &v1::ApplicationPayload::mutable_service, in.service);
    SetText(a, &v1::ApplicationPayload::mutable_span_name, in.span_name);
    a.set_span_kind(in.span_kind);
    a.set_status_code(in.status_code);
    SetText(a, &v1::ApplicationPayload::mutable_status_message, in.status_message);
    a.set_http_status(in.http_status);
    SetText(a, &v1::ApplicationPayload::mutable_peer_service, in.peer_service);
    a.set_duration_nano(in.duration_ns);
    SetText(a, &v1::ApplicationPayload::mutable_log_line, in.log_line);
  }
};

// The wire leaves empty strings out either way; setting one would still allocate it. Node
// and cluster-wide entities have no namespace, kernel-seen ones often no uid.
void EntityRefToProto(const EntityRef& ref, v1::EntityRef& entity) {
  SetText(entity, &v1::EntityRef::mutable_cluster, ref.cluster);
  SetText(entity, &v1::EntityRef::mutable_kind, ref.kind);
  SetText(entity, &v1::EntityRef::mutable_namespace_, ref.namespace_name);
  SetText(entity, &v1::EntityRef::mutable_name, ref.name);
  SetText(entity, &v1::EntityRef::mutable_uid, ref.uid);
}

}  // namespace

v1::EntityRef ToProto(const EntityRef& ref) {
  v1::EntityRef entity;
  EntityRefToProto(ref, entity);
  return entity;
}

v1::UnifiedEvent ToProto(const Event& event, const EntityRegistry& registry) {
  v1::UnifiedEvent out;
  out.set_id(event.id);
  out.set_time_unix_nano(event.time_ns);
  out.set_observed_time_unix_nano(event.observed_ns);
  out.set_source(static_cast<v1::Source>(event.source));
  SetText(out, &v1::UnifiedEvent::mutable_type, event.type);
  out.set_severity(static_cast<v1::Severity>(event.severity));
  if (event.entity.valid()) EntityRefToProto(registry.Get(event.entity), *out.mutable_entity());
  if (!IsZero(event.trace.trace_id)) {
    out.mutable_trace()->set_trace_id(BytesOf(event.trace.trace_id, 16));
  }
  if (!IsZero(event.trace.span_id)) {
    out.mutable_trace()->set_span_id(BytesOf(event.trace.span_id, 8));
  }
  if (!IsZero(event.trace.parent_span_id)) {
    out.mutable_trace()->set_parent_span_id(BytesOf(event.trace.parent_span_id, 8));
  }
  for (const auto& [key, value] : LabelItems(event.labels)) {
    (*out.mutable_labels())[std::string(key)].assign(value.data(), value.size());
  }
  for (absl::string_view id : StringListItems(event.correlation_ids)) {
    out.add_correlation_ids()->assign(id.data(), id.size());
  }
  std::visit(PayloadToProto{out}, event.payload);
  return out;
}

}  // namespace tapio::domain
