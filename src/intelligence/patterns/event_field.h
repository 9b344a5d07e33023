// The fields of an event that patterns match on and templates print, by name: "reason",
// "exit_code", "message", "label.node", …, whatever the payload. Thread-safe (stateless).
#ifndef TAPIO_INTELLIGENCE_PATTERNS_EVENT_FIELD_H_
#define TAPIO_INTELLIGENCE_PATTERNS_EVENT_FIELD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "domain/event.h"

namespace tapio::intelligence {

enum class EventFieldId : uint8_t {
  kType,
  kSource,
  kSeverity,
  kReason,
  kMessage,
  kContainer,
  kExitCode,
  kSignal,
  kRestartCount,
  kCount,
  kField,
  kFrom,
  kTo,
  kComponent,
  kComm,
  kPid,
  kMemcgLimitKb,
  kMemcgUsageKb,
  kAnonRssKb,
  kUnit,
  kState,
  kSubState,
  kExitStatus,
  kService,
  kSpanName,
  kStatusMessage,
  kHttpStatus,
  kPeerService,
  kLogLine,
  // A label, named by the text after "label.".
  kLabel,
};

struct EventField {
  EventFieldId id = EventFieldId::kType;
  // For kLabel: the label's key.
  std::string label;
};

// A field's value on one event: text, and a number when the field is numeric. Text views
// interned strings, which live for the process.
struct FieldValue {
  absl::string_view text;
  std::optional<int64_t> number;
};

// Parses a field name; nullopt when it names no field.
std::optional<EventField> ParseEventField(absl::string_view name);
// Every field name, for "did you mean" and documentation.
std::vector<std::string> EventFieldNames();
bool IsNumericField(EventFieldId id);

// The value of `field` on `event`; nullopt when the event's payload has no such field or
// it is empty (an empty text, a zero count on a payload without it).
std::optional<FieldValue> ReadField(const domain::Event& event, const EventField& field);

// The value as text: numbers in decimal.
std::string FieldText(const FieldValue& value);

}  // namespace tapio::intelligence

#endif  // TAPIO_INTELLIGENCE_PATTERNS_EVENT_FIELD_H_
