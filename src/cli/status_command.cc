#include "cli/status_command.h"

#include <cstdio>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/time_util.h"
#include "intelligence/report/report_builder.h"
#include "tapio/v1/tapio_service.grpc.pb.h"

namespace tapio::cli {

CLI::App* StatusCommand::Register(CLI::App& app) {
  CLI::App* status =
      app.add_subcommand("status", "Ask a server how it is and which collectors stream to it");
  connection_.AddFlags(status);
  status->add_option("--output", output_, "text or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  return status;
}

int StatusCommand::Run() {
  if (absl::Status opened = connection_.Open(); !opened.ok()) {
    std::fprintf(stderr, "tapio status: %s\n", std::string(opened.message()).c_str());
    return 2;
  }
  auto stub = v1::TapioService::NewStub(connection_.channel());
  v1::ServerStatus status;
  grpc::Status called =
      stub->Status(connection_.Context(absl::Seconds(30)).get(), v1::StatusRequest(), &status);
  if (!called.ok()) {
    std::fprintf(stderr, "tapio status: %s: %s\n", connection_.server().c_str(),
                 called.error_message().c_str());
    return 1;
  }
  if (output_ == "json") {
    std::printf("%s\n", intelligence::ReportJson(status).c_str());
    return status.ready() ? 0 : 1;
  }
  std::printf("tapio %s at %s: %s, %llu incident(s) open\n", status.version().c_str(),
              connection_.server().c_str(),
              status.ready() ? "ready" : ("not ready: " + status.problem()).c_str(),
              static_cast<unsigned long long>(status.incidents_open()));
  std::printf("Collectors (%d):\n", status.collectors_size());
  for (const v1::CollectorStatus& c : status.collectors()) {
    std::printf(
        "  %-24s %u stream(s)  last seen %s  %llu batch(es): %llu stored, %llu duplicate, "
        "%llu rejected, %llu throttled\n",
        c.id().c_str(), c.streams(),
        google::protobuf::util::TimeUtil::ToString(c.last_seen()).c_str(),
        static_cast<unsigned long long>(c.batches()),
        static_cast<unsigned long long>(c.events_stored()),
        static_cast<unsigned long long>(c.events_duplicate()),
        static_cast<unsigned long long>(c.events_rejected()),
        static_cast<unsigned long long>(c.batches_throttled()));
    if (!c.has_last_heartbeat()) continue;
    std::printf(
        "  %-24s %s%s on %s, tapio %s (%s); heartbeat %s, configuration %llu; %llu seen, %llu "
        "acknowledged, %llu dropped, %llu waiting\n",
        "", c.silent() ? "SILENT " : "", c.kind().c_str(), c.node().c_str(), c.version().c_str(),
        absl::StrJoin(c.sources(), "; ").c_str(),
        google::protobuf::util::TimeUtil::ToString(c.last_heartbeat()).c_str(),
        static_cast<unsigned long long>(c.config_generation()),
        static_cast<unsigned long long>(c.events_seen()),
        static_cast<unsigned long long>(c.events_acked()),
        static_cast<unsigned long long>(c.events_dropped()),
        static_cast<unsigned long long>(c.events_queued()));
    if (!c.has_kernel()) continue;
    const v1::KernelFigures& k = c.kernel();
    std::printf(
        "  %-24s kernel: %llu record(s), %llu lost, %llu malformed, %llu unresolved cgroup(s); "
        "tables full: flow %llu, DNS %llu, owner %llu\n",
        "", static_cast<unsigned long long>(k.records()), static_cast<unsigned long long>(k.lost()),
        static_cast<unsigned long long>(k.malformed()),
        static_cast<unsigned long long>(k.unresolved_cgroups()),
        static_cast<unsigned long long>(k.flow_table_full()),
        static_cast<unsigned long long>(k.dns_table_full()),
        static_cast<unsigned long long>(k.owner_table_full()));
  }
  return status.ready() ? 0 : 1;
}

}  // namespace tapio::cli
