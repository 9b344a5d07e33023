// Tapio's answers in their wire form, from an analysis: tapio.v1.WhyReport for "why
// did this entity fail?" and tapio.v1.Incident for each incident, as docs/report.md
// describes them. `ReportJson` prints either through protobuf's JSON mapping with the field
// names of report.proto and every field present, so the shape never depends on the data.
#ifndef TAPIO_INTELLIGENCE_REPORT_REPORT_BUILDER_H_
#define TAPIO_INTELLIGENCE_REPORT_REPORT_BUILDER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "domain/entity.h"
#include "google/protobuf/message.h"
#include "intelligence/report/analysis_view.h"
#include "tapio/v1/report.pb.h"

namespace tapio::intelligence {

// The top `causes` causes of `symptom`'s failure as of `at_ns`.
tapio::v1::WhyReport BuildWhyReport(const AnalysisView& analysis, domain::EntityId symptom,
                                    int64_t at_ns, int causes);

// Every incident, in the order opened.
std::vector<tapio::v1::Incident> BuildIncidents(const AnalysisView& analysis);

std::string ReportJson(const google::protobuf::Message& message);

}  // namespace tapio::intelligence

#endif  // TAPIO_INTELLIGENCE_REPORT_REPORT_BUILDER_H_
