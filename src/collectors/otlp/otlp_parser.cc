#include "collectors/otlp/otlp_parser.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "collectors/otlp/internal/json_walk.h"
#include "domain/string_list.h"
#include "simdjson.h"

namespace tapio::collectors::otlp {
namespace {

using domain::Intern;
using internal::AnyValue;
using internal::JsonWalk;
namespace ondemand = ::simdjson::ondemand;
using Scope = JsonWalk::Scope;

// OTLP enum numbers.
constexpr int32_t kSpanKindServer = 2;
constexpr int32_t kSpanKindClient = 3;
constexpr int32_t kStatusCodeError = 2;
constexpr int32_t kSeverityNumberError = 17;
constexpr int32_t kSeverityNumberFatal = 21;

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

struct Resource {
  // "resourceSpans[2]", for errors about the resource as a whole.
  std::string path;
  std::string service;
  std::string namespace_name;
  std::string pod;
  std::string pod_uid;
  std::string node;
  bool rejected = false;
  size_t records = 0;
  // The Pod, else the Service; the Service, else the Pod. Invalid until resolved.
  domain::EntityId subject;
  domain::EntityId caller;
};

struct Span {
  size_t resource = 0;
  domain::TraceContext trace;
  std::string name;
  int32_t kind = 0;
  int32_t status_code = 0;
  std::string status_message;
  std::string exception_message;
  std::string exception_type;
  int64_t http_status = 0;
  std::string peer;
  int64_t start_ns = 0;
  int64_t end_ns = 0;

  bool Failed() const {
    return status_code == kStatusCodeError || (kind == kSpanKindServer && http_status >= 500);
  }
  uint64_t duration_ns() const {
    return end_ns > start_ns && start_ns > 0 ? static_cast<uint64_t>(end_ns - start_ns) : 0;
  }
};

struct LogRecord {
  size_t resource = 0;
  domain::TraceContext trace;
  int64_t time_ns = 0;
  int64_t observed_ns = 0;
  int32_t severity_number = 0;
  std::string severity_text;
  std::string body;
  std::string exception_message;
};

// A peer attribute as a service name: "cart.shop.svc.cluster.local" is cart in shop.
struct Peer {
  std::string name;
  std::string namespace_name;
  bool is_address = false;
};

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

// Calls `want(key)` for each attribute of a KeyValue list; reads the value of the attributes
// for which it returns a target, into that target.
template <typename Want>
void ReadAttributes(JsonWalk& walk, ondemand::value value, size_t max_bytes, Want&& want) {
  Scope scope(walk, "attributes");
  walk.ForEachElement(value, [&](size_t, ondemand::value element) {
    ondemand::object object;
    if (auto error = element.get_object().get(object)) return walk.Fail(error, "an object");
    std::string_view key;
    if (auto error = object.find_field_unordered("key").get_string().get(key)) {
      if (error == simdjson::NO_SUCH_FIELD) return walk.Fail("attribute without a key");
      Scope key_scope(walk, "key");
      return walk.Fail(error, "a string");
    }
    AnyValue* target = want(absl::string_view(key.data(), key.size()));
    if (target == nullptr) return;
    Scope value_scope(walk, "value");
    ondemand::value any;
    if (auto error = object.find_field_unordered("value").get(any)) {
      if (error != simdjson::NO_SUCH_FIELD) walk.Fail(error, "a value");
      return;
    }
    *target = walk.Any(any, max_bytes);
  });
}

void ReadResource(JsonWalk& walk, ondemand::value value, Resource* resource) {
  Scope scope(walk, "resource");
  AnyValue service, service_namespace, k8s_namespace, pod, pod_uid, node;
  walk.ForEachField(value, [&](absl::string_view key, ondemand::value inner) {
    if (key != "attributes") return;
    ReadAttributes(walk, inner, kMaxNameBytes, [&](absl::string_view name) -> AnyValue* {
      if (name == "service.name") return &service;
      if (name == "service.namespace") return &service_namespace;
      if (name == "k8s.namespace.name") return &k8s_namespace;
      if (name == "k8s.pod.name") return &pod;
      if (name == "k8s.pod.uid") return &pod_uid;
      if (name == "k8s.node.name") return &node;
      return nullptr;
    });
  });
  resource->service = std::move(service.text);
  resource->namespace_name =
      k8s_namespace.text.empty() ? std::move(service_namespace.text) : k8s_namespace.text;
  resource->pod = k8s_namespace.text.empty() ? "" : std::move(pod.text);
  resource->pod_uid = std::move(pod_uid.text);
  resource->node = std::move(node.text);
}

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

// Longest nesting closed for a request cut short; simdjson's own limit is 1024.
constexpr size_t kMaxClosedDepth = 1024;

// Returns `json` with what it leaves open closed, when it is well nested so far but ends
// inside an object or array (a string left open is dropped from its opening quote), and sets
// `*kept` to the bytes of `json` kept. Returns nullopt when `json` is not cut short that way.
std::optional<std::string> CloseTruncated(absl::string_view json, size_t* kept) {
  std::string closers;
  bool in_string = false;
  bool escaped = false;
  size_t string_start = 0;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
      string_start = i;
    } else if (c == '{' || c == '[') {
      if (closers.size() >= kMaxClosedDepth) return std::nullopt;
      closers.push_back(c == '{' ? '}' : ']');
    } else if (c == '}' || c == ']') {
      if (closers.empty() || closers.back() != c) return std::nullopt;
      closers.pop_back();
    }
  }
  if (closers.empty()) return std::nullopt;
  *kept = in_string ? string_start : json.size();
  std::string closed(json.substr(0, *kept));
  closed.append(closers.rbegin(), closers.rend());
  return closed;
}

}  // namespace

