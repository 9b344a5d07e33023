// A scenario's truth, read from its expected.yaml (../shared/SCENARIOS.md): the symptom asked
// about, the real root cause, the entities the chain must contain, and whether the scenario is
// a near miss. Thread-safe (stateless).
#ifndef TAPIO_COLLECTORS_SCENARIO_EXPECTED_OUTCOME_H_
#define TAPIO_COLLECTORS_SCENARIO_EXPECTED_OUTCOME_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace tapio::collectors::scenario {

struct EntityName {
  std::string kind;
  std::string namespace_name;
  std::string name;
  // Only for root causes and chain entries.
  std::string category;
};

struct ExpectedOutcome {
  std::string description;
  EntityName symptom;
  // Unix nanoseconds; nullopt when the scenario asks as of its last record.
  std::optional<int64_t> at_ns;
  EntityName root_cause;
  std::vector<EntityName> chain;
  bool near_miss = false;
};

// Reads `path`. Fails with NotFound when it does not exist and InvalidArgument, naming the
// file, line and key, when a required key (symptom.kind, symptom.name, root_cause.kind,
// root_cause.name, root_cause.category) is missing or a value has the wrong type.
absl::StatusOr<ExpectedOutcome> ReadExpectedOutcome(const std::string& path);

}  // namespace tapio::collectors::scenario

#endif  // TAPIO_COLLECTORS_SCENARIO_EXPECTED_OUTCOME_H_
