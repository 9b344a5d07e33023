// A collector's registration and heartbeats with `tapio serve` as an operator runs it: the
// collector gets the configuration of the server's tapio.yaml, `tapio status` shows who it is
// and what it last reported, a SIGHUP after the file changed pushes the new configuration to
// it at once, a broken file keeps the settings in force, a collector that stops reporting is
// shown silent, and calls that are wrong get a status and a message naming what is wrong.
#include "transport/collector_control.h"

#include <signal.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tapio/v1/collector.grpc.pb.h"
#include "tapio/v1/tapio_service.pb.h"
#include "tests/support/run_command.h"
#include "tests/support/serve_fixture.h"
#include "transport/event_shipper.h"

namespace tapio {
namespace {

using ::tapio::testing::ServeTest;
using ::testing::HasSubstr;

using Deadline = std::chrono::steady_clock::time_point;

Deadline In(int seconds) {
  return std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
}

// Polls `done` until it holds or the deadline passes; returns whether it held.
bool Eventually(const std::function<bool()>& done, Deadline deadline) {
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

std::vector<v1::UnifiedEvent> Events(uint64_t first, int n) {
  std::vector<v1::UnifiedEvent> events(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    v1::UnifiedEvent& e = events[static_cast<size_t>(i)];
    e.set_id(first + static_cast<uint64_t>(i));
    e.set_time_unix_nano(1'772'360'100'000'000'000 + static_cast<uint64_t>(i));
    e.set_source(v1::SOURCE_KERNEL);
    e.set_type("kernel.process_exit");
    e.set_severity(v1::SEVERITY_WARNING);
    e.mutable_entity()->set_kind("Node");
    e.mutable_entity()->set_name("node-1");
  }
  return events;
}

class CollectorControlTest : public ServeTest {
 protected:
  void WriteConfig(const std::string& text) { std::ofstream(dir_ + "/tapio.yaml") << text; }

  std::unique_ptr<testing::TapioProcess> ServeWithConfig() {
    return Serve(0, {"--config", dir_ + "/tapio.yaml"});
  }

  // What `tapio status --output json` says of `id`; an empty status when it names none.
  v1::CollectorStatus StatusOf(const std::string& id) {
    auto said =
        ::tapio::testing::RunCommand(absl::StrCat(TAPIO_BINARY, " status --output json --server ",
                                                  Address(), " --token-file ", dir_, "/token"));
    v1::ServerStatus status;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(said.output, &status).ok())
        << said.output;
    for (const v1::CollectorStatus& c : status.collectors()) {
      if (c.id() == id) return c;
    }
    return {};
  }

  transport::CollectorControl::Options Control() const {
    transport::CollectorControl::Options o;
    o.target = Address();
    o.token = "s3cret";
    o.registration.set_collector_id("agent/node-1");
    o.registration.set_kind("agent");
    o.registration.set_node("node-1");
    o.registration.set_version("9.9.9");
    o.registration.add_sources("kernel: kmsg");
    o.first_backoff = absl::Milliseconds(20);
    o.max_backoff = absl::Milliseconds(200);
    return o;
  }

  std::unique_ptr<grpc::ClientContext> Call(const std::string& token = "s3cret") const {
    auto context = std::make_unique<grpc::ClientContext>();
    if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return context;
  }
};

TEST_F(CollectorControlTest, ACollectorRunsWithTheServersConfigurationAndGetsEachChangePushed) {
  WriteConfig("collectors:\n  batch_events: 50\n  heartbeat_interval: 200ms\n");
  auto server = ServeWithConfig();
  auto shipper = *transport::EventShipper::Start(Shipping());
  absl::Mutex mu;
  std::vector<uint32_t> batch_sizes;
  auto control = *transport::CollectorControl::Start(
      Control(),
      [&] {
        v1::CollectorHeartbeat beat;
        beat.set_events_seen(shipper->counts().seen);
        beat.set_events_acked(shipper->counts().acked);
        return beat;
      },
      [&](const v1::CollectorConfig& config) {
        absl::MutexLock lock(&mu);
        batch_sizes.push_back(config.batch_events());
      });
  ASSERT_TRUE(Eventually([&] { return control->config().generation() == 1; }, In(20)))
      << control->last_error();
  EXPECT_EQ(control->config().batch_events(), 50u);
  EXPECT_EQ(google::protobuf::util::TimeUtil::DurationToMilliseconds(
                control->config().heartbeat_interval()),
            200);

  shipper->Submit(Events(1, 120));
  ASSERT_TRUE(shipper->Drain(absl::Seconds(20))) << shipper->counts().last_error;
  v1::CollectorStatus status;
  ASSERT_TRUE(Eventually(
      [&] {
        status = StatusOf("agent/node-1");
        return status.events_acked() == 120;
      },
      In(20)))
      << "the heartbeats report what the collector had acknowledged";
  EXPECT_EQ(status.kind(), "agent");
  EXPECT_EQ(status.node(), "node-1");
  EXPECT_EQ(status.version(), "9.9.9");
  ASSERT_EQ(status.sources_size(), 1);
  EXPECT_EQ(status.sources(0), "kernel: kmsg");
  EXPECT_EQ(status.config_generation(), 1u);
  EXPECT_EQ(status.events_stored(), 120u) << "and the server's own figures stand beside them";
  EXPECT_FALSE(status.silent());

  WriteConfig("collectors:\n  batch_events: 7\n  heartbeat_interval: 200ms\n");
  server->Signal(SIGHUP);
  ASSERT_TRUE(Eventually([&] { return control->config().generation() == 2; }, In(20)));
  EXPECT_EQ(control->config().batch_events(), 7u);
  {
    absl::MutexLock lock(&mu);
    EXPECT_EQ(batch_sizes, (std::vector<uint32_t>{50, 7})) << "each configuration handed on once";
  }
  EXPECT_TRUE(Eventually([&] { return StatusOf("agent/node-1").config_generation() == 2; }, In(20)))
      << "the collector's next heartbeat says it runs the new configuration";

  control.reset();
  EXPECT_TRUE(Eventually([&] { return StatusOf("agent/node-1").silent(); }, In(20)))
      << "three heartbeat intervals without a heartbeat";
  shipper.reset();
  EXPECT_EQ(server->Stop(), 0);
}

TEST_F(CollectorControlTest, ABrokenFileReadOnSighupKeepsTheSettingsInForce) {
  WriteConfig("collectors:\n  batch_events: 50\n");
  auto server = ServeWithConfig();
  auto control = *transport::CollectorControl::Start(Control(), nullptr, nullptr);
  ASSERT_TRUE(Eventually([&] { return control->config().generation() == 1; }, In(20)));

  WriteConfig("collectors:\n  batch_events: lots\n");
  server->Signal(SIGHUP);
  std::string said = server->Line(/*from_stderr=*/true, In(20));
  EXPECT_THAT(said, HasSubstr("SIGHUP: keeping the settings in force"));
  EXPECT_THAT(said, HasSubstr("tapio.yaml:2: collectors.batch_events"));

  WriteConfig("collectors:\n  batch_events: 50\n");
  server->Signal(SIGHUP);
  EXPECT_THAT(server->Line(/*from_stderr=*/true, In(20)), HasSubstr("collector configuration 1"))
      << "the same settings read again are not a new configuration";
  EXPECT_EQ(control->config().batch_events(), 50u);
  control.reset();
  EXPECT_EQ(server->Stop(), 0);
}

TEST_F(CollectorControlTest, WrongCallsAreRefusedWithAReasonAndTheServerGoesOn) {
  auto server = Serve();
  auto stub = v1::CollectorService::NewStub(
      grpc::CreateChannel(Address(), grpc::InsecureChannelCredentials()));

  v1::CollectorConfig config;
  grpc::Status unnamed = stub->Register(Call().get(), v1::Registration(), &config);
  EXPECT_EQ(unnamed.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(unnamed.error_message(), HasSubstr("collector_id"));

  v1::Registration who;
  who.set_collector_id("agent/node-9");
  grpc::Status no_token = stub->Register(Call("").get(), who, &config);
  EXPECT_EQ(no_token.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  grpc::Status wrong_token = stub->Register(Call("guess").get(), who, &config);
  EXPECT_EQ(wrong_token.error_code(), grpc::StatusCode::UNAUTHENTICATED);

  {
    auto context = Call();
    auto stream = stub->Heartbeat(context.get());
    v1::CollectorHeartbeat beat;
    beat.set_collector_id("agent/never-registered");
    stream->Write(beat);
    stream->WritesDone();
    grpc::Status unknown = stream->Finish();
    EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_THAT(unknown.error_message(),
                HasSubstr("\"agent/never-registered\" has not registered"));
  }

  grpc::Status registered = stub->Register(Call().get(), who, &config);
  ASSERT_TRUE(registered.ok()) << registered.error_message();
  EXPECT_EQ(config.generation(), 1u);
  EXPECT_EQ(config.batch_events(), 5000u) << "the default of collectors.batch_events";
  stub.reset();
  EXPECT_EQ(server->Stop(), 0);
}

}  // namespace
}  // namespace tapio
