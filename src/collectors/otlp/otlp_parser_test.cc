#include "collectors/otlp/otlp_parser.h"

#include <fstream>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "domain/string_list.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tapio::collectors::otlp {
namespace {

using domain::ApplicationPayload;
using domain::Event;
using domain::Resolve;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr char kRealData[] = "../shared/realdata/public/C_otlp/";
constexpr int64_t kObservedNs = 1'900'000'000'000'000'000;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

const ApplicationPayload& App(const Event& event) {
  return std::get<ApplicationPayload>(event.payload);
}

std::string Label(const Event& event, absl::string_view key) {
  return std::string(domain::FindLabel(event.labels, key).value_or(""));
}

std::string Hex(absl::Span<const uint8_t> bytes) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::vector<std::string> Messages(const std::vector<absl::Status>& errors) {
  std::vector<std::string> messages;
  for (const absl::Status& error : errors) messages.emplace_back(error.message());
  return messages;
}

// A frontend pod whose server span answers 503 after its client span to cart fails; cart's
// server span (a child of that client span) errors on its own.
constexpr char kFrontendCallsCart[] = R"json({
  "resourceSpans": [
    {
      "resource": {"attributes": [
        {"key": "service.name", "value": {"stringValue": "frontend"}},
        {"key": "k8s.namespace.name", "value": {"stringValue": "shop"}},
        {"key": "k8s.pod.name", "value": {"stringValue": "frontend-7d9f8c6b4-x2x9q"}},
        {"key": "k8s.pod.uid", "value": {"stringValue": "3f1c9a2e-0000-4e8a-9c61-0d2b5e8f4a17"}},
        {"key": "k8s.node.name", "value": {"stringValue": "node-7"}}
      ]},
      "scopeSpans": [{
        "scope": {"name": "http"},
        "spans": [
          {
            "traceId": "4bf92f3577b34da6a3ce929d0e0e4736",
            "spanId": "00f067aa0ba902b7",
            "name": "GET /checkout",
            "kind": 2,
            "startTimeUnixNano": "1772359200000000000",
            "endTimeUnixNano": "1772359200250000000",
            "attributes": [
              {"key": "http.request.method", "value": {"stringValue": "GET"}},
              {"key": "server.address", "value": {"stringValue": "frontend.shop.svc.cluster.local"}},
              {"key": "http.response.status_code", "value": {"intValue": "503"}}
            ],
            "status": {}
          },
          {
            "traceId": "4bf92f3577b34da6a3ce929d0e0e4736",
            "spanId": "b7ad6b7169203331",
            "parentSpanId": "00f067aa0ba902b7",
            "name": "cart.GetCart",
            "kind": 3,
            "startTimeUnixNano": "1772359200010000000",
            "endTimeUnixNano": "1772359200240000000",
            "attributes": [{"key": "peer.service", "value": {"stringValue": "cart"}}],
            "events": [{
              "name": "exception",
              "timeUnixNano": "1772359200239000000",
              "attributes": [
                {"key": "exception.type", "value": {"stringValue": "grpc.RpcError"}},
                {"key": "exception.message", "value": {"stringValue": "UNAVAILABLE: upstream reset"}}
              ]
            }],
            "status": {"code": 2}
          }
        ]
      }]
    },
    {
      "scopeSpans": [{
        "spans": [{
          "traceId": "4bf92f3577b34da6a3ce929d0e0e4736",
          "spanId": "c1e0000000000001",
          "parentSpanId": "b7ad6b7169203331",
          "name": "/CartService/GetCart",
          "kind": "SPAN_KIND_SERVER",
          "startTimeUnixNano": 1772359200020000000,
          "endTimeUnixNano": "1772359200230000000",
          "status": {"code": "STATUS_CODE_ERROR", "message": "redis: connection pool timeout"}
        }]
      }],
      "resource": {"attributes": [
        {"value": {"stringValue": "cart"}, "key": "service.name"},
        {"key": "service.namespace", "value": {"stringValue": "shop"}}
      ]}
    }
  ]
})json";

