// `tapio config check FILE` validates a tapio.yaml and prints every problem with its line;
// `tapio config reference` prints the table of every setting (docs/configuration.md).
#ifndef TAPIO_CLI_CONFIG_COMMAND_H_
#define TAPIO_CLI_CONFIG_COMMAND_H_

#include <string>

#include "cli/command.h"

namespace tapio::cli {

class ConfigCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override;
  int Run() override;

 private:
  CLI::App* check_ = nullptr;
  CLI::App* reference_ = nullptr;
  std::string path_;
};

}  // namespace tapio::cli

#endif  // TAPIO_CLI_CONFIG_COMMAND_H_
