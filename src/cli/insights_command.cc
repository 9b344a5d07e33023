#include "cli/insights_command.h"

#include <cstdio>

#include "cli/report_text.h"
#include "intelligence/report/report_builder.h"
#include "tapio/v1/correlation_service.grpc.pb.h"

namespace tapio::cli {

CLI::App* InsightsCommand::Register(CLI::App& app) {
  CLI::App* insights = app.add_subcommand(
      "insights", "Print what a server has found, and with --follow, as it finds it");
  connection_.AddFlags(insights);
  insights->add_flag("--follow", follow_, "Keep printing insights as they come");
  insights->add_option("--output", output_, "text or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  return insights;
}

int InsightsCommand::Run() {
  if (absl::Status opened = connection_.Open(); !opened.ok()) {
    std::fprintf(stderr, "tapio insights: %s\n", std::string(opened.message()).c_str());
    return 2;
  }
  auto stub = v1::CorrelationService::NewStub(connection_.channel());
  auto print = [this](const v1::Insight& insight) {
    std::string line =
        output_ == "json" ? intelligence::ReportJson(insight) + "\n" : InsightText(insight);
    std::fputs(line.c_str(), stdout);
    std::fflush(stdout);
  };
  if (!follow_) {
    v1::IncidentList list;
    grpc::Status status = stub->ListIncidents(connection_.Context(absl::Seconds(30)).get(),
                                              v1::ListIncidentsRequest(), &list);
    if (!status.ok()) {
      std::fprintf(stderr, "tapio insights: %s: %s\n", connection_.server().c_str(),
                   status.error_message().c_str());
      return 1;
    }
    for (const v1::Incident& incident : list.incidents()) {
      v1::Insight insight;
      insight.set_change(v1::Insight::CHANGE_CURRENT);
      *insight.mutable_incident() = incident;
      print(insight);
    }
    return 0;
  }
  v1::InsightsRequest request;
  request.set_current(true);
  std::unique_ptr<grpc::ClientContext> context = connection_.Context(absl::InfiniteDuration());
  std::unique_ptr<grpc::ClientReader<v1::Insight>> reader =
      stub->SubscribeInsights(context.get(), request);
  reader->WaitForInitialMetadata();
  std::fprintf(stderr, "tapio insights: following %s\n", connection_.server().c_str());
  std::fflush(stderr);
  v1::Insight insight;
  while (reader->Read(&insight)) print(insight);
  grpc::Status status = reader->Finish();
  if (!status.ok()) {
    std::fprintf(stderr, "tapio insights: %s: %s\n", connection_.server().c_str(),
                 status.error_message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace tapio::cli
