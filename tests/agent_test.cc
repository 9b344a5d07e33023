// `tapio agent` run as a node's operator runs it, against the real kernel: the line that says
// which collector runs, a refused connection made while it runs printed as one JSON event or
// shipped to a server (an in-test receiver of CollectorService), and a clean stop on SIGTERM
// with what it counted; registered with `tapio serve`, it runs with the server's configuration
// and reports its kernel figures there.
// Needs root (in CI it must run; elsewhere it skips with the reason).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tapio/v1/event.pb.h"
#include "tapio/v1/tapio_service.pb.h"
#include "tests/support/ci.h"
#include "tests/support/loopback.h"
#include "tests/support/run_command.h"
#include "tests/support/serve_fixture.h"
#include "tests/support/tapio_process.h"
#include "transport/testing/collector_receiver.h"

namespace tapio {
namespace {

using ::tapio::testing::ServeTest;
using ::testing::HasSubstr;

using Agent = ::tapio::testing::TapioProcess;

#define TAPIO_REQUIRE_ROOT()                                                \
  do {                                                                      \
    if (geteuid() != 0) {                                                   \
      if (::tapio::testing::InCi())                                         \
        FAIL() << "CI=true but not root: the agent's kernel test must run"; \
      GTEST_SKIP() << "needs root to load the kernel programs";             \
    }                                                                       \
  } while (0)

bool IsOurRefusal(const v1::UnifiedEvent& event, uint16_t port) {
  return event.type() == "net.connection_refused" && event.network().dport() == port &&
         event.network().pid() == static_cast<uint32_t>(getpid());
}

TEST(AgentTest, PrintsARefusedConnectionAsOneJsonEventAndStopsCleanly) {
  TAPIO_REQUIRE_ROOT();
  Agent agent({"agent", "--stdout", "--kernel", "ebpf", "--for", "60s"});
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::string mode = agent.Line(/*from_stderr=*/true, deadline);
  ASSERT_THAT(mode, HasSubstr("kernel collector: eBPF")) << mode;

  uint16_t port = ::tapio::testing::ClosedPort();
  ASSERT_TRUE(::tapio::testing::RefuseOnce(port));

  bool found = false;
  while (!found) {
    std::string line = agent.Line(/*from_stderr=*/false, deadline);
    ASSERT_FALSE(line.empty()) << "no refused event for port " << port << " in time";
    v1::UnifiedEvent event;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &event).ok()) << line;
    found = IsOurRefusal(event, port);
    if (found) {
      EXPECT_EQ(event.source(), v1::SOURCE_KERNEL);
    }
  }
  EXPECT_EQ(agent.Stop(), 0);
  std::string summary = agent.Line(/*from_stderr=*/true, deadline);
  EXPECT_THAT(summary, HasSubstr("event(s) printed; records "));
  EXPECT_THAT(summary, HasSubstr("ring buffer drops 0"));
}

