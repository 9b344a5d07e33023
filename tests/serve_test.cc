// `tapio serve` as an operator runs it, with an agent's event stream (the shipper the agent
// uses, or `tapio replay`) and the command line as clients over loopback: what is sent is
// stored once and read back; an incident sent in is found, followed by `tapio insights` and
// explained by `tapio why`; a server killed with SIGKILL mid-stream loses nothing it
// acknowledged, gets the rest again after its restart, and stores no event twice; bad calls
// are refused and the server keeps serving.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "collectors/scenario/expected_outcome.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "storage/sqlite/sqlite_store.h"
#include "tapio/v1/collector.grpc.pb.h"
#include "tapio/v1/correlation_service.pb.h"
#include "tapio/v1/event_service.grpc.pb.h"
#include "tapio/v1/report.pb.h"
#include "tapio/v1/tapio_service.pb.h"
#include "tests/support/poll.h"
#include "tests/support/run_command.h"
#include "tests/support/serve_fixture.h"
#include "tests/support/tapio_process.h"
#include "transport/event_shipper.h"

namespace tapio {
namespace {

using ::tapio::testing::MakeCertificates;
using ::tapio::testing::ServeTest;
using ::tapio::testing::TapioProcess;
using ::testing::HasSubstr;

constexpr int64_t kT0 = 1'772'360'100'000'000'000;

std::vector<v1::UnifiedEvent> Events(uint64_t first, int n, const std::string& pod) {
  std::vector<v1::UnifiedEvent> events(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    v1::UnifiedEvent& e = events[static_cast<size_t>(i)];
    e.set_id(first + static_cast<uint64_t>(i));
    e.set_time_unix_nano(static_cast<uint64_t>(kT0 + i));
    e.set_observed_time_unix_nano(static_cast<uint64_t>(kT0 + i));
    e.set_source(v1::SOURCE_KERNEL);
    e.set_type("kernel.oom_kill");
    e.set_severity(v1::SEVERITY_ERROR);
    e.mutable_entity()->set_kind("Pod");
    e.mutable_entity()->set_namespace_("shop");
    e.mutable_entity()->set_name(pod);
  }
  return events;
}

uint64_t StoredEvents(const std::string& path) {
  auto store = storage::sqlite::SqliteStore::Open({path});
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *(*store)->EventCount() : 0;
}

TEST_F(ServeTest, WhatAnAgentSendsIsStoredOnceAndReadBackByTheCommandLine) {
  auto server = Serve();
  auto shipper = *transport::EventShipper::Start(Shipping());
  shipper->Submit(Events(1, 300, "api-0"));
  shipper->Submit(Events(1001, 200, "web-0"));
  shipper->Submit(Events(1, 300, "api-0"));  // sent again: stored once
  ASSERT_TRUE(shipper->Drain(absl::Seconds(20))) << shipper->counts().last_error;

  auto listed = ::tapio::testing::RunCommand(
      absl::StrCat(TAPIO_BINARY, " events --server ", Address(), " --token-file ", dir_,
                   "/token --entity pod/shop/api-0 --output json"));
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  std::vector<std::string> lines = absl::StrSplit(listed.output, '\n', absl::SkipEmpty());
  EXPECT_EQ(lines.size(), 300u);
  EXPECT_THAT(lines.front(), HasSubstr("\"name\":\"api-0\""));

  // The server says who streams to it, and what became of what each sent.
  auto status =
      ::tapio::testing::RunCommand(absl::StrCat(TAPIO_BINARY, " status --output json --server ",
                                                Address(), " --token-file ", dir_, "/token"));
  ASSERT_EQ(status.exit_code, 0) << status.output;
  v1::ServerStatus said;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(status.output, &said).ok())
      << status.output;
  EXPECT_TRUE(said.ready());
  ASSERT_EQ(said.collectors_size(), 1) << status.output;
  EXPECT_EQ(said.collectors(0).id(), "agent/node-1");
  EXPECT_EQ(said.collectors(0).streams(), 1u);
  EXPECT_EQ(said.collectors(0).events_stored(), 500u);
  EXPECT_EQ(said.collectors(0).events_duplicate(), 300u);
  shipper.reset();
  EXPECT_EQ(server->Stop(), 0);
  EXPECT_EQ(StoredEvents(dir_ + "/tapio.db"), 500u);
}

TEST_F(ServeTest, AServerKilledMidStreamKeepsWhatItAcknowledgedAndGetsTheRestOnce) {
  auto server = Serve();
  const int port = port_;
  auto shipper = *transport::EventShipper::Start(Shipping());
  constexpr int kBatches = 40;
  for (int b = 0; b < kBatches / 2; ++b) {
    shipper->Submit(Events(static_cast<uint64_t>(b) * 500 + 1, 500, "api-0"));
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (shipper->counts().acked < 2000 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  for (int b = kBatches / 2; b < kBatches; ++b) {
    shipper->Submit(Events(static_cast<uint64_t>(b) * 500 + 1, 500, "api-0"));
  }
  server->Stop(SIGKILL);
  const uint64_t acked = shipper->counts().acked;
  ASSERT_GE(acked, 2000u);
  EXPECT_GE(StoredEvents(dir_ + "/tapio.db"), acked) << "everything acknowledged survived";

  auto again = Serve(port);
  ASSERT_TRUE(shipper->Drain(absl::Seconds(30))) << shipper->counts().last_error;
  EXPECT_EQ(shipper->counts().acked, uint64_t{kBatches} * 500);
  shipper.reset();
  EXPECT_EQ(again->Stop(), 0);
  EXPECT_EQ(StoredEvents(dir_ + "/tapio.db"), uint64_t{kBatches} * 500)
      << "every event once: none lost, none twice";
}

// A collector keeps its stream open between batches. Stopping ends those streams instead of
// waiting out the grace `tapio serve` gives calls in flight (5 s); the collector sends what
// followed to the next server, and nothing is stored twice.
TEST_F(ServeTest, AStoppingServerEndsOpenCollectorStreamsRatherThanWaitingOutItsGrace) {
  auto server = Serve();
  const int port = port_;
  auto shipper = *transport::EventShipper::Start(Shipping());
  shipper->Submit(Events(1, 500, "api-0"));
  ASSERT_TRUE(shipper->Drain(absl::Seconds(20))) << shipper->counts().last_error;
  auto began = std::chrono::steady_clock::now();
  EXPECT_EQ(server->Stop(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(5));

  shipper->Submit(Events(501, 500, "api-0"));
  auto again = Serve(port);
  ASSERT_TRUE(shipper->Drain(absl::Seconds(30))) << shipper->counts().last_error;
  EXPECT_EQ(shipper->counts().acked, 1000u);
  shipper.reset();
  EXPECT_EQ(again->Stop(), 0);
  EXPECT_EQ(StoredEvents(dir_ + "/tapio.db"), 1000u);
}

// `tapio events --follow` prints each matching event as it is stored, and only those; with
// --since it first lists what was stored before, and nothing twice.
TEST_F(ServeTest, EventsAreFollowedFromTheCommandLineAsTheyAreStored) {
  auto server = Serve();
  auto shipper = *transport::EventShipper::Start(Shipping());
  shipper->Submit(Events(1, 10, "api-0"));
  ASSERT_TRUE(shipper->Drain(absl::Seconds(20))) << shipper->counts().last_error;

  TapioProcess follower({"events", "--follow", "--since", "24000h", "--entity", "pod/shop/api-0",
                         "--output", "json", "--server", Address(), "--token-file",
                         dir_ + "/token"});
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::vector<uint64_t> ids;
  auto next_id = [&] {
    v1::UnifiedEvent e;
    std::string line = follower.Line(/*from_stderr=*/false, deadline);
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(line, &e).ok()) << line;
    EXPECT_EQ(e.entity().name(), "api-0") << line;
    return e.id();
  };
  for (int i = 0; i < 10; ++i) ids.push_back(next_id());
  EXPECT_THAT(follower.Line(/*from_stderr=*/true, deadline), HasSubstr("following"));

  shipper->Submit(Events(101, 5, "web-0"));
  shipper->Submit(Events(1, 10, "api-0"));  // sent again: stored once, so not shown again
  shipper->Submit(Events(201, 5, "api-0"));
  ASSERT_TRUE(shipper->Drain(absl::Seconds(20))) << shipper->counts().last_error;
  for (int i = 0; i < 5; ++i) ids.push_back(next_id());
  std::vector<uint64_t> expected;
  for (uint64_t id = 1; id <= 10; ++id) expected.push_back(id);
  for (uint64_t id = 201; id <= 205; ++id) expected.push_back(id);
  EXPECT_EQ(ids, expected);
  EXPECT_EQ(follower.Line(/*from_stderr=*/false,
                          std::chrono::steady_clock::now() + std::chrono::milliseconds(300)),
            "")
      << "nothing else matches";
  follower.Stop();
  shipper.reset();
  EXPECT_EQ(server->Stop(), 0);
}

// Retention removes events older than its age, by their own time, and keeps the newer ones;
// /metrics counts what it removed.
TEST_F(ServeTest, RetentionRemovesEventsOlderThanItsAgeAndKeepsTheNewer) {
  std::ofstream(dir_ + "/tapio.yaml") << "store:\n  retention: 1h\n  retention_interval: 1s\n";
  auto server = Serve(0, {"--config", dir_ + "/tapio.yaml"});
  const int64_t now = absl::ToUnixNanos(absl::Now());
  std::vector<v1::UnifiedEvent> old_events = Events(1, 40, "old-0");
  std::vector<v1::UnifiedEvent> new_events = Events(1001, 60, "new-0");
  for (auto* events : {&old_events, &new_events}) {
    const int64_t start = events == &old_events ? now - absl::ToInt64Nanoseconds(absl::Hours(2))
                                                : now - absl::ToInt64Nanoseconds(absl::Minutes(1));
    for (size_t i = 0; i < events->size(); ++i) {
      (*events)[i].set_time_unix_nano(static_cast<uint64_t>(start) + i);
    }
  }
  auto shipper = *transport::EventShipper::Start(Shipping());
  shipper->Submit(old_events);
  shipper->Submit(new_events);
  ASSERT_TRUE(shipper->Drain(absl::Seconds(20))) << shipper->counts().last_error;
  auto stored = [&](const std::string& pod) {
    auto listed = ::tapio::testing::RunCommand(
        absl::StrCat(TAPIO_BINARY, " events --server ", Address(), " --token-file ", dir_,
                     "/token --entity pod/shop/", pod, " --limit 1000 --output json"));
    EXPECT_EQ(listed.exit_code, 0) << listed.output;
    std::vector<std::string> lines = absl::StrSplit(listed.output, '\n', absl::SkipEmpty());
    return lines.size();
  };
  EXPECT_TRUE(::tapio::testing::PollUntil([&] { return stored("old-0") == 0; }))
      << "events two hours old outlive a retention of one hour";
  EXPECT_EQ(stored("new-0"), 60u);
  httplib::Client http("127.0.0.1", http_port_);
  httplib::Result metrics = http.Get("/metrics", {{"Authorization", "Bearer s3cret"}});
  ASSERT_TRUE(metrics) << "no answer from /metrics";
  EXPECT_THAT(metrics->body,
              HasSubstr("tapio_store_retention_removed_total{what=\"events\"} 40\n"));
  EXPECT_EQ(server->Stop(), 0);
}

// A collector over its rate has batches refused with a reason; its shipper sends them again
// after reconnecting, and in the end every event is stored once. The first batch spends
// 3.6 s of the rate at once, so the second is refused unless storing the first takes longer
// than that, however slow the build.
TEST_F(ServeTest, ACollectorOverItsRateIsSlowedAndLosesNothing) {
  auto server =
      Serve(0, std::vector<std::string>{"--collector-rate", "250", "--collector-burst", "100"});
  transport::EventShipper::Options options = Shipping();
  options.batch_events = 1000;
  auto shipper = *transport::EventShipper::Start(options);
  shipper->Submit(Events(1, 1000, "api-0"));
  shipper->Submit(Events(1001, 1000, "api-0"));
  ASSERT_TRUE(shipper->Drain(absl::Seconds(30))) << shipper->counts().last_error;
  transport::EventShipper::Counts counts = shipper->counts();
  EXPECT_GE(counts.reconnects, 1u);
  EXPECT_THAT(counts.last_error, HasSubstr("collector agent/node-1 is over its rate"));
  shipper.reset();
  EXPECT_EQ(server->Stop(), 0);
  EXPECT_EQ(StoredEvents(dir_ + "/tapio.db"), 2000u);
}

TEST_F(ServeTest, OverTlsTheAgentsStreamAndTheCommandLineGetThroughAndPlaintextDoesNot) {
  MakeCertificates(dir_);
  auto server = Serve(0, std::vector<std::string>{"--tls-cert", dir_ + "/server.pem", "--tls-key",
                                                  dir_ + "/server.key"});
  transport::EventShipper::Options options = Shipping();
  options.ca_file = dir_ + "/ca.pem";
  auto shipper = *transport::EventShipper::Start(options);
  shipper->Submit(Events(1, 50, "api-0"));
  ASSERT_TRUE(shipper->Drain(absl::Seconds(20))) << shipper->counts().last_error;

  std::string events = absl::StrCat(TAPIO_BINARY, " events --server ", Address(), " --token-file ",
                                    dir_, "/token --output json");
  auto secure = ::tapio::testing::RunCommand(events + " --ca-file " + dir_ + "/ca.pem");
  ASSERT_EQ(secure.exit_code, 0) << secure.output;
  EXPECT_EQ(std::vector<std::string>(absl::StrSplit(secure.output, '\n', absl::SkipEmpty())).size(),
            50u);
  auto plain = ::tapio::testing::RunCommand(events);
  EXPECT_EQ(plain.exit_code, 1) << plain.output;
  shipper.reset();
  EXPECT_EQ(server->Stop(), 0);
}

// A server that asks for client certificates lets in, over gRPC and HTTP, only the clients
// that present one signed by its CA.
TEST_F(ServeTest, AServerAskingForClientCertificatesLetsInOnlyThoseWithOne) {
  MakeCertificates(dir_);
  auto server =
      Serve(0, std::vector<std::string>{"--tls-cert", dir_ + "/server.pem", "--tls-key",
                                        dir_ + "/server.key", "--client-ca", dir_ + "/ca.pem"});
  std::string tls = absl::StrCat(" --server ", Address(), " --token-file ", dir_,
                                 "/token --ca-file ", dir_, "/ca.pem");
  std::string cert =
      absl::StrCat(" --cert-file ", dir_, "/client.pem --key-file ", dir_, "/client.key");
  auto replayed = ::tapio::testing::RunCommand(
      absl::StrCat(TAPIO_BINARY, " replay ", TAPIO_DEMO_INCIDENT, tls, cert));
  ASSERT_EQ(replayed.exit_code, 0) << replayed.output;
  auto with = ::tapio::testing::RunCommand(
      absl::StrCat(TAPIO_BINARY, " incidents --output json", tls, cert));
  EXPECT_EQ(with.exit_code, 0) << with.output;
  EXPECT_THAT(with.output, HasSubstr("\"incidents\":[{"));
  auto without = ::tapio::testing::RunCommand(absl::StrCat(TAPIO_BINARY, " incidents", tls));
  EXPECT_EQ(without.exit_code, 1) << without.output;
  auto half = ::tapio::testing::RunCommand(
      absl::StrCat(TAPIO_BINARY, " incidents", tls, " --cert-file ", dir_, "/client.pem"));
  EXPECT_EQ(half.exit_code, 2);
  EXPECT_THAT(half.output, HasSubstr("needs both"));

  std::string curl = absl::StrCat("curl -sS -o /dev/null -w '%{http_code}' --cacert ", dir_,
                                  "/ca.pem -H 'Authorization: Bearer s3cret' ");
  std::string url = absl::StrCat(" https://127.0.0.1:", http_port_, "/readyz");
  auto http_with = ::tapio::testing::RunCommand(
      absl::StrCat(curl, "--cert ", dir_, "/client.pem --key ", dir_, "/client.key", url));
  EXPECT_EQ(http_with.output, "200") << http_with.output;
  auto http_without = ::tapio::testing::RunCommand(curl + url);
  EXPECT_NE(http_without.exit_code, 0) << http_without.output;
  EXPECT_EQ(server->Stop(), 0);
}

// The bundled incident, sent the way its collectors would have over TLS with a token: the
// follower hears of the incident as it opens, the events are stored, and `tapio why` ranks the
// root cause its expected.yaml names first.
TEST_F(ServeTest, AnIncidentSentInIsFollowedAndExplainedOverTlsWithAToken) {
  MakeCertificates(dir_);
  auto server = Serve(0, std::vector<std::string>{"--tls-cert", dir_ + "/server.pem", "--tls-key",
                                                  dir_ + "/server.key"});
  std::vector<std::string> client = {"--server",      Address(),   "--token-file",
                                     dir_ + "/token", "--ca-file", dir_ + "/ca.pem"};
  std::vector<std::string> follow = {"insights", "--follow"};
  follow.insert(follow.end(), client.begin(), client.end());
  TapioProcess follower(follow);
  EXPECT_THAT(follower.Line(/*from_stderr=*/true,
                            std::chrono::steady_clock::now() + std::chrono::seconds(20)),
              HasSubstr("following"));
  std::string flags = absl::StrCat(" --server ", Address(), " --token-file ", dir_,
                                   "/token --ca-file ", dir_, "/ca.pem");

  const std::string incident = TAPIO_DEMO_INCIDENT;
  auto replayed =
      ::tapio::testing::RunCommand(absl::StrCat(TAPIO_BINARY, " replay ", incident, flags));
  ASSERT_EQ(replayed.exit_code, 0) << replayed.output;
  EXPECT_THAT(replayed.output, HasSubstr("all acknowledged"));

  auto expected = collectors::scenario::ReadExpectedOutcome(incident + "/expected.yaml");
  ASSERT_TRUE(expected.ok()) << expected.status();
  const collectors::scenario::EntityName& symptom = expected->symptom;
  std::string asked = absl::StrCat(absl::AsciiStrToLower(symptom.kind), "/", symptom.namespace_name,
                                   "/", symptom.name);

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::string heard;
  while (heard.find("opened") == std::string::npos) {
    heard = follower.Line(/*from_stderr=*/false, deadline);
    if (heard.empty()) break;
  }
  EXPECT_THAT(heard, HasSubstr("incident 1 opened"));
  EXPECT_THAT(heard,
              HasSubstr(absl::StrCat(expected->root_cause.category, " at ",
                                     expected->root_cause.kind, "/", expected->root_cause.name)));

  auto events = ::tapio::testing::RunCommand(
      absl::StrCat(TAPIO_BINARY, " events --entity ", asked, " --type k8s.pod_evicted", flags));
  ASSERT_EQ(events.exit_code, 0) << events.output;
  EXPECT_THAT(events.output, HasSubstr(absl::StrCat("Pod/", symptom.namespace_name, "/",
                                                    symptom.name, "  k8s.pod_evicted")));

  auto why = ::tapio::testing::RunCommand(
      absl::StrCat(TAPIO_BINARY, " why ", asked, " --output json", flags));
  ASSERT_EQ(why.exit_code, 0) << why.output;
  v1::WhyReport report;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(why.output, &report).ok()) << why.output;
  ASSERT_GT(report.causes_size(), 0) << why.output;
  EXPECT_EQ(report.causes(0).category(), expected->root_cause.category);
  EXPECT_EQ(report.causes(0).entity().name(), expected->root_cause.name);
  EXPECT_GT(report.causes(0).chain_size(), 1);

  auto unknown =
      ::tapio::testing::RunCommand(absl::StrCat(TAPIO_BINARY, " why pod/shop/no-such-pod", flags));
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.output, HasSubstr("Pod/shop/no-such-pod"));
  EXPECT_EQ(server->Stop(), 0);
}

// A server killed and started again on its store answers as before: its topology and incidents
// are rebuilt from what it stored, in the order it stored it.
TEST_F(ServeTest, ARestartedServerRebuildsItsIncidentsFromTheStore) {
  std::string flags = absl::StrCat(" --token-file ", dir_, "/token");
  auto server = Serve();
  EXPECT_THAT(rebuilt_, HasSubstr("rebuilt from 0 stored event(s)"));
  auto replayed = ::tapio::testing::RunCommand(
      absl::StrCat(TAPIO_BINARY, " replay ", TAPIO_DEMO_INCIDENT, " --server ", Address(), flags));
  ASSERT_EQ(replayed.exit_code, 0) << replayed.output;
  auto ask = [&](const std::string& what) {
    return ::tapio::testing::RunCommand(
        absl::StrCat(TAPIO_BINARY, " ", what, " --output json --server ", Address(), flags));
  };
  auto expected = collectors::scenario::ReadExpectedOutcome(
      absl::StrCat(TAPIO_DEMO_INCIDENT, "/expected.yaml"));
  ASSERT_TRUE(expected.ok()) << expected.status();
  const auto& s = expected->symptom;
  std::string why =
      absl::StrCat("why ", absl::AsciiStrToLower(s.kind), "/", s.namespace_name, "/", s.name);
  auto before_incidents = ask("incidents");
  ASSERT_EQ(before_incidents.exit_code, 0) << before_incidents.output;
  v1::IncidentList incidents;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(before_incidents.output, &incidents).ok());
  ASSERT_EQ(incidents.incidents_size(), 1) << before_incidents.output;
  // As of a fixed time: asked as of "now", the answer moves with the server's clock.
  why += " --at " + google::protobuf::util::TimeUtil::ToString(incidents.incidents(0).updated());
  auto before_why = ask(why);
  ASSERT_EQ(before_why.exit_code, 0) << before_why.output;
  server->Stop(SIGKILL);

