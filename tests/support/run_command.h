// Runs a command line the way a user's shell would and captures what it printed.
#ifndef TAPIO_TESTS_SUPPORT_RUN_COMMAND_H_
#define TAPIO_TESTS_SUPPORT_RUN_COMMAND_H_

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace tapio::testing {

struct CommandResult {
  int exit_code = -1;
  // Standard output and standard error, interleaved.
  std::string output;
};

// Runs `command` through /bin/sh with stderr merged into stdout.
inline CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace tapio::testing

#endif  // TAPIO_TESTS_SUPPORT_RUN_COMMAND_H_
