#include "cli/bench_command.h"

#include <cstdio>

#include "absl/strings/str_format.h"
#include "cli/pipeline_from_config.h"
#include "config/config.h"

namespace tapio::cli {

CLI::App* BenchCommand::Register(CLI::App& app) {
  CLI::App* bench = app.add_subcommand(
      "bench", "Push synthetic events through the pipeline and report its speed");
  bench->add_option("--events", options_.events, "Events to push")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40));
  bench->add_option("--producers", options_.producers, "Producer threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  bench
      ->add_option("--rate", options_.rate,
                   "Offered events per second over all producers (0: as fast as possible)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  bench->add_option("--config", config_path_, "tapio.yaml whose pipeline settings to use")
      ->check(CLI::ExistingFile);
  bench->add_option("--output", output_, "text or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  return bench;
}

int BenchCommand::Run() {
  absl::StatusOr<config::Config> loaded =
      config_path_.empty() ? config::DefaultConfig() : config::LoadConfigFile(config_path_);
  if (!loaded.ok()) {
    std::fprintf(stderr, "tapio bench: %s\n", std::string(loaded.status().message()).c_str());
    return 2;
  }
  absl::StatusOr<pipeline::SyntheticLoadReport> report =
      pipeline::RunSyntheticLoad(options_, PipelineBuilderFromConfig(loaded->pipeline));
  if (!report.ok()) {
    std::fprintf(stderr, "tapio bench: %s\n", std::string(report.status().message()).c_str());
    return 1;
  }
  if (output_ == "json") {
    std::printf(
        "%s\n",
        absl::StrFormat("{\"events\": %d, \"events_per_sec\": %.0f, \"p50_us\": %.2f, "
                        "\"p99_us\": %.2f, \"bytes_per_event\": %.1f, \"producers\": %d, "
                        "\"shards\": %d, \"offered_rate\": %.0f}",
                        report->events, report->events_per_sec, report->p50_us, report->p99_us,
                        report->bytes_per_event, report->producers, report->shards, options_.rate)
            .c_str());
    return 0;
  }
  std::printf("%s", absl::StrFormat("tapio bench: %d events, %d producer(s), %d shard(s), %s\n"
                                    "  throughput   %.0f events/s\n"
                                    "  latency      p50 %.1f us, p99 %.1f us (enqueue to sink)\n"
                                    "  memory       %.0f bytes per queued event\n",
                                    report->events, report->producers, report->shards,
                                    options_.rate > 0
                                        ? absl::StrFormat("offered at %.0f events/s", options_.rate)
                                        : std::string("offered as fast as taken"),
                                    report->events_per_sec, report->p50_us, report->p99_us,
                                    report->bytes_per_event)
                        .c_str());
  return 0;
}

}  // namespace tapio::cli
