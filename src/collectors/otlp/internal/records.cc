#include "collectors/otlp/internal/records.h"

#include <algorithm>
#include <array>
#include <limits>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "collectors/otlp/otlp_parser.h"

namespace tapio::collectors::otlp::internal {
namespace {

namespace ondemand = ::simdjson::ondemand;
using Scope = JsonWalk::Scope;

constexpr std::array<absl::string_view, 6> kSpanKindNames = {
    "SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER",
    "SPAN_KIND_CLIENT",      "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"};
constexpr std::array<absl::string_view, 3> kStatusCodeNames = {
    "STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"};

constexpr std::array<absl::string_view, 25> kSeverityNumberNames = {
    "SEVERITY_NUMBER_UNSPECIFIED", "SEVERITY_NUMBER_TRACE",  "SEVERITY_NUMBER_TRACE2",
    "SEVERITY_NUMBER_TRACE3",      "SEVERITY_NUMBER_TRACE4", "SEVERITY_NUMBER_DEBUG",
    "SEVERITY_NUMBER_DEBUG2",      "SEVERITY_NUMBER_DEBUG3", "SEVERITY_NUMBER_DEBUG4",
    "SEVERITY_NUMBER_INFO",        "SEVERITY_NUMBER_INFO2",  "SEVERITY_NUMBER_INFO3",
    "SEVERITY_NUMBER_INFO4",       "SEVERITY_NUMBER_WARN",   "SEVERITY_NUMBER_WARN2",
    "SEVERITY_NUMBER_WARN3",       "SEVERITY_NUMBER_WARN4",  "SEVERITY_NUMBER_ERROR",
    "SEVERITY_NUMBER_ERROR2",      "SEVERITY_NUMBER_ERROR3", "SEVERITY_NUMBER_ERROR4",
    "SEVERITY_NUMBER_FATAL",       "SEVERITY_NUMBER_FATAL2", "SEVERITY_NUMBER_FATAL3",
    "SEVERITY_NUMBER_FATAL4"};

void ReadStatus(JsonWalk& walk, ondemand::value value, Span* span) {
  Scope scope(walk, "status");
  walk.ForEachField(value, [&](absl::string_view key, ondemand::value inner) {
    if (key == "code") {
      Scope code(walk, "code");
      span->status_code = walk.Enum(inner, kStatusCodeNames);
    } else if (key == "message") {
      Scope message(walk, "message");
      span->status_message = walk.Text(inner, kMaxMessageBytes);
    }
  });
}

void ReadSpanEvents(JsonWalk& walk, ondemand::value value, Span* span) {
  Scope scope(walk, "events");
  walk.ForEachElement(value, [&](size_t, ondemand::value event) {
    walk.ForEachField(event, [&](absl::string_view key, ondemand::value inner) {
      if (key != "attributes") return;
      AnyValue message, type;
      ReadAttributes(walk, inner, kMaxMessageBytes, [&](absl::string_view name) -> AnyValue* {
        if (name == "exception.message") return &message;
        if (name == "exception.type") return &type;
        return nullptr;
      });
      if (span->exception_message.empty() && !message.text.empty()) {
        span->exception_message = std::move(message.text);
        span->exception_type = type.text.substr(0, kMaxNameBytes);
      }
    });
  });
}

int64_t HttpStatus(JsonWalk& walk, const AnyValue& value, absl::string_view key) {
  if (value.text.empty()) return 0;
  if (!value.has_integer || value.integer < 0 || value.integer > 999) {
    Scope scope(walk, key);
    walk.Fail(absl::StrCat("expected an HTTP status code, got \"", value.text.substr(0, 32), "\""));
    return 0;
  }
  return value.integer;
}

}  // namespace

Peer ParsePeer(absl::string_view raw) {
  Peer peer;
  if (raw.empty()) return peer;
  if (std::count(raw.begin(), raw.end(), ':') > 1 || absl::StartsWith(raw, "[")) {
    peer.name = std::string(raw);
    peer.is_address = true;
    return peer;
  }
  raw = raw.substr(0, raw.find(':'));
  peer.is_address = !raw.empty() && std::all_of(raw.begin(), raw.end(), [](char c) {
    return absl::ascii_isdigit(c) || c == '.';
  });
  std::vector<absl::string_view> labels = absl::StrSplit(raw, '.');
  if (!peer.is_address && labels.size() >= 3 && labels[2] == "svc") {
    peer.name = std::string(labels[0]);
    peer.namespace_name = std::string(labels[1]);
  } else {
    peer.name = std::string(raw);
  }
  return peer;
}

void ReadResource(JsonWalk& walk, ondemand::value value, Resource* resource) {
  Scope scope(walk, "resource");
  AnyValue service, service_namespace, k8s_namespace, pod, pod_uid, container, node;
  walk.ForEachField(value, [&](absl::string_view key, ondemand::value inner) {
    if (key != "attributes") return;
    ReadAttributes(walk, inner, kMaxNameBytes, [&](absl::string_view name) -> AnyValue* {
      if (name == "service.name") return &service;
      if (name == "service.namespace") return &service_namespace;
      if (name == "k8s.namespace.name") return &k8s_namespace;
      if (name == "k8s.pod.name") return &pod;
      if (name == "k8s.pod.uid") return &pod_uid;
      if (name == "k8s.container.name") return &container;
      if (name == "k8s.node.name") return &node;
      return nullptr;
    });
  });
  resource->service = std::move(service.text);
  resource->namespace_name =
      k8s_namespace.text.empty() ? std::move(service_namespace.text) : k8s_namespace.text;
  resource->k8s_namespace = !k8s_namespace.text.empty();
  resource->pod = k8s_namespace.text.empty() ? "" : std::move(pod.text);
  resource->pod_uid = std::move(pod_uid.text);
  resource->container = std::move(container.text);
  resource->node = std::move(node.text);
}

void ReadSpan(JsonWalk& walk, ondemand::value value, Span* span) {
  AnyValue http_new, http_old, peer_service, server_address, net_peer_name;
  walk.ForEachField(value, [&](absl::string_view key, ondemand::value inner) {
    if (key == "traceId") {
      Scope scope(walk, "traceId");
      walk.HexId(inner, absl::MakeSpan(span->trace.trace_id));
    } else if (key == "spanId") {
      Scope scope(walk, "spanId");
      walk.HexId(inner, absl::MakeSpan(span->trace.span_id));
    } else if (key == "parentSpanId") {
      Scope scope(walk, "parentSpanId");
      walk.HexId(inner, absl::MakeSpan(span->trace.parent_span_id));
    } else if (key == "name") {
      Scope scope(walk, "name");
      span->name = walk.Text(inner, kMaxNameBytes);
    } else if (key == "kind") {
      Scope scope(walk, "kind");
      span->kind = walk.Enum(inner, kSpanKindNames);
    } else if (key == "startTimeUnixNano") {
      Scope scope(walk, "startTimeUnixNano");
      span->start_ns = walk.Nanos(inner);
    } else if (key == "endTimeUnixNano") {
      Scope scope(walk, "endTimeUnixNano");
      span->end_ns = walk.Nanos(inner);
    } else if (key == "attributes") {
      ReadAttributes(walk, inner, kMaxNameBytes, [&](absl::string_view name) -> AnyValue* {
        if (name == "http.response.status_code") return &http_new;
        if (name == "http.status_code") return &http_old;
        if (name == "peer.service") return &peer_service;
        if (name == "server.address") return &server_address;
        if (name == "net.peer.name") return &net_peer_name;
        return nullptr;
      });
    } else if (key == "status") {
      ReadStatus(walk, inner, span);
    } else if (key == "events") {
      ReadSpanEvents(walk, inner, span);
    }
  });
  if (!walk.ok()) return;
  {
    Scope scope(walk, "attributes");
    span->http_status = http_new.text.empty()
                            ? HttpStatus(walk, http_old, "http.status_code")
                            : HttpStatus(walk, http_new, "http.response.status_code");
  }
  // On a server span server.address is the span's own host, not its peer.
  if (span->kind == kSpanKindServer) server_address.text.clear();
  for (AnyValue* peer : {&peer_service, &server_address, &net_peer_name}) {
    if (span->peer.empty()) span->peer = std::move(peer->text);
  }
  if (span->status_message.empty()) span->status_message = span->exception_message;
}

void ReadLogRecord(JsonWalk& walk, ondemand::value value, LogRecord* log) {
  AnyValue exception_message;
  walk.ForEachField(value, [&](absl::string_view key, ondemand::value inner) {
    if (key == "timeUnixNano") {
      Scope scope(walk, "timeUnixNano");
      log->time_ns = walk.Nanos(inner);
    } else if (key == "observedTimeUnixNano") {
      Scope scope(walk, "observedTimeUnixNano");
      log->observed_ns = walk.Nanos(inner);
    } else if (key == "severityNumber") {
      Scope scope(walk, "severityNumber");
      log->severity_number = walk.Enum(inner, kSeverityNumberNames);
    } else if (key == "severityText") {
      Scope scope(walk, "severityText");
      log->severity_text = walk.Text(inner, kMaxNameBytes);
    } else if (key == "body") {
      Scope scope(walk, "body");
      log->body = walk.Any(inner, kMaxLogLineBytes).text;
    } else if (key == "traceId") {
      Scope scope(walk, "traceId");
      walk.HexId(inner, absl::MakeSpan(log->trace.trace_id));
    } else if (key == "spanId") {
      Scope scope(walk, "spanId");
      walk.HexId(inner, absl::MakeSpan(log->trace.span_id));
    } else if (key == "attributes") {
      ReadAttributes(walk, inner, kMaxMessageBytes, [&](absl::string_view name) -> AnyValue* {
        return name == "exception.message" ? &exception_message : nullptr;
      });
    }
  });
  log->exception_message = std::move(exception_message.text);
}

// The severity of an error log record, or kUnspecified when it is not one.
domain::Severity LogSeverity(const LogRecord& log) {
  if (log.severity_number >= kSeverityNumberFatal) return domain::Severity::kCritical;
  if (log.severity_number >= kSeverityNumberError) return domain::Severity::kError;
  if (log.severity_number != 0) return domain::Severity::kUnspecified;
  for (absl::string_view text : {"ERROR", "ERR", "SEVERE"}) {
    if (absl::EqualsIgnoreCase(log.severity_text, text)) return domain::Severity::kError;
  }
  for (absl::string_view text :
       {"FATAL", "CRITICAL", "CRIT", "ALERT", "EMERG", "EMERGENCY", "PANIC"}) {
    if (absl::EqualsIgnoreCase(log.severity_text, text)) return domain::Severity::kCritical;
  }
  return domain::Severity::kUnspecified;
}

}  // namespace tapio::collectors::otlp::internal
