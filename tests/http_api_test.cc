// The server's HTTP face as curl and a Server-Sent Events client use it: the REST operations
// answer in protobuf's JSON mapping over TLS with a token, the insight stream carries an
// incident as it opens, /metrics is text Prometheus' own checker accepts and counts what was
// sent, and bad requests get their status and a message while the server keeps serving.
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "collectors/scenario/expected_outcome.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tapio/v1/correlation_service.pb.h"
#include "tapio/v1/report.pb.h"
#include "tests/support/poll.h"
#include "tests/support/run_command.h"
#include "tests/support/serve_fixture.h"
#include "transport/event_shipper.h"

namespace tapio {
namespace {

using ::tapio::testing::RunCommand;
using ::tapio::testing::ServeTest;
using ::testing::HasSubstr;

const std::string kIncident = TAPIO_DEMO_INCIDENT;

// A Server-Sent Events stream read on a thread of its own, with the token, until `enough`
// says that what has arrived is enough.
class EventStreamReader {
 public:
  EventStreamReader(int port, std::string path, std::function<bool(const std::string&)> enough)
      : client_("127.0.0.1", port) {
    thread_ = std::thread([this, path = std::move(path), enough = std::move(enough)] {
      client_.Get(
          path, {{"Authorization", "Bearer s3cret"}},
          [&](const httplib::Response& response) {
            std::lock_guard<std::mutex> lock(mu_);
            subscribed_ = response.status == 200;
            return subscribed_;
          },
          [&](const char* data, size_t length) {
            std::lock_guard<std::mutex> lock(mu_);
            received_.append(data, length);
            done_ = enough(received_);
            return !done_;
          });
    });
  }
  // A stream still open (a test that failed half-way) is closed.
  ~EventStreamReader() {
    client_.stop();
    thread_.join();
  }

  // Whether the stream's headers came (so the server streams from here on), and whether
  // enough arrived, within 20 s.
  bool Subscribed() {
    return Within([this] { return subscribed_; });
  }
  bool Done() {
    return Within([this] { return done_; });
  }
  std::string received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }

 private:
  bool Within(const std::function<bool()>& held) {
    return ::tapio::testing::PollUntil(
        [&] {
          std::lock_guard<std::mutex> lock(mu_);
          return held();
        },
        std::chrono::seconds(20));
  }

  httplib::Client client_;
  std::mutex mu_;
  std::string received_;
  bool subscribed_ = false;
  bool done_ = false;
  std::thread thread_;
};

class HttpApiTest : public ServeTest {
 protected:
  // Replays the bundled incident over gRPC; returns how many events it sent, and sets
  // `object_changes` to how many of them were Kubernetes objects.
  size_t Replay(const std::string& tls_flags = "", size_t* object_changes = nullptr) {
    auto replayed =
        RunCommand(absl::StrCat(TAPIO_BINARY, " replay ", kIncident, " --server ", Address(),
                                " --token-file ", dir_, "/token", tls_flags));
    EXPECT_EQ(replayed.exit_code, 0) << replayed.output;
    size_t colon = replayed.output.find(": ", replayed.output.find(" into "));
    size_t events = 0;
    if (colon != std::string::npos) {
      std::string count = replayed.output.substr(colon + 2);
      EXPECT_TRUE(absl::SimpleAtoi(count.substr(0, count.find(' ')), &events)) << count;
    }
    if (object_changes != nullptr) {
      size_t open = replayed.output.find(" (", colon);
      EXPECT_NE(open, std::string::npos) << replayed.output;
      if (open != std::string::npos) {
        std::string changes = replayed.output.substr(open + 2);
        EXPECT_TRUE(absl::SimpleAtoi(changes.substr(0, changes.find(' ')), object_changes))
            << changes;
      }
    }
    return events;
  }

