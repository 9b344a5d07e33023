// Conversion between the wire event (tapio.v1.UnifiedEvent) and the in-memory domain::Event.
// FromProto is the gate every event from outside the process passes: it checks every field
// and rejects what the domain cannot hold, naming the field. Thread-safe.
#ifndef TAPIO_DOMAIN_EVENT_PROTO_H_
#define TAPIO_DOMAIN_EVENT_PROTO_H_

#include <cstddef>

#include "absl/status/statusor.h"
#include "domain/entity.h"
#include "domain/event.h"
#include "tapio/v1/event.pb.h"

namespace tapio::domain {

// Longest identifier-like string accepted (kinds, names, reasons, units, label keys).
inline constexpr size_t kMaxIdentifierBytes = 1024;
// Longest free text accepted (messages, log lines, label values).
inline constexpr size_t kMaxTextBytes = 64 * 1024;
inline constexpr int kMaxLabels = 64;
inline constexpr int kMaxCorrelationIds = 16;

// Converts `wire` to a domain event, interning its strings and registering its entity in
// `registry`. The raw record is not part of the domain event. Fails with InvalidArgument
// naming the first field that is missing, too long, of the wrong size or out of range (an
// unknown source or severity, a trace id that is not 16 bytes, …); the registry may then have
// gained the entity.
absl::StatusOr<Event> FromProto(const tapio::v1::UnifiedEvent& wire, EntityRegistry& registry);

// Converts `event` back to the wire form. REQUIRES: its entity came from `registry`.
tapio::v1::UnifiedEvent ToProto(const Event& event, const EntityRegistry& registry);

// The wire form of an entity reference.
tapio::v1::EntityRef ToProto(const EntityRef& ref);

}  // namespace tapio::domain

#endif  // TAPIO_DOMAIN_EVENT_PROTO_H_
