// `tapio agent --stdout` run as a node's operator runs it, against the real kernel: the line
// that says which collector runs, a refused connection made while it runs printed as one
// JSON event, and a clean stop on SIGTERM with what it counted. Needs root (in CI it must
// run; elsewhere it skips with the reason).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tapio/v1/event.pb.h"

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
  Agent() {
    int out[2], err[2];
    if (pipe(out) != 0 || pipe(err) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      dup2(err[1], 2);
      close(out[0]);
      close(err[0]);
      execl(TAPIO_BINARY, TAPIO_BINARY, "agent", "--stdout", "--kernel", "ebpf", "--for", "60s",
            static_cast<char*>(nullptr));
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

TEST(AgentTest, PrintsARefusedConnectionAsOneJsonEventAndStopsCleanly) {
  if (geteuid() != 0) {
    if (InCi()) FAIL() << "CI=true but not root: the agent's kernel test must run";
    GTEST_SKIP() << "needs root to load the kernel programs";
  }
  Agent agent;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::string mode = agent.Line(/*from_stderr=*/true, deadline);
  ASSERT_THAT(mode, HasSubstr("kernel collector: eBPF")) << mode;

  uint16_t port = ClosedPort();
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_NE(connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(errno, ECONNREFUSED);
  close(s);

  bool found = false;
  while (!found) {
    std::string line = agent.Line(/*from_stderr=*/false, deadline);
    ASSERT_FALSE(line.empty()) << "no refused event for port " << port << " in time";
    v1::UnifiedEvent event;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &event).ok()) << line;
    found = event.type() == "net.connection_refused" && event.network().dport() == port &&
            event.network().pid() == static_cast<uint32_t>(getpid());
    if (found) {
      EXPECT_EQ(event.source(), v1::SOURCE_KERNEL);
    }
  }
  EXPECT_EQ(agent.Stop(), 0);
  std::string summary = agent.Line(/*from_stderr=*/true, deadline);
  EXPECT_THAT(summary, HasSubstr("event(s) printed; records "));
  EXPECT_THAT(summary, HasSubstr("ring buffer drops 0"));
}

}  // namespace
}  // namespace tapio
