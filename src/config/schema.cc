#include "config/schema.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace tapio::config {
namespace {

Overflow OverflowOf(absl::string_view text) {
  return text == "block" ? Overflow::kBlock : Overflow::kDropLowestSeverity;
}

LogLevel LevelOf(absl::string_view text) {
  if (text == "debug") return LogLevel::kDebug;
  if (text == "warning") return LogLevel::kWarning;
  if (text == "error") return LogLevel::kError;
  return LogLevel::kInfo;
}

std::vector<Key> MakeSchema() {
  std::vector<Key> keys;
  auto integer = [&](std::string path, std::string def, int64_t min, int64_t max, std::string doc,
                     auto apply) {
    Key key;
    key.path = std::move(path);
    key.type = ValueType::kInteger;
    key.default_text = std::move(def);
    key.min = min;
    key.max = max;
    key.doc = std::move(doc);
    key.apply = [apply](Config& c, const Value& v, absl::string_view) { apply(c, v.integer); };
    keys.push_back(std::move(key));
  };
  auto duration = [&](std::string path, std::string def, absl::Duration min, absl::Duration max,
                      std::string doc, auto apply) {
    Key key;
    key.path = std::move(path);
    key.type = ValueType::kDuration;
    key.default_text = std::move(def);
    key.min_duration = min;
    key.max_duration = max;
    key.doc = std::move(doc);
    key.apply = [apply](Config& c, const Value& v, absl::string_view) { apply(c, v.duration); };
    keys.push_back(std::move(key));
  };
  const std::vector<std::string> kOverflow = {"block", "drop-lowest-severity"};

  Key cluster;
  cluster.path = "cluster";
  cluster.type = ValueType::kString;
  cluster.max = 253;
  cluster.doc = "The cluster's name, put on every event; empty in a single-cluster set-up.";
  cluster.apply = [](Config& c, const Value& v, absl::string_view) { c.cluster = v.text; };
  keys.push_back(std::move(cluster));

  integer("pipeline.shards", "2", 1, 64,
          "Worker shards; all events about one entity go to one shard, in order.",
          [](Config& c, int64_t v) { c.pipeline.shards = static_cast<int>(v); });
  integer("pipeline.queue_capacity", "65536", 1024, 16777216,
          "Events each shard's queue holds before its overflow policy applies.",
          [](Config& c, int64_t v) { c.pipeline.queue_capacity = static_cast<int>(v); });
  integer("pipeline.batch_size", "256", 1, 65536,
          "Most events a worker takes from its queue at once.",
          [](Config& c, int64_t v) { c.pipeline.batch_size = static_cast<int>(v); });
  duration("pipeline.batch_wait", "0s", absl::ZeroDuration(), absl::Seconds(1),
           "How long a worker waits for a partial batch to fill; 0 hands on what is there.",
           [](Config& c, absl::Duration v) { c.pipeline.batch_wait = v; });

  Key overflow;
  overflow.path = "pipeline.overflow";
  overflow.type = ValueType::kEnum;
  overflow.default_text = "drop-lowest-severity";
  overflow.values = kOverflow;
  overflow.doc = "What a full queue does: block the source, or drop events lowest severity first.";
  overflow.apply = [](Config& c, const Value& v, absl::string_view) {
    c.pipeline.overflow = OverflowOf(v.text);
  };
  keys.push_back(std::move(overflow));

  duration("pipeline.drain_timeout", "30s", absl::ZeroDuration(), absl::Minutes(10),
           "How long shutdown waits for queued events to pass the pipeline.",
           [](Config& c, absl::Duration v) { c.pipeline.drain_timeout = v; });

  Key source_overflow;
  source_overflow.path = "pipeline.sources.*.overflow";
  source_overflow.type = ValueType::kEnum;
  source_overflow.values = kOverflow;
  source_overflow.doc = "The overflow policy of one source, instead of pipeline.overflow.";
  source_overflow.name_check = [](absl::string_view name) {
    domain::Source source;
    return domain::ParseSourceName(name, &source);
  };
  source_overflow.name_rule = "a source: kernel, kmsg, journal, cni, etcd, kubernetes, otlp, tapio";
  source_overflow.apply = [](Config& c, const Value& v, absl::string_view name) {
    domain::Source source;
    if (domain::ParseSourceName(name, &source)) {
      c.pipeline.source_overflow[source] = OverflowOf(v.text);
    }
  };
  keys.push_back(std::move(source_overflow));

  Key level;
  level.path = "log.level";
  level.type = ValueType::kEnum;
  level.default_text = "info";
  level.values = {"debug", "info", "warning", "error"};
  level.doc = "The least severe log line written.";
  level.apply = [](Config& c, const Value& v, absl::string_view) { c.log.level = LevelOf(v.text); };
  keys.push_back(std::move(level));
  return keys;
}

std::string Quoted(absl::string_view text) {
  return absl::StrCat("\"", text.substr(0, 80), text.size() > 80 ? "…" : "", "\"");
}

}  // namespace

