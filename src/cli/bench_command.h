// `tapio bench`: synthetic events through the real pipeline into a sink that only counts;
// prints throughput, enqueue→sink latency and queue memory per event.
#ifndef TAPIO_CLI_BENCH_COMMAND_H_
#define TAPIO_CLI_BENCH_COMMAND_H_

#include <string>

#include "cli/command.h"
#include "pipeline/synthetic_load.h"

namespace tapio::cli {

class BenchCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override;
  int Run() override;

 private:
  pipeline::SyntheticLoadOptions options_;
  std::string config_path_;
  std::string output_ = "text";
};

}  // namespace tapio::cli

#endif  // TAPIO_CLI_BENCH_COMMAND_H_