  // `curl ARGS URL` for `path` on the gateway, with the token unless it is empty: the body and
  // the HTTP status. TLS when `ca` names the CA to trust.
  std::pair<std::string, int> Call(const std::string& args, const std::string& path,
                                   const std::string& token = "s3cret",
                                   const std::string& ca = "") {
    std::string auth = token.empty() ? "" : absl::StrCat(" -H 'Authorization: Bearer ", token, "'");
    std::string tls = ca.empty() ? "" : absl::StrCat(" --cacert ", ca);
    auto r =
        RunCommand(absl::StrCat("curl -sS -w '\\n%{http_code}'", auth, tls, " ", args, " '",
                                ca.empty() ? "http" : "https", "://", HttpAddress(), path, "'"));
    size_t last = r.output.rfind('\n');
    int code = 0;
    if (last == std::string::npos || !absl::SimpleAtoi(r.output.substr(last + 1), &code)) {
      return {r.output, 0};
    }
    return {r.output.substr(0, last), code};
  }
};

TEST_F(HttpApiTest, RestAnswersOverTlsWithATokenAsTheGrpcApiDoes) {
  ::tapio::testing::MakeCertificates(dir_);
  auto server = Serve(0, std::vector<std::string>{"--tls-cert", dir_ + "/server.pem", "--tls-key",
                                                  dir_ + "/server.key"});
  Replay(absl::StrCat(" --ca-file ", dir_, "/ca.pem"));
  auto expected = collectors::scenario::ReadExpectedOutcome(kIncident + "/expected.yaml");
  ASSERT_TRUE(expected.ok()) << expected.status();
  const auto& s = expected->symptom;
  std::string entity =
      absl::StrCat(absl::AsciiStrToLower(s.kind), "/", s.namespace_name, "/", s.name);
  const std::string ca = dir_ + "/ca.pem";

  auto get = Call("", "/api/v1/why?entity=" + entity, "s3cret", ca);
  ASSERT_EQ(get.second, 200) << get.first;
  v1::WhyReport report;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(get.first, &report).ok()) << get.first;
  ASSERT_GT(report.causes_size(), 0);
  EXPECT_EQ(report.causes(0).category(), expected->root_cause.category);
  EXPECT_EQ(report.causes(0).entity().name(), expected->root_cause.name);

  auto post = Call(absl::StrCat("-H 'Content-Type: application/json' -d '{\"entity\": \"", entity,
                                "\", \"causes\": 1}'"),
                   "/api/v1/why", "s3cret", ca);
  ASSERT_EQ(post.second, 200) << post.first;
  v1::WhyReport one;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(post.first, &one).ok()) << post.first;
  ASSERT_EQ(one.causes_size(), 1);
  EXPECT_EQ(one.causes(0).category(), report.causes(0).category());

  auto incidents = Call("", "/api/v1/incidents", "s3cret", ca);
  ASSERT_EQ(incidents.second, 200) << incidents.first;
  v1::IncidentList list;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(incidents.first, &list).ok());
  ASSERT_EQ(list.incidents_size(), 1);
  EXPECT_EQ(list.incidents(0).cause().category(), expected->root_cause.category);
  auto one_incident =
      Call("", absl::StrCat("/api/v1/incidents/", list.incidents(0).id()), "s3cret", ca);
  EXPECT_EQ(one_incident.second, 200) << one_incident.first;
  EXPECT_EQ(Call("", "/healthz", "").second, 0) << "a TLS port answered plaintext";
  EXPECT_EQ(server->Stop(), 0);
}

TEST_F(HttpApiTest, TheInsightStreamCarriesAnIncidentAsItOpens) {
  auto server = Serve();
  std::string received;
  {
    EventStreamReader reader(http_port_, "/api/v1/insights", [](const std::string& text) {
      return text.find("\n\n") != std::string::npos;
    });
    ASSERT_TRUE(reader.Subscribed());
    Replay();
    EXPECT_TRUE(reader.Done());
    received = reader.received();
  }
  EXPECT_THAT(received, HasSubstr("event: insight\ndata: {"));
  size_t data = received.find("data: ");
  ASSERT_NE(data, std::string::npos);
  v1::Insight insight;
  std::string json = received.substr(data + 6, received.find('\n', data) - data - 6);
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &insight).ok()) << json;
  EXPECT_EQ(insight.change(), v1::Insight::CHANGE_OPENED);
  EXPECT_EQ(insight.incident().id(), 1u);
  EXPECT_EQ(server->Stop(), 0);
}