const std::vector<Key>& Schema() {
  static const std::vector<Key>* schema = new std::vector<Key>(MakeSchema());
  return *schema;
}

absl::Status ParseValue(const Key& key, absl::string_view text, Value* value) {
  switch (key.type) {
    case ValueType::kInteger: {
      int64_t number;
      if (!absl::SimpleAtoi(text, &number) || number < key.min || number > key.max) {
        return absl::InvalidArgumentError(absl::StrCat("expected an integer from ", key.min, " to ",
                                                       key.max, ", got ", Quoted(text)));
      }
      value->integer = number;
      return absl::OkStatus();
    }
    case ValueType::kDuration: {
      absl::Duration duration;
      if (!absl::ParseDuration(text, &duration) || text == "inf" || text == "-inf") {
        return absl::InvalidArgumentError(
            absl::StrCat(Quoted(text), " is not a duration (examples: 250us, 200ms, 30s, 1h30m)"));
      }
      if (duration < key.min_duration || duration > key.max_duration) {
        return absl::InvalidArgumentError(
            absl::StrCat(Quoted(text), " is outside ", absl::FormatDuration(key.min_duration),
                         " to ", absl::FormatDuration(key.max_duration)));
      }
      value->duration = duration;
      return absl::OkStatus();
    }
    case ValueType::kEnum:
      for (const std::string& allowed : key.values) {
        if (text == allowed) {
          value->text = std::string(text);
          return absl::OkStatus();
        }
      }
      return absl::InvalidArgumentError(absl::StrCat(
          "expected one of ", absl::StrJoin(key.values, ", "), ", got ", Quoted(text)));
    case ValueType::kString:
      if (key.max > 0 && static_cast<int64_t>(text.size()) > key.max) {
        return absl::InvalidArgumentError(
            absl::StrCat("longer than ", key.max, " characters (", text.size(), ")"));
      }
      value->text = std::string(text);
      return absl::OkStatus();
  }
  return absl::InternalError("unknown value type");
}

std::string ConfigReferenceMarkdown() {
  std::string out = "| key | type | default | allowed | meaning |\n|---|---|---|---|---|\n";
  for (const Key& key : Schema()) {
    std::string type, allowed;
    switch (key.type) {
      case ValueType::kInteger:
        type = "integer";
        allowed = absl::StrCat(key.min, " to ", key.max);
        break;
      case ValueType::kDuration:
        type = "duration";
        allowed = absl::StrCat(absl::FormatDuration(key.min_duration), " to ",
                               absl::FormatDuration(key.max_duration));
        break;
      case ValueType::kString:
        type = "string";
        allowed = key.max > 0 ? absl::StrCat("up to ", key.max, " characters") : "any";
        break;
      case ValueType::kEnum:
        type = "one of";
        allowed = absl::StrJoin(key.values, ", ");
        break;
    }
    std::string path = key.path;
    if (key.name_check) absl::StrAppend(&allowed, "; `*` is ", key.name_rule);
    absl::StrAppend(&out, "| `", path, "` | ", type, " | ",
                    key.default_text.empty() ? "" : absl::StrCat("`", key.default_text, "`"), " | ",
                    allowed, " | ", key.doc, " |\n");
  }
  return out;
}

}  // namespace tapio::config