class OtlpParserTest : public ::testing::Test {
 protected:
  OtlpParserTest() : ids_(3), clock_(kObservedNs) {}

  OtlpParser::Result Parse(absl::string_view json, absl::string_view source = "otlp/t.json") {
    OtlpParser parser({"prod", std::string(source)}, registry_, ids_, clock_);
    OtlpParser::Result result;
    parser.Parse(json, &result);
    counts_ = parser.counts();
    return result;
  }

  std::string EntityOf(const Event& event) { return domain::ToString(registry_.Get(event.entity)); }

  domain::EntityRegistry registry_;
  domain::EventIdGenerator ids_;
  domain::FakeClock clock_;
  OtlpParser::Counts counts_;
};

TEST_F(OtlpParserTest, RealTraceSampleIsAnOrdinaryServerSpan) {
  OtlpParser::Result result = Parse(ReadAll(absl::StrCat(kRealData, "otelproto_trace.json")));
  EXPECT_THAT(Messages(result.errors), IsEmpty());
  EXPECT_THAT(result.events, IsEmpty());
  EXPECT_EQ(counts_.spans, 1u);
  EXPECT_EQ(counts_.rejected, 0u);
}

TEST_F(OtlpParserTest, RealTraceSampleMadeToFailCarriesItsIdsAndTimes) {
  std::string json = ReadAll(absl::StrCat(kRealData, "otelproto_trace.json"));
  json = absl::StrReplaceAll(json, {{R"("kind": 2,)", R"("kind": 2, "status": {"code": 2},)"}});
  OtlpParser::Result result = Parse(json);
  EXPECT_THAT(Messages(result.errors), IsEmpty());
  ASSERT_THAT(result.events, SizeIs(1));
  const Event& event = result.events[0];
  EXPECT_EQ(Resolve(event.type), "otlp.span_error");
  EXPECT_EQ(EntityOf(event), "Service/my.service");
  EXPECT_EQ(event.source, domain::Source::kOtlp);
  EXPECT_EQ(event.severity, domain::Severity::kError);
  EXPECT_EQ(event.time_ns, 1544712661000000000);
  EXPECT_EQ(event.observed_ns, kObservedNs);
  EXPECT_EQ(Hex(event.trace.trace_id), "5b8efff798038103d269b633813fc60c");
  EXPECT_EQ(Hex(event.trace.span_id), "eee19b7ec3c1b174");
  EXPECT_EQ(Hex(event.trace.parent_span_id), "eee19b7ec3c1b173");
  EXPECT_EQ(Resolve(App(event).service), "my.service");
  EXPECT_EQ(Resolve(App(event).span_name), "I'm a server span");
  EXPECT_EQ(App(event).span_kind, 2);
  EXPECT_EQ(App(event).status_code, 2);
  EXPECT_EQ(App(event).duration_ns, 1'000'000'000u);
}

TEST_F(OtlpParserTest, RealLogSamplesAreNotErrors) {
  for (const char* name : {"otelproto_logs.json", "otelproto_events.json"}) {
    OtlpParser::Result result = Parse(ReadAll(absl::StrCat(kRealData, name)));
    EXPECT_THAT(Messages(result.errors), IsEmpty()) << name;
    EXPECT_THAT(result.events, IsEmpty()) << name;
    EXPECT_EQ(counts_.log_records, 1u) << name;
  }
}

TEST_F(OtlpParserTest, RealLogSampleAtErrorSeverityIsAnErrorLog) {
  std::string json = ReadAll(absl::StrCat(kRealData, "otelproto_logs.json"));
  json = absl::StrReplaceAll(
      json, {{R"("severityNumber": 10)", R"("severityNumber": 17)"}, {"Information", "Error"}});
  OtlpParser::Result result = Parse(json);
  EXPECT_THAT(Messages(result.errors), IsEmpty());
  ASSERT_THAT(result.events, SizeIs(1));
  const Event& event = result.events[0];
  EXPECT_EQ(Resolve(event.type), "otlp.log_error");
  EXPECT_EQ(EntityOf(event), "Service/my.service");
  EXPECT_EQ(event.time_ns, 1544712660300000000);
  EXPECT_EQ(Resolve(App(event).log_line), "Example log record");
  EXPECT_EQ(Label(event, "severity_text"), "Error");
  EXPECT_EQ(Hex(event.trace.trace_id), "5b8efff798038103d269b633813fc60c");
  EXPECT_EQ(Hex(event.trace.span_id), "eee19b7ec3c1b174");
}

TEST_F(OtlpParserTest, FrontendAnswering503AfterCartFailsGivesErrorsAndOneCall) {
  OtlpParser::Result result = Parse(kFrontendCallsCart);
  EXPECT_THAT(Messages(result.errors), IsEmpty());
  ASSERT_THAT(result.events, SizeIs(4));
  EXPECT_EQ(counts_.spans, 3u);

  // In time order: the call starts first, then the spans end innermost first.
  const Event& call = result.events[0];
  EXPECT_EQ(Resolve(call.type), "otlp.call");
  EXPECT_EQ(EntityOf(call), "Service/shop/frontend");
  EXPECT_EQ(call.severity, domain::Severity::kInfo);
  EXPECT_EQ(Resolve(App(call).service), "frontend");
  EXPECT_EQ(Resolve(App(call).peer_service), "cart");
  EXPECT_EQ(App(call).status_code, 2);
  EXPECT_EQ(Label(call, "calls"), "1");
  EXPECT_EQ(Label(call, "errors"), "1");
  EXPECT_EQ(Label(call, "callee_namespace"), "shop");
  EXPECT_EQ(Hex(call.trace.span_id), "b7ad6b7169203331");

  const Event& cart = result.events[1];
  EXPECT_EQ(Resolve(cart.type), "otlp.span_error");
  EXPECT_EQ(EntityOf(cart), "Service/shop/cart");
  EXPECT_EQ(Resolve(App(cart).service), "cart");
  EXPECT_EQ(Resolve(App(cart).span_name), "/CartService/GetCart");
  EXPECT_EQ(Resolve(App(cart).status_message), "redis: connection pool timeout");
  EXPECT_EQ(App(cart).span_kind, 2);
  EXPECT_EQ(Hex(cart.trace.parent_span_id), "b7ad6b7169203331");
  EXPECT_EQ(Label(cart, "namespace"), "shop");

  const Event& client = result.events[2];
  EXPECT_EQ(Resolve(client.type), "otlp.span_error");
  EXPECT_EQ(EntityOf(client), "Pod/shop/frontend-7d9f8c6b4-x2x9q");
  EXPECT_EQ(Resolve(App(client).span_name), "cart.GetCart");
  EXPECT_EQ(App(client).span_kind, 3);
  EXPECT_EQ(Resolve(App(client).peer_service), "cart");
  EXPECT_EQ(Resolve(App(client).status_message), "UNAVAILABLE: upstream reset");
  EXPECT_EQ(Label(client, "exception_type"), "grpc.RpcError");
  EXPECT_EQ(App(client).duration_ns, 230'000'000u);

  const Event& server = result.events[3];
  EXPECT_EQ(Resolve(server.type), "otlp.span_error");
  EXPECT_EQ(EntityOf(server), "Pod/shop/frontend-7d9f8c6b4-x2x9q");
  EXPECT_EQ(App(server).http_status, 503);
  EXPECT_EQ(Resolve(App(server).peer_service), "");
  EXPECT_EQ(App(server).status_code, 0);
  EXPECT_EQ(Resolve(App(server).span_name), "GET /checkout");
  EXPECT_EQ(Label(server, "node"), "node-7");
  EXPECT_EQ(server.time_ns, 1772359200250000000);
  EXPECT_EQ(Hex(server.trace.trace_id), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(registry_.Get(server.entity).uid,
            domain::Intern("3f1c9a2e-0000-4e8a-9c61-0d2b5e8f4a17"));
}

TEST_F(OtlpParserTest, ManyCallsBetweenTwoServicesAreOneCallEvent) {
  std::string spans;
  for (int i = 0; i < 5; ++i) {
    absl::StrAppend(&spans, i == 0 ? "" : ",", R"({"spanId": "00000000000000)", 10 + i,
                    R"(", "kind": 3, "startTimeUnixNano": ")", 1000 - i, R"(",
        "attributes": [{"key": "server.address", "value": {"stringValue": "cart.shop.svc.cluster.local:7070"}}],
        "status": {"code": )",
                    i == 3 ? 2 : 1, "}}");
  }
  absl::StrAppend(&spans, R"(,{"spanId": "0000000000000020", "kind": 3,
      "attributes": [{"key": "net.peer.name", "value": {"stringValue": "10.0.3.41"}}]})");
  std::string json = absl::StrCat(R"({"resourceSpans": [{"resource": {"attributes": [
      {"key": "service.name", "value": {"stringValue": "frontend"}}]},
      "scopeSpans": [{"spans": [)",
                                  spans, "]}]}]}");
  OtlpParser::Result result = Parse(json);
  EXPECT_THAT(Messages(result.errors), IsEmpty());
  // The failed client span is also a failure of its own.
  ASSERT_THAT(result.events, SizeIs(2));
  EXPECT_EQ(Resolve(result.events[1].type), "otlp.span_error");
  EXPECT_EQ(Resolve(App(result.events[1]).peer_service), "cart");
  const Event& call = result.events[0];
  EXPECT_EQ(Resolve(call.type), "otlp.call");
  EXPECT_EQ(Resolve(App(call).peer_service), "cart");
  EXPECT_EQ(Label(call, "callee_namespace"), "shop");
  EXPECT_EQ(Label(call, "calls"), "5");
  EXPECT_EQ(Label(call, "errors"), "1");
  EXPECT_EQ(call.time_ns, 996);
}

