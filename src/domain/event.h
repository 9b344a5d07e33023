// The in-memory event: the same facts as tapio.v1.UnifiedEvent, in a fixed-size, trivially
// copyable value with interned strings and an EntityId, so the hot path moves a few cache
// lines per event and never allocates. Strings live in the SymbolTable, entities in an
// EntityRegistry; the raw source record is not carried (the store keeps it separately).
#ifndef TAPIO_DOMAIN_EVENT_H_
#define TAPIO_DOMAIN_EVENT_H_

#include <array>
#include <cstdint>
#include <type_traits>
#include <variant>

#include "absl/strings/string_view.h"
#include "domain/entity.h"
#include "domain/symbol_table.h"

namespace tapio::domain {

// Numbered as tapio.v1.Source.
enum class Source : uint8_t {
  kUnspecified = 0,
  kKernel = 1,
  kKmsg = 2,
  kJournal = 3,
  kCni = 4,
  kEtcd = 5,
  kKubernetes = 6,
  kOtlp = 7,
  kTapio = 8,
};
inline constexpr int kSourceCount = 9;

// Numbered as tapio.v1.Severity; higher is worse.
enum class Severity : uint8_t {
  kUnspecified = 0,
  kDebug = 1,
  kInfo = 2,
  kWarning = 3,
  kError = 4,
  kCritical = 5,
};
inline constexpr int kSeverityCount = 6;

// Lower-case names used in configuration, metrics and reports ("kernel", "warning").
absl::string_view SourceName(Source source);
absl::string_view SeverityName(Severity severity);
// Returns false when `name` names no source.
bool ParseSourceName(absl::string_view name, Source* source);

struct TraceContext {
  std::array<uint8_t, 16> trace_id{};
  std::array<uint8_t, 8> span_id{};
  std::array<uint8_t, 8> parent_span_id{};

  friend bool operator==(const TraceContext&, const TraceContext&) = default;
};

// A short fixed-capacity string (the kernel's task comm).
struct Comm {
  std::array<char, 16> bytes{};

  absl::string_view view() const;
  // Keeps the first 16 bytes of `text`.
  void Assign(absl::string_view text);
  friend bool operator==(const Comm&, const Comm&) = default;
};

struct KernelPayload {
  uint32_t pid = 0;
  uint32_t tgid = 0;
  Comm comm;
  uint64_t cgroup_id = 0;
  Symbol cgroup_path;
  Symbol container_id;
  Symbol pod_uid;
  int32_t signal = 0;
  int32_t exit_code = 0;
  int32_t oom_score_adj = 0;
  uint64_t total_vm_kb = 0;
  uint64_t anon_rss_kb = 0;
  uint64_t file_rss_kb = 0;
  uint64_t shmem_rss_kb = 0;
  uint64_t pgtables_kb = 0;
  uint64_t memcg_usage_kb = 0;
  uint64_t memcg_limit_kb = 0;
  Symbol message;

  friend bool operator==(const KernelPayload&, const KernelPayload&) = default;
};

struct NetworkPayload {
  uint8_t family = 0;
  uint8_t protocol = 0;
  uint8_t old_state = 0;
  uint8_t new_state = 0;
  // Bytes used: 4 for IPv4, 16 for IPv6 (given by family).
  std::array<uint8_t, 16> saddr{};
  std::array<uint8_t, 16> daddr{};
  uint16_t sport = 0;
  uint16_t dport = 0;
  int32_t error = 0;
  uint32_t netns = 0;
  uint32_t count = 0;
  uint32_t pid = 0;
  Comm comm;
  uint64_t cgroup_id = 0;
  // The socket's cgroup, and the pod and container that cgroup is, when it is one.
  Symbol cgroup_path;
  Symbol container_id;
  Symbol pod_uid;

  friend bool operator==(const NetworkPayload&, const NetworkPayload&) = default;
};

struct KubernetesPayload {
  Symbol reason;
  Symbol message;
  uint32_t count = 0;
  int64_t first_time_ns = 0;
  int64_t last_time_ns = 0;
  Symbol container;
  int32_t exit_code = 0;
  int32_t signal = 0;
  uint32_t restart_count = 0;
  Symbol field;
  Symbol from;
  Symbol to;
  Symbol component;

  friend bool operator==(const KubernetesPayload&, const KubernetesPayload&) = default;
};

struct ServicePayload {
  Symbol unit;
  Symbol state;
  Symbol sub_state;
  uint8_t priority = 0;
  uint32_t pid = 0;
  Symbol message;
  Symbol source_location;
  int32_t exit_status = 0;

  friend bool operator==(const ServicePayload&, const ServicePayload&) = default;
};

struct ApplicationPayload {
  Symbol service;
  Symbol span_name;
  uint8_t span_kind = 0;
  uint8_t status_code = 0;
  uint16_t http_status = 0;
  Symbol status_message;
  Symbol peer_service;
  uint64_t duration_ns = 0;
  Symbol log_line;

  friend bool operator==(const ApplicationPayload&, const ApplicationPayload&) = default;
};

using Payload = std::variant<std::monostate, KernelPayload, NetworkPayload, KubernetesPayload,
                             ServicePayload, ApplicationPayload>;

struct Event {
  uint64_t id = 0;
  int64_t time_ns = 0;
  int64_t observed_ns = 0;
  EntityId entity;
  // A dotted name such as "kernel.oom_kill".
  Symbol type;
  // Labels and correlation ids, each interned as one canonical string (see event_proto.h).
  Symbol labels;
  Symbol correlation_ids;
  Source source = Source::kUnspecified;
  Severity severity = Severity::kUnspecified;
  TraceContext trace;
  Payload payload;

  friend bool operator==(const Event&, const Event&) = default;
};

static_assert(std::is_trivially_copyable_v<Event>, "events are copied as bytes on the hot path");

}  // namespace tapio::domain

#endif  // TAPIO_DOMAIN_EVENT_H_