  auto restarted = Serve(port_);
  EXPECT_THAT(rebuilt_, HasSubstr(absl::StrCat("rebuilt from ", StoredEvents(dir_ + "/tapio.db"),
                                               " stored event(s): 1 incident(s) open")));
  EXPECT_EQ(ask("incidents").output, before_incidents.output);
  EXPECT_EQ(ask(why).output, before_why.output);
  EXPECT_EQ(restarted->Stop(), 0);
}

// `tapio correlate` finds every stored event of a trace — the same ones a scan of the store
// finds — and traces the failure in it to the incident's true cause.
TEST_F(ServeTest, ATraceIsFollowedToWhatItTouchedAndToItsCause) {
  auto server = Serve();
  std::string flags = absl::StrCat(" --server ", Address(), " --token-file ", dir_, "/token");
  auto replayed = ::tapio::testing::RunCommand(
      absl::StrCat(TAPIO_BINARY, " replay ", TAPIO_DEMO_INCIDENT, flags));
  ASSERT_EQ(replayed.exit_code, 0) << replayed.output;

  // Every stored event, a page at a time: which events each failing trace holds.
  auto events =
      v1::EventService::NewStub(grpc::CreateChannel(Address(), grpc::InsecureChannelCredentials()));
  std::map<std::string, std::set<uint64_t>> by_trace;
  std::set<std::string> failing;
  v1::EventQuery query;
  query.set_limit(1000);
  do {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer s3cret");
    v1::EventPage page;
    ASSERT_TRUE(events->Query(&context, query, &page).ok());
    for (const v1::UnifiedEvent& e : page.events()) {
      if (e.trace().trace_id().empty()) continue;
      std::string trace = absl::BytesToHexString(e.trace().trace_id());
      by_trace[trace].insert(e.id());
      if (e.severity() >= v1::SEVERITY_ERROR) failing.insert(trace);
    }
    query.set_page_token(page.next_page_token());
  } while (!query.page_token().empty());
  ASSERT_FALSE(failing.empty()) << "the incident's traces hold no failure";
  const std::string& trace = *failing.begin();

  auto correlated = ::tapio::testing::RunCommand(
      absl::StrCat(TAPIO_BINARY, " correlate --trace-id ", trace, " --output json", flags));
  ASSERT_EQ(correlated.exit_code, 0) << correlated.output;
  v1::Correlation correlation;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(correlated.output, &correlation).ok())
      << correlated.output;
  std::set<uint64_t> got;
  for (const v1::UnifiedEvent& e : correlation.events()) got.insert(e.id());
  EXPECT_EQ(got, by_trace[trace]);
  auto expected = collectors::scenario::ReadExpectedOutcome(
      absl::StrCat(TAPIO_DEMO_INCIDENT, "/expected.yaml"));
  ASSERT_TRUE(expected.ok()) << expected.status();
  ASSERT_GT(correlation.causes_size(), 0) << correlated.output;
  EXPECT_EQ(correlation.causes(0).category(), expected->root_cause.category);
  EXPECT_EQ(correlation.causes(0).entity().name(), expected->root_cause.name);

  auto malformed = ::tapio::testing::RunCommand(
      absl::StrCat(TAPIO_BINARY, " correlate --trace-id not-a-trace", flags));
  EXPECT_EQ(malformed.exit_code, 2);
  EXPECT_THAT(malformed.output, HasSubstr("is not 32 hex digits"));
  events.reset();
  EXPECT_EQ(server->Stop(), 0);
}

