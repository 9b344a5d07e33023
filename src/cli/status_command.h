// `tapio status`: what a server says of itself — its version, whether its store answers, the
// incidents open — and every collector streaming to it, with its figures (or the
// tapio.v1.ServerStatus as JSON).
#ifndef TAPIO_CLI_STATUS_COMMAND_H_
#define TAPIO_CLI_STATUS_COMMAND_H_

#include <string>

#include "cli/command.h"
#include "cli/server_connection.h"

namespace tapio::cli {

class StatusCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override;
  int Run() override;

 private:
  ServerConnection connection_;
  std::string output_ = "text";
};

}  // namespace tapio::cli

#endif  // TAPIO_CLI_STATUS_COMMAND_H_