struct OtlpParser::Request {
  JsonWalk walk;
  std::vector<Resource> resources;
  std::vector<Span> spans;
  std::vector<LogRecord> logs;
};

OtlpParser::OtlpParser(Options options, domain::EntityRegistry& registry,
                       domain::EventIdGenerator& ids, const domain::Clock& clock)
    : options_(std::move(options)), registry_(registry), ids_(ids), clock_(clock) {}

void OtlpParser::AddError(const absl::Status& status, Result* out) {
  if (out->errors.size() < kMaxReportedErrors) {
    out->errors.push_back(
        absl::Status(status.code(), absl::StrCat(options_.source_name, ": ", status.message())));
  }
}

void OtlpParser::Parse(absl::string_view json, Result* out) {
  if (json.size() > kMaxRequestBytes) {
    ++counts_.rejected;
    AddError(
        absl::ResourceExhaustedError(absl::StrCat(
            "request of ", json.size(), " bytes is larger than the limit of ", kMaxRequestBytes)),
        out);
    return;
  }
  // simdjson refuses a document whose root is not closed before reading any of it; a request
  // cut short (a collector killed mid-write) is closed here so that the records before the cut
  // can be read, and any record that reaches past the cut is dropped.
  simdjson::padded_string padded(json.data(), json.size());
  ondemand::parser parser;
  ondemand::document document;
  ondemand::object top;
  std::optional<size_t> cut;
  simdjson::error_code open_error = parser.iterate(padded).get(document);
  if (open_error == simdjson::SUCCESS) open_error = document.get_object().get(top);
  if (open_error != simdjson::SUCCESS) {
    size_t kept = 0;
    std::optional<std::string> closed = CloseTruncated(json, &kept);
    if (closed.has_value()) {
      cut = kept;
      padded = simdjson::padded_string(*closed);
      open_error = parser.iterate(padded).get(document);
      if (open_error == simdjson::SUCCESS) open_error = document.get_object().get(top);
    }
  }
  if (open_error != simdjson::SUCCESS) {
    ++counts_.broken;
    AddError(absl::InvalidArgumentError(absl::StrCat(
                 "malformed JSON: ", simdjson::error_message(open_error),
                 cut.has_value() ? absl::StrCat(" (cut short at byte ", *cut, ")") : "")),
             out);
    return;
  }
  // True when the record just read ends past the cut: its closing brace is one of ours.
  auto past_cut = [&] {
    if (!cut.has_value()) return false;
    const char* location = nullptr;
    if (document.current_location().get(location) != simdjson::SUCCESS) return true;
    return static_cast<size_t>(location - padded.data()) > *cut;
  };

  Request request;
  JsonWalk& walk = request.walk;
  bool recognised = false;
  // Reads one record per element of `value` with `read(element, resource)`, keeping the
  // records that read cleanly.
  auto read_records = [&](ondemand::value value, size_t resource, auto&& read) {
    walk.ForEachElement(value, [&](size_t, ondemand::value element) {
      if (!read(element, resource) || past_cut()) {
        if (past_cut()) walk.Fail(simdjson::INCOMPLETE_ARRAY_OR_OBJECT, "a complete record");
        if (walk.broken()) return;
        ++counts_.rejected;
        AddError(walk.record_error(), out);
        walk.ClearRecordError();
        return;
      }
      ++request.resources[resource].records;
    });
  };
  auto read_span = [&](ondemand::value element, size_t resource) {
    Span span;
    span.resource = resource;
    ++counts_.spans;
    ReadSpan(walk, element, &span);
    if (!walk.ok() || past_cut()) return false;
    request.spans.push_back(std::move(span));
    return true;
  };
  auto read_log = [&](ondemand::value element, size_t resource) {
    LogRecord log;
    log.resource = resource;
    ++counts_.log_records;
    ReadLogRecord(walk, element, &log);
    if (!walk.ok() || past_cut()) return false;
    request.logs.push_back(std::move(log));
    return true;
  };
  // Reads resourceSpans or resourceLogs: `scopes_key` ("scopeSpans") holds scopes whose
  // `records_key` ("spans") holds the records.
  auto read_resources = [&](absl::string_view top_key, ondemand::value value,
                            absl::string_view scopes_key, absl::string_view records_key,
                            auto&& read) {
    Scope top_scope(walk, top_key);
    walk.ForEachElement(value, [&](size_t index, ondemand::value element) {
      size_t resource = request.resources.size();
      request.resources.push_back({});
      request.resources.back().path = absl::StrCat(top_key, "[", index, "]");
      walk.ForEachField(element, [&](absl::string_view key, ondemand::value inner) {
        if (key == "resource") {
          ReadResource(walk, inner, &request.resources[resource]);
        } else if (key == scopes_key) {
          Scope scopes_scope(walk, scopes_key);
          walk.ForEachElement(inner, [&](size_t, ondemand::value scope) {
            walk.ForEachField(scope, [&](absl::string_view scope_key, ondemand::value records) {
              if (scope_key != records_key) return;
              Scope records_scope(walk, records_key);
              read_records(records, resource, read);
            });
          });
        }
      });
      if (!walk.record_error().ok()) {
        Resource& bad = request.resources[resource];
        bad.rejected = true;
        counts_.rejected += 1 + bad.records;
        AddError(absl::InvalidArgumentError(absl::StrCat(
                     walk.record_error().message(),
                     bad.records == 0 ? ""
                                      : absl::StrCat(" (the resource's ", bad.records,
                                                     " records read before it are dropped)"))),
                 out);
        walk.ClearRecordError();
      }
    });
  };

  for (auto field : top) {
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) {
      walk.Fail(error, "a key");
      break;
    }
    ondemand::value value;
    if (auto error = field.value().get(value)) {
      walk.Fail(error, "a value");
      break;
    }
    if (key == "resourceSpans") {
      recognised = true;
      read_resources("resourceSpans", value, "scopeSpans", "spans", read_span);
    } else if (key == "resourceLogs") {
      recognised = true;
      read_resources("resourceLogs", value, "scopeLogs", "logRecords", read_log);
    } else if (key == "resourceMetrics") {
      recognised = true;
    }
    if (!walk.ok()) {
      // Only a broken document gets here; a type error above a record is the resource's.
      if (!walk.broken()) {
        ++counts_.rejected;
        AddError(walk.record_error(), out);
        walk.ClearRecordError();
      }
      if (walk.broken()) break;
    }
  }
  if (cut.has_value()) {
    ++counts_.broken;
    const std::string& path = walk.broken_path();
    AddError(absl::InvalidArgumentError(absl::StrCat(path, path.empty() ? "" : ": ",
                                                     "the request is cut short at byte ", *cut,
                                                     "; the records before it are kept")),
             out);
  } else if (walk.broken()) {
    ++counts_.broken;
    AddError(absl::InvalidArgumentError(
                 absl::StrCat(walk.broken_error().message(), "; the records before it are kept")),
             out);
  } else if (!recognised) {
    AddError(absl::InvalidArgumentError(
                 "neither resourceSpans, resourceLogs nor resourceMetrics: not an OTLP request"),
             out);
  }
  Emit(request, out);
}

