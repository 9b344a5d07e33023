// Feeds arbitrary bytes to the journal parser, split on newlines as a journal.jsonl file is,
// and the whole input as one line. Every event must be a well-formed journal event about
// the node with its message within the cap, and every line must be counted exactly once:
// as an event, passed over, or refused.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <variant>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "collectors/journal/journal_parser.h"
#include "domain/clock.h"
#include "domain/entity.h"
#include "domain/event.h"
#include "domain/event_id.h"
#include "domain/symbol_table.h"

namespace {

using tapio::collectors::journal::JournalParser;

bool KnownType(absl::string_view type) {
  namespace event_type = tapio::collectors::journal::event_type;
  return type == event_type::kUnitProcessExited || type == event_type::kUnitFailed ||
         type == event_type::kUnitStarted || type == event_type::kUnitStopped ||
         type == event_type::kUnitRestarting || type == event_type::kLog;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static tapio::domain::EntityRegistry registry;
  static tapio::domain::EventIdGenerator ids(1);
  static tapio::domain::FakeClock clock(1'800'000'000'000'000'000);
  absl::string_view input(reinterpret_cast<const char*>(data), size);

  JournalParser::Options options;
  options.cluster = "fuzz";
  options.node = "node-1";
  auto created = JournalParser::Create(options, registry, ids, clock);
  if (!created.ok()) std::abort();
  std::unique_ptr<JournalParser> parser = *std::move(created);

  std::vector<tapio::domain::Event> events;
  for (absl::string_view line : absl::StrSplit(input, '\n')) {
    (void)parser->ParseLine(line, &events);
  }
  (void)parser->ParseLine(input, &events);

  JournalParser::Counts counts = parser->counts();
  if (counts.events != events.size() ||
      counts.events + counts.ignored + counts.rejected != counts.lines) {
    std::abort();
  }
  auto node = registry.FindByName(tapio::domain::Intern("fuzz"), tapio::domain::Intern("Node"),
                                  tapio::domain::Symbol{}, tapio::domain::Intern("node-1"));
  if (!node.has_value()) std::abort();
  for (const tapio::domain::Event& event : events) {
    const auto* service = std::get_if<tapio::domain::ServicePayload>(&event.payload);
    if (event.id == 0 || event.entity != *node || event.source != tapio::domain::Source::kJournal ||
        !KnownType(tapio::domain::Resolve(event.type)) || service == nullptr ||
        service->priority > 7 ||
        tapio::domain::Resolve(service->message).size() >
            tapio::collectors::journal::kMaxMessageBytes) {
      std::abort();
    }
  }
  return 0;
}
