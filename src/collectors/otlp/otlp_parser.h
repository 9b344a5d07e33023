// Turns OTLP/JSON requests (an ExportTraceServiceRequest {"resourceSpans": [...]}, an
// ExportLogsServiceRequest {"resourceLogs": [...]} or an ExportMetricsServiceRequest
// {"resourceMetrics": [...]}, in the OTLP/JSON encoding: lowerCamelCase keys, hex trace and
// span ids, times and 64-bit integers as decimal strings or numbers, enums as numbers or names)
// into domain events (Source::kOtlp): failing spans, error logs, the calls between services
// that the spans show, and containers throttled by their CPU limits, from cAdvisor's CFS
// counters as a Collector's Prometheus receiver exports them. Ordinary spans and logs, and
// other metrics, produce nothing.
//
// Entities come from each resource's attributes: k8s.pod.name with k8s.namespace.name (and
// k8s.pod.uid) is the Pod; otherwise service.name is a Service entity in k8s.namespace.name
// (or service.namespace). k8s.node.name travels as the label "node". Calls are about the
// caller's Service entity. A CFS counter's data point names its own Pod (its attributes
// namespace and pod, as cAdvisor labels them), so a metrics resource needs no entity.
//
// Not thread-safe: one parser per stream of requests. Between requests it keeps the last CFS
// counter point of each container (at most kMaxCpuSeries of them), and counts.
#ifndef TAPIO_COLLECTORS_OTLP_OTLP_PARSER_H_
#define TAPIO_COLLECTORS_OTLP_OTLP_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "domain/clock.h"
#include "domain/entity.h"
#include "domain/event.h"
#include "domain/event_id.h"

namespace tapio::collectors::otlp {
namespace internal {
class CpuThrottling;
}  // namespace internal

// The event types this parser emits; the pattern library refers to them by these names.
//
// Every event carries an ApplicationPayload with `service` = the resource's service.name and
// the labels "node" (k8s.node.name) and "namespace" (the service's or pod's namespace) when
// known.
namespace event_type {
// A span that failed: status.code is ERROR (2), or a server span (kind 2) answered with an
// HTTP status >= 500. About the resource's Pod, else its Service. Severity kError. Time: the
// span's end. Trace: trace, span and parent span ids. Payload: span_name, span_kind (the OTLP
// number), status_code (the OTLP number), status_message (status.message, else the first
// exception event's exception.message), http_status (http.response.status_code or
// http.status_code; 0 when absent), peer_service (peer.service, else server.address on a
// span that is not a server span, else net.peer.name; a "<name>.<namespace>.svc…" address
// gives <name>), duration_ns. Label
// "exception_type" when an exception event names one.
inline constexpr char kSpanError[] = "otlp.span_error";
// A log record of severity ERROR or worse (severityNumber >= 17; or, when the number is
// unset, a severityText of ERROR, FATAL, CRITICAL, ALERT, EMERG or PANIC). About the
// resource's Pod, else its Service. Severity kError, kCritical for FATAL (>= 21). Time:
// timeUnixNano, else observedTimeUnixNano. Trace: traceId and spanId when given. Payload:
// log_line (the body as text, cut at kMaxLogLineBytes), status_message (an exception.message
// attribute). Label "severity_text" when given.
inline constexpr char kLogError[] = "otlp.log_error";
// One service calling another, once per caller entity and callee service in a request: from
// each client span (kind 3) to the service of a server span in the request whose parent it
// is, else to its peer (as kSpanError's peer_service). About the caller's Service entity
// (its Pod when it has no service.name). Severity kInfo. Time: the first call's start. Trace:
// the first call's ids. Payload: peer_service = the callee's service name, span_name and
// span_kind of the first call, status_code 2 when any call failed (either side), http_status
// the highest seen, duration_ns the longest. Labels "calls" and "errors" (counts, decimal),
// and "callee_namespace" when the callee's side or address says it.
inline constexpr char kCall[] = "otlp.call";
// A container throttled by its CPU limit: between two successive points of one container's
// cAdvisor CFS counters (container_cpu_cfs_periods_total and
// container_cpu_cfs_throttled_periods_total, also without "_total" as the receiver names them
// when it normalises names; cumulative sums, of one start time, neither going down), at least
// kCpuThrottledMinPeriods periods passed and at least kCpuThrottledMinPercent percent of them were
// throttled. The container is the data point's attributes namespace, pod and container (else the
// resource's k8s.namespace.name, k8s.pod.name, k8s.container.name); the pod-level cgroup (container
// "") and the pause container ("POD") are not containers. About the Pod. Severity kWarning. Time:
// the later point's. Payload: service, status_message ("container api was throttled in 64% of its
// CFS periods (1151 of 1800) over 60s"). Labels "namespace", "container", "periods" and
// "throttled_periods" (the interval's counts), "throttled_percent" (rounded), all decimal.
// ApplicationPayload has no container: patterns read it as label.container.
inline constexpr char kCpuThrottled[] = "otlp.cpu_throttled";
}  // namespace event_type

// Longest log line kept (interned strings are never freed).
inline constexpr size_t kMaxLogLineBytes = 1024;
// Longest status or exception message kept.
inline constexpr size_t kMaxMessageBytes = 1024;
// Longest name kept (span names, service, pod and namespace names, attribute values used as
// names).
inline constexpr size_t kMaxNameBytes = 256;
// Largest request accepted.
inline constexpr size_t kMaxRequestBytes = 64 * 1024 * 1024;
// At most this many record errors are kept per request; counts.rejected has them all.
inline constexpr size_t kMaxReportedErrors = 100;
// A CPU-throttling interval spans at least this many CFS periods (100 ms each by default)...
inline constexpr int64_t kCpuThrottledMinPeriods = 10;
// ...and at least this percentage of them were throttled.
inline constexpr int64_t kCpuThrottledMinPercent = 25;
// The parser keeps the last CFS points of at most this many containers; a new one beyond that
// makes it forget the container seen longest ago.
inline constexpr size_t kMaxCpuSeries = 100'000;

class OtlpParser {
 public:
  struct Options {
    std::string cluster;
    // Names the request in errors ("otlp/traces.json").
    std::string source_name = "otlp";
  };

