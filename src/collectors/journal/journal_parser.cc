#include "collectors/journal/journal_parser.h"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "collectors/journal/journal_message.h"
#include "domain/status_macros.h"
#include "domain/string_list.h"
#include "domain/symbol_table.h"
#include "simdjson.h"

namespace tapio::collectors::journal {
namespace {

namespace dom = ::simdjson::dom;
using domain::Intern;
using domain::Severity;

// Units, identifiers and host names are one line each, and systemd's own limits on them
// are shorter than this.
constexpr size_t kMaxNameBytes = 256;
// How much of a bad value an error quotes.
constexpr size_t kMaxQuotedBytes = 40;
// What journald assumes for an entry without PRIORITY (LOG_INFO).
constexpr uint8_t kDefaultPriority = 6;

absl::string_view View(std::string_view text) { return {text.data(), text.size()}; }

absl::string_view TypeName(dom::element_type type) {
  switch (type) {
    case dom::element_type::ARRAY:
      return "an array";
    case dom::element_type::OBJECT:
      return "an object";
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE:
      return "a number";
    case dom::element_type::STRING:
      return "a string";
    case dom::element_type::BOOL:
      return "a boolean";
    case dom::element_type::NULL_VALUE:
      return "null";
  }
  return "something else";
}

std::string Quote(absl::string_view text) {
  std::string quoted = absl::StrCat("\"", absl::CHexEscape(text.substr(0, kMaxQuotedBytes)));
  absl::StrAppend(&quoted, text.size() > kMaxQuotedBytes ? "…\"" : "\"");
  return quoted;
}

// Appends `in` to `*out` as valid UTF-8 of at most `cap` bytes: invalid sequences become
// U+FFFD, control bytes a space (newline and tab stay when `multiline`); the text is cut
// before the first character that does not fit.
void AppendClean(absl::string_view in, size_t cap, bool multiline, std::string* out) {
  static constexpr absl::string_view kReplacement = "\xEF\xBF\xBD";
  size_t i = 0;
  while (i < in.size()) {
    auto byte = static_cast<unsigned char>(in[i]);
    size_t length = 1;
    bool valid = true;
    if (byte >= 0x80) {
      unsigned char low = 0x80;
      unsigned char high = 0xBF;
      if (byte >= 0xC2 && byte <= 0xDF) {
        length = 2;
      } else if (byte >= 0xE0 && byte <= 0xEF) {
        length = 3;
        if (byte == 0xE0) low = 0xA0;
        if (byte == 0xED) high = 0x9F;
      } else if (byte >= 0xF0 && byte <= 0xF4) {
        length = 4;
        if (byte == 0xF0) low = 0x90;
        if (byte == 0xF4) high = 0x8F;
      } else {
        valid = false;
      }
      for (size_t k = 1; valid && k < length; ++k) {
        if (i + k >= in.size()) {
          valid = false;
          break;
        }
        auto next = static_cast<unsigned char>(in[i + k]);
        if (next < (k == 1 ? low : 0x80) || next > (k == 1 ? high : 0xBF)) valid = false;
      }
    }
    if (!valid) {
      if (out->size() + kReplacement.size() > cap) return;
      out->append(kReplacement.data(), kReplacement.size());
      ++i;
      continue;
    }
    if (out->size() + length > cap) return;
    if (length == 1) {
      bool keep = byte >= 0x20 && byte != 0x7F;
      if (multiline && (byte == '\n' || byte == '\t')) keep = true;
      out->push_back(keep ? static_cast<char>(byte) : ' ');
    } else {
      out->append(in.data() + i, length);
    }
    i += length;
  }
}

domain::Symbol InternClean(absl::string_view text, size_t cap, bool multiline,
                           std::string* scratch) {
  scratch->clear();
  AppendClean(text, cap, multiline, scratch);
  return Intern(*scratch);
}

Severity PrioritySeverity(int priority) {
  if (priority < 0) return Severity::kInfo;
  if (priority <= 2) return Severity::kCritical;
  if (priority == 3) return Severity::kError;
  if (priority == 4) return Severity::kWarning;
  if (priority <= 6) return Severity::kInfo;
  return Severity::kDebug;
}

}  // namespace

// The DOM parser rather than on-demand: it validates the whole line, so a line is taken
// only when all of it is JSON, including the fields passed over.
struct JournalParser::Json {
  dom::parser parser;
  std::string padded;
  // MESSAGE decoded from an array of bytes.
  std::string message_bytes;
  std::string clean;
};

struct JournalParser::Entry {
  int64_t time_ns = 0;
  bool has_time = false;
  bool has_message = false;
  absl::string_view message;
  absl::string_view systemd_unit;
  absl::string_view unit;
  absl::string_view identifier;
  absl::string_view hostname;
  int priority = -1;
  bool has_pid = false;
  uint32_t pid = 0;
};

namespace {

// Reads a field's text: a string; null (empty); when `bytes` is given, an array of byte
// values; and a field given more than once (an array of those), of which the first counts.
absl::Status FieldText(dom::element value, absl::string_view name, std::string* bytes,
                       absl::string_view* out, bool nested = false) {
  switch (value.type()) {
    case dom::element_type::STRING: {
      std::string_view text;
      if (value.get_string().get(text) != simdjson::SUCCESS) break;
      *out = View(text);
      return absl::OkStatus();
    }
    case dom::element_type::NULL_VALUE:
      *out = {};
      return absl::OkStatus();
    case dom::element_type::ARRAY: {
      dom::array array;
      if (value.get_array().get(array) != simdjson::SUCCESS || array.size() == 0) break;
      dom::element first = array.at(0).value_unsafe();
      if (first.is_number()) {
        if (bytes == nullptr) break;
        bytes->clear();
        for (dom::element element : array) {
          uint64_t byte = 0;
          if (element.get_uint64().get(byte) != simdjson::SUCCESS || byte > 0xFF) {
            return absl::InvalidArgumentError(
                absl::StrCat(name, ": expected an array of byte values 0-255"));
          }
          bytes->push_back(static_cast<char>(byte));
        }
        *out = *bytes;
        return absl::OkStatus();
      }
      if (!nested) return FieldText(first, name, bytes, out, /*nested=*/true);
      break;
    }
    default:
      break;
  }
  return absl::InvalidArgumentError(absl::StrCat(name, ": expected a string",
                                                 bytes != nullptr ? " or an array of bytes" : "",
                                                 ", got ", TypeName(value.type())));
}

absl::Status DecimalField(absl::string_view name, absl::string_view text, uint64_t max,
                          uint64_t* out) {
  bool digits = !text.empty() && text.size() <= 20;
  for (char c : text) digits = digits && absl::ascii_isdigit(static_cast<unsigned char>(c));
  if (!digits || !absl::SimpleAtoi(text, out) || *out > max) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": expected a decimal number up to ", max, ", got ", Quote(text)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<JournalParser>> JournalParser::Create(
    Options options, domain::EntityRegistry& registry, domain::EventIdGenerator& ids,
    const domain::Clock& clock) {
  if (options.node.empty()) {
    return absl::InvalidArgumentError("journal parser needs the node's name");
  }
  domain::EntityRef ref;
  ref.cluster = Intern(options.cluster);
  ref.kind = Intern("Node");
  ref.name = Intern(options.node);
  TAPIO_ASSIGN_OR_RETURN(domain::EntityId node, registry.Register(ref));
  return std::unique_ptr<JournalParser>(new JournalParser(std::move(options), node, ids, clock));
}

JournalParser::JournalParser(Options options, domain::EntityId node, domain::EventIdGenerator& ids,
                             const domain::Clock& clock)
    : options_(std::move(options)),
      node_(node),
      ids_(ids),
      clock_(clock),
      json_(std::make_unique<Json>()) {}

JournalParser::~JournalParser() = default;

absl::Status JournalParser::Reject(absl::string_view problem) {
  ++counts_.rejected;
  return absl::InvalidArgumentError(
      absl::StrCat(options_.source_name, ":", counts_.lines, ": ", problem));
}

absl::Status JournalParser::ParseLine(absl::string_view line, std::vector<domain::Event>* out) {
  ++counts_.lines;
  if (line.size() > kMaxLineBytes) {
    return Reject(absl::StrCat("line of ", line.size(), " bytes is longer than the ", kMaxLineBytes,
                               " accepted"));
  }
  absl::ConsumeSuffix(&line, "\n");
  absl::ConsumeSuffix(&line, "\r");
  if (absl::StripAsciiWhitespace(line).empty()) {
    ++counts_.ignored;
    return absl::OkStatus();
  }
  Entry entry;
  if (absl::Status status = ReadEntry(line, &entry); !status.ok()) {
    return Reject(status.message());
  }
  if (!entry.has_time) return Reject("no __REALTIME_TIMESTAMP");
  if (!entry.has_message) {
    ++counts_.ignored;
    return absl::OkStatus();
  }
  out->push_back(Build(entry));
  ++counts_.events;
  return absl::OkStatus();
}

absl::Status JournalParser::ReadEntry(absl::string_view line, Entry* entry) {
  json_->padded.assign(line.data(), line.size());
  json_->padded.append(simdjson::SIMDJSON_PADDING, '\0');
  dom::element document;
  if (simdjson::error_code error =
          json_->parser.parse(json_->padded.data(), line.size(), /*realloc_if_needed=*/false)
              .get(document);
      error != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        absl::StrCat("not JSON (", simdjson::error_message(error), ")"));
  }
  dom::object object;
  if (document.get_object().get(object) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected a JSON object, got ", TypeName(document.type())));
  }
  for (dom::key_value_pair field : object) {
    absl::string_view key = View(field.key);
    absl::string_view text;
    if (key == "MESSAGE") {
      TAPIO_RETURN_IF_ERROR(FieldText(field.value, key, &json_->message_bytes, &text));
      entry->has_message = true;
      entry->message = text;
      continue;
    }
    if (key != "__REALTIME_TIMESTAMP" && key != "PRIORITY" && key != "_PID" &&
        key != "_SYSTEMD_UNIT" && key != "UNIT" && key != "SYSLOG_IDENTIFIER" &&
        key != "_HOSTNAME") {
      continue;
    }
    TAPIO_RETURN_IF_ERROR(FieldText(field.value, key, /*bytes=*/nullptr, &text));
    if (key == "__REALTIME_TIMESTAMP") {
      uint64_t micros = 0;
      TAPIO_RETURN_IF_ERROR(DecimalField(
          key, text, static_cast<uint64_t>(std::numeric_limits<int64_t>::max() / 1000), &micros));
      entry->time_ns = static_cast<int64_t>(micros) * 1000;
      entry->has_time = true;
    } else if (key == "PRIORITY") {
      uint64_t priority = 0;
      if (text.size() != 1 || !DecimalField(key, text, 7, &priority).ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(key, ": expected a syslog priority \"0\"-\"7\", got ", Quote(text)));
      }
      entry->priority = static_cast<int>(priority);
    } else if (key == "_PID") {
      uint64_t pid = 0;
      TAPIO_RETURN_IF_ERROR(DecimalField(key, text, std::numeric_limits<uint32_t>::max(), &pid));
      entry->pid = static_cast<uint32_t>(pid);
      entry->has_pid = true;
    } else if (key == "_SYSTEMD_UNIT") {
      entry->systemd_unit = text;
    } else if (key == "UNIT") {
      entry->unit = text;
    } else if (key == "SYSLOG_IDENTIFIER") {
      entry->identifier = text;
    } else {
      entry->hostname = text;
    }
  }
  return absl::OkStatus();
}

domain::Event JournalParser::Build(const Entry& entry) {
  absl::string_view message = entry.message;
  while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) {
    message.remove_suffix(1);
  }