TEST_F(OtlpParserTest, ErrorLogsBySeverityNumberOrText) {
  std::string long_body(5000, 'x');
  std::string json = absl::StrCat(R"({"resourceLogs": [{
    "resource": {"attributes": [
      {"key": "service.name", "value": {"stringValue": "checkout"}},
      {"key": "service.namespace", "value": {"stringValue": "shop"}}]},
    "scopeLogs": [{"logRecords": [
      {"timeUnixNano": "100", "severityNumber": 17, "severityText": "ERROR",
       "traceId": "4bf92f3577b34da6a3ce929d0e0e4736", "spanId": "00f067aa0ba902b7",
       "body": {"stringValue": "payment failed: card declined"},
       "attributes": [{"key": "exception.message", "value": {"stringValue": "CardDeclined"}}]},
      {"observedTimeUnixNano": "200", "severityNumber": "SEVERITY_NUMBER_FATAL",
       "body": {"kvlistValue": {"values": [
         {"key": "msg", "value": {"stringValue": "out of connections"}},
         {"key": "pool", "value": {"intValue": 20}},
         {"key": "hosts", "value": {"arrayValue": {"values": [{"stringValue": "a"}, {"boolValue": true}]}}}]}}},
      {"timeUnixNano": "300", "severityText": "error", "body": {"stringValue": ")",
                                  long_body, R"("}},
      {"timeUnixNano": "400", "severityNumber": 9, "severityText": "ERROR",
       "body": {"stringValue": "numbered INFO wins over its text"}},
      {"timeUnixNano": "500", "severityNumber": 13, "body": {"stringValue": "a warning"}}
    ]}]}]})");
  OtlpParser::Result result = Parse(json);
  EXPECT_THAT(Messages(result.errors), IsEmpty());
  EXPECT_EQ(counts_.log_records, 5u);
  ASSERT_THAT(result.events, SizeIs(3));
  for (const Event& event : result.events) {
    EXPECT_EQ(Resolve(event.type), "otlp.log_error");
    EXPECT_EQ(EntityOf(event), "Service/shop/checkout");
    EXPECT_EQ(Resolve(App(event).service), "checkout");
  }
  EXPECT_EQ(Resolve(App(result.events[0]).log_line), "payment failed: card declined");
  EXPECT_EQ(Resolve(App(result.events[0]).status_message), "CardDeclined");
  EXPECT_EQ(result.events[0].severity, domain::Severity::kError);
  EXPECT_EQ(Hex(result.events[0].trace.span_id), "00f067aa0ba902b7");
  EXPECT_EQ(Resolve(App(result.events[1]).log_line),
            "{msg=out of connections, pool=20, hosts=[a, true]}");
  EXPECT_EQ(result.events[1].severity, domain::Severity::kCritical);
  EXPECT_EQ(result.events[1].time_ns, 200);
  EXPECT_EQ(Resolve(App(result.events[2]).log_line), std::string(kMaxLogLineBytes, 'x'));
}

