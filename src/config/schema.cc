#include "config/schema.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "domain/event.h"

namespace tapio::config {
namespace {

template <typename T>
using Field = T& (*)(Config&);
template <typename T>
using SourceField = T& (*)(Config&, domain::Source);
template <typename E>
using Words = std::vector<std::pair<std::string, E>>;

const Words<Overflow>& OverflowWords() {
  static const auto* words = new Words<Overflow>{
      {"block", Overflow::kBlock},
      {"drop-lowest-severity", Overflow::kDropLowestSeverity},
  };
  return *words;
}

const Words<LogLevel>& LogLevelWords() {
  static const auto* words = new Words<LogLevel>{
      {"debug", LogLevel::kDebug},
      {"info", LogLevel::kInfo},
      {"warning", LogLevel::kWarning},
      {"error", LogLevel::kError},
  };
  return *words;
}

Key Make(std::string path, ValueType type, std::optional<std::string> default_text,
         std::string doc) {
  Key key;
  key.segments = absl::StrSplit(path, '.');
  key.path = std::move(path);
  key.type = type;
  key.default_text = std::move(default_text);
  key.doc = std::move(doc);
  return key;
}

Key String(std::string path, std::string default_text, int64_t max_length, std::string doc,
           Field<std::string> field) {
  Key key = Make(std::move(path), ValueType::kString, std::move(default_text), std::move(doc));
  key.max = max_length;
  key.apply = [field](const Value& value, absl::string_view, Config& config) {
    field(config) = value.text;
  };
  return key;
}

Key Integer(std::string path, std::string default_text, int min, int max, std::string doc,
            Field<int> field) {
  Key key = Make(std::move(path), ValueType::kInteger, std::move(default_text), std::move(doc));
  key.min = min;
  key.max = max;
  key.apply = [field](const Value& value, absl::string_view, Config& config) {
    field(config) = static_cast<int>(value.integer);
  };
  return key;
}

Key Duration(std::string path, std::string default_text, absl::Duration min, absl::Duration max,
             std::string doc, Field<absl::Duration> field) {
  Key key = Make(std::move(path), ValueType::kDuration, std::move(default_text), std::move(doc));
  key.min_duration = min;
  key.max_duration = max;
  key.apply = [field](const Value& value, absl::string_view, Config& config) {
    field(config) = value.duration;
  };
  return key;
}

template <typename E>
E WordValue(const Words<E>& words, absl::string_view word) {
  for (const auto& [text, value] : words) {
    if (text == word) return value;
  }
  return words.front().second;
}

template <typename E>
Key Enum(std::string path, std::string default_text, const Words<E>& words, std::string doc,
         Field<E> field) {
  Key key = Make(std::move(path), ValueType::kEnum, std::move(default_text), std::move(doc));
  for (const auto& word : words) key.words.push_back(word.first);
  key.apply = [&words, field](const Value& value, absl::string_view, Config& config) {
    field(config) = WordValue(words, value.text);
  };
  return key;
}

// A key under "<source>": set only for the sources a file names, so it has no default.
template <typename E>
Key SourceEnum(std::string path, const Words<E>& words, std::string doc, SourceField<E> field) {
  Key key = Make(std::move(path), ValueType::kEnum, std::nullopt, std::move(doc));
  for (const auto& word : words) key.words.push_back(word.first);
  for (int i = 1; i < domain::kSourceCount; ++i) {
    key.names.emplace_back(domain::SourceName(static_cast<domain::Source>(i)));
  }
  key.names_are = "a source";
  key.apply = [&words, field](const Value& value, absl::string_view name, Config& config) {
    domain::Source source;
    if (domain::ParseSourceName(name, &source))
      field(config, source) = WordValue(words, value.text);
  };
  return key;
}

std::vector<Key> MakeSchema() {
  std::vector<Key> keys;
  keys.push_back(String("cluster", "", 253,
                        "The cluster's name, put on every event; empty in a single-cluster set-up.",
                        [](Config& c) -> std::string& { return c.cluster; }));
  keys.push_back(Integer("pipeline.shards", "2", 1, 64,
                         "Worker shards; all events about one entity go to one shard, in order; "
                         "the analysis in tapio serve runs on one.",
                         [](Config& c) -> int& { return c.pipeline.shards; }));
  keys.push_back(Integer("pipeline.queue_capacity", "65536", 1024, 16777216,
                         "Events each shard's queue holds before its overflow policy applies.",
                         [](Config& c) -> int& { return c.pipeline.queue_capacity; }));
  keys.push_back(Integer("pipeline.batch_size", "256", 1, 65536,
                         "Most events a worker takes from its queue at once.",
                         [](Config& c) -> int& { return c.pipeline.batch_size; }));
  keys.push_back(Duration(
      "pipeline.batch_wait", "0s", absl::ZeroDuration(), absl::Seconds(1),
      "How long a worker waits for more events before it processes a partial batch; 0 hands "
      "on what is there at once.",
      [](Config& c) -> absl::Duration& { return c.pipeline.batch_wait; }));
  keys.push_back(Enum<Overflow>(
      "pipeline.overflow", "drop-lowest-severity", OverflowWords(),
      "What a full queue does: block the source, or drop events lowest severity first.",
      [](Config& c) -> Overflow& { return c.pipeline.overflow; }));
  keys.push_back(Duration("pipeline.drain_timeout", "30s", absl::ZeroDuration(), absl::Minutes(10),
                          "How long shutdown waits for queued events to pass the pipeline.",
                          [](Config& c) -> absl::Duration& { return c.pipeline.drain_timeout; }));
  keys.push_back(SourceEnum<Overflow>(
      "pipeline.sources.<source>.overflow", OverflowWords(),
      "The overflow policy of one source, instead of `pipeline.overflow`.",
      [](Config& c, domain::Source s) -> Overflow& { return c.pipeline.source_overflow[s]; }));
  keys.push_back(Integer(
      "collectors.events_per_second", "0", 0, 100'000'000,
      "Events per second a server lets each collector send (0: no limit); read again on SIGHUP.",
      [](Config& c) -> int& { return c.collectors.events_per_second; }));
  keys.push_back(
      Integer("collectors.burst", "0", 0, 100'000'000,
              "Events a collector may send at once after a quiet spell (0: two seconds' worth).",
              [](Config& c) -> int& { return c.collectors.burst; }));
  keys.push_back(Integer("collectors.batch_events", "5000", 1, 65536,
                         "Events per batch a server asks its collectors to send, at most.",
                         [](Config& c) -> int& { return c.collectors.batch_events; }));
  keys.push_back(Duration("collectors.batch_delay", "200ms", absl::Milliseconds(1),
                          absl::Seconds(60),
                          "How long a collector may hold events before sending a batch.",
                          [](Config& c) -> absl::Duration& { return c.collectors.batch_delay; }));
  keys.push_back(
      Duration("collectors.heartbeat_interval", "10s", absl::Milliseconds(100), absl::Minutes(10),
               "How often collectors report to the server; three missed make one silent.",
               [](Config& c) -> absl::Duration& { return c.collectors.heartbeat_interval; }));
  keys.push_back(
      Duration("store.retention", "0s", absl::ZeroDuration(), absl::Hours(24 * 3650),
               "How long a server keeps events, by their own time, with their raw records (0s: for "
               "ever). A replayed incident older than this goes at the next pass.",
               [](Config& c) -> absl::Duration& { return c.store.retention; }));
  keys.push_back(Integer(
      "store.raw_records_mib", "1024", 0, 16'777'216,
      "MiB that raw source records may take in a server's store, the earliest removed first "
      "(0: no limit); their events stay.",
      [](Config& c) -> int& { return c.store.raw_records_mib; }));
  keys.push_back(
      Duration("store.retention_interval", "1m", absl::Seconds(1), absl::Hours(24),
               "How often a server applies `store.retention` and `store.raw_records_mib`.",
               [](Config& c) -> absl::Duration& { return c.store.retention_interval; }));
  keys.push_back(Enum<LogLevel>("log.level", "info", LogLevelWords(),
                                "The least severe log line written.",
                                [](Config& c) -> LogLevel& { return c.log.level; }));
  return keys;
}

absl::Status Expected(absl::string_view what, absl::string_view got) {
  return absl::InvalidArgumentError(absl::StrCat("expected ", what, ", got ", Quoted(got)));
}

}  // namespace

const std::vector<Key>& Schema() {
  static const auto* schema = new std::vector<Key>(MakeSchema());
  return *schema;
}

absl::StatusOr<Value> ParseValue(const Key& key, absl::string_view text) {
  Value value;
  switch (key.type) {
    case ValueType::kInteger:
      if (!absl::SimpleAtoi(text, &value.integer) || value.integer < key.min ||
          value.integer > key.max) {
        return Expected(absl::StrCat("an integer from ", key.min, " to ", key.max), text);
      }
      return value;
    case ValueType::kDuration:
      // ParseDuration accepts "inf", which no setting means.
      if (!absl::ParseDuration(text, &value.duration) ||
          value.duration == absl::InfiniteDuration() ||
          value.duration == -absl::InfiniteDuration()) {
        return absl::InvalidArgumentError(
            absl::StrCat(Quoted(text), " is not a duration (examples: 250us, 200ms, 30s)"));
      }
      if (value.duration < key.min_duration || value.duration > key.max_duration) {
        return Expected(absl::StrCat("a duration from ", absl::FormatDuration(key.min_duration),
                                     " to ", absl::FormatDuration(key.max_duration)),
                        text);
      }
      return value;
    case ValueType::kEnum:
      for (const std::string& word : key.words) {
        if (text == word) {
          value.text = word;
          return value;
        }
      }
      return Expected(absl::StrCat("one of ", absl::StrJoin(key.words, ", ")), text);
    case ValueType::kString:
      if (key.max > 0 && static_cast<int64_t>(text.size()) > key.max) {
        return absl::InvalidArgumentError(
            absl::StrCat("expected at most ", key.max, " bytes, got ", text.size()));
      }
      value.text = std::string(text);
      return value;
  }
  return absl::InternalError("a key of no known type");
}

std::string Printable(absl::string_view text) {
  constexpr size_t kMaxBytes = 80;
  if (text.size() <= kMaxBytes) return absl::Utf8SafeCHexEscape(text);
  size_t cut = kMaxBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return absl::StrCat(absl::Utf8SafeCHexEscape(text.substr(0, cut)), "…");
}

std::string Quoted(absl::string_view text) { return absl::StrCat("\"", Printable(text), "\""); }

}  // namespace tapio::config
