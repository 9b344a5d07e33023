// `tapio eval DIR...`: replays every scenario under the directories through the live
// ingestion path, asks each one's symptom, and prints top-1/top-3 accuracy, near-miss false
// positives and detection latency (../shared/SCENARIOS.md).
#ifndef TAPIO_CLI_EVAL_COMMAND_H_
#define TAPIO_CLI_EVAL_COMMAND_H_

#include <string>
#include <vector>

#include "cli/command.h"

namespace tapio::cli {

class EvalCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override;
  int Run() override;

 private:
  std::vector<std::string> paths_;
  std::string output_ = "text";
  std::string patterns_;
};

}  // namespace tapio::cli

#endif  // TAPIO_CLI_EVAL_COMMAND_H_
