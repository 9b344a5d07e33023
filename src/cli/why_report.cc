#include "cli/why_report.h"

#include "cli/report_text.h"
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

absl::StatusOr<std::string> WhyReport(const intelligence::AnalysisView& analysis,
                                      const WhyQuestion& q) {
  absl::StatusOr<v1::WhyReport> report = AnswerWhy(analysis, q);
  if (!report.ok()) return report.status();
  return WhyText(*report, q.explain);
}

}  // namespace tapio::cli
