#include "cli/demo_command.h"

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/pattern_library.h"
#include "cli/report_text.h"
#include "cli/scenario_replay.h"
#include "collectors/scenario/expected_outcome.h"
#include "domain/clock.h"
#include "google/protobuf/util/time_util.h"
#include "server/live_analysis.h"
#include "server/server.h"
#include "storage/sqlite/sqlite_store.h"
#include "tapio/v1/correlation_service.grpc.pb.h"

namespace tapio::cli {
namespace {

constexpr absl::Duration kReplayTimeout = absl::Seconds(60);
constexpr absl::Duration kCallTimeout = absl::Seconds(30);

std::string Asked(const collectors::scenario::EntityName& e) {
  return absl::StrCat(absl::AsciiStrToLower(e.kind), "/",
                      e.namespace_name.empty() ? "" : e.namespace_name + "/", e.name);
}

std::string RandomToken() {
  std::random_device random;
  std::string token;
  for (int i = 0; i < 4; ++i) absl::StrAppendFormat(&token, "%08x", random());
  return token;
}

// A directory of its own under the system's temporary directory, removed when it goes.
class ScratchDirectory {
 public:
  ScratchDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tapio-demo-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

int Fail(absl::string_view what) {
  std::fprintf(stderr, "tapio demo: %s\n", std::string(what).c_str());
  return 2;
}

grpc::ClientContext* WithToken(grpc::ClientContext& context, const std::string& token) {
  context.AddMetadata("authorization", "Bearer " + token);
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(absl::ToInt64Milliseconds(kCallTimeout)));
  return &context;
}

}  // namespace

CLI::App* DemoCommand::Register(CLI::App& app) {
  incident_ = TAPIO_DEMO_INCIDENT;
  CLI::App* demo = app.add_subcommand(
      "demo", "Start an embedded server, replay the bundled incident into it, ask it why");
  demo->add_option("--incident", incident_, "A scenario directory to replay instead")
      ->capture_default_str();
  return demo;
}

int DemoCommand::Run() {
  absl::StatusOr<std::vector<intelligence::Pattern>> patterns = LoadPatternLibrary("");
  if (!patterns.ok()) return Fail(patterns.status().message());
  absl::StatusOr<collectors::scenario::ExpectedOutcome> expected =
      collectors::scenario::ReadExpectedOutcome(
          (std::filesystem::path(incident_) / "expected.yaml").string());
  if (!expected.ok()) return Fail(expected.status().message());
  ScratchDirectory scratch;
  if (scratch.path().empty()) return Fail("cannot make a temporary directory");
  std::string db = (std::filesystem::path(scratch.path()) / "tapio.db").string();
  absl::StatusOr<std::unique_ptr<storage::sqlite::SqliteStore>> store =
      storage::sqlite::SqliteStore::Open({db});
  if (!store.ok()) return Fail(store.status().message());
  size_t pattern_count = patterns->size();
  server::LiveAnalysis analysis(*std::move(patterns), {}, domain::Clock::Real());
  server::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.token = RandomToken();
  options.version = TAPIO_VERSION;
  absl::StatusOr<std::unique_ptr<server::Server>> server =
      server::Server::Start(options, **store, analysis);
  if (!server.ok()) return Fail(server.status().message());
  std::string address = absl::StrCat("127.0.0.1:", (*server)->port());
  std::printf("Started an embedded server on %s (%zu patterns), its store in %s\n", address.c_str(),
              pattern_count, db.c_str());

  transport::EventShipper::Options shipper;
  shipper.target = address;
  shipper.token = options.token;
  shipper.collector_id = "demo";
  absl::StatusOr<ReplayResult> replayed = ReplayIntoServer(incident_, "", shipper, kReplayTimeout);
  if (!replayed.ok()) return Fail(replayed.status().message());
  std::printf(
      "Replayed %s over the agent protocol: %zu files, %zu records unusable, %zu events (%zu "
      "object changes), all acknowledged\n",
      incident_.c_str(), replayed->report.read.size(), replayed->report.problems.size(),
      replayed->events, replayed->object_changes);
  for (const auto& p : replayed->report.problems) {
    std::printf("  unusable %s: %s\n", p.place.c_str(), p.problem.c_str());
  }

  auto stub = v1::CorrelationService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext list_context;
  v1::IncidentList list;
  grpc::Status listed = stub->ListIncidents(WithToken(list_context, options.token), {}, &list);
  if (!listed.ok()) return Fail(listed.error_message());
  std::vector<v1::Incident> incidents(list.incidents().begin(), list.incidents().end());
  std::printf("\n$ tapio incidents\n%s", IncidentsText(incidents, /*explain=*/false).c_str());

  std::vector<std::string> asked = {Asked(expected->symptom)};
  for (const auto& entry : expected->chain) {
    if (entry.kind == "Pod" && asked.size() < 2 && Asked(entry) != asked.front()) {
      asked.push_back(Asked(entry));
    }
  }
  for (const std::string& entity : asked) {
    v1::WhyRequest request;
    request.set_entity(entity);
    if (expected->at_ns.has_value()) {
      *request.mutable_at() =
          google::protobuf::util::TimeUtil::NanosecondsToTimestamp(*expected->at_ns);
    }
    grpc::ClientContext context;
    v1::WhyReport report;
    grpc::Status answered = stub->Why(WithToken(context, options.token), request, &report);
    if (!answered.ok()) return Fail(answered.error_message());
    std::printf("\n$ tapio why %s\n%s", entity.c_str(), WhyText(report, false).c_str());
  }
  // An idle channel left open would hold the graceful shutdown for its whole grace.
  stub.reset();
  (*server)->Shutdown(absl::Seconds(1));
  return 0;
}

}  // namespace tapio::cli
