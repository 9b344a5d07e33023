#include "collectors/otlp/internal/cpu_throttling.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <tuple>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "collectors/otlp/otlp_parser.h"
#include "collectors/simdjson_text.h"

namespace tapio::collectors::otlp::internal {
namespace {

using Scope = JsonWalk::Scope;

constexpr std::array<absl::string_view, 3> kTemporalityNames = {
    "AGGREGATION_TEMPORALITY_UNSPECIFIED", "AGGREGATION_TEMPORALITY_DELTA",
    "AGGREGATION_TEMPORALITY_CUMULATIVE"};
constexpr int32_t kTemporalityCumulative = 2;
// DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK.
constexpr int64_t kFlagNoRecordedValue = 1;
// Largest counter value taken from a double (below INT64_MAX, which a double cannot hold).
constexpr double kMaxCounter = 9.2e18;

// The metric data that a CFS counter can be instead of a sum.
constexpr std::array<std::pair<absl::string_view, absl::string_view>, 4> kOtherData = {{
    {"gauge", "a gauge"},
    {"histogram", "a histogram"},
    {"exponentialHistogram", "an exponential histogram"},
    {"summary", "a summary"},
}};

std::optional<CfsCounter> CounterNamed(absl::string_view name) {
  // The receiver drops "_total" when it normalises names to OpenTelemetry's.
  if (name == "container_cpu_cfs_periods_total" || name == "container_cpu_cfs_periods") {
    return CfsCounter::kPeriods;
  }
  if (name == "container_cpu_cfs_throttled_periods_total" ||
      name == "container_cpu_cfs_throttled_periods") {
    return CfsCounter::kThrottledPeriods;
  }
  return std::nullopt;
}

bool IsCounter(double number) { return number >= 0 && number < kMaxCounter; }

// An asDouble counter value, rounded. A string that is no counter value (proto3 JSON spells NaN
// and the infinities as strings), which only a staleness marker may carry, goes to `*text`.
int64_t CounterDouble(JsonWalk& walk, ondemand::value value, std::string* text) {
  ondemand::json_type type;
  if (auto error = value.type().get(type)) {
    walk.Fail(error, "a number");
    return 0;
  }
  if (type == ondemand::json_type::string) {
    std::string digits = walk.Text(value, 32);
    double number = 0;
    if (absl::SimpleAtod(digits, &number) && IsCounter(number)) return std::llround(number);
    *text = absl::StrCat("\"", digits, "\"");
    return 0;
  }
  if (type != ondemand::json_type::number) {
    walk.Fail(absl::StrCat("expected a number, got ", JsonTypeName(type)));
    return 0;
  }
  double number = 0;
  if (auto error = value.get_double().get(number)) {
    walk.Fail(error, "a number");
    return 0;
  }
  if (!IsCounter(number)) {
    walk.Fail(absl::StrCat("expected a non-negative counter value, got ", number));
    return 0;
  }
  return std::llround(number);
}

void ReadPoint(JsonWalk& walk, ondemand::value value, CfsPoint* point) {
  AnyValue namespace_name, pod, container;
  bool has_value = false;
  std::string double_text;
  int64_t flags = 0;
  walk.ForEachField(value, [&](absl::string_view key, ondemand::value inner) {
    if (key == "attributes") {
      ReadAttributes(walk, inner, kMaxNameBytes, [&](absl::string_view name) -> AnyValue* {
        if (name == "namespace") return &namespace_name;
        if (name == "pod") return &pod;
        if (name == "container") return &container;
        return nullptr;
      });
    } else if (key == "timeUnixNano") {
      Scope scope(walk, "timeUnixNano");
      point->time_ns = walk.Nanos(inner);
    } else if (key == "startTimeUnixNano") {
      Scope scope(walk, "startTimeUnixNano");
      point->start_ns = walk.Nanos(inner);
    } else if (key == "asInt" && !JsonWalk::IsNull(inner)) {
      Scope scope(walk, "asInt");
      has_value = true;
      point->value = walk.Unsigned(inner);
    } else if (key == "asDouble" && !JsonWalk::IsNull(inner)) {
      Scope scope(walk, "asDouble");
      has_value = true;
      point->value = CounterDouble(walk, inner, &double_text);
    } else if (key == "flags") {
      Scope scope(walk, "flags");
      flags = walk.Unsigned(inner);
    }
  });
  if (!walk.ok()) return;
  point->no_recorded_value = (flags & kFlagNoRecordedValue) != 0;
  if (point->no_recorded_value) return;
  if (!double_text.empty()) {
    Scope scope(walk, "asDouble");
    return walk.Fail(absl::StrCat("expected a counter value, got ", double_text));
  }
  if (point->time_ns == 0) return walk.Fail("no timeUnixNano");
  if (!has_value) return walk.Fail("no value (asInt or asDouble)");
  point->namespace_name = std::move(namespace_name.text);
  point->pod = std::move(pod.text);
  point->container = std::move(container.text);
  if (point->namespace_name.empty() || point->pod.empty()) point->path = walk.path();
}

void ReadSum(JsonWalk& walk, ondemand::value value, CfsCounter counter, size_t resource,
             absl::FunctionRef<void(CfsPoint&&)> done) {
  Scope scope(walk, "sum");
  ondemand::object sum;
  if (!walk.GetObject(value, &sum)) return;
  // Protobuf's field order puts dataPoints before aggregationTemporality.
  int32_t temporality = 0;
  ondemand::value temporality_value;
  simdjson::error_code error =
      sum.find_field_unordered("aggregationTemporality").get(temporality_value);
  if (error == simdjson::SUCCESS) {
    Scope temporality_scope(walk, "aggregationTemporality");
    temporality = walk.Enum(temporality_value, kTemporalityNames);
  } else if (error != simdjson::NO_SUCH_FIELD) {
    return walk.Fail(error, "a field");
  }
  if (!walk.ok()) return;
  if (temporality != kTemporalityCumulative) {
    return walk.Fail(absl::StrCat("expected a cumulative sum (aggregationTemporality 2), got ",
                                  error == simdjson::NO_SUCH_FIELD
                                      ? "no aggregationTemporality"
                                      : absl::StrCat("aggregationTemporality ", temporality)));
  }
  if (auto reset_error = sum.reset().error()) return walk.Fail(reset_error, "an object");
  walk.ForEachField(sum, [&](absl::string_view key, ondemand::value inner) {
    if (key != "dataPoints") return;
    Scope points_scope(walk, "dataPoints");
    walk.ForEachElement(inner, [&](size_t, ondemand::value element) {
      CfsPoint point;
      point.resource = resource;
      point.counter = counter;
      ReadPoint(walk, element, &point);
      done(std::move(point));
    });
  });
}

}  // namespace

int64_t ThrottledPercent(const ThrottledInterval& interval) {
  if (interval.periods <= 0) return 0;
  return std::llround(100.0 * static_cast<double>(interval.throttled_periods) /
                      static_cast<double>(interval.periods));
}

std::string Describe(const ThrottledInterval& interval) {
  constexpr int64_t kSecond = 1'000'000'000;
  constexpr int64_t kMillisecond = 1'000'000;
  int64_t ns = interval.end_ns - interval.start_ns;
  std::string over =
      ns >= kSecond
          ? absl::StrCat(ns / kSecond + (ns % kSecond >= kSecond / 2 ? 1 : 0), "s")
          : absl::StrCat(ns / kMillisecond + (ns % kMillisecond >= kMillisecond / 2 ? 1 : 0), "ms");
  return absl::StrCat("container ", interval.container, " was throttled in ",
                      ThrottledPercent(interval), "% of its CFS periods (",
                      interval.throttled_periods, " of ", interval.periods, ") over ", over);
}

void ReadMetric(JsonWalk& walk, ondemand::value value, size_t resource,
                absl::FunctionRef<void(CfsPoint&&)> done) {
  ondemand::object metric;
  if (!walk.ok() || !walk.GetObject(value, &metric)) return;
  ondemand::value name_value;
  simdjson::error_code error = metric.find_field_unordered("name").get(name_value);
  if (error == simdjson::NO_SUCH_FIELD) return;
  if (error != simdjson::SUCCESS) return walk.Fail(error, "a field");
  std::string name;
  {
    Scope scope(walk, "name");
    name = walk.Text(name_value, kMaxNameBytes);
  }
  std::optional<CfsCounter> counter = CounterNamed(name);
  if (!walk.ok() || !counter.has_value()) return;
  if (auto reset_error = metric.reset().error()) return walk.Fail(reset_error, "an object");
  bool sum = false;
  walk.ForEachField(metric, [&](absl::string_view key, ondemand::value inner) {
    if (key == "sum") {
      sum = true;
      return ReadSum(walk, inner, *counter, resource, done);
    }
    for (const auto& [other, what] : kOtherData) {
      if (key == other) return walk.Fail(absl::StrCat(name, " is ", what, ", expected a sum"));
    }
  });
  if (walk.ok() && !sum) walk.Fail(absl::StrCat(name, " has no sum"));
}

absl::StatusOr<bool> ResolveContainer(const Resource& resource, CfsPoint* point) {
  if (point->container.empty()) point->container = resource.container;
  if (point->container.empty() || point->container == "POD") return false;
  if (point->pod.empty() && !resource.pod.empty() &&
      (point->namespace_name.empty() || point->namespace_name == resource.namespace_name)) {
    point->pod = resource.pod;
  }
  if (point->namespace_name.empty() && resource.k8s_namespace) {
    point->namespace_name = resource.namespace_name;
  }
  if (point->pod.empty() || point->namespace_name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(point->path, ": container ", point->container,
                     " names no pod (attributes namespace and pod, or the resource's "
                     "k8s.namespace.name and k8s.pod.name)"));
  }
  return true;
}

