// `tapio correlate --trace-id ID`: everything a server stored of one trace — application spans,
// and whatever else carries the trace — across layers in time order, and the likeliest cause
// of each failure in it (or the tapio.v1.Correlation as JSON).
#ifndef TAPIO_CLI_CORRELATE_COMMAND_H_
#define TAPIO_CLI_CORRELATE_COMMAND_H_

#include <string>

#include "cli/command.h"
#include "cli/server_connection.h"

namespace tapio::cli {

class CorrelateCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override;
  int Run() override;

 private:
  ServerConnection connection_;
  std::string trace_id_;
  bool explain_ = false;
  std::string output_ = "text";
};

}  // namespace tapio::cli

#endif  // TAPIO_CLI_CORRELATE_COMMAND_H_
