#include "cli/incidents_command.h"

#include <cstdio>
#include <vector>

#include "cli/report_text.h"
#include "intelligence/report/report_builder.h"
#include "tapio/v1/correlation_service.grpc.pb.h"

namespace tapio::cli {

CLI::App* IncidentsCommand::Register(CLI::App& app) {
  CLI::App* incidents = app.add_subcommand("incidents", "List the incidents a server holds");
  connection_.AddFlags(incidents);
  incidents->add_flag("--open", open_only_, "Only those still open");
  incidents->add_flag("--explain", explain_, "Say how each cause's score was made");
  incidents->add_option("--output", output_, "text or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  return incidents;
}

int IncidentsCommand::Run() {
  if (absl::Status opened = connection_.Open(); !opened.ok()) {
    std::fprintf(stderr, "tapio incidents: %s\n", std::string(opened.message()).c_str());
    return 2;
  }
  v1::ListIncidentsRequest request;
  request.set_open_only(open_only_);
  auto stub = v1::CorrelationService::NewStub(connection_.channel());
  v1::IncidentList list;
  grpc::Status status =
      stub->ListIncidents(connection_.Context(absl::Seconds(30)).get(), request, &list);
  if (!status.ok()) {
    std::fprintf(stderr, "tapio incidents: %s: %s\n", connection_.server().c_str(),
                 status.error_message().c_str());
    return 1;
  }
  if (output_ == "json") {
    std::printf("%s\n", intelligence::ReportJson(list).c_str());
    return 0;
  }
  std::vector<v1::Incident> incidents(list.incidents().begin(), list.incidents().end());
  std::fputs(IncidentsText(incidents, explain_).c_str(), stdout);
  return 0;
}

}  // namespace tapio::cli
