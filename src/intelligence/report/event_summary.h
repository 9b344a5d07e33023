// One line of an event for people: its type and the facts that say most about it (the
// process a kernel event names, a container's reason and exit code, a unit's state, a span's
// status), messages cut to a readable length. Thread-safe.
#ifndef TAPIO_INTELLIGENCE_REPORT_EVENT_SUMMARY_H_
#define TAPIO_INTELLIGENCE_REPORT_EVENT_SUMMARY_H_

#include <string>

#include "absl/strings/string_view.h"
#include "domain/event.h"

namespace tapio::intelligence {

std::string EventSummary(const domain::Event& event);

// "KERNEL", "NODE", "NET", "K8S" or "APP": the layer a source observes.
absl::string_view LayerName(domain::Source source);

}  // namespace tapio::intelligence

#endif  // TAPIO_INTELLIGENCE_REPORT_EVENT_SUMMARY_H_
