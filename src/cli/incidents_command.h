// `tapio incidents`: the incidents a server's live analysis holds, open ones first, each with
// its likeliest cause (or the tapio.v1.Incident list as JSON).
#ifndef TAPIO_CLI_INCIDENTS_COMMAND_H_
#define TAPIO_CLI_INCIDENTS_COMMAND_H_

#include <string>

#include "cli/command.h"
#include "cli/server_connection.h"

namespace tapio::cli {

class IncidentsCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override;
  int Run() override;

 private:
  ServerConnection connection_;
  bool open_only_ = false;
  bool explain_ = false;
  std::string output_ = "text";
};

}  // namespace tapio::cli

#endif  // TAPIO_CLI_INCIDENTS_COMMAND_H_