TEST_F(OtlpParserTest, BadRecordsAreNamedByPathAndTheRestKept) {
  std::string json = R"({"resourceSpans": [{
    "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "api"}}]},
    "scopeSpans": [
      {"spans": [{"spanId": "0000000000000001", "status": {"code": 2}}]},
      {"spans": [
        {"spanId": "0000000000000002", "status": {"code": 2}},
        {"traceId": 7, "status": {"code": 2}},
        {"kind": "SERVER", "status": {"code": 2}},
        {"traceId": "4bf92f3577b34da6a3ce929d0e0e473", "status": {"code": 2}},
        {"spanId": "zz00000000000001", "status": {"code": 2}},
        {"startTimeUnixNano": "-5", "status": {"code": 2}},
        {"endTimeUnixNano": "99999999999999999999", "status": {"code": 2}},
        {"attributes": {"key": "x"}, "status": {"code": 2}},
        {"attributes": [{"key": "http.status_code", "value": {"stringValue": "five hundred"}}]},
        {"status": {"code": 2.5}},
        {"name": ["no"], "status": {"code": 2}},
        {"spanId": "0000000000000003", "status": {"code": 2}}
      ]}
    ]}]})";
  OtlpParser::Result result = Parse(json);
  EXPECT_THAT(
      Messages(result.errors),
      ElementsAre(
          "otlp/t.json: resourceSpans[0].scopeSpans[1].spans[1].traceId: expected a hex "
          "string, got a number",
          "otlp/t.json: resourceSpans[0].scopeSpans[1].spans[2].kind: unknown enum name "
          "\"SERVER\"",
          "otlp/t.json: resourceSpans[0].scopeSpans[1].spans[3].traceId: expected 32 hex "
          "digits, got 31 characters",
          "otlp/t.json: resourceSpans[0].scopeSpans[1].spans[4].spanId: expected hex digits, "
          "got a non-hex character at offset 0",
          "otlp/t.json: resourceSpans[0].scopeSpans[1].spans[5].startTimeUnixNano: expected a "
          "non-negative decimal integer, got \"-5\"",
          "otlp/t.json: resourceSpans[0].scopeSpans[1].spans[6].endTimeUnixNano: expected a "
          "non-negative decimal integer, got \"99999999999999999999\"",
          "otlp/t.json: resourceSpans[0].scopeSpans[1].spans[7].attributes: expected an array, "
          "got an object",
          "otlp/t.json: resourceSpans[0].scopeSpans[1].spans[8].attributes.http.status_code: "
          "expected an HTTP status code, got \"five hundred\"",
          "otlp/t.json: resourceSpans[0].scopeSpans[1].spans[9].status.code: expected an "
          "integer",
          "otlp/t.json: resourceSpans[0].scopeSpans[1].spans[10].name: expected a string, got "
          "an array"));
  EXPECT_EQ(counts_.rejected, 10u);
  EXPECT_EQ(counts_.spans, 13u);
  ASSERT_THAT(result.events, SizeIs(3));
  EXPECT_EQ(Hex(result.events[0].trace.span_id), "0000000000000001");
  EXPECT_EQ(Hex(result.events[1].trace.span_id), "0000000000000002");
  EXPECT_EQ(Hex(result.events[2].trace.span_id), "0000000000000003");
}