TEST(AgentTest, ShipsARefusedConnectionToTheServerWithItsToken) {
  TAPIO_REQUIRE_ROOT();
  transport::testing::Receiver receiver;
  transport::testing::CollectorServer server(&receiver);
  std::string token_file = absl::StrCat(::testing::TempDir(), "agent-token-", getpid());
  std::ofstream(token_file) << "s3cret\n";
  Agent agent({"agent", "--server", absl::StrCat("127.0.0.1:", server.port()), "--token-file",
               token_file, "--kernel", "ebpf", "--for", "60s"});
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  ASSERT_THAT(agent.Line(/*from_stderr=*/true, deadline), HasSubstr("kernel collector: eBPF"));

  uint16_t port = ::tapio::testing::ClosedPort();
  ASSERT_TRUE(::tapio::testing::RefuseOnce(port));
  auto delivered = [&] {
    for (const v1::UnifiedEvent& e : receiver.events()) {
      if (IsOurRefusal(e, port)) return true;
    }
    return false;
  };
  while (!delivered() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(delivered()) << "no refused event for port " << port << " reached the server";
  EXPECT_EQ(agent.Stop(), 0);
  std::string summary = agent.Line(/*from_stderr=*/true, deadline);
  EXPECT_THAT(summary, HasSubstr("acknowledged by 127.0.0.1:"));
  EXPECT_THAT(summary, HasSubstr(" 0 dropped"));
  std::remove(token_file.c_str());
}

// The agent as it runs against `tapio serve`: it registers, runs with the batching the
// server's tapio.yaml asks for, and `tapio status` shows who it is and what it reported.
TEST_F(ServeTest, AnAgentRegistersWithTheServerAndRunsWithItsConfiguration) {
  TAPIO_REQUIRE_ROOT();
  std::ofstream(dir_ + "/tapio.yaml") << "collectors:\n  batch_events: 25\n"
                                      << "  heartbeat_interval: 200ms\n";
  auto server = Serve(0, {"--config", dir_ + "/tapio.yaml"});
  Agent agent({"agent", "--server", Address(), "--token-file", dir_ + "/token", "--kernel", "kmsg",
               "--node", "node-7", "--for", "60s"});
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  ASSERT_THAT(agent.Line(/*from_stderr=*/true, deadline),
              HasSubstr("kernel collector: kernel log"));
  EXPECT_THAT(agent.Line(/*from_stderr=*/true, deadline),
              HasSubstr("the server's configuration 1: batches of 25 event(s) or 200ms"));

  v1::CollectorStatus seen;
  while (std::chrono::steady_clock::now() < deadline) {
    auto said =
        ::tapio::testing::RunCommand(absl::StrCat(TAPIO_BINARY, " status --output json --server ",
                                                  Address(), " --token-file ", dir_, "/token"));
    v1::ServerStatus status;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(said.output, &status).ok())
        << said.output;
    if (status.collectors_size() == 1 && status.collectors(0).config_generation() == 1) {
      seen = status.collectors(0);
      break;
    }
  }
  EXPECT_EQ(seen.id(), "agent/node-7");
  EXPECT_EQ(seen.kind(), "agent");
  EXPECT_EQ(seen.node(), "node-7");
  ASSERT_EQ(seen.sources_size(), 1);
  EXPECT_THAT(seen.sources(0), HasSubstr("kernel: kernel log from /dev/kmsg"));
  EXPECT_EQ(agent.Stop(), 0);
  EXPECT_EQ(server->Stop(), 0);
}

// What the kernel collector counted (ring-buffer drops included, read from the programs'
// own counters) reaches the server with each heartbeat: `tapio status` and /metrics show it
// while the agent runs.
TEST_F(ServeTest, AnAgentsKernelFiguresReachTheServersStatusAndMetrics) {
  TAPIO_REQUIRE_ROOT();
  std::ofstream(dir_ + "/tapio.yaml") << "collectors:\n  heartbeat_interval: 200ms\n";
  auto server = Serve(0, {"--config", dir_ + "/tapio.yaml"});
  Agent agent({"agent", "--server", Address(), "--token-file", dir_ + "/token", "--kernel", "ebpf",
               "--node", "node-9", "--for", "60s"});
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  ASSERT_THAT(agent.Line(/*from_stderr=*/true, deadline), HasSubstr("kernel collector: eBPF"));
  constexpr uint64_t kRefused = 5;
  const uint16_t port = ::tapio::testing::ClosedPort();
  for (uint64_t i = 0; i < kRefused; ++i) ASSERT_TRUE(::tapio::testing::RefuseOnce(port));

  const std::string status_command =
      absl::StrCat(TAPIO_BINARY, " status --server ", Address(), " --token-file ", dir_, "/token");
  v1::KernelFigures figures;
  while (figures.records() < kRefused && std::chrono::steady_clock::now() < deadline) {
    auto said = ::tapio::testing::RunCommand(status_command + " --output json");
    v1::ServerStatus status;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(said.output, &status).ok())
        << said.output;
    if (status.collectors_size() == 1) figures = status.collectors(0).kernel();
  }
  EXPECT_GE(figures.records(), kRefused);
  EXPECT_EQ(figures.lost(), 0u);
  EXPECT_THAT(::tapio::testing::RunCommand(status_command).output,
              HasSubstr(" record(s), 0 lost, 0 malformed"));
  std::string metrics = ::tapio::testing::RunCommand(
                            absl::StrCat("curl -sS -H 'Authorization: Bearer s3cret' http://",
                                         HttpAddress(), "/metrics"))
                            .output;
  EXPECT_THAT(metrics,
              HasSubstr("tapio_collector_kernel_lost_total{collector=\"agent/node-9\"} 0"));
  EXPECT_THAT(metrics,
              HasSubstr("tapio_collector_kernel_records_total{collector=\"agent/node-9\"}"));
  EXPECT_THAT(metrics, HasSubstr("tapio_collector_kernel_table_full_total{collector=\"agent/"
                                 "node-9\",table=\"owner\"} 0"));
  EXPECT_EQ(agent.Stop(), 0);
  EXPECT_EQ(server->Stop(), 0);
}

}  // namespace
}  // namespace tapio
