#include "domain/event_wire.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <variant>

#include "absl/strings/string_view.h"
#include "domain/string_list.h"
#include "domain/symbol_table.h"
#include "tapio/v1/event.pb.h"

namespace tapio::domain {
namespace {

constexpr int kVarint = 0;
constexpr int kFixed64 = 1;
constexpr int kLengthDelimited = 2;
constexpr uint8_t kAfInet6 = 10;

// Writes protobuf fields to the end of a string. Zero scalars and empty strings are left out,
// as proto3 leaves them; a nested message is written in place and its length filled in after.
class Writer {
 public:
  explicit Writer(std::string* out) : out_(*out) {}

  void Uint(int field, uint64_t value) {
    if (value == 0) return;
    Tag(field, kVarint);
    Varint(value);
  }
  // int32 and enums: a negative value is sign-extended to ten bytes.
  void Int(int field, int64_t value) { Uint(field, static_cast<uint64_t>(value)); }
  void Fixed64(int field, uint64_t value) {
    if (value == 0) return;
    Tag(field, kFixed64);
    char bytes[8];
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(value >> (8 * i));
    out_.append(bytes, 8);
  }
  void Text(int field, absl::string_view text) {
    if (!text.empty()) Element(field, text);
  }
  // An element of a repeated field, written even when empty.
  void Element(int field, absl::string_view text) {
    Tag(field, kLengthDelimited);
    Varint(text.size());
    out_.append(text.data(), text.size());
  }
  void Text(int field, Symbol text) { Text(field, Resolve(text)); }
  // Bytes of a fixed-size array, left out when every byte is zero.
  template <size_t N>
  void Bytes(int field, const std::array<uint8_t, N>& array, size_t size) {
    for (uint8_t byte : array) {
      if (byte != 0) {
        Text(field, absl::string_view(reinterpret_cast<const char*>(array.data()), size));
        return;
      }
    }
  }

  // Starts a nested message (present even when it stays empty); returns where its body starts.
  size_t Begin(int field) {
    Tag(field, kLengthDelimited);
    out_.push_back(0);
    return out_.size();
  }
  void End(size_t body) {
    const uint64_t size = out_.size() - body;
    if (size < 0x80) {
      out_[body - 1] = static_cast<char>(size);
      return;
    }
    char length[10];
    out_.replace(body - 1, 1, length, VarintTo(size, length));
  }

 private:
  static size_t VarintTo(uint64_t value, char* out) {
    size_t n = 0;
    for (; value >= 0x80; value >>= 7) out[n++] = static_cast<char>(value | 0x80);
    out[n++] = static_cast<char>(value);
    return n;
  }
  void Varint(uint64_t value) {
    char bytes[10];
    out_.append(bytes, VarintTo(value, bytes));
  }
  void Tag(int field, int type) { Varint(static_cast<uint64_t>(field) << 3 | type); }

  std::string& out_;
};

size_t AddressBytes(uint8_t family) { return family == kAfInet6 ? 16 : 4; }

struct PayloadWriter {
  Writer& w;

