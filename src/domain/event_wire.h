// Appends a domain event's tapio.v1.UnifiedEvent encoding to a byte string without building
// the message: what ToProto and serializing give, at a fraction of the cost (the node agent
// encodes every kernel event it ships this way; building the message took about 40 % of the
// agent's CPU). The two are kept equal by a test over every payload and field. Thread-safe.
#ifndef TAPIO_DOMAIN_EVENT_WIRE_H_
#define TAPIO_DOMAIN_EVENT_WIRE_H_

#include <string>

#include "domain/entity.h"
#include "domain/event.h"

namespace tapio::domain {

// Appends the encoding of `event` (fields in number order, empty ones left out, as protobuf
// writes them). REQUIRES: its entity came from `registry`.
void AppendWire(const Event& event, const EntityRegistry& registry, std::string* out);

}  // namespace tapio::domain

#endif  // TAPIO_DOMAIN_EVENT_WIRE_H_
