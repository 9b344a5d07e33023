#include "cli/why_report.h"

#include "intelligence/report/asked_entity.h"
#include "intelligence/report/report_builder.h"

namespace tapio::cli {

absl::StatusOr<v1::WhyReport> AnswerWhy(const intelligence::AnalysisView& analysis,
                                        const WhyQuestion& q) {
  absl::StatusOr<domain::EntityId> symptom = intelligence::FindAskedEntity(analysis, q.entity);
  if (!symptom.ok()) return symptom.status();
  return intelligence::BuildWhyReport(analysis, *symptom,
                                      q.at_ns != 0 ? q.at_ns : analysis.last_time_ns, q.causes);
}

}  // namespace tapio::cli
