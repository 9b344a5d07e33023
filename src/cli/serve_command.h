// `tapio serve`: the server. It opens the store (SQLite by default, PostgreSQL with
// --postgres), loads the pattern library, listens for agents' event streams and for queries
// (TLS and a bearer token when configured), analyses what it stores as it arrives, and on
// SIGINT or SIGTERM stops taking calls, lets those in flight finish and closes the store.
#ifndef TAPIO_CLI_SERVE_COMMAND_H_
#define TAPIO_CLI_SERVE_COMMAND_H_

#include <string>

#include "cli/command.h"

namespace tapio::cli {

class ServeCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override;
  int Run() override;

 private:
  std::string listen_ = "127.0.0.1:7470";
  std::string http_listen_ = "127.0.0.1:7471";
  std::string store_ = "tapio.db";
  std::string postgres_;
  std::string token_file_;
  std::string tls_cert_;
  std::string tls_key_;
  std::string client_ca_;
  double collector_rate_ = 0;
  double collector_burst_ = 0;
  std::string cluster_;
  std::string patterns_;
};

}  // namespace tapio::cli

#endif  // TAPIO_CLI_SERVE_COMMAND_H_