  void operator()(std::monostate) const {}
  void operator()(const KernelPayload& in) const {
    using P = v1::KernelPayload;
    size_t body = w.Begin(v1::UnifiedEvent::kKernelFieldNumber);
    w.Uint(P::kPidFieldNumber, in.pid);
    w.Uint(P::kTgidFieldNumber, in.tgid);
    w.Text(P::kCommFieldNumber, in.comm.view());
    w.Uint(P::kCgroupIdFieldNumber, in.cgroup_id);
    w.Text(P::kCgroupPathFieldNumber, in.cgroup_path);
    w.Text(P::kContainerIdFieldNumber, in.container_id);
    w.Text(P::kPodUidFieldNumber, in.pod_uid);
    w.Int(P::kSignalFieldNumber, in.signal);
    w.Int(P::kExitCodeFieldNumber, in.exit_code);
    w.Uint(P::kTotalVmKbFieldNumber, in.total_vm_kb);
    w.Uint(P::kAnonRssKbFieldNumber, in.anon_rss_kb);
    w.Uint(P::kFileRssKbFieldNumber, in.file_rss_kb);
    w.Uint(P::kShmemRssKbFieldNumber, in.shmem_rss_kb);
    w.Uint(P::kPgtablesKbFieldNumber, in.pgtables_kb);
    w.Uint(P::kMemcgUsageKbFieldNumber, in.memcg_usage_kb);
    w.Uint(P::kMemcgLimitKbFieldNumber, in.memcg_limit_kb);
    w.Int(P::kOomScoreAdjFieldNumber, in.oom_score_adj);
    w.Text(P::kMessageFieldNumber, in.message);
    w.End(body);
  }
  void operator()(const NetworkPayload& in) const {
    using P = v1::NetworkPayload;
    size_t body = w.Begin(v1::UnifiedEvent::kNetworkFieldNumber);
    w.Uint(P::kFamilyFieldNumber, in.family);
    w.Uint(P::kProtocolFieldNumber, in.protocol);
    w.Bytes(P::kSaddrFieldNumber, in.saddr, AddressBytes(in.family));
    w.Bytes(P::kDaddrFieldNumber, in.daddr, AddressBytes(in.family));
    w.Uint(P::kSportFieldNumber, in.sport);
    w.Uint(P::kDportFieldNumber, in.dport);
    w.Uint(P::kOldStateFieldNumber, in.old_state);
    w.Uint(P::kNewStateFieldNumber, in.new_state);
    w.Int(P::kErrorFieldNumber, in.error);
    w.Uint(P::kNetnsFieldNumber, in.netns);
    w.Uint(P::kCountFieldNumber, in.count);
    w.Uint(P::kPidFieldNumber, in.pid);
    w.Text(P::kCommFieldNumber, in.comm.view());
    w.Uint(P::kCgroupIdFieldNumber, in.cgroup_id);
    w.Text(P::kCgroupPathFieldNumber, in.cgroup_path);
    w.Text(P::kContainerIdFieldNumber, in.container_id);
    w.Text(P::kPodUidFieldNumber, in.pod_uid);
    w.End(body);
  }
  void operator()(const KubernetesPayload& in) const {
    using P = v1::KubernetesPayload;
    size_t body = w.Begin(v1::UnifiedEvent::kKubernetesFieldNumber);
    w.Text(P::kReasonFieldNumber, in.reason);
    w.Text(P::kMessageFieldNumber, in.message);
    w.Uint(P::kCountFieldNumber, in.count);
    w.Fixed64(P::kFirstTimeUnixNanoFieldNumber, static_cast<uint64_t>(in.first_time_ns));
    w.Fixed64(P::kLastTimeUnixNanoFieldNumber, static_cast<uint64_t>(in.last_time_ns));
    w.Text(P::kContainerFieldNumber, in.container);
    w.Int(P::kExitCodeFieldNumber, in.exit_code);
    w.Int(P::kSignalFieldNumber, in.signal);
    w.Uint(P::kRestartCountFieldNumber, in.restart_count);
    w.Text(P::kFieldFieldNumber, in.field);
    w.Text(P::kFromFieldNumber, in.from);
    w.Text(P::kToFieldNumber, in.to);
    w.Text(P::kComponentFieldNumber, in.component);
    w.End(body);
  }
  void operator()(const ServicePayload& in) const {
    using P = v1::ServicePayload;
    size_t body = w.Begin(v1::UnifiedEvent::kServiceFieldNumber);
    w.Text(P::kUnitFieldNumber, in.unit);
    w.Text(P::kStateFieldNumber, in.state);
    w.Text(P::kSubStateFieldNumber, in.sub_state);
    w.Uint(P::kPriorityFieldNumber, in.priority);
    w.Uint(P::kPidFieldNumber, in.pid);
    w.Text(P::kMessageFieldNumber, in.message);
    w.Text(P::kSourceLocationFieldNumber, in.source_location);
    w.Int(P::kExitStatusFieldNumber, in.exit_status);
    w.End(body);
  }
  void operator()(const ApplicationPayload& in) const {
    using P = v1::ApplicationPayload;
    size_t body = w.Begin(v1::UnifiedEvent::kApplicationFieldNumber);
    w.Text(P::kServiceFieldNumber, in.service);
    w.Text(P::kSpanNameFieldNumber, in.span_name);
    w.Uint(P::kSpanKindFieldNumber, in.span_kind);
    w.Uint(P::kStatusCodeFieldNumber, in.status_code);
    w.Text(P::kStatusMessageFieldNumber, in.status_message);
    w.Uint(P::kHttpStatusFieldNumber, in.http_status);
    w.Text(P::kPeerServiceFieldNumber, in.peer_service);
    w.Uint(P::kDurationNanoFieldNumber, in.duration_ns);
    w.Text(P::kLogLineFieldNumber, in.log_line);
    w.End(body);
  }
};

}  // namespace

void AppendWire(const Event& event, const EntityRegistry& registry, std::string* out) {
  using E = v1::UnifiedEvent;
  Writer w(out);
  w.Fixed64(E::kIdFieldNumber, event.id);
  w.Fixed64(E::kTimeUnixNanoFieldNumber, static_cast<uint64_t>(event.time_ns));
  w.Fixed64(E::kObservedTimeUnixNanoFieldNumber, static_cast<uint64_t>(event.observed_ns));
  w.Int(E::kSourceFieldNumber, static_cast<int>(event.source));
  w.Text(E::kTypeFieldNumber, event.type);
  w.Int(E::kSeverityFieldNumber, static_cast<int>(event.severity));
  if (event.entity.valid()) {
    using R = v1::EntityRef;
    const EntityRef ref = registry.Get(event.entity);
    size_t body = w.Begin(E::kEntityFieldNumber);
    w.Text(R::kClusterFieldNumber, ref.cluster);
    w.Text(R::kKindFieldNumber, ref.kind);
    w.Text(R::kNamespaceFieldNumber, ref.namespace_name);
    w.Text(R::kNameFieldNumber, ref.name);
    w.Text(R::kUidFieldNumber, ref.uid);
    w.End(body);
  }
  const TraceContext& trace = event.trace;
  if (trace != TraceContext{}) {
    using T = v1::TraceContext;
    size_t body = w.Begin(E::kTraceFieldNumber);
    w.Bytes(T::kTraceIdFieldNumber, trace.trace_id, trace.trace_id.size());
    w.Bytes(T::kSpanIdFieldNumber, trace.span_id, trace.span_id.size());
    w.Bytes(T::kParentSpanIdFieldNumber, trace.parent_span_id, trace.parent_span_id.size());
    w.End(body);
  }
  if (!event.labels.empty()) {
    for (const auto& [key, value] : LabelItems(event.labels)) {
      size_t body = w.Begin(E::kLabelsFieldNumber);
      w.Text(1, key);
      w.Text(2, value);
      w.End(body);
    }
  }
  if (!event.correlation_ids.empty()) {
    for (absl::string_view id : StringListItems(event.correlation_ids)) {
      w.Element(E::kCorrelationIdsFieldNumber, id);
    }
  }
  std::visit(PayloadWriter{w}, event.payload);
}

}  // namespace tapio::domain
