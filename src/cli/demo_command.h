// `tapio demo`: starts an embedded server (SQLite store in a temporary directory, a bearer
// token, loopback only), replays the bundled multi-layer incident (demo/incident, in the
// scenario layout) into it over the agent protocol, and prints what the server's API answers:
// the incidents, and why the pods the incident's expected.yaml asks about failed.
#ifndef TAPIO_CLI_DEMO_COMMAND_H_
#define TAPIO_CLI_DEMO_COMMAND_H_

#include <string>

#include "cli/command.h"

namespace tapio::cli {

class DemoCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override;
  int Run() override;

 private:
  // The bundled incident in the source tree, unless --incident names another.
  std::string incident_;
};

}  // namespace tapio::cli

#endif  // TAPIO_CLI_DEMO_COMMAND_H_