TEST_F(HttpApiTest, TheEventStreamCarriesEachMatchingEventAsItIsStored) {
  auto server = Serve();
  EXPECT_EQ(Call("", "/api/v1/events:tail", "").second, 401);
  auto three_events = [](const std::string& text) {
    size_t n = 0;
    for (size_t at = text.find("event: event\n"); at != std::string::npos;
         at = text.find("event: event\n", at + 1)) {
      ++n;
    }
    return n >= 3;
  };
  auto reader = std::make_unique<EventStreamReader>(
      http_port_, "/api/v1/events:tail?kind=Pod&namespace=shop&name=api-0", three_events);
  ASSERT_TRUE(reader->Subscribed());
  // The stream is registered once its headers are out; events stored from then on reach it.
  auto shipper = *transport::EventShipper::Start(Shipping());
  std::vector<v1::UnifiedEvent> batch;
  for (uint64_t id = 1; id <= 6; ++id) {
    v1::UnifiedEvent& e = batch.emplace_back();
    e.set_id(id);
    e.set_time_unix_nano(1'772'360'100'000'000'000 + id);
    e.set_source(v1::SOURCE_KERNEL);
    e.set_type("kernel.oom_kill");
    e.set_severity(v1::SEVERITY_ERROR);
    e.mutable_entity()->set_kind("Pod");
    e.mutable_entity()->set_namespace_("shop");
    e.mutable_entity()->set_name(id % 2 == 0 ? "api-0" : "web-0");
  }
  shipper->Submit(batch);
  ASSERT_TRUE(shipper->Drain(absl::Seconds(20))) << shipper->counts().last_error;
  EXPECT_TRUE(reader->Done());
  std::string received = reader->received();
  reader.reset();
  EXPECT_THAT(received, HasSubstr("id: 2\nevent: event\ndata: {"));
  EXPECT_THAT(received, HasSubstr("id: 6\nevent: event\ndata: {"));
  EXPECT_THAT(received, ::testing::Not(HasSubstr("web-0")));
  size_t data = received.find("data: ");
  v1::UnifiedEvent first;
  std::string json = received.substr(data + 6, received.find('\n', data) - data - 6);
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &first).ok()) << json;
  EXPECT_EQ(first.entity().name(), "api-0");
  EXPECT_EQ(first.type(), "kernel.oom_kill");
  shipper.reset();
  EXPECT_EQ(server->Stop(), 0);
}

TEST_F(HttpApiTest, MetricsPassPromtoolAndCountWhatWasSent) {
  auto server = Serve();
  size_t object_changes = 0;
  size_t sent = Replay("", &object_changes);
  ASSERT_GT(sent, object_changes);
  EXPECT_EQ(Call("", "/api/v1/incidents").second, 200);
  EXPECT_EQ(Call("", "/healthz", "").second, 200);
  auto [metrics, code] = Call("", "/metrics");
  ASSERT_EQ(code, 200) << metrics;
  EXPECT_THAT(metrics, HasSubstr(absl::StrCat("tapio_ingest_events_total{outcome=\"stored\"} ",
                                              sent, "\n")));
  std::filesystem::path incident = std::filesystem::path(kIncident).lexically_normal();
  if (incident.filename().empty()) incident = incident.parent_path();
  const std::string collector =
      absl::StrCat("collector=\"replay/", incident.filename().string(), "\"");
  EXPECT_THAT(metrics, HasSubstr(absl::StrCat("tapio_collector_events_total{", collector,
                                              ",outcome=\"stored\"} ", sent, "\n")));
  EXPECT_THAT(metrics, HasSubstr(absl::StrCat("tapio_collector_silent{", collector, "} 0\n")));
  EXPECT_THAT(metrics, ::testing::ContainsRegex("tapio_store_append_duration_seconds_count [1-9]"));
  EXPECT_THAT(metrics, HasSubstr("tapio_incidents{state=\"open\"} 1\n"));
  // The replay's final batch is acknowledged once the analysis has seen all of it: every event
  // but the objects (which go to the graph) passed the pipeline, and so did the replay's end.
  const size_t analysed = sent - object_changes;
  EXPECT_THAT(metrics, HasSubstr(absl::StrCat("tapio_analysis_events_total ", analysed, "\n")));
  size_t delivered = 0;
  for (absl::string_view line : absl::StrSplit(metrics, '\n')) {
    if (!absl::StartsWith(line, "tapio_pipeline_events_total{") ||
        !absl::StrContains(line, "outcome=\"delivered\"")) {
      continue;
    }
    size_t n = 0;
    EXPECT_TRUE(absl::SimpleAtoi(line.substr(line.rfind(' ') + 1), &n)) << line;
    delivered += n;
  }
  EXPECT_EQ(delivered, analysed + 1);
  EXPECT_THAT(metrics,
              HasSubstr(absl::StrCat("tapio_pipeline_latency_seconds_count ", analysed + 1, "\n")));
  EXPECT_THAT(metrics, HasSubstr("tapio_pipeline_queue_depth 0\n"));
  EXPECT_THAT(metrics, HasSubstr("method=\"CollectorService/Stream\",code=\"OK\"} 1\n"));
  EXPECT_THAT(metrics, HasSubstr("method=\"/api/v1/incidents\",code=\"200\"} 1\n"));
  EXPECT_THAT(metrics, HasSubstr("method=\"/healthz\",code=\"200\"} 1\n"));
  auto checked = RunCommand(absl::StrCat("curl -sS -H 'Authorization: Bearer s3cret' http://",
                                         HttpAddress(), "/metrics | promtool check metrics"));
  EXPECT_EQ(checked.exit_code, 0) << checked.output;
  EXPECT_EQ(server->Stop(), 0);
}

