// `tapio events`: what a server has stored, read through EventService — by entity
// (KIND/NAMESPACE/NAME), type and time — one event per line, or as JSON; with --follow, each
// matching event as it is stored. The server comes from --server or TAPIO_SERVER, the token
// from --token-file or TAPIO_TOKEN.
#ifndef TAPIO_CLI_EVENTS_COMMAND_H_
#define TAPIO_CLI_EVENTS_COMMAND_H_

#include <string>

#include "cli/command.h"
#include "cli/server_connection.h"
#include "domain/entity.h"
#include "tapio/v1/event.pb.h"

namespace tapio::cli {

class EventsCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override;
  int Run() override;

 private:
  void Print(const tapio::v1::UnifiedEvent& e, domain::EntityRegistry& registry) const;

  ServerConnection connection_;
  bool follow_ = false;
  std::string entity_;
  std::string type_;
  std::string since_;
  std::string output_ = "text";
  int limit_ = 1000;
};

}  // namespace tapio::cli

#endif  // TAPIO_CLI_EVENTS_COMMAND_H_