TEST_F(OtlpParserTest, TruncatedRequestKeepsTheRecordsBeforeTheBreak) {
  std::string json = kFrontendCallsCart;
  // Cut inside the second resource, after the frontend's spans.
  json = json.substr(0, json.find("c1e0000000000001") + 8);
  OtlpParser::Result result = Parse(json);
  ASSERT_THAT(result.errors, SizeIs(1));
  EXPECT_THAT(result.errors[0].message(), HasSubstr("otlp/t.json: "));
  // The open string is dropped from its quote.
  EXPECT_EQ(std::string(result.errors[0].message()),
            absl::StrCat("otlp/t.json: resourceSpans[1].scopeSpans[0].spans[0].spanId: the "
                         "request is cut short at byte ",
                         json.find("c1e00000") - 1, "; the records before it are kept"));
  EXPECT_EQ(counts_.broken, 1u);
  // The frontend's two failures are whole; cart's span, cut in its spanId, is dropped.
  ASSERT_THAT(result.events, SizeIs(3));
  EXPECT_EQ(Resolve(App(result.events[0]).peer_service), "cart");
  EXPECT_EQ(Resolve(result.events[1].type), "otlp.span_error");
  EXPECT_EQ(Resolve(App(result.events[1]).service), "frontend");
  EXPECT_EQ(Resolve(App(result.events[2]).service), "frontend");
}

