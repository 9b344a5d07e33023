// `tapio why KIND/NAMESPACE/NAME`: asks a server's live analysis why the entity failed and
// prints the ranked causes with their evidence chains, impact and actions (or the
// tapio.v1.WhyReport as JSON), as `tapio analyze --why` does for files.
#ifndef TAPIO_CLI_WHY_COMMAND_H_
#define TAPIO_CLI_WHY_COMMAND_H_

#include <string>

#include "cli/command.h"
#include "cli/server_connection.h"

namespace tapio::cli {

class WhyCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override;
  int Run() override;

 private:
  ServerConnection connection_;
  std::string entity_;
  std::string at_;
  int causes_ = 3;
  bool explain_ = false;
  std::string output_ = "text";
};

}  // namespace tapio::cli

#endif  // TAPIO_CLI_WHY_COMMAND_H_
