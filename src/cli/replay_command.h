// `tapio replay DIR`: sends a recorded incident (the scenario layout) to a server over the
// agent protocol, as its collectors would have, and waits for every event to be
// acknowledged; the server analyses it as live data.
#ifndef TAPIO_CLI_REPLAY_COMMAND_H_
#define TAPIO_CLI_REPLAY_COMMAND_H_

#include <string>

#include "cli/command.h"
#include "cli/server_connection.h"

namespace tapio::cli {

class ReplayCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override;
  int Run() override;

 private:
  ServerConnection connection_;
  std::string path_;
  std::string cluster_;
  int timeout_seconds_ = 60;
};

}  // namespace tapio::cli

#endif  // TAPIO_CLI_REPLAY_COMMAND_H_
