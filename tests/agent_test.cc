// `tapio agent` run as a node's operator runs it, against the real kernel: the line that says
// which collector runs, a refused connection made while it runs printed as one JSON event or
// shipped to a server (an in-test receiver of CollectorService), and a clean stop on SIGTERM
// with what it counted. Needs root (in CI it must run; elsewhere it skips with the reason).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
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
#include "transport/testing/collector_receiver.h"

namespace tapio {
namespace {

using ::testing::HasSubstr;

bool InCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

// The agent as a child process with its stdout and stderr on pipes.
class Agent {
 public:
  explicit Agent(std::vector<std::string> args) {
    int out[2], err[2];
    if (pipe(out) != 0 || pipe(err) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      dup2(err[1], 2);
      close(out[0]);
      close(err[0]);
      std::vector<char*> argv = {const_cast<char*>(TAPIO_BINARY)};
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(TAPIO_BINARY, argv.data());
      _exit(127);
    }
    close(out[1]);
    close(err[1]);
    out_ = out[0];
    err_ = err[0];
  }
  ~Agent() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(out_);
    close(err_);
  }

  // The next line on `fd`, or "" when none comes before the deadline.
  std::string Line(bool from_stderr, std::chrono::steady_clock::time_point deadline) {
    int fd = from_stderr ? err_ : out_;
    std::string& buffer = from_stderr ? err_buffer_ : out_buffer_;
    while (buffer.find('\n') == std::string::npos) {
      int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      deadline - std::chrono::steady_clock::now())
                                      .count());
      if (left <= 0) return "";
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, left) <= 0) return "";
      char chunk[4096];
      ssize_t n = read(fd, chunk, sizeof chunk);
      if (n <= 0) return "";
      buffer.append(chunk, static_cast<size_t>(n));
    }
    size_t end = buffer.find('\n');
    std::string line = buffer.substr(0, end);
    buffer.erase(0, end + 1);
    return line;
  }

  // Sends SIGTERM; returns the exit code.
  int Stop() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int out_ = -1;
  int err_ = -1;
  std::string out_buffer_;
  std::string err_buffer_;
};

#define TAPIO_REQUIRE_ROOT()                                                          \
  do {                                                                                \
    if (geteuid() != 0) {                                                             \
      if (InCi()) FAIL() << "CI=true but not root: the agent's kernel test must run"; \
      GTEST_SKIP() << "needs root to load the kernel programs";                       \
    }                                                                                 \
  } while (0)

// A port on 127.0.0.1 that nothing listens on.
uint16_t ClosedPort() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
  close(s);
  return ntohs(addr.sin_port);
}

// Connects to `port` on 127.0.0.1, which must refuse.
void Refused(uint16_t port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_NE(connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(errno, ECONNREFUSED);
  close(s);
}

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

  uint16_t port = ClosedPort();
  Refused(port);

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

  uint16_t port = ClosedPort();
  Refused(port);
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

}  // namespace
}  // namespace tapio