TEST_F(HttpApiTest, BadRequestsGetTheirStatusAndAMessageAndTheServerKeepsServing) {
  auto server = Serve();
  auto call = [&](const std::string& args, const std::string& path,
                  const std::string& token = "s3cret") { return Call(args, path, token); };
  auto message = [](const std::string& body) {
    google::protobuf::Struct error;
    if (!google::protobuf::util::JsonStringToMessage(body, &error).ok()) return std::string();
    return error.fields().at("message").string_value();
  };
  EXPECT_EQ(call("", "/healthz", "").second, 200) << "health needs no token";
  auto none = call("", "/api/v1/incidents", "");
  EXPECT_EQ(none.second, 401);
  EXPECT_EQ(message(none.first), "no bearer token");
  auto wrong = call("", "/metrics", "s3cre7");
  EXPECT_EQ(wrong.second, 401);
  EXPECT_EQ(message(wrong.first), "wrong bearer token");
  EXPECT_EQ(call("", "/readyz", "").second, 401);
  EXPECT_EQ(call("", "/readyz").second, 200);

  std::string json = "-H 'Content-Type: application/json' -d ";
  auto malformed = call(json + "'{\"entity\": '", "/api/v1/why");
  EXPECT_EQ(malformed.second, 400);
  EXPECT_THAT(message(malformed.first), HasSubstr("request body"));
  auto wrong_type = call(json + "'{\"entity\": \"pod/a/b\", \"causes\": \"many\"}'", "/api/v1/why");
  EXPECT_EQ(wrong_type.second, 400);
  EXPECT_THAT(message(wrong_type.first), HasSubstr("causes"));
  auto unknown_field = call(json + "'{\"pod\": \"a\"}'", "/api/v1/why");
  EXPECT_EQ(unknown_field.second, 400);
  EXPECT_THAT(message(unknown_field.first), HasSubstr("pod"));
  auto unknown = call("", "/api/v1/why?entity=pod/shop/no-such-pod");
  EXPECT_EQ(unknown.second, 404);
  EXPECT_THAT(message(unknown.first), HasSubstr("Pod/shop/no-such-pod"));
  auto badly_named = call("", "/api/v1/why?entity=nonsense");
  EXPECT_EQ(badly_named.second, 400);
  EXPECT_EQ(call("", "/api/v1/incidents/99").second, 404);
  auto too_many = call("", "/api/v1/events?limit=5000");
  EXPECT_EQ(too_many.second, 400);
  EXPECT_THAT(message(too_many.first), HasSubstr("limit 5000"));
  std::string big = dir_ + "/big.json";
  std::ofstream(big) << "{\"entity\": \"" << std::string(2 << 20, 'x') << "\"}";
  EXPECT_EQ(call(json + "@" + big, "/api/v1/why").second, 413);

  EXPECT_EQ(call("", "/healthz", "").second, 200);
  EXPECT_EQ(call("", "/api/v1/incidents").second, 200);
  EXPECT_EQ(server->Stop(), 0);
}

}  // namespace
}  // namespace tapio
