// `tapio insights`: what a server's live analysis has found, an insight per line — every
// incident as it stands, then, with --follow, each incident opened, updated or resolved as it
// happens, until interrupted (or one JSON tapio.v1.Insight per line).
#ifndef TAPIO_CLI_INSIGHTS_COMMAND_H_
#define TAPIO_CLI_INSIGHTS_COMMAND_H_

#include <string>

#include "cli/command.h"
#include "cli/server_connection.h"

namespace tapio::cli {

class InsightsCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override;
  int Run() override;

 private:
  ServerConnection connection_;
  bool follow_ = false;
  std::string output_ = "text";
};

}  // namespace tapio::cli

#endif  // TAPIO_CLI_INSIGHTS_COMMAND_H_
