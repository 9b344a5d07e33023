#include "cli/version_command.h"

#include <cstdio>

#include "google/protobuf/stubs/common.h"

namespace tapio::cli {

CLI::App* VersionCommand::Register(CLI::App& app) {
  return app.add_subcommand("version", "Print the version and the event contract");
}

int VersionCommand::Run() {
  std::printf("tapio %s\nevent contract: tapio.v1\nprotobuf: %s\n", TAPIO_VERSION,
              google::protobuf::internal::VersionString(GOOGLE_PROTOBUF_VERSION).c_str());
  return 0;
}

}  // namespace tapio::cli