  domain::ServicePayload payload;
  payload.priority = entry.priority < 0 ? kDefaultPriority : static_cast<uint8_t>(entry.priority);
  payload.pid = entry.pid;
  Severity severity = PrioritySeverity(entry.priority);
  absl::string_view type = event_type::kLog;
  absl::string_view unit;
  absl::string_view text = message;
  std::vector<std::pair<absl::string_view, absl::string_view>> labels;
  std::string number;

  bool from_systemd = entry.has_pid ? entry.pid == 1 : entry.identifier == "systemd";
  std::optional<UnitLine> change;
  if (from_systemd) change = ParseUnitLine(message);
  if (change.has_value()) {
    unit = !entry.unit.empty()                  ? entry.unit
           : !change->unit.empty()              ? change->unit
           : entry.systemd_unit != "init.scope" ? entry.systemd_unit
                                                : absl::string_view();
    switch (change->change) {
      case UnitChange::kProcessExited:
        type = event_type::kUnitProcessExited;
        payload.exit_status = change->status;
        labels.emplace_back("code", change->code);
        labels.emplace_back("status", change->status_text);
        if (change->code == "exited" && change->status == 0) {
          severity = Severity::kInfo;
        } else if (change->code == "killed" && change->status == 15) {
          severity = Severity::kWarning;
        } else {
          severity = Severity::kError;
        }
        break;
      case UnitChange::kFailed:
        type = event_type::kUnitFailed;
        payload.state = Intern("failed");
        payload.sub_state = Intern("failed");
        labels.emplace_back("result", change->result);
        severity = Severity::kError;
        break;
      case UnitChange::kStarted:
        type = event_type::kUnitStarted;
        payload.state = Intern("active");
        payload.sub_state = Intern("running");
        severity = Severity::kInfo;
        break;
      case UnitChange::kStopped:
        type = event_type::kUnitStopped;
        payload.state = Intern("inactive");
        payload.sub_state = Intern("dead");
        severity = Severity::kInfo;
        break;
      case UnitChange::kRestarting:
        type = event_type::kUnitRestarting;
        payload.state = Intern("activating");
        payload.sub_state = Intern("auto-restart");
        number = absl::StrCat(change->restart_count);
        labels.emplace_back("restart_count", number);
        severity = Severity::kWarning;
        break;
    }
  } else {
    unit = !entry.systemd_unit.empty() ? entry.systemd_unit
           : !entry.unit.empty()       ? entry.unit
                                       : entry.identifier;
    if (std::optional<KlogLine> klog = ParseKlogLine(message); klog.has_value()) {
      severity = klog->severity;
      text = klog->text;
      payload.source_location =
          InternClean(klog->source_location, kMaxNameBytes, /*multiline=*/false, &json_->clean);
    } else if (std::optional<Severity> level = LogrusSeverity(message); level.has_value()) {
      severity = *level;
    }
  }

  std::string& clean = json_->clean;
  payload.unit = InternClean(unit, kMaxNameBytes, /*multiline=*/false, &clean);
  payload.message = InternClean(text, kMaxMessageBytes, /*multiline=*/true, &clean);

  if (!entry.hostname.empty()) labels.emplace_back("hostname", entry.hostname);
  if (!entry.identifier.empty()) labels.emplace_back("identifier", entry.identifier);
  // Label values come from the entry; each is cleaned into a copy that outlives InternLabels.
  std::vector<std::string> values(labels.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    AppendClean(labels[i].second, kMaxNameBytes, /*multiline=*/false, &values[i]);
    labels[i].second = values[i];
  }

  domain::Event event;
  event.id = ids_.Next();
  event.time_ns = entry.time_ns;
  event.observed_ns = clock_.NowNanos();
  event.entity = node_;
  event.type = Intern(type);
  event.source = domain::Source::kJournal;
  event.severity = severity;
  event.labels = domain::InternLabels(std::move(labels));
  event.payload = payload;
  return event;
}

}  // namespace tapio::collectors::journal