TEST_F(OtlpParserTest, TruncatedBetweenRecordsKeepsThem) {
  std::string json = kFrontendCallsCart;
  json = json.substr(0, json.find("{\n      \"scopeSpans\""));
  OtlpParser::Result result = Parse(json);
  ASSERT_THAT(result.errors, SizeIs(1));
  EXPECT_EQ(std::string(result.errors[0].message()),
            absl::StrCat("otlp/t.json: resourceSpans[1]: the request is cut short at byte ",
                         json.size(), "; the records before it are kept"));
  // Both frontend failures survive; the cart side of the call is gone, so the call goes to
  // the client span's peer.service.
  ASSERT_THAT(result.events, SizeIs(3));
  EXPECT_EQ(Resolve(result.events[0].type), "otlp.call");
  EXPECT_EQ(Resolve(App(result.events[0]).peer_service), "cart");
  EXPECT_EQ(Label(result.events[0], "callee_namespace"), "");
}

TEST_F(OtlpParserTest, DocumentsThatAreNotRequestsAreOneErrorEach) {
  for (absl::string_view json :
       {"", "{", "[]", "null", "not json", "\"resourceSpans\"", R"({"foo": 1})",
        R"({"resourceSpans": {"a": 1}})", R"({"resourceSpans": [7]})",
        R"({"resourceSpans": [{"scopeSpans": 3}]})", "{\"resourceSpans\": [\"\xff\"]}",
        R"({"resourceSpans": [{"scopeSpans": [{"spans": [{"name": "x\u"}]}]}]})"}) {
    OtlpParser::Result result = Parse(json);
    EXPECT_THAT(result.errors, SizeIs(1)) << json;
    EXPECT_THAT(result.events, IsEmpty()) << json;
    for (const absl::Status& error : result.errors) {
      EXPECT_THAT(error.message(), HasSubstr("otlp/t.json: ")) << json;
    }
  }
  EXPECT_THAT(Messages(Parse(R"({"resourceSpans": [{"scopeSpans": 3}]})").errors),
              ElementsAre(HasSubstr("resourceSpans[0].scopeSpans: expected an array, got a "
                                    "number")));
  EXPECT_THAT(Messages(Parse(R"({"foo": 1})").errors),
              ElementsAre(HasSubstr("not an OTLP request")));
  EXPECT_THAT(Parse(R"({"resourceMetrics": []})").errors, IsEmpty());
}

