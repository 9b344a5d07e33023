// CPU throttling from cAdvisor's CFS counters, as an OpenTelemetry Collector's Prometheus
// receiver exports them when it scrapes a kubelet's /metrics/cadvisor.
#include <fstream>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "collectors/otlp/internal/cpu_throttling.h"
#include "collectors/otlp/otlp_parser.h"
#include "domain/string_list.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tapio::collectors::otlp {
namespace {

using domain::ApplicationPayload;
using domain::Event;
using domain::Resolve;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr int64_t kObservedNs = 1'900'000'000'000'000'000;
constexpr int64_t kSecond = 1'000'000'000;
// Scrapes a minute apart; the receiver first saw the series an hour before the first.
constexpr int64_t kT0 = 1'772'359'200 * kSecond;
constexpr int64_t kT1 = kT0 + 60 * kSecond;
constexpr int64_t kT2 = kT0 + 120 * kSecond;
constexpr int64_t kStart = kT0 - 3600 * kSecond;
constexpr char kPeriods[] = "container_cpu_cfs_periods_total";
constexpr char kThrottled[] = "container_cpu_cfs_throttled_periods_total";
constexpr char kApiPod[] = "api-7c9d5b8f6-k2x4q";

const ApplicationPayload& App(const Event& event) {
  return std::get<ApplicationPayload>(event.payload);
}

std::string Label(const Event& event, absl::string_view key) {
  return std::string(domain::FindLabel(event.labels, key).value_or(""));
}

std::vector<std::string> Messages(const std::vector<absl::Status>& errors) {
  std::vector<std::string> messages;
  for (const absl::Status& error : errors) messages.emplace_back(error.message());
  return messages;
}

std::string Attr(absl::string_view key, absl::string_view value) {
  return absl::StrCat(R"({"key": ")", key, R"(", "value": {"stringValue": ")", value, R"("}})");
}

// One cgroup as cAdvisor labels it; Prometheus drops the labels that are empty.
struct Cgroup {
  std::string namespace_name;
  std::string pod;
  std::string container;
  std::string pod_uid = "5a3e1f0c-2b7d-4c11-9f0e-8d6a2b4c7e91";
  std::string container_id = "4f1d9c0b7e2a6d3c";
  std::string image = "registry.example.com/shop/api:1.4.2";
};

const Cgroup kApi{"shop", kApiPod, "api"};
const Cgroup kSidecar{"shop",
                      kApiPod,
                      "istio-proxy",
                      "5a3e1f0c-2b7d-4c11-9f0e-8d6a2b4c7e91",
                      "9b0e8a7c6d5f4e3a",
                      "docker.io/istio/proxyv2:1.22.1"};
const Cgroup kWorker{"batch",
                     "report-worker-0",
                     "worker",
                     "0c9d8e7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f",
                     "a1b2c3d4e5f60718",
                     "registry.example.com/batch/worker:3.0.0"};

std::string Attributes(const Cgroup& cgroup) {
  std::string slice =
      absl::StrCat("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod",
                   absl::StrReplaceAll(cgroup.pod_uid, {{"-", "_"}}), ".slice");
  std::vector<std::string> attrs;
  if (cgroup.pod.empty()) {
    attrs.push_back(Attr("id", "/kubepods.slice/kubepods-burstable.slice"));
  } else if (cgroup.container.empty()) {
    attrs.push_back(Attr("id", slice));
  } else {
    attrs.push_back(
        Attr("id", absl::StrCat(slice, "/cri-containerd-", cgroup.container_id, ".scope")));
    attrs.push_back(Attr("image", cgroup.image));
    attrs.push_back(Attr("name", cgroup.container_id));
  }
  if (!cgroup.namespace_name.empty()) attrs.push_back(Attr("namespace", cgroup.namespace_name));
  if (!cgroup.pod.empty()) attrs.push_back(Attr("pod", cgroup.pod));
  if (!cgroup.container.empty()) attrs.push_back(Attr("container", cgroup.container));
  return absl::StrCat("[", absl::StrJoin(attrs, ", "), "]");
}

// A data point as the receiver writes it: counters as asDouble.
std::string Point(const Cgroup& cgroup, int64_t time_ns, int64_t value, int64_t start_ns = kStart) {
  return absl::StrCat(R"({"attributes": )", Attributes(cgroup), R"(, "startTimeUnixNano": ")",
                      start_ns, R"(", "timeUnixNano": ")", time_ns, R"(", "asDouble": )", value,
                      "}");
}

