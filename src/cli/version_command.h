// `tapio version`: the release and the wire contract this binary speaks.
#ifndef TAPIO_CLI_VERSION_COMMAND_H_
#define TAPIO_CLI_VERSION_COMMAND_H_

#include "cli/command.h"

namespace tapio::cli {

class VersionCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override;
  int Run() override;
};

}  // namespace tapio::cli

#endif  // TAPIO_CLI_VERSION_COMMAND_H_
