#include "collectors/kubeapi/dump_reader.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace tapio::collectors::kubeapi {
namespace {

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot be read"));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void Newer(int64_t& newest, int64_t candidate) { newest = std::max(newest, candidate); }

void NewerConditions(int64_t& newest, const std::vector<domain::Condition>& conditions) {
  for (const domain::Condition& c : conditions) Newer(newest, c.last_transition_ns);
}

}  // namespace

int64_t NewestTime(const domain::KubeObject& object) {
  int64_t newest = std::max(object.meta.created_ns, object.meta.deleted_ns);
  if (const auto* pod = object.pod()) {
    Newer(newest, pod->start_ns);
    NewerConditions(newest, pod->conditions);
    for (const domain::ContainerStatus& s : pod->statuses) {
      for (const domain::ContainerState* state : {&s.state, &s.last_state}) {
        Newer(newest, state->started_ns);
        Newer(newest, state->finished_ns);
      }
    }
  } else if (const auto* node = object.node()) {
    NewerConditions(newest, node->conditions);
  } else if (const auto* workload = object.workload()) {
    NewerConditions(newest, workload->conditions);
  } else if (const auto* event = object.event()) {
    Newer(newest, event->last_ns);
  }
  return newest;
}

void DumpReader::ReadJson(absl::string_view text, const std::string& name,
                          const ChangeHandler& handler, std::vector<DumpProblem>* problems) {
  std::vector<domain::ObjectChange> changes;
  absl::StatusOr<ListPage> page =
      decoder_.DecodeList(text, [&](size_t index, absl::StatusOr<domain::KubeObject> object) {
        if (!object.ok()) {
          problems->push_back(
              {absl::StrCat(name, ": items[", index, "]"), std::string(object.status().message())});
          return;
        }
        if (object->kind == domain::KubeKind::kUnknown) return;
        int64_t at = NewestTime(*object);
        changes.push_back({domain::ObjectChange::Type::kAdded, at, std::move(*object),
                           std::string(decoder_.raw())});
      });
  if (!page.ok()) {
    problems->push_back({name, std::string(page.status().message())});
    return;
  }
  std::stable_sort(changes.begin(), changes.end(),
                   [](const auto& a, const auto& b) { return a.time_ns < b.time_ns; });
  for (const domain::ObjectChange& change : changes) handler(change);
}

void DumpReader::ReadWatch(absl::string_view text, const std::string& name,
                           const ChangeHandler& handler, std::vector<DumpProblem>* problems) {
  size_t line_number = 0;
  int64_t last_time = 0;
  while (!text.empty()) {
    size_t end = text.find('\n');
    absl::string_view line = text.substr(0, end);
    text = end == absl::string_view::npos ? absl::string_view() : text.substr(end + 1);
    ++line_number;
    if (line.find_first_not_of(" \t\r") == absl::string_view::npos) continue;
    absl::StatusOr<WatchEvent> event = decoder_.DecodeWatchEvent(line);
    if (!event.ok()) {
      problems->push_back(
          {absl::StrCat(name, ":", line_number), std::string(event.status().message())});
      continue;
    }
    if (event->type == WatchEvent::Type::kBookmark || event->type == WatchEvent::Type::kError) {
      continue;
    }
    if (event->object.kind == domain::KubeKind::kUnknown) continue;
    domain::ObjectChange change;
    change.type = event->type == WatchEvent::Type::kAdded ? domain::ObjectChange::Type::kAdded
                  : event->type == WatchEvent::Type::kDeleted
                      ? domain::ObjectChange::Type::kDeleted
                      : domain::ObjectChange::Type::kModified;
    // A recording has no clock of its own: each change happened no earlier than the newest time
    // its object shows, and no earlier than the change recorded before it.
    last_time = std::max(last_time, NewestTime(event->object));
    change.time_ns = last_time;
    change.object = std::move(event->object);
    change.raw = std::string(decoder_.raw());
    handler(change);
  }
}

absl::Status DumpReader::ReadJsonFile(const std::string& path, const std::string& name,
                                      const ChangeHandler& handler,
                                      std::vector<DumpProblem>* problems) {
  absl::StatusOr<std::string> text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  ReadJson(*text, name, handler, problems);
  return absl::OkStatus();
}

absl::Status DumpReader::ReadWatchFile(const std::string& path, const std::string& name,
                                       const ChangeHandler& handler,
                                       std::vector<DumpProblem>* problems) {
  absl::StatusOr<std::string> text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  ReadWatch(*text, name, handler, problems);
  return absl::OkStatus();
}

}  // namespace tapio::collectors::kubeapi
