#include "cli/replay_command.h"

#include <cstdio>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "cli/scenario_replay.h"

namespace tapio::cli {

CLI::App* ReplayCommand::Register(CLI::App& app) {
  CLI::App* replay =
      app.add_subcommand("replay", "Send a recorded incident to a server as its collectors would");
  replay->add_option("path", path_, "A scenario directory, or a dump in that layout")->required();
  connection_.AddFlags(replay);
  replay->add_option("--cluster", cluster_, "The cluster's name, as the server knows it");
  replay
      ->add_option("--timeout", timeout_seconds_,
                   "Seconds to wait for the server to acknowledge everything")
      ->capture_default_str();
  return replay;
}

int ReplayCommand::Run() {
  if (absl::Status opened = connection_.Open(); !opened.ok()) {
    std::fprintf(stderr, "tapio replay: %s\n", std::string(opened.message()).c_str());
    return 2;
  }
  transport::EventShipper::Options shipper;
  shipper.target = connection_.server();
  shipper.token = connection_.token();
  shipper.ca_file = connection_.ca_file();
  shipper.cert_file = connection_.cert_file();
  shipper.key_file = connection_.key_file();
  std::filesystem::path dump = std::filesystem::path(path_).lexically_normal();
  if (dump.filename().empty()) dump = dump.parent_path();
  shipper.collector_id = absl::StrCat("replay/", dump.filename().string());
  absl::StatusOr<ReplayResult> replayed =
      ReplayIntoServer(path_, cluster_, shipper, absl::Seconds(timeout_seconds_));
  if (!replayed.ok()) {
    std::fprintf(stderr, "tapio replay: %s: %s\n", path_.c_str(),
                 std::string(replayed.status().message()).c_str());
    return replayed.status().code() == absl::StatusCode::kNotFound ? 2 : 1;
  }
  for (const auto& p : replayed->report.problems) {
    std::fprintf(stderr, "tapio replay: unusable %s: %s\n", p.place.c_str(), p.problem.c_str());
  }
  std::printf("Replayed %s into %s: %zu events (%zu object changes), all acknowledged\n",
              path_.c_str(), connection_.server().c_str(), replayed->events,
              replayed->object_changes);
  return 0;
}

}  // namespace tapio::cli
