// `tapio agent`: the node agent. It runs the kernel collector — eBPF when the programs can
// load here, else the kernel log from /dev/kmsg — says in one line at start which one runs
// and why, and until stopped (SIGINT, SIGTERM or --for) ships the events to a server over
// CollectorService (--server), or prints one JSON UnifiedEvent per line (--stdout).
#ifndef TAPIO_CLI_AGENT_COMMAND_H_
#define TAPIO_CLI_AGENT_COMMAND_H_

#include <string>

#include "cli/command.h"
#include "transport/event_shipper.h"

namespace tapio::cli {

class AgentCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override;
  int Run() override;

 private:
  std::string node_;
  std::string cluster_;
  std::string kernel_ = "auto";
  std::string kmsg_ = "/dev/kmsg";
  std::string run_for_;
  bool stdout_ = false;
  std::string server_;
  std::string token_file_;
  // TLS files and the spill directory, from the flags.
  transport::EventShipper::Options shipping_;
};

}  // namespace tapio::cli

#endif  // TAPIO_CLI_AGENT_COMMAND_H_