// A cumulative monotonic sum, its fields in protobuf's order.
std::string Sum(absl::string_view name, const std::vector<std::string>& points,
                absl::string_view temporality = "2") {
  return absl::StrCat(R"({"name": ")", name, R"(", "description": "", "sum": {"dataPoints": [)",
                      absl::StrJoin(points, ", "), R"(], "aggregationTemporality": )", temporality,
                      R"(, "isMonotonic": true}})");
}

std::string Gauge(absl::string_view name, const Cgroup& cgroup) {
  return absl::StrCat(R"({"name": ")", name, R"(", "gauge": {"dataPoints": [{"attributes": )",
                      Attributes(cgroup), R"(, "timeUnixNano": ")", kT0,
                      R"(", "asDouble": 2.5e+08}]}})");
}

// An ExportMetricsServiceRequest of one scrape of a kubelet's /metrics/cadvisor.
std::string Request(const std::vector<std::string>& metrics,
                    absl::string_view more_resource_attributes = "") {
  return absl::StrCat(R"({"resourceMetrics": [{"resource": {"attributes": [)",
                      Attr("service.name", "kubernetes-cadvisor"), ", ",
                      Attr("service.instance.id", "10.0.1.17:10250"), ", ",
                      Attr("net.host.port", "10250"), ", ", Attr("http.scheme", "https"), ", ",
                      Attr("server.port", "10250"), ", ", Attr("url.scheme", "https"),
                      more_resource_attributes, R"(]}, "scopeMetrics": [{"scope": {"name": )",
                      R"("github.com/open-telemetry/opentelemetry-collector-contrib/receiver/)",
                      R"(prometheusreceiver", "version": "0.104.0"}, "metrics": [)",
                      absl::StrJoin(metrics, ", "), "]}]}]}");
}

// What an interval of these counts should say, worked out from them.
std::string Sentence(absl::string_view container, int64_t throttled, int64_t periods,
                     int64_t seconds) {
  int64_t percent = (100 * throttled + periods / 2) / periods;
  return absl::StrCat("container ", container, " was throttled in ", percent,
                      "% of its CFS periods (", throttled, " of ", periods, ") over ", seconds,
                      "s");
}

class OtlpMetricsTest : public ::testing::Test {
 protected:
  OtlpMetricsTest()
      : ids_(3), clock_(kObservedNs), parser_({"prod", "otlp/t.json"}, registry_, ids_, clock_) {}

  // Requests to one parser continue each other's series.
  OtlpParser::Result Parse(absl::string_view json) {
    OtlpParser::Result result;
    parser_.Parse(json, &result);
    return result;
  }

  std::string EntityOf(const Event& event) { return domain::ToString(registry_.Get(event.entity)); }

  domain::EntityRegistry registry_;
  domain::EventIdGenerator ids_;
  domain::FakeClock clock_;
  OtlpParser parser_;
};

