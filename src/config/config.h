// tapio.yaml: the settings of a Tapio process, read with yaml-cpp and validated against one
// schema (schema.h), which also holds every default. Every problem is reported with the file,
// the line and the key. Thread-safe: plain values and functions without shared mutable state.
#ifndef TAPIO_CONFIG_CONFIG_H_
#define TAPIO_CONFIG_CONFIG_H_

#include <cstddef>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "domain/event.h"

namespace tapio::config {

// What a full shard queue does with another event.
enum class Overflow { kBlock, kDropLowestSeverity };
enum class LogLevel { kDebug, kInfo, kWarning, kError };

struct PipelineConfig {
  int shards = 0;
  int queue_capacity = 0;
  int batch_size = 0;
  absl::Duration batch_wait;
  Overflow overflow = Overflow::kDropLowestSeverity;
  absl::Duration drain_timeout;
  // Only the sources the file names; every other source follows `overflow`.
  absl::flat_hash_map<domain::Source, Overflow> source_overflow;
};

// What a server asks of the collectors that stream to it, and holds them to.
struct CollectorsConfig {
  int events_per_second = 0;
  int burst = 0;
  int batch_events = 0;
  absl::Duration batch_delay;
  absl::Duration heartbeat_interval;
};

// How long a server's store keeps what it holds.
struct StoreConfig {
  absl::Duration retention;
  int raw_records_mib = 0;
  absl::Duration retention_interval;
};

struct LogConfig {
  LogLevel level = LogLevel::kInfo;
};

struct Config {
  std::string cluster;
  PipelineConfig pipeline;
  CollectorsConfig collectors;
  StoreConfig store;
  LogConfig log;
};

// The largest configuration LoadConfig reads; larger input is InvalidArgument.
inline constexpr size_t kMaxConfigBytes = size_t{1} << 20;

// Every setting at the default the schema gives it.
Config DefaultConfig();

// Reads one YAML document; `file_name` names it in errors. Keys the text leaves out keep their
// defaults; an empty document (or only comments) gives DefaultConfig(). On failure returns
// InvalidArgument whose message lists every problem found, one per line, each as
// "FILE:LINE: KEY: PROBLEM" (LINE 1-based; KEY left out for problems of the whole file):
// unknown keys (with a suggestion when one is close), values of the wrong type or out of range,
// durations that do not parse, a mapping or list where a value belongs, duplicate keys, names
// no "<source>" segment accepts, YAML syntax errors, a top level that is not a mapping, more
// than one document, more than kMaxConfigBytes. At most 50 problems are listed, then a count.
absl::StatusOr<Config> LoadConfig(absl::string_view yaml_text, absl::string_view file_name);

// Reads the file at `path` and loads it as LoadConfig(text, path) does. Fails with the code
// of the errno (NotFound, PermissionDenied, ...) when it cannot be read, and InvalidArgument
// for a directory or a file larger than kMaxConfigBytes.
absl::StatusOr<Config> LoadConfigFile(const std::string& path);

}  // namespace tapio::config

#endif  // TAPIO_CONFIG_CONFIG_H_
