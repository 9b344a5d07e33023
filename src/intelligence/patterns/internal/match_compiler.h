// Compiles the event matches of pattern files ("type: …" and field conditions) into
// EventMatchers. Thread-safe (stateless; problems go to the caller's list).
#ifndef TAPIO_INTELLIGENCE_PATTERNS_INTERNAL_MATCH_COMPILER_H_
#define TAPIO_INTELLIGENCE_PATTERNS_INTERNAL_MATCH_COMPILER_H_

#include <optional>
#include <string>

#include "intelligence/patterns/event_matcher.h"
#include "intelligence/patterns/internal/yaml_problems.h"
#include "yaml-cpp/yaml.h"

namespace tapio::intelligence::internal {

// The matcher `node` describes, with `key` naming it in problems; nullopt after adding to
// `problems` when it is not a mapping with a type, names an unknown field or operator, or
// holds a value of the wrong kind.
std::optional<EventMatcher> CompileMatch(const YAML::Node& node, const std::string& key,
                                         YamlProblems& problems);

}  // namespace tapio::intelligence::internal

#endif  // TAPIO_INTELLIGENCE_PATTERNS_INTERNAL_MATCH_COMPILER_H_
