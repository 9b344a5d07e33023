#include "cli/correlate_command.h"

#include <cstdio>

#include "cli/report_text.h"
#include "intelligence/report/report_builder.h"
#include "tapio/v1/correlation_service.grpc.pb.h"

namespace tapio::cli {

CLI::App* CorrelateCommand::Register(CLI::App& app) {
  CLI::App* correlate =
      app.add_subcommand("correlate", "Ask a server what one trace touched and why it failed");
  correlate->add_option("--trace-id", trace_id_, "32 hex digits, as OTLP writes trace ids")
      ->required();
  connection_.AddFlags(correlate);
  correlate->add_flag("--explain", explain_, "Say how each cause's score was made");
  correlate->add_option("--output", output_, "text or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  return correlate;
}

int CorrelateCommand::Run() {
  if (absl::Status opened = connection_.Open(); !opened.ok()) {
    std::fprintf(stderr, "tapio correlate: %s\n", std::string(opened.message()).c_str());
    return 2;
  }
  v1::CorrelateRequest request;
  request.set_trace_id(trace_id_);
  auto stub = v1::CorrelationService::NewStub(connection_.channel());
  v1::Correlation correlation;
  grpc::Status status =
      stub->Correlate(connection_.Context(absl::Seconds(30)).get(), request, &correlation);
  if (!status.ok()) {
    std::fprintf(stderr, "tapio correlate: %s: %s\n", connection_.server().c_str(),
                 status.error_message().c_str());
    return status.error_code() == grpc::StatusCode::INVALID_ARGUMENT ? 2 : 1;
  }
  std::string text = output_ == "json" ? intelligence::ReportJson(correlation) + "\n"
                                       : CorrelationText(correlation, explain_);
  std::fputs(text.c_str(), stdout);
  return 0;
}

}  // namespace tapio::cli
