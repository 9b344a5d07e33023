// `tapio`: one binary, one subcommand per job. Only commands that work are registered.
#include <memory>
#include <vector>

#include "CLI/CLI.hpp"
#include "cli/agent_command.h"
#include "cli/analyze_command.h"
#include "cli/bench_command.h"
#include "cli/config_command.h"
#include "cli/correlate_command.h"
#include "cli/demo_command.h"
#include "cli/eval_command.h"
#include "cli/events_command.h"
#include "cli/incidents_command.h"
#include "cli/insights_command.h"
#include "cli/replay_command.h"
#include "cli/serve_command.h"
#include "cli/status_command.h"
#include "cli/version_command.h"
#include "cli/why_command.h"
#include "domain/process.h"

int main(int argc, char** argv) {
  tapio::domain::ConfigureProcess();
  CLI::App app{"Tapio finds out why things fail in a Kubernetes cluster.", "tapio"};
  app.require_subcommand(1);
  std::vector<std::unique_ptr<tapio::cli::Command>> commands;
  commands.push_back(std::make_unique<tapio::cli::VersionCommand>());
  commands.push_back(std::make_unique<tapio::cli::ConfigCommand>());
  commands.push_back(std::make_unique<tapio::cli::BenchCommand>());
  commands.push_back(std::make_unique<tapio::cli::AnalyzeCommand>());
  commands.push_back(std::make_unique<tapio::cli::EvalCommand>());
  commands.push_back(std::make_unique<tapio::cli::DemoCommand>());
  commands.push_back(std::make_unique<tapio::cli::AgentCommand>());
  commands.push_back(std::make_unique<tapio::cli::ServeCommand>());
  commands.push_back(std::make_unique<tapio::cli::EventsCommand>());
  commands.push_back(std::make_unique<tapio::cli::WhyCommand>());
  commands.push_back(std::make_unique<tapio::cli::CorrelateCommand>());
  commands.push_back(std::make_unique<tapio::cli::IncidentsCommand>());
  commands.push_back(std::make_unique<tapio::cli::InsightsCommand>());
  commands.push_back(std::make_unique<tapio::cli::ReplayCommand>());
  commands.push_back(std::make_unique<tapio::cli::StatusCommand>());
  std::vector<CLI::App*> subcommands;
  for (auto& command : commands) subcommands.push_back(command->Register(app));
  // CLI11 reports usage errors by throwing; this is the one place that catches them.
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }
  for (size_t i = 0; i < commands.size(); ++i) {
    if (subcommands[i]->parsed()) return commands[i]->Run();
  }
  return 0;
}
