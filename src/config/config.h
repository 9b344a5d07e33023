// tapio.yaml: the settings of a Tapio process, read and validated against one schema
// (schema.h). Every problem is reported with the file, the line and the key. Thread-safe:
// plain values and pure functions.
#ifndef TAPIO_CONFIG_CONFIG_H_
#define TAPIO_CONFIG_CONFIG_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "domain/event.h"

namespace tapio::config {

enum class Overflow { kBlock, kDropLowestSeverity };
enum class LogLevel { kDebug, kInfo, kWarning, kError };

struct PipelineConfig {
  int shards = 0;
  int queue_capacity = 0;
  int batch_size = 0;
  absl::Duration batch_wait;
  Overflow overflow = Overflow::kDropLowestSeverity;
  absl::Duration drain_timeout;
  // Sources with a policy of their own.
  absl::flat_hash_map<domain::Source, Overflow> source_overflow;
};

struct LogConfig {
  LogLevel level = LogLevel::kInfo;
};

struct Config {
  std::string cluster;
  PipelineConfig pipeline;
  LogConfig log;
};

// Every setting at its documented default.
Config DefaultConfig();

// Reads YAML text; `file_name` names it in errors. An empty document gives the defaults.
// Fails with InvalidArgument listing every problem, one per line, as
// "FILE:LINE: KEY: PROBLEM" (unknown keys, wrong types, values out of range, bad durations,
// duplicate keys, YAML syntax errors).
absl::StatusOr<Config> LoadConfig(absl::string_view yaml_text, absl::string_view file_name);

// Reads the file at `path`; NotFound when it cannot be read, otherwise as LoadConfig.
absl::StatusOr<Config> LoadConfigFile(const std::string& path);

}  // namespace tapio::config

#endif  // TAPIO_CONFIG_CONFIG_H_
