// Feeds arbitrary bytes, as a serialized tapio.v1.UnifiedEvent, to the conversion every
// incoming event passes; an accepted event must convert back and forth unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "domain/event_proto.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static tapio::domain::EntityRegistry* registry = new tapio::domain::EntityRegistry();
  tapio::v1::UnifiedEvent wire;
  if (!wire.ParseFromArray(data, static_cast<int>(size))) return 0;
  auto event = tapio::domain::FromProto(wire, *registry);
  if (!event.ok()) return 0;
  auto again = tapio::domain::FromProto(tapio::domain::ToProto(*event, *registry), *registry);
  if (!again.ok() || !(*again == *event)) std::abort();
  return 0;
}
