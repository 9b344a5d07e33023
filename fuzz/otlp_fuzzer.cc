// Feeds arbitrary bytes to the OTLP/JSON parser as one request. Every event must be a
// well-formed application event about a registered entity, of one of the documented types;
// the counts must add up and the errors stay within their cap.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <variant>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "collectors/otlp/otlp_parser.h"
#include "domain/clock.h"
#include "domain/entity.h"
#include "domain/event.h"
#include "domain/event_id.h"
#include "domain/symbol_table.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace otlp = tapio::collectors::otlp;
  namespace domain = tapio::domain;
  static domain::EntityRegistry registry;
  static domain::EventIdGenerator ids(1);
  static domain::FakeClock clock(1'800'000'000'000'000'000);
  absl::string_view input(reinterpret_cast<const char*>(data), size);

  otlp::OtlpParser parser({"fuzz", "otlp/fuzz.json"}, registry, ids, clock);
  otlp::OtlpParser::Result result;
  parser.Parse(input, &result);

  otlp::OtlpParser::Counts counts = parser.counts();
  if (counts.events != result.events.size() || result.errors.size() > otlp::kMaxReportedErrors ||
      counts.rejected > counts.spans + counts.log_records + counts.data_points + 1 + size) {
    std::abort();
  }
  for (const absl::Status& error : result.errors) {
    if (error.ok() || !absl::StartsWith(error.message(), "otlp/fuzz.json: ")) std::abort();
  }
  for (const domain::Event& event : result.events) {
    absl::string_view type = domain::Resolve(event.type);
    if (event.id == 0 || !event.entity.valid() || event.source != domain::Source::kOtlp ||
        (type != otlp::event_type::kSpanError && type != otlp::event_type::kLogError &&
         type != otlp::event_type::kCall && type != otlp::event_type::kCpuThrottled) ||
        !std::holds_alternative<domain::ApplicationPayload>(event.payload)) {
      std::abort();
    }
    const auto& payload = std::get<domain::ApplicationPayload>(event.payload);
    if (domain::Resolve(payload.log_line).size() > otlp::kMaxLogLineBytes ||
        domain::Resolve(payload.status_message).size() > otlp::kMaxMessageBytes ||
        domain::Resolve(payload.span_name).size() > otlp::kMaxNameBytes) {
      std::abort();
    }
    (void)registry.Get(event.entity);
  }
  return 0;
}
