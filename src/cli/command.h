// A subcommand of `tapio`: it declares its flags on a CLI11 sub-app, then runs after parsing
// and returns the process exit code. Commands write results to stdout and problems to stderr.
#ifndef TAPIO_CLI_COMMAND_H_
#define TAPIO_CLI_COMMAND_H_

#include "CLI/CLI.hpp"

namespace tapio::cli {

class Command {
 public:
  virtual ~Command() = default;
  // Adds the subcommand and its flags to `app`; flag values are bound to members.
  virtual CLI::App* Register(CLI::App& app) = 0;
  // Runs after a successful parse; returns 0 on success.
  virtual int Run() = 0;
};

}  // namespace tapio::cli

#endif  // TAPIO_CLI_COMMAND_H_
