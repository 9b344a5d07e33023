// Tapio's answers for people, rendered from their wire form so that the text and the JSON
// never disagree: each cause with its category, the entity at fault, the root-cause sentence,
// severity, time to detection, what it hits, the evidence chain by layer and the actions in
// the order an on-call engineer takes them. Thread-safe.
#ifndef TAPIO_CLI_REPORT_TEXT_H_
#define TAPIO_CLI_REPORT_TEXT_H_

#include <string>
#include <vector>

#include "tapio/v1/correlation_service.pb.h"
#include "tapio/v1/report.pb.h"

namespace tapio::cli {

std::string WhyText(const tapio::v1::WhyReport& report, bool explain);

// The incidents, open ones first, each with its likeliest cause.
std::string IncidentsText(const std::vector<tapio::v1::Incident>& incidents, bool explain);

// One line: when, which incident, what changed, and its likeliest cause.
std::string InsightText(const tapio::v1::Insight& insight);

// A trace's events, one per line with its layer, then the likeliest cause of each failure.
std::string CorrelationText(const tapio::v1::Correlation& correlation, bool explain);

}  // namespace tapio::cli

#endif  // TAPIO_CLI_REPORT_TEXT_H_
