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
#include "collectors/otlp/internal/cpu_throttling.h"
#include "collectors/otlp/internal/json_walk.h"
#include "collectors/otlp/internal/records.h"
#include "domain/string_list.h"
#include "simdjson.h"

namespace tapio::collectors::otlp {
namespace {

using domain::Intern;
using internal::AnyValue;
using internal::CfsPoint;
using internal::JsonWalk;
using internal::kSpanKindClient;
using internal::kSpanKindServer;
using internal::kStatusCodeError;
using internal::LogRecord;
using internal::LogSeverity;
using internal::ParsePeer;
using internal::Peer;
using internal::ReadLogRecord;
using internal::ReadResource;
using internal::ReadSpan;
using internal::Resource;
using internal::Span;
namespace ondemand = ::simdjson::ondemand;
using Scope = JsonWalk::Scope;

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
  std::vector<CfsPoint> cfs_points;
};

OtlpParser::OtlpParser(Options options, domain::EntityRegistry& registry,
                       domain::EventIdGenerator& ids, const domain::Clock& clock)
    : options_(std::move(options)),
      registry_(registry),
      ids_(ids),
      clock_(clock),
      cpu_(std::make_unique<internal::CpuThrottling>(kMaxCpuSeries)) {}

OtlpParser::~OtlpParser() = default;

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
  // Ends one record: keeps it when it was `read` whole, else reports it (unless the document
  // broke off).
  auto end_record = [&](bool read, size_t resource) {
    if (read && !past_cut()) {
      ++request.resources[resource].records;
      return;
    }
    if (past_cut()) {
      // What the cut left out (a metric's aggregationTemporality) is not the record's fault.
      walk.ClearRecordError();
      walk.Fail(simdjson::INCOMPLETE_ARRAY_OR_OBJECT, "a complete record");
    }
    if (walk.broken()) return;
    ++counts_.rejected;
    AddError(walk.record_error(), out);
    walk.ClearRecordError();
  };
  // Reads one record per element of `value` with `read(element, resource)`.
  auto read_records = [&](auto&& read) {
    return [&, read](ondemand::value value, size_t resource) {
      walk.ForEachElement(value, [&](size_t, ondemand::value element) {
        end_record(read(element, resource), resource);
      });
    };
  };
  // Reads a scope's metrics: the records are the CFS counters' data points.
  auto read_metrics = [&](ondemand::value value, size_t resource) {
    walk.ForEachElement(value, [&](size_t, ondemand::value metric) {
      internal::ReadMetric(walk, metric, resource, [&](CfsPoint&& point) {
        ++counts_.data_points;
        bool read = walk.ok() && !past_cut();
        if (read && !point.no_recorded_value) request.cfs_points.push_back(std::move(point));
        end_record(read, resource);
      });
      if (!walk.ok()) end_record(false, resource);
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
  // Reads resourceSpans, resourceLogs or resourceMetrics: `scopes_key` ("scopeSpans") holds
  // scopes whose `records_key` ("spans") holds the records, which `read_list` reads.
  auto read_resources = [&](absl::string_view top_key, ondemand::value value,
                            absl::string_view scopes_key, absl::string_view records_key,
                            auto&& read_list) {
    Scope top_scope(walk, top_key);
    walk.ForEachElement(value, [&](size_t index, ondemand::value element) {
      size_t resource = request.resources.size();
      request.resources.push_back({});
      request.resources.back().path = absl::StrCat(top_key, "[", index, "]");
      request.resources.back().metrics = top_key == "resourceMetrics";
      walk.ForEachField(element, [&](absl::string_view key, ondemand::value inner) {
        if (key == "resource") {
          ReadResource(walk, inner, &request.resources[resource]);
        } else if (key == scopes_key) {
          Scope scopes_scope(walk, scopes_key);
          walk.ForEachElement(inner, [&](size_t, ondemand::value scope) {
            walk.ForEachField(scope, [&](absl::string_view scope_key, ondemand::value records) {
              if (scope_key != records_key) return;
              Scope records_scope(walk, records_key);
              read_list(records, resource);
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
      read_resources("resourceSpans", value, "scopeSpans", "spans", read_records(read_span));
    } else if (key == "resourceLogs") {
      recognised = true;
      read_resources("resourceLogs", value, "scopeLogs", "logRecords", read_records(read_log));
    } else if (key == "resourceMetrics") {
      recognised = true;
      read_resources("resourceMetrics", value, "scopeMetrics", "metrics", read_metrics);
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
    if (resource.rejected || resource.records == 0 || resource.metrics) continue;
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

  auto base_labels = [](const Resource& resource) {
    std::vector<std::pair<absl::string_view, absl::string_view>> labels;
    if (!resource.node.empty()) labels.emplace_back("node", resource.node);
    if (!resource.namespace_name.empty()) labels.emplace_back("namespace", resource.namespace_name);
    return labels;
  };

  for (const Span& span : request.spans) {
    const Resource& resource = request.resources[span.resource];
    if (resource.rejected || !span.Failed()) continue;
    domain::Event event = NewEvent(resource.subject, span.end_ns != 0 ? span.end_ns : span.start_ns,
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
    domain::Event event = NewEvent(call.caller->caller, call.first->start_ns, event_type::kCall,
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
        NewEvent(resource.subject, log.time_ns != 0 ? log.time_ns : log.observed_ns,
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

  EmitCpuThrottling(request, out);

  std::stable_sort(
      out->events.begin() + static_cast<std::ptrdiff_t>(first_new), out->events.end(),
      [](const domain::Event& a, const domain::Event& b) { return a.time_ns < b.time_ns; });
}

domain::Event OtlpParser::NewEvent(domain::EntityId entity, int64_t time_ns, absl::string_view type,
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
}

void OtlpParser::EmitCpuThrottling(Request& request, Result* out) {
  if (request.cfs_points.empty()) return;
  std::vector<CfsPoint> points;
  points.reserve(request.cfs_points.size());
  for (CfsPoint& point : request.cfs_points) {
    const Resource& resource = request.resources[point.resource];
    if (resource.rejected) continue;
    absl::StatusOr<bool> container = internal::ResolveContainer(resource, &point);
    if (!container.ok()) {
      ++counts_.rejected;
      AddError(container.status(), out);
    } else if (*container) {
      points.push_back(std::move(point));
    }
  }
  domain::Symbol cluster = Intern(options_.cluster);
  for (const internal::ThrottledInterval& interval : cpu_->Add(std::move(points))) {
    const Resource& resource = request.resources[interval.resource];
    domain::EntityRef ref;
    ref.cluster = cluster;
    ref.kind = Intern("Pod");
    ref.namespace_name = Intern(interval.namespace_name);
    ref.name = Intern(interval.pod);
    absl::StatusOr<domain::EntityId> pod = registry_.Register(ref);
    if (!pod.ok()) {
      ++counts_.rejected;
      AddError(absl::Status(pod.status().code(),
                            absl::StrCat(resource.path, ": pod ", interval.namespace_name, "/",
                                         interval.pod, ": ", pod.status().message())),
               out);
      continue;
    }
    domain::Event event =
        NewEvent(*pod, interval.end_ns, event_type::kCpuThrottled, domain::Severity::kWarning);
    domain::ApplicationPayload payload;
    payload.service = Intern(resource.service);
    payload.status_message = Intern(internal::Describe(interval));
    event.payload = payload;
    std::string periods = absl::StrCat(interval.periods);
    std::string throttled = absl::StrCat(interval.throttled_periods);
    std::string percent = absl::StrCat(internal::ThrottledPercent(interval));
    std::vector<std::pair<absl::string_view, absl::string_view>> labels;
    if (!resource.node.empty()) labels.emplace_back("node", resource.node);
    labels.emplace_back("namespace", interval.namespace_name);
    labels.emplace_back("container", interval.container);
    labels.emplace_back("periods", periods);
    labels.emplace_back("throttled_periods", throttled);
    labels.emplace_back("throttled_percent", percent);
    event.labels = domain::InternLabels(std::move(labels));
    out->events.push_back(event);
  }
}

}  // namespace tapio::collectors::otlp