  // Spans, log records and CFS counter data points read (other metrics are not read), events
  // emitted, records refused (a wrong type, a bad id, a resource that names no pod and no
  // service, a CFS counter that is not a sum or a data point that names no pod); documents
  // that broke off early.
  struct Counts {
    uint64_t spans = 0;
    uint64_t log_records = 0;
    uint64_t data_points = 0;
    uint64_t events = 0;
    uint64_t rejected = 0;
    uint64_t broken = 0;
  };

  struct Result {
    // In time order (stable: records of the same time keep the request's order).
    std::vector<domain::Event> events;
    // The first kMaxReportedErrors problems, each "<source>: <JSON path>: <problem>".
    std::vector<absl::Status> errors;
  };

  // `registry`, `ids` and `clock` must outlive the parser; `clock` stamps observed_ns.
  OtlpParser(Options options, domain::EntityRegistry& registry, domain::EventIdGenerator& ids,
             const domain::Clock& clock);
  OtlpParser(const OtlpParser&) = delete;
  OtlpParser& operator=(const OtlpParser&) = delete;
  ~OtlpParser();

  // Reads one request and appends its events and problems to `*out`. Never fails as a
  // whole: a record with a bad field is refused and the rest read; JSON that breaks off
  // (malformed, truncated) keeps the records completed before the break and adds one error
  // naming where. A document that is not an object, or that has neither resourceSpans,
  // resourceLogs nor resourceMetrics, or is larger than kMaxRequestBytes, is one error.
  // CFS counter points continue their containers' series from earlier requests; a point no
  // later than its series' last one is ignored.
  void Parse(absl::string_view json, Result* out);

  Counts counts() const { return counts_; }

 private:
  struct Request;
  void AddError(const absl::Status& status, Result* out);
  void Emit(Request& request, Result* out);
  void EmitCpuThrottling(Request& request, Result* out);
  domain::Event NewEvent(domain::EntityId entity, int64_t time_ns, absl::string_view type,
                         domain::Severity severity);

  Options options_;
  domain::EntityRegistry& registry_;
  domain::EventIdGenerator& ids_;
  const domain::Clock& clock_;
  Counts counts_;
  std::unique_ptr<internal::CpuThrottling> cpu_;
};

}  // namespace tapio::collectors::otlp

#endif  // TAPIO_COLLECTORS_OTLP_OTLP_PARSER_H_