CpuThrottling::CpuThrottling(size_t max_series) : max_series_(std::max<size_t>(max_series, 1)) {}

CpuThrottling::Series& CpuThrottling::Touch(const std::string& key) {
  auto it = index_.find(key);
  if (it != index_.end()) {
    series_.splice(series_.begin(), series_, it->second);
    return series_.front();
  }
  if (index_.size() >= max_series_) {
    index_.erase(series_.back().key);
    series_.pop_back();
  }
  series_.push_front(Series{key, std::nullopt, {}, 0});
  index_.emplace(series_.front().key, series_.begin());
  return series_.front();
}

std::optional<ThrottledInterval> CpuThrottling::Step(Series& series, const CfsPoint& point) {
  if (series.last.has_value() && point.time_ns <= series.last->time_ns) return std::nullopt;
  if (series.pending_counters != 0 && series.pending.time_ns != point.time_ns) {
    series.pending_counters = 0;
  }
  if (series.pending_counters == 0) series.pending = Reading{point.time_ns, 0, 0, 0, 0};
  if (point.counter == CfsCounter::kPeriods) {
    series.pending.periods = point.value;
    series.pending.periods_start_ns = point.start_ns;
  } else {
    series.pending.throttled_periods = point.value;
    series.pending.throttled_start_ns = point.start_ns;
  }
  series.pending_counters |= static_cast<uint8_t>(1u << static_cast<int>(point.counter));
  if (series.pending_counters != 3) return std::nullopt;
  series.pending_counters = 0;
  const Reading now = series.pending;
  const std::optional<Reading> before = std::exchange(series.last, now);
  if (!before.has_value() || now.periods_start_ns != before->periods_start_ns ||
      now.throttled_start_ns != before->throttled_start_ns || now.periods < before->periods ||
      now.throttled_periods < before->throttled_periods) {
    return std::nullopt;
  }
  int64_t periods = now.periods - before->periods;
  int64_t throttled = now.throttled_periods - before->throttled_periods;
  if (throttled > periods || periods < kCpuThrottledMinPeriods ||
      static_cast<double>(throttled) * 100 <
          static_cast<double>(kCpuThrottledMinPercent) * static_cast<double>(periods)) {
    return std::nullopt;
  }
  return ThrottledInterval{point.resource,  point.namespace_name, point.pod, point.container,
                           before->time_ns, now.time_ns,          periods,   throttled};
}

std::vector<ThrottledInterval> CpuThrottling::Add(std::vector<CfsPoint> points) {
  const absl::string_view separator("\0", 1);
  std::vector<std::pair<std::string, size_t>> order;
  order.reserve(points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    order.emplace_back(absl::StrCat(points[i].namespace_name, separator, points[i].pod, separator,
                                    points[i].container),
                       i);
  }
  std::stable_sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
    const CfsPoint& x = points[a.second];
    const CfsPoint& y = points[b.second];
    return std::tie(a.first, x.time_ns, x.counter) < std::tie(b.first, y.time_ns, y.counter);
  });
  std::vector<ThrottledInterval> intervals;
  for (const auto& [key, i] : order) {
    std::optional<ThrottledInterval> interval = Step(Touch(key), points[i]);
    if (interval.has_value()) intervals.push_back(std::move(*interval));
  }
  return intervals;
}

}  // namespace tapio::collectors::otlp::internal
