// `tapio demo`: replays the bundled multi-layer incident (demo/incident, in the scenario
// layout) through the live ingestion path, prints what the pattern library concluded, and
// answers why for the pods the incident's expected.yaml asks about.
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