TEST_F(ServeTest, BadCallsAreRefusedAndTheServerKeepsServing) {
  auto server = Serve();
  auto channel = grpc::CreateChannel(Address(), grpc::InsecureChannelCredentials());
  auto events = v1::EventService::NewStub(channel);
  auto query = [&](const std::string& token, uint32_t limit) {
    grpc::ClientContext context;
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    v1::EventQuery q;
    q.set_limit(limit);
    v1::EventPage page;
    return events->Query(&context, q, &page);
  };
  grpc::Status none = query("", 10);
  EXPECT_EQ(none.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(none.error_message(), "no bearer token");
  EXPECT_EQ(query("s3cre7", 10).error_message(), "wrong bearer token");
  EXPECT_EQ(query("s3cret", 5000).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // A malformed event is refused and counted; the good ones in its batch are kept.
  auto shipper = *transport::EventShipper::Start(Shipping());
  std::vector<v1::UnifiedEvent> batch = Events(1, 3, "api-0");
  batch[1].set_source(static_cast<v1::Source>(99));
  shipper->Submit(batch);
  ASSERT_TRUE(shipper->Drain(absl::Seconds(20)));

  // An oversized message is refused by size, and the server still answers.
  {
    auto collector = v1::CollectorService::NewStub(channel);
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer s3cret");
    auto stream = collector->Stream(&context);
    v1::EventBatch huge;
    huge.add_events()->set_raw(std::string(17 << 20, 'x'));
    stream->Write(huge);
    stream->WritesDone();
    EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
  // Bytes that are no protobuf at all are refused, and the server still answers.
  {
    grpc::GenericStub generic(channel);
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer s3cret");
    const std::string garbage = "\xff\xff\xff\xff not a message";
    grpc::Slice slice(garbage);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    generic.UnaryCall(&context, "/tapio.v1.CorrelationService/Why", grpc::StubOptions(), &request,
                      &response, [&](grpc::Status status) { done.set_value(status); });
    grpc::Status status = done.get_future().get();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("CorrelationService/Why"));
  }
  EXPECT_TRUE(query("s3cret", 10).ok());
  shipper.reset();
  EXPECT_EQ(server->Stop(), 0);
  std::string summary = server->Line(/*from_stderr=*/true,
                                     std::chrono::steady_clock::now() + std::chrono::seconds(5));
  for (int i = 0; i < 3 && summary.find("stopped") == std::string::npos; ++i) {
    summary = server->Line(true, std::chrono::steady_clock::now() + std::chrono::seconds(5));
  }
  EXPECT_THAT(summary, HasSubstr("2 event(s) stored, 0 duplicate, 1 rejected"));
}

}  // namespace
}  // namespace tapio
