#include "collectors/scenario/scenario_reader.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "collectors/journal/journal_file.h"
#include "collectors/kmsg/kmsg_file.h"
#include "collectors/otlp/otlp_file.h"

namespace tapio::collectors::scenario {
namespace {

namespace fs = std::filesystem;

void NoteInput(ScenarioReport* report, absl::string_view input) {
  if (std::find(report->inputs.begin(), report->inputs.end(), input) == report->inputs.end()) {
    report->inputs.emplace_back(input);
  }
}

// Hands a node or application file's events on, and reports its bad records.
void Accept(const std::string& relative, absl::string_view kind,
            const std::vector<absl::Status>& errors, std::vector<domain::Event> events,
            const ScenarioInput& input, ScenarioReport* report) {
  for (const absl::Status& error : errors) {
    report->problems.push_back({relative, std::string(error.message())});
  }
  if (input.on_events) input.on_events(std::move(events));
  NoteInput(report, kind);
}

}  // namespace

ScenarioReader::ScenarioReader(std::string cluster, domain::EntityRegistry& registry,
                               domain::EventIdGenerator& ids, const domain::Clock& clock)
    : cluster_(std::move(cluster)), registry_(registry), ids_(ids), clock_(clock) {}

void ScenarioReader::ReadFile(const std::string& full, const std::string& relative,
                              const ScenarioInput& input, ScenarioReport* report) {
  fs::path path(relative);
  std::string name = path.filename().string();
  std::string parent = path.parent_path().filename().string();
  std::string grandparent = path.parent_path().parent_path().filename().string();
  if (name == "expected.yaml" || name == "README.md") return;
  absl::Status status;
  if (absl::EndsWith(name, ".jsonl") && grandparent != "nodes") {
    status = kube_.ReadWatchFile(full, relative, input.on_change, &report->problems);
    NoteInput(report, "k8s");
  } else if (absl::EndsWith(name, ".json") && parent != "otlp") {
    status = kube_.ReadJsonFile(full, relative, input.on_change, &report->problems);
    NoteInput(report, "k8s");
  } else if (grandparent == "nodes" && name == "kmsg.log") {
    absl::StatusOr<std::unique_ptr<kmsg::KmsgParser>> parser =
        kmsg::KmsgParser::Create({cluster_, parent, relative, 0}, registry_, ids_, clock_);
    if (!parser.ok()) {
      report->problems.push_back({relative, std::string(parser.status().message())});
      return;
    }
    absl::StatusOr<kmsg::KmsgFile> file = kmsg::ReadKmsgFile(full, **parser);
    if (!file.ok()) {
      status = file.status();
    } else {
      Accept(relative, "kmsg", file->line_errors, std::move(file->events), input, report);
    }
  } else if (grandparent == "nodes" && name == "journal.jsonl") {
    absl::StatusOr<std::unique_ptr<journal::JournalParser>> parser =
        journal::JournalParser::Create({cluster_, parent, relative}, registry_, ids_, clock_);
    if (!parser.ok()) {
      report->problems.push_back({relative, std::string(parser.status().message())});
      return;
    }
    absl::StatusOr<journal::JournalFile> file = journal::ReadJournalFile(full, **parser);
    if (!file.ok()) {
      status = file.status();
    } else {
      Accept(relative, "journal", file->line_errors, std::move(file->events), input, report);
    }
  } else if (parent == "otlp" && absl::EndsWith(name, ".json")) {
    otlp::OtlpParser parser({cluster_, relative}, registry_, ids_, clock_);
    absl::StatusOr<otlp::OtlpFile> file = otlp::ReadOtlpFile(full, parser);
    if (!file.ok()) {
      status = file.status();
    } else {
      Accept(relative, "otlp", file->result.errors, std::move(file->result.events), input, report);
    }
  } else {
    report->skipped.push_back({relative, "not part of the scenario layout"});
    return;
  }
  if (!status.ok()) {
    report->problems.push_back({relative, std::string(status.message())});
    return;
  }
  report->read.push_back(relative);
}

absl::Status ScenarioReader::Read(const std::string& path, const ScenarioInput& input,
                                  ScenarioReport* report) {
  std::error_code error;
  fs::file_status status = fs::status(path, error);
  if (error || !fs::exists(status)) {
    return absl::NotFoundError(absl::StrCat(path, ": no such file or directory"));
  }
  if (!fs::is_directory(status)) {
    ReadFile(path, fs::path(path).filename().string(), input, report);
    return absl::OkStatus();
  }
  std::vector<fs::path> files;
  for (fs::recursive_directory_iterator
           it(path, fs::directory_options::skip_permission_denied, error),
       end;
       !error && it != end; it.increment(error)) {
    if (it->is_regular_file(error)) files.push_back(it->path());
  }
  if (error) return absl::InternalError(absl::StrCat(path, ": ", error.message()));
  // Watch recordings are history and `kubectl get` lists the state at collection time, which
  // comes after it: replaying a list first would make its objects' later changes look like
  // transitions back to an older state.
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    bool a_watch = a.extension() == ".jsonl";
    bool b_watch = b.extension() == ".jsonl";
    if (a_watch != b_watch) return a_watch;
    return a < b;
  });
  for (const fs::path& file : files) {
    ReadFile(file.string(), fs::relative(file, path, error).string(), input, report);
  }
  return absl::OkStatus();
}

}  // namespace tapio::collectors::scenario
