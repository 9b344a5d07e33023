// The records of an OTLP/JSON request as the parser reads them — resources, spans, log
// records — and the readers that fill them from simdjson values, recording problems on the
// JsonWalk. Thread-compatible.
#ifndef TAPIO_COLLECTORS_OTLP_INTERNAL_RECORDS_H_
#define TAPIO_COLLECTORS_OTLP_INTERNAL_RECORDS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"
#include "collectors/otlp/internal/json_walk.h"
#include "domain/entity.h"
#include "domain/event.h"
#include "simdjson.h"

namespace tapio::collectors::otlp::internal {

// OTLP enum numbers.
inline constexpr int32_t kSpanKindServer = 2;
inline constexpr int32_t kSpanKindClient = 3;
inline constexpr int32_t kStatusCodeError = 2;
inline constexpr int32_t kSeverityNumberError = 17;
inline constexpr int32_t kSeverityNumberFatal = 21;

struct Resource {
  // "resourceSpans[2]", for errors about the resource as a whole.
  std::string path;
  std::string service;
  // k8s.namespace.name (then `k8s_namespace` is true), else service.namespace.
  std::string namespace_name;
  bool k8s_namespace = false;
  std::string pod;
  std::string pod_uid;
  std::string container;
  std::string node;
  // Of resourceMetrics: its points name their own pods, so it needs no entity.
  bool metrics = false;
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

// Reads a peer attribute as a service name.
Peer ParsePeer(absl::string_view raw);

// Calls `want(key)` for each attribute of a KeyValue list; reads the value of the attributes
// for which it returns an AnyValue*, into it, its text cut at `max_bytes`.
template <typename Want>
void ReadAttributes(JsonWalk& walk, ::simdjson::ondemand::value value, size_t max_bytes,
                    Want&& want) {
  using Scope = JsonWalk::Scope;
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

// Each reads one element of its list into the record; problems go to `walk`.
void ReadResource(JsonWalk& walk, ::simdjson::ondemand::value value, Resource* resource);
void ReadSpan(JsonWalk& walk, ::simdjson::ondemand::value value, Span* span);
void ReadLogRecord(JsonWalk& walk, ::simdjson::ondemand::value value, LogRecord* log);

// The severity a log record's number or text gives.
domain::Severity LogSeverity(const LogRecord& log);

}  // namespace tapio::collectors::otlp::internal

#endif  // TAPIO_COLLECTORS_OTLP_INTERNAL_RECORDS_H_
