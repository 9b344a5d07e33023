// Turns OTLP/JSON requests (an ExportTraceServiceRequest {"resourceSpans": [...]} or an
// ExportLogsServiceRequest {"resourceLogs": [...]}, in the OTLP/JSON encoding: lowerCamelCase
// keys, hex trace and span ids, times and 64-bit integers as decimal strings or numbers, enums
// as numbers or names) into domain events (Source::kOtlp): failing spans, error logs, and the
// calls between services that the spans show. Ordinary spans and logs produce nothing.
//
// Entities come from each resource's attributes: k8s.pod.name with k8s.namespace.name (and
// k8s.pod.uid) is the Pod; otherwise service.name is a Service entity in k8s.namespace.name
// (or service.namespace). k8s.node.name travels as the label "node". Calls are about the
// caller's Service entity. Metrics requests are recognised and passed over.
//
// Not thread-safe: one parser per stream of requests (it keeps nothing between them, but
// counts).
#ifndef TAPIO_COLLECTORS_OTLP_OTLP_PARSER_H_
#define TAPIO_COLLECTORS_OTLP_OTLP_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "domain/clock.h"
#include "domain/entity.h"
#include "domain/event.h"
#include "domain/event_id.h"

namespace tapio::collectors::otlp {

// The event types this parser emits; the pattern library refers to them by these names.
//
// Every event carries an ApplicationPayload with `service` = the resource's service.name and
// the labels "node" (k8s.node.name) and "namespace" (the service's namespace) when known.
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

class OtlpParser {
 public:
  struct Options {
    std::string cluster;
    // Names the request in errors ("otlp/traces.json").
    std::string source_name = "otlp";
  };

  // Spans and log records read, events emitted, records refused (a wrong type, a bad id, a
  // resource that names no pod and no service); documents that broke off early.
  struct Counts {
    uint64_t spans = 0;
    uint64_t log_records = 0;
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

  // Reads one request and appends its events and problems to `*out`. Never fails as a
  // whole: a record with a bad field is refused and the rest read; JSON that breaks off
  // (malformed, truncated) keeps the records completed before the break and adds one error
  // naming where. A document that is not an object, or that has neither resourceSpans,
  // resourceLogs nor resourceMetrics, or is larger than kMaxRequestBytes, is one error.
  void Parse(absl::string_view json, Result* out);

  Counts counts() const { return counts_; }

 private:
  struct Request;
  void AddError(const absl::Status& status, Result* out);
  void Emit(Request& request, Result* out);

  Options options_;
  domain::EntityRegistry& registry_;
  domain::EventIdGenerator& ids_;
  const domain::Clock& clock_;
  Counts counts_;
};

}  // namespace tapio::collectors::otlp

#endif  // TAPIO_COLLECTORS_OTLP_OTLP_PARSER_H_
