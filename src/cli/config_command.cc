#include "cli/config_command.h"

#include <cstdio>

#include "config/config.h"
#include "config/schema.h"

namespace tapio::cli {

CLI::App* ConfigCommand::Register(CLI::App& app) {
  CLI::App* config = app.add_subcommand("config", "Work with tapio.yaml");
  config->require_subcommand(1);
  check_ = config->add_subcommand("check", "Validate a configuration file");
  check_->add_option("FILE", path_, "The file to check")->required();
  reference_ = config->add_subcommand("reference", "Print every setting, its default and meaning");
  return config;
}

int ConfigCommand::Run() {
  if (reference_->parsed()) {
    std::printf("%s", config::ConfigReferenceMarkdown().c_str());
    return 0;
  }
  absl::StatusOr<config::Config> loaded = config::LoadConfigFile(path_);
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s\n", std::string(loaded.status().message()).c_str());
    return 1;
  }
  std::printf("%s: valid\n", path_.c_str());
  return 0;
}

}  // namespace tapio::cli
