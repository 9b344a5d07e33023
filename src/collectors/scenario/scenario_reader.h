// Reads incident dumps in the scenario layout (../shared/SCENARIOS.md): k8s/*.json and
// k8s/*.jsonl through the Kubernetes decoder, node and application records through their
// sources' readers as those land. Any directory in that shape works, with or without
// expected.yaml; files it does not understand are reported and skipped. Not thread-safe.
#ifndef TAPIO_COLLECTORS_SCENARIO_SCENARIO_READER_H_
#define TAPIO_COLLECTORS_SCENARIO_SCENARIO_READER_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "collectors/kubeapi/dump_reader.h"
#include "domain/clock.h"
#include "domain/entity.h"
#include "domain/event.h"
#include "domain/event_id.h"
#include "domain/kube_object.h"

namespace tapio::collectors::scenario {

struct ScenarioInput {
  // Called for every Kubernetes object change, in the order of each file's records.
  std::function<void(const domain::ObjectChange&)> on_change;
  // Called with events read from node and application records.
  std::function<void(std::vector<domain::Event>)> on_events;
};

struct ScenarioReport {
  // Files read, relative to the path given.
  std::vector<std::string> read;
  // Files skipped, with why ("not part of the scenario layout", "no reader for OTLP yet").
  std::vector<kubeapi::DumpProblem> skipped;
  // Records that could not be used.
  std::vector<kubeapi::DumpProblem> problems;
  // The kinds of input present, for saying what evidence was missing: "k8s", "kmsg", ….
  std::vector<std::string> inputs;
};

class ScenarioReader {
 public:
  // Events from node records are about entities of `cluster` in `registry`, with ids from
  // `ids`; all three must outlive the reader.
  ScenarioReader(std::string cluster, domain::EntityRegistry& registry,
                 domain::EventIdGenerator& ids, const domain::Clock& clock);

  // When on, Kubernetes object changes carry their object's JSON (ObjectChange::raw).
  void set_keep_raw(bool keep) { kube_.set_keep_raw(keep); }

  // Reads `path`: a scenario directory, a directory of `kubectl get -o json` files, or a single
  // file. Fails with NotFound when `path` does not exist.
  absl::Status Read(const std::string& path, const ScenarioInput& input, ScenarioReport* report);

 private:
  void ReadFile(const std::string& full, const std::string& relative, const ScenarioInput& input,
                ScenarioReport* report);

  kubeapi::DumpReader kube_;
  std::string cluster_;
  domain::EntityRegistry& registry_;
  domain::EventIdGenerator& ids_;
  const domain::Clock& clock_;
};

}  // namespace tapio::collectors::scenario

#endif  // TAPIO_COLLECTORS_SCENARIO_SCENARIO_READER_H_