TEST_F(OtlpMetricsTest, ThrottledIntervalAmongThreePointsIsOneEvent) {
  // api: 1800 periods in the first minute, 1151 throttled (about 64%); then 1200, 49 (4%).
  // istio-proxy: never throttled. Points out of time order, as a batch may hold them.
  OtlpParser::Result result = Parse(Request({
      Sum(kPeriods, {Point(kApi, kT2, 13'000), Point(kApi, kT0, 10'000), Point(kApi, kT1, 11'800),
                     Point(kSidecar, kT0, 50'000), Point(kSidecar, kT1, 51'800),
                     Point(kSidecar, kT2, 53'600)}),
      Sum(kThrottled, {Point(kApi, kT0, 2'000), Point(kApi, kT1, 3'151), Point(kApi, kT2, 3'200),
                       Point(kSidecar, kT0, 7), Point(kSidecar, kT1, 7), Point(kSidecar, kT2, 9)}),
  }));
  EXPECT_THAT(Messages(result.errors), IsEmpty());
  ASSERT_THAT(result.events, SizeIs(1));
  const int64_t periods = 11'800 - 10'000;
  const int64_t throttled = 3'151 - 2'000;
  const Event& event = result.events[0];
  EXPECT_EQ(Resolve(event.type), event_type::kCpuThrottled);
  EXPECT_EQ(Resolve(event.type), "otlp.cpu_throttled");
  EXPECT_EQ(EntityOf(event), absl::StrCat("Pod/shop/", kApiPod));
  EXPECT_EQ(event.time_ns, kT1);
  EXPECT_EQ(event.observed_ns, kObservedNs);
  EXPECT_EQ(event.source, domain::Source::kOtlp);
  EXPECT_EQ(event.severity, domain::Severity::kWarning);
  EXPECT_EQ(Resolve(App(event).service), "kubernetes-cadvisor");
  EXPECT_EQ(Resolve(App(event).status_message), Sentence("api", throttled, periods, 60));
  EXPECT_EQ(Resolve(App(event).status_message),
            "container api was throttled in 64% of its CFS periods (1151 of 1800) over 60s");
  EXPECT_EQ(Label(event, "namespace"), "shop");
  EXPECT_EQ(Label(event, "container"), "api");
  EXPECT_EQ(Label(event, "periods"), absl::StrCat(periods));
  EXPECT_EQ(Label(event, "throttled_periods"), absl::StrCat(throttled));
  EXPECT_EQ(Label(event, "throttled_percent"),
            absl::StrCat((100 * throttled + periods / 2) / periods));
  EXPECT_EQ(Label(event, "node"), "");
  OtlpParser::Counts counts = parser_.counts();
  EXPECT_EQ(counts.data_points, 12u);
  EXPECT_EQ(counts.events, 1u);
  EXPECT_EQ(counts.rejected, 0u);
}

TEST_F(OtlpMetricsTest, OnePointPerRequestGivesTheEventWithTheSecond) {
  constexpr char kNode[] = R"(, {"key": "k8s.node.name", "value": {"stringValue": "node-7"}})";
  // Throttled periods as asInt, a string in the first request and a number in the second.
  OtlpParser::Result first = Parse(Request(
      {Sum(kThrottled, {absl::StrReplaceAll(Point(kWorker, kT0, 400),
                                            {{R"("asDouble": 400)", R"("asInt": "400")"}})}),
       Sum(kPeriods, {Point(kWorker, kT0, 900)})},
      kNode));
  EXPECT_THAT(Messages(first.errors), IsEmpty());
  EXPECT_THAT(first.events, IsEmpty());
  OtlpParser::Result second = Parse(
      Request({Sum(kPeriods, {Point(kWorker, kT1, 1'500)}),
               Sum(kThrottled, {absl::StrReplaceAll(Point(kWorker, kT1, 550),
                                                    {{R"("asDouble": 550)", R"("asInt": 550)"}})})},
              kNode));
  EXPECT_THAT(Messages(second.errors), IsEmpty());
  ASSERT_THAT(second.events, SizeIs(1));
  const Event& event = second.events[0];
  EXPECT_EQ(EntityOf(event), "Pod/batch/report-worker-0");
  EXPECT_EQ(event.time_ns, kT1);
  EXPECT_EQ(Label(event, "node"), "node-7");
  EXPECT_EQ(Label(event, "namespace"), "batch");
  EXPECT_EQ(Label(event, "container"), "worker");
  EXPECT_EQ(Label(event, "periods"), absl::StrCat(1'500 - 900));
  EXPECT_EQ(Label(event, "throttled_periods"), absl::StrCat(550 - 400));
  EXPECT_EQ(Label(event, "throttled_percent"), "25");
  EXPECT_EQ(Resolve(App(event).status_message), Sentence("worker", 550 - 400, 1'500 - 900, 60));
  // A repeat of the last scrape is no new interval.
  EXPECT_THAT(Parse(Request({Sum(kPeriods, {Point(kWorker, kT1, 1'500)}),
                             Sum(kThrottled, {Point(kWorker, kT1, 550)})}))
                  .events,
              IsEmpty());
}

TEST_F(OtlpMetricsTest, CounterResetRestartsTheBaseline) {
  // The container restarted between kT0 and kT1: its counters start again from zero. The
  // interval after the reset is measured from the reset.
  OtlpParser::Result result = Parse(Request(
      {Sum(kPeriods, {Point(kApi, kT0, 10'000), Point(kApi, kT1, 900), Point(kApi, kT2, 1'800)}),
       Sum(kThrottled,
           {Point(kApi, kT0, 9'000), Point(kApi, kT1, 800), Point(kApi, kT2, 1'300)})}));
  EXPECT_THAT(Messages(result.errors), IsEmpty());
  ASSERT_THAT(result.events, SizeIs(1));
  EXPECT_EQ(result.events[0].time_ns, kT2);
  EXPECT_EQ(Label(result.events[0], "periods"), absl::StrCat(1'800 - 900));
  EXPECT_EQ(Label(result.events[0], "throttled_periods"), absl::StrCat(1'300 - 800));
}

TEST_F(OtlpMetricsTest, ChangedStartTimeRestartsTheBaseline) {
  // Counts that would be throttled, but the receiver saw the series start again at kT1.
  OtlpParser::Result result = Parse(Request(
      {Sum(kPeriods, {Point(kApi, kT0, 10'000), Point(kApi, kT1, 11'800, kT1 - kSecond)}),
       Sum(kThrottled, {Point(kApi, kT0, 2'000), Point(kApi, kT1, 3'151, kT1 - kSecond)})}));
  EXPECT_THAT(Messages(result.errors), IsEmpty());
  EXPECT_THAT(result.events, IsEmpty());
}

TEST_F(OtlpMetricsTest, StalenessMarkersAreNoPointsOfTheSeries) {
  // The receiver marks kT1 as "no recorded value" (a NaN its flags say is no value): the
  // interval runs from kT0 to kT2.
  std::string marker =
      absl::StrCat(R"({"attributes": )", Attributes(kApi), R"(, "startTimeUnixNano": ")", kStart,
                   R"(", "timeUnixNano": ")", kT1, R"(", "flags": 1})");
  OtlpParser::Result result =
      Parse(Request({Sum(kPeriods, {Point(kApi, kT0, 10'000), marker, Point(kApi, kT2, 13'600)}),
                     Sum(kThrottled, {Point(kApi, kT0, 2'000), marker, Point(kApi, kT2, 4'300)})}));
  EXPECT_THAT(Messages(result.errors), IsEmpty());
  ASSERT_THAT(result.events, SizeIs(1));
  EXPECT_EQ(result.events[0].time_ns, kT2);
  EXPECT_EQ(Label(result.events[0], "periods"), absl::StrCat(13'600 - 10'000));
  EXPECT_EQ(Label(result.events[0], "throttled_periods"), absl::StrCat(4'300 - 2'000));
}

TEST_F(OtlpMetricsTest, BelowTheMinimumPeriodsOrShareIsNoEvent) {
  // 9 periods, all throttled; then 1000 periods with 249 throttled (24.9%).
  OtlpParser::Result result = Parse(Request(
      {Sum(kPeriods, {Point(kApi, kT0, 100), Point(kApi, kT1, 109), Point(kApi, kT2, 1'109)}),
       Sum(kThrottled, {Point(kApi, kT0, 50), Point(kApi, kT1, 59), Point(kApi, kT2, 308)})}));
  EXPECT_THAT(Messages(result.errors), IsEmpty());
  EXPECT_THAT(result.events, IsEmpty());
}

TEST_F(OtlpMetricsTest, PodLevelPauseAndNodeCgroupsAreIgnored) {
  Cgroup pod_level{"shop", kApiPod, ""};
  Cgroup pause{"shop", kApiPod, "POD"};
  Cgroup node_level{"", "", ""};
  std::vector<std::string> periods, throttled;
  for (const Cgroup& cgroup : {pod_level, pause, node_level}) {
    periods.push_back(Point(cgroup, kT0, 1'000));
    periods.push_back(Point(cgroup, kT1, 2'000));
    throttled.push_back(Point(cgroup, kT0, 100));
    throttled.push_back(Point(cgroup, kT1, 900));
  }
  OtlpParser::Result result = Parse(Request({Sum(kPeriods, periods), Sum(kThrottled, throttled)}));
  EXPECT_THAT(Messages(result.errors), IsEmpty());
  EXPECT_THAT(result.events, IsEmpty());
  EXPECT_EQ(parser_.counts().data_points, 12u);
  EXPECT_EQ(parser_.counts().rejected, 0u);
}

TEST_F(OtlpMetricsTest, PointWithoutAPodIsNamedAndTheOthersStillCount) {
  Cgroup no_pod{"shop", "", "api"};
  OtlpParser::Result result = Parse(Request({
      Gauge("up", Cgroup{}),
      Sum(kPeriods, {Point(kApi, kT0, 10'000), Point(kApi, kT1, 11'800), Point(kWorker, kT0, 10),
                     Point(no_pod, kT1, 5'000)}),
      Sum(kThrottled, {Point(kApi, kT0, 2'000), Point(kApi, kT1, 3'151)}),
  }));
  EXPECT_THAT(Messages(result.errors),
              ElementsAre("otlp/t.json: resourceMetrics[0].scopeMetrics[0].metrics[1].sum."
                          "dataPoints[3]: container api names no pod (attributes namespace and "
                          "pod, or the resource's k8s.namespace.name and k8s.pod.name)"));
  EXPECT_EQ(parser_.counts().rejected, 1u);
  ASSERT_THAT(result.events, SizeIs(1));
  EXPECT_EQ(EntityOf(result.events[0]), absl::StrCat("Pod/shop/", kApiPod));
  EXPECT_EQ(Label(result.events[0], "throttled_periods"), absl::StrCat(3'151 - 2'000));
}

TEST_F(OtlpMetricsTest, ResourceAttributesNameThePodWhenThePointsDoNot) {
  constexpr char kPod[] = R"(, {"key": "k8s.namespace.name", "value": {"stringValue": "batch"}},
      {"key": "k8s.pod.name", "value": {"stringValue": "report-worker-0"}},
      {"key": "k8s.container.name", "value": {"stringValue": "worker"}})";
  Cgroup bare{"", "", ""};
  OtlpParser::Result result =
      Parse(Request({Sum(kPeriods, {Point(bare, kT0, 100), Point(bare, kT1, 200)}),
                     Sum(kThrottled, {Point(bare, kT0, 0), Point(bare, kT1, 100)})},
                    kPod));
  EXPECT_THAT(Messages(result.errors), IsEmpty());
  ASSERT_THAT(result.events, SizeIs(1));
  EXPECT_EQ(EntityOf(result.events[0]), "Pod/batch/report-worker-0");
  EXPECT_EQ(Label(result.events[0], "container"), "worker");
  EXPECT_EQ(Label(result.events[0], "throttled_percent"), "100");
}

TEST_F(OtlpMetricsTest, BadPointsAndMetricsAreNamedByPathAndTheRestKept) {
  std::string api = Attributes(kApi);
  std::string json = Request({
      Sum(kPeriods,
          {absl::StrCat(R"({"attributes": )", api, R"(, "asDouble": 5})"),
           absl::StrCat(R"({"attributes": )", api, R"(, "timeUnixNano": "5", "asDouble": "lots"})"),
           absl::StrCat(R"({"attributes": )", api, R"(, "timeUnixNano": "5", "asInt": "12x"})"),
           absl::StrCat(R"({"attributes": )", api, R"(, "timeUnixNano": "5"})"),
           absl::StrCat(R"({"attributes": )", api,
                        R"(, "timeUnixNano": "5", "asDouble": "NaN", "flags": 1})"),
           Point(kApi, kT0, 10'000), Point(kApi, kT1, 11'800)}),
      Gauge(kThrottled, kWorker),
      Sum(kThrottled, {Point(kWorker, kT0, 5)}, "1"),
      Sum(kThrottled,
          {Point(kApi, kT0, 2'000),
           absl::StrCat(R"({"attributes": )", api, R"(, "timeUnixNano": "5", "asDouble": -3})"),
           Point(kApi, kT1, 3'151)}),
  });
  OtlpParser::Result result = Parse(json);
  constexpr char kAt[] = "otlp/t.json: resourceMetrics[0].scopeMetrics[0].metrics";
  EXPECT_THAT(
      Messages(result.errors),
      ElementsAre(absl::StrCat(kAt, "[0].sum.dataPoints[0]: no timeUnixNano"),
                  absl::StrCat(kAt,
                               "[0].sum.dataPoints[1].asDouble: expected a counter value, got "
                               "\"lots\""),
                  absl::StrCat(kAt,
                               "[0].sum.dataPoints[2].asInt: expected a non-negative decimal "
                               "integer, got \"12x\""),
                  absl::StrCat(kAt, "[0].sum.dataPoints[3]: no value (asInt or asDouble)"),
                  absl::StrCat(kAt, "[1]: ", kThrottled, " is a gauge, expected a sum"),
                  absl::StrCat(kAt,
                               "[2].sum: expected a cumulative sum (aggregationTemporality 2), got "
                               "aggregationTemporality 1"),
                  absl::StrCat(kAt,
                               "[3].sum.dataPoints[1].asDouble: expected a non-negative counter "
                               "value, got -3")));
  EXPECT_EQ(parser_.counts().rejected, 7u);
  ASSERT_THAT(result.events, SizeIs(1));
  EXPECT_EQ(Label(result.events[0], "periods"), absl::StrCat(11'800 - 10'000));
}

TEST_F(OtlpMetricsTest, OtherMetricsArePassedOverSilently) {
  OtlpParser::Result result = Parse(Request({
      Gauge("up", Cgroup{}),
      Gauge("container_memory_working_set_bytes", kApi),
      Sum("container_cpu_usage_seconds_total",
          {absl::StrCat(R"({"attributes": [)", Attr("cpu", "total"), ", ", Attr("pod", kApiPod),
                        R"(], "timeUnixNano": "5", "asDouble": 12.5})")}),
      R"({"name": "kubelet_http_requests_duration_seconds", "histogram": {"dataPoints": [
          {"timeUnixNano": "5", "count": "3", "sum": 0.2, "bucketCounts": ["1", "2"],
           "explicitBounds": [0.1]}], "aggregationTemporality": 2}})",
      R"({"description": "a metric without a name", "gauge": {"dataPoints": [{"asInt": "1"}]}})",
  }));
  EXPECT_THAT(Messages(result.errors), IsEmpty());
  EXPECT_THAT(result.events, IsEmpty());
  EXPECT_EQ(parser_.counts().data_points, 0u);

  // The counters after a metric passed over are read.
  result = Parse(Request({
      R"({"description": "a metric without a name", "sum": {"dataPoints": [{"asInt": "1"}]}})",
      Sum(kPeriods, {Point(kApi, kT0, 0), Point(kApi, kT1, 100)}),
      Gauge("up", Cgroup{}),
      Sum(kThrottled, {Point(kApi, kT0, 0), Point(kApi, kT1, 50)}),
  }));
  EXPECT_THAT(Messages(result.errors), IsEmpty());
  EXPECT_THAT(result.events, SizeIs(1));

  std::ifstream in("../shared/realdata/public/C_otlp/otelproto_metrics.json");
  ASSERT_TRUE(in.good());
  std::stringstream sample;
  sample << in.rdbuf();
  result = Parse(sample.str());
  EXPECT_THAT(Messages(result.errors), IsEmpty());
  EXPECT_THAT(result.events, IsEmpty());
}

TEST_F(OtlpMetricsTest, TruncatedRequestKeepsTheMetricsBeforeTheCut) {
  std::string json = Request({Sum(kPeriods, {Point(kApi, kT0, 10'000), Point(kApi, kT1, 11'800)}),
                              Sum(kThrottled, {Point(kApi, kT0, 2'000), Point(kApi, kT1, 3'151)}),
                              Gauge("container_memory_working_set_bytes", kWorker)});
  OtlpParser::Result result = Parse(json.substr(0, json.rfind("report-worker-0")));
  EXPECT_THAT(Messages(result.errors),
              ElementsAre(::testing::HasSubstr("the request is cut short")));
  ASSERT_THAT(result.events, SizeIs(1));
  EXPECT_EQ(result.events[0].time_ns, kT1);

  // A sum cut short has lost its aggregationTemporality, which follows its points: it is
  // dropped, the cut its only error.
  json = Request({Sum(kPeriods, {Point(kSidecar, kT0, 10'000), Point(kSidecar, kT1, 11'800)}),
                  Sum(kThrottled, {Point(kSidecar, kT0, 2'000), Point(kSidecar, kT1, 3'151),
                                   Point(kWorker, kT1, 1)})});
  result = Parse(json.substr(0, json.rfind("report-worker-0")));
  EXPECT_THAT(Messages(result.errors),
              ElementsAre(::testing::HasSubstr("the request is cut short")));
  EXPECT_THAT(result.events, IsEmpty());
  EXPECT_EQ(parser_.counts().broken, 2u);
}

TEST_F(OtlpMetricsTest, HugeNamesAreCut) {
  Cgroup huge{"shop", kApiPod, std::string(1 << 20, 'c')};
  OtlpParser::Result result =
      Parse(Request({Sum(kPeriods, {Point(huge, kT0, 0), Point(huge, kT1, 100)}),
                     Sum(kThrottled, {Point(huge, kT0, 0), Point(huge, kT1, 90)})}));
  EXPECT_THAT(Messages(result.errors), IsEmpty());
  ASSERT_THAT(result.events, SizeIs(1));
  EXPECT_EQ(Label(result.events[0], "container"), std::string(kMaxNameBytes, 'c'));
  EXPECT_LE(Resolve(App(result.events[0]).status_message).size(), kMaxMessageBytes);
}

TEST(CpuThrottlingTest, ForgetsTheSeriesUpdatedLongestAgo) {
  internal::CpuThrottling throttling(/*max_series=*/2);
  auto points = [](absl::string_view container, int64_t time_ns, int64_t periods,
                   int64_t throttled) {
    std::vector<internal::CfsPoint> both(2);
    for (internal::CfsPoint& point : both) {
      point.namespace_name = "shop";
      point.pod = "p";
      point.container = std::string(container);
      point.time_ns = time_ns;
    }
    both[0].counter = internal::CfsCounter::kPeriods;
    both[0].value = periods;
    both[1].counter = internal::CfsCounter::kThrottledPeriods;
    both[1].value = throttled;
    return both;
  };
  EXPECT_THAT(throttling.Add(points("a", kT0, 0, 0)), IsEmpty());
  EXPECT_THAT(throttling.Add(points("b", kT0, 0, 0)), IsEmpty());
  EXPECT_THAT(throttling.Add(points("c", kT0, 0, 0)), IsEmpty());
  EXPECT_EQ(throttling.series(), 2u);
  // a was forgotten for c; its next point is a first one again (and b goes for it).
  EXPECT_THAT(throttling.Add(points("a", kT1, 100, 100)), IsEmpty());
  std::vector<internal::ThrottledInterval> c = throttling.Add(points("c", kT1, 100, 100));
  ASSERT_THAT(c, SizeIs(1));
  EXPECT_EQ(c[0].container, "c");
  EXPECT_EQ(c[0].start_ns, kT0);
  EXPECT_EQ(c[0].end_ns, kT1);
  EXPECT_THAT(throttling.Add(points("b", kT1, 100, 100)), IsEmpty());
  EXPECT_EQ(throttling.series(), 2u);
}

}  // namespace
}  // namespace tapio::collectors::otlp
