#include "cli/why_command.h"

#include <cstdio>

#include "cli/report_text.h"
#include "domain/time.h"
#include "google/protobuf/util/time_util.h"
#include "intelligence/report/report_builder.h"
#include "tapio/v1/correlation_service.grpc.pb.h"

namespace tapio::cli {

CLI::App* WhyCommand::Register(CLI::App& app) {
  CLI::App* why = app.add_subcommand("why", "Ask a server why an entity failed");
  why->add_option("entity", entity_, "KIND/NAMESPACE/NAME, or KIND/NAME (pod/shop/checkout-1)")
      ->required();
  connection_.AddFlags(why);
  why->add_option("--at", at_, "As of this RFC 3339 time (default: the newest event)");
  why->add_option("--causes", causes_, "At most this many causes")->capture_default_str();
  why->add_flag("--explain", explain_, "Say how each cause's score was made");
  why->add_option("--output", output_, "text or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  return why;
}

int WhyCommand::Run() {
  if (absl::Status opened = connection_.Open(); !opened.ok()) {
    std::fprintf(stderr, "tapio why: %s\n", std::string(opened.message()).c_str());
    return 2;
  }
  v1::WhyRequest request;
  request.set_entity(entity_);
  request.set_causes(static_cast<uint32_t>(causes_));
  if (!at_.empty()) {
    absl::StatusOr<int64_t> at = domain::ParseRfc3339Nanos(at_);
    if (!at.ok()) {
      std::fprintf(stderr, "tapio why: --at %s\n", std::string(at.status().message()).c_str());
      return 2;
    }
    *request.mutable_at() = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(*at);
  }
  auto stub = v1::CorrelationService::NewStub(connection_.channel());
  v1::WhyReport report;
  grpc::Status status = stub->Why(connection_.Context(absl::Seconds(30)).get(), request, &report);
  if (!status.ok()) {
    std::fprintf(stderr, "tapio why: %s: %s\n", connection_.server().c_str(),
                 status.error_message().c_str());
    return status.error_code() == grpc::StatusCode::NOT_FOUND ||
                   status.error_code() == grpc::StatusCode::INVALID_ARGUMENT
               ? 2
               : 1;
  }
  std::string text =
      output_ == "json" ? intelligence::ReportJson(report) + "\n" : WhyText(report, explain_);
  std::fputs(text.c_str(), stdout);
  return 0;
}

}  // namespace tapio::cli