TEST_F(OtlpParserTest, ResourceWithoutPodOrServiceIsReported) {
  OtlpParser::Result result = Parse(R"({"resourceSpans": [{
      "resource": {"attributes": [{"key": "k8s.pod.name", "value": {"stringValue": "p"}}]},
      "scopeSpans": [{"spans": [{"status": {"code": 2}}]}]}]})");
  EXPECT_THAT(Messages(result.errors),
              ElementsAre("otlp/t.json: resourceSpans[0].resource: names no pod (k8s.pod.name "
                          "with k8s.namespace.name) and no service.name; its 1 records are "
                          "dropped"));
  EXPECT_THAT(result.events, IsEmpty());
}

TEST_F(OtlpParserTest, HugeFieldsAreCut) {
  std::string name(1 << 20, 'n');
  std::string message(100'000, 'm');
  std::string nested = R"({"stringValue": "deep"})";
  for (int i = 0; i < 50; ++i) {
    nested = absl::StrCat(R"({"arrayValue": {"values": [)", nested, "]}}");
  }
  std::string json = absl::StrCat(
      R"({"resourceLogs": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": ")",
      name, R"("}}]}, "scopeLogs": [{"logRecords": [{"severityNumber": 18, "body": )", nested,
      R"(, "attributes": [{"key": "exception.message", "value": {"stringValue": ")", message,
      R"("}}]}]}]}]})");
  OtlpParser::Result result = Parse(json);
  EXPECT_THAT(Messages(result.errors), IsEmpty());
  ASSERT_THAT(result.events, SizeIs(1));
  EXPECT_EQ(Resolve(App(result.events[0]).service).size(), kMaxNameBytes);
  EXPECT_EQ(Resolve(App(result.events[0]).status_message).size(), kMaxMessageBytes);
  EXPECT_EQ(Resolve(App(result.events[0]).log_line), "[[[[[[[[[…]]]]]]]]]");
}

TEST_F(OtlpParserTest, CutsTextAtACharacterBoundary) {
  std::string body;
  for (int i = 0; i < 600; ++i) body += "é";
  OtlpParser::Result result = Parse(absl::StrCat(
      R"({"resourceLogs": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "s"}}]},
      "scopeLogs": [{"logRecords": [{"severityNumber": 17, "body": {"stringValue": ")",
      body, R"("}}]}]}]})"));
  ASSERT_THAT(result.events, SizeIs(1));
  EXPECT_EQ(Resolve(App(result.events[0]).log_line).size(), kMaxLogLineBytes);
  EXPECT_EQ(Resolve(App(result.events[0]).log_line), body.substr(0, kMaxLogLineBytes));
}

TEST_F(OtlpParserTest, ErrorsAreCappedButCounted) {
  std::string spans;
  for (int i = 0; i < 150; ++i) absl::StrAppend(&spans, i == 0 ? "" : ",", R"({"kind": "x"})");
  OtlpParser::Result result = Parse(absl::StrCat(
      R"({"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "s"}}]},
      "scopeSpans": [{"spans": [)",
      spans, "]}]}]}"));
  EXPECT_THAT(result.errors, SizeIs(kMaxReportedErrors));
  EXPECT_EQ(counts_.rejected, 150u);
}

}  // namespace
}  // namespace tapio::collectors::otlp
