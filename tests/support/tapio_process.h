// Test and benchmark support: the `tapio` binary (TAPIO_BINARY, defined by the build) run as a
// child process, its output read a line at a time with a deadline, stopped cleanly or killed.
#ifndef TAPIO_TESTS_SUPPORT_TAPIO_PROCESS_H_
#define TAPIO_TESTS_SUPPORT_TAPIO_PROCESS_H_

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

namespace tapio::testing {

// `tapio ARGS...` as a child process with its stdout and stderr on pipes.
class TapioProcess {
 public:
  explicit TapioProcess(std::vector<std::string> args) {
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
  ~TapioProcess() {
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

  pid_t pid() const { return pid_; }

  // Sends `signal` and goes on (SIGHUP: read the configuration again).
  void Signal(int signal) { kill(pid_, signal); }

  // Sends `signal` (SIGTERM: a clean stop; SIGKILL: a crash); returns the exit code, or -1
  // when the signal killed it. Keeps reading its output meanwhile, so that a child blocked on
  // a full pipe can still stop; what it printed stays readable with Line.
  int Stop(int signal = SIGTERM) {
    kill(pid_, signal);
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      pollfd fds[2] = {{out_, POLLIN, 0}, {err_, POLLIN, 0}};
      if (poll(fds, 2, 50) <= 0) continue;
      char chunk[4096];
      for (int i = 0; i < 2; ++i) {
        if ((fds[i].revents & (POLLIN | POLLHUP)) == 0) continue;
        ssize_t n = read(fds[i].fd, chunk, sizeof chunk);
        if (n > 0) (i == 0 ? out_buffer_ : err_buffer_).append(chunk, static_cast<size_t>(n));
      }
    }
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

}  // namespace tapio::testing

#endif  // TAPIO_TESTS_SUPPORT_TAPIO_PROCESS_H_
