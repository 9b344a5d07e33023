// Feeds arbitrary bytes to the kernel log parser, split on newlines: every line to one
// parser as a `dmesg --time-format=iso` line and to another as a /dev/kmsg record, then
// finishes both. Every event must be a well-formed kernel event about the node, and the
// counts must add up.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <variant>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "collectors/kmsg/kmsg_parser.h"
#include "domain/clock.h"
#include "domain/entity.h"
#include "domain/event.h"
#include "domain/event_id.h"

namespace {

using tapio::collectors::kmsg::KmsgParser;

std::unique_ptr<KmsgParser> NewParser(tapio::domain::EntityRegistry& registry,
                                      tapio::domain::EventIdGenerator& ids,
                                      const tapio::domain::Clock& clock) {
  KmsgParser::Options options;
  options.cluster = "fuzz";
  options.node = "node-1";
  options.boot_time_ns = 1'700'000'000'000'000'000;
  auto parser = KmsgParser::Create(options, registry, ids, clock);
  if (!parser.ok()) std::abort();
  return *std::move(parser);
}

void Check(const KmsgParser& parser, const std::vector<tapio::domain::Event>& events,
           tapio::domain::EntityId node) {
  KmsgParser::Counts counts = parser.counts();
  if (counts.events != events.size() || counts.ignored + counts.rejected > counts.lines) {
    std::abort();
  }
  for (const tapio::domain::Event& event : events) {
    if (event.id == 0 || event.entity != node || event.type.empty() ||
        event.source != tapio::domain::Source::kKmsg ||
        !std::holds_alternative<tapio::domain::KernelPayload>(event.payload)) {
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static tapio::domain::EntityRegistry registry;
  static tapio::domain::EventIdGenerator ids(1);
  static tapio::domain::FakeClock clock(1'800'000'000'000'000'000);
  absl::string_view input(reinterpret_cast<const char*>(data), size);

  std::unique_ptr<KmsgParser> iso = NewParser(registry, ids, clock);
  std::unique_ptr<KmsgParser> kmsg = NewParser(registry, ids, clock);
  std::vector<tapio::domain::Event> iso_events;
  std::vector<tapio::domain::Event> kmsg_events;
  for (absl::string_view line : absl::StrSplit(input, '\n')) {
    (void)iso->ParseIsoLine(line, &iso_events);
    (void)kmsg->ParseKmsgRecord(line, &kmsg_events);
  }
  iso->Finish(&iso_events);
  kmsg->Finish(&kmsg_events);

  auto node = registry.FindByName(tapio::domain::Intern("fuzz"), tapio::domain::Intern("Node"),
                                  tapio::domain::Symbol{}, tapio::domain::Intern("node-1"));
  if (!node.has_value()) std::abort();
  Check(*iso, iso_events, *node);
  Check(*kmsg, kmsg_events, *node);
  return 0;
}
