// `tapio analyze PATH...`: reads incident dumps through the live ingestion path (decoders,
// topology, transition detection, the pipeline) and prints what it found: the topology and
// the semantic events grouped by entity.
#ifndef TAPIO_CLI_ANALYZE_COMMAND_H_
#define TAPIO_CLI_ANALYZE_COMMAND_H_

#include <string>
#include <vector>

#include "cli/command.h"

namespace tapio::cli {

class AnalyzeCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override;
  int Run() override;

 private:
  std::vector<std::string> paths_;
  std::string output_ = "text";
  std::string patterns_;
  std::string why_;
  std::string at_;
  bool explain_ = false;
};

}  // namespace tapio::cli

#endif  // TAPIO_CLI_ANALYZE_COMMAND_H_