void OtlpParser::Emit(Request& request, Result* out) {
  size_t first_new = out->events.size();
  domain::Symbol cluster = Intern(options_.cluster);
  for (Resource& resource : request.resources) {
    if (resource.rejected || resource.records == 0) continue;
    domain::EntityRef ref;
    ref.cluster = cluster;
    ref.namespace_name = Intern(resource.namespace_name);
    absl::Status status;
    if (!resource.pod.empty()) {
      ref.kind = Intern("Pod");
      ref.name = Intern(resource.pod);
      ref.uid = Intern(resource.pod_uid);
      absl::StatusOr<domain::EntityId> pod = registry_.Register(ref);
      if (pod.ok()) resource.subject = resource.caller = *pod;
      status.Update(pod.status());
    }
    if (!resource.service.empty()) {
      ref.kind = Intern("Service");
      ref.name = Intern(resource.service);
      ref.uid = {};
      absl::StatusOr<domain::EntityId> service = registry_.Register(ref);
      if (service.ok()) {
        resource.caller = *service;
        if (!resource.subject.valid()) resource.subject = *service;
      }
      status.Update(service.status());
    }
    if (!status.ok() || !resource.subject.valid()) {
      resource.rejected = true;
      counts_.rejected += resource.records;
      AddError(absl::InvalidArgumentError(absl::StrCat(
                   resource.path, ".resource: ",
                   status.ok() ? "names no pod (k8s.pod.name with k8s.namespace.name) and no "
                                 "service.name"
                               : status.message(),
                   "; its ", resource.records, " records are dropped")),
               out);
    }
  }

  auto new_event = [&](domain::EntityId entity, int64_t time_ns, absl::string_view type,
                       domain::Severity severity) {
    domain::Event event;
    event.id = ids_.Next();
    event.time_ns = time_ns;
    event.observed_ns = clock_.NowNanos();
    event.entity = entity;
    event.type = Intern(type);
    event.source = domain::Source::kOtlp;
    event.severity = severity;
    ++counts_.events;
    return event;
  };
  auto base_labels = [](const Resource& resource) {
    std::vector<std::pair<absl::string_view, absl::string_view>> labels;
    if (!resource.node.empty()) labels.emplace_back("node", resource.node);
    if (!resource.namespace_name.empty()) labels.emplace_back("namespace", resource.namespace_name);
    return labels;
  };

  for (const Span& span : request.spans) {
    const Resource& resource = request.resources[span.resource];
    if (resource.rejected || !span.Failed()) continue;
    domain::Event event =
        new_event(resource.subject, span.end_ns != 0 ? span.end_ns : span.start_ns,
                  event_type::kSpanError, domain::Severity::kError);
    event.trace = span.trace;
    domain::ApplicationPayload payload;
    payload.service = Intern(resource.service);
    payload.span_name = Intern(span.name);
    payload.span_kind = static_cast<uint8_t>(std::clamp(span.kind, 0, 255));
    payload.status_code = static_cast<uint8_t>(std::clamp(span.status_code, 0, 255));
    payload.http_status = static_cast<uint16_t>(span.http_status);
    payload.status_message = Intern(span.status_message);
    payload.peer_service = Intern(ParsePeer(span.peer).name);
    payload.duration_ns = span.duration_ns();
    event.payload = payload;
    auto labels = base_labels(resource);
    if (!span.exception_type.empty()) labels.emplace_back("exception_type", span.exception_type);
    event.labels = domain::InternLabels(std::move(labels));
    out->events.push_back(event);
  }

  // Server spans by the client span they answer.
  absl::flat_hash_map<std::array<uint8_t, 8>, size_t> server_by_parent;
  constexpr std::array<uint8_t, 8> kNoSpan{};
  for (size_t i = 0; i < request.spans.size(); ++i) {
    const Span& span = request.spans[i];
    if (span.kind == kSpanKindServer && span.trace.parent_span_id != kNoSpan) {
      server_by_parent.try_emplace(span.trace.parent_span_id, i);
    }
  }
  struct Call {
    const Span* first = nullptr;
    const Resource* caller = nullptr;
    std::string callee;
    std::string callee_namespace;
    uint64_t calls = 0;
    uint64_t errors = 0;
    bool failed = false;
    int64_t http_status = 0;
    uint64_t duration_ns = 0;
  };
  std::vector<Call> calls;
  absl::flat_hash_map<std::pair<uint32_t, std::string>, size_t> call_index;
  for (const Span& span : request.spans) {
    const Resource& caller = request.resources[span.resource];
    if (span.kind != kSpanKindClient || caller.rejected) continue;
    const Span* answer = nullptr;
    std::string callee;
    std::string callee_namespace;
    if (span.trace.span_id != kNoSpan) {
      auto it = server_by_parent.find(span.trace.span_id);
      if (it != server_by_parent.end()) {
        const Span& server = request.spans[it->second];
        const Resource& callee_resource = request.resources[server.resource];
        if (!callee_resource.rejected && !callee_resource.service.empty() &&
            server.trace.trace_id == span.trace.trace_id) {
          answer = &server;
          callee = callee_resource.service;
          callee_namespace = callee_resource.namespace_name;
        }
      }
    }
    if (answer == nullptr) {
      Peer peer = ParsePeer(span.peer);
      if (peer.is_address) continue;
      callee = std::move(peer.name);
      callee_namespace = std::move(peer.namespace_name);
    }
    if (callee.empty() ||
        (callee == caller.service &&
         (callee_namespace.empty() || callee_namespace == caller.namespace_name))) {
      continue;
    }
    auto [it, added] = call_index.try_emplace({caller.caller.value, callee}, calls.size());
    if (added) {
      calls.push_back({});
      calls.back().caller = &caller;
      calls.back().callee = callee;
    }
    Call& call = calls[it->second];
    if (call.first == nullptr || span.start_ns < call.first->start_ns) call.first = &span;
    if (call.callee_namespace.empty()) call.callee_namespace = std::move(callee_namespace);
    ++call.calls;
    bool failed = span.Failed() || (answer != nullptr && answer->Failed());
    if (failed) ++call.errors;
    call.failed = call.failed || failed;
    call.http_status =
        std::max({call.http_status, span.http_status, answer != nullptr ? answer->http_status : 0});
    call.duration_ns = std::max(call.duration_ns, span.duration_ns());
  }
  for (const Call& call : calls) {
    domain::Event event = new_event(call.caller->caller, call.first->start_ns, event_type::kCall,
                                    domain::Severity::kInfo);
    event.trace = call.first->trace;
    domain::ApplicationPayload payload;
    payload.service = Intern(call.caller->service);
    payload.span_name = Intern(call.first->name);
    payload.span_kind = static_cast<uint8_t>(kSpanKindClient);
    payload.status_code =
        static_cast<uint8_t>(call.failed ? kStatusCodeError : call.first->status_code);
    payload.http_status = static_cast<uint16_t>(call.http_status);
    payload.peer_service = Intern(call.callee);
    payload.duration_ns = call.duration_ns;
    event.payload = payload;
    auto labels = base_labels(*call.caller);
    std::string count = absl::StrCat(call.calls);
    std::string errors = absl::StrCat(call.errors);
    labels.emplace_back("calls", count);
    labels.emplace_back("errors", errors);
    if (!call.callee_namespace.empty()) {
      labels.emplace_back("callee_namespace", call.callee_namespace);
    }
    event.labels = domain::InternLabels(std::move(labels));
    out->events.push_back(event);
  }

  for (const LogRecord& log : request.logs) {
    const Resource& resource = request.resources[log.resource];
    domain::Severity severity = LogSeverity(log);
    if (resource.rejected || severity == domain::Severity::kUnspecified) continue;
    domain::Event event =
        new_event(resource.subject, log.time_ns != 0 ? log.time_ns : log.observed_ns,
                  event_type::kLogError, severity);
    event.trace = log.trace;
    domain::ApplicationPayload payload;
    payload.service = Intern(resource.service);
    payload.log_line = Intern(log.body);
    payload.status_message = Intern(log.exception_message);
    event.payload = payload;
    auto labels = base_labels(resource);
    if (!log.severity_text.empty()) labels.emplace_back("severity_text", log.severity_text);
    event.labels = domain::InternLabels(std::move(labels));
    out->events.push_back(event);
  }

  std::stable_sort(
      out->events.begin() + static_cast<std::ptrdiff_t>(first_new), out->events.end(),
      [](const domain::Event& a, const domain::Event& b) { return a.time_ns < b.time_ns; });
}

}  // namespace tapio::collectors::otlp
