// The question "why did this entity fail?" as the command line asks it — an entity named
// KIND/NAMESPACE/NAME and a time — and its answer in wire form.
// Thread-compatible.
#ifndef TAPIO_CLI_WHY_REPORT_H_
#define TAPIO_CLI_WHY_REPORT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "intelligence/report/analysis_view.h"
#include "tapio/v1/report.pb.h"

namespace tapio::cli {

struct WhyQuestion {
  // As intelligence::FindAskedEntity reads it: "pod/shop/checkout-7d9f8c6b4-x2x9q".
  std::string entity;
  // Unix nanoseconds; 0 asks as of the last record.
  int64_t at_ns = 0;
  // At most this many causes are printed.
  int causes = 3;
};

// The answer. Fails as intelligence::FindAskedEntity does.
absl::StatusOr<tapio::v1::WhyReport> AnswerWhy(const intelligence::AnalysisView& analysis,
                                               const WhyQuestion& question);

}  // namespace tapio::cli

#endif  // TAPIO_CLI_WHY_REPORT_H_
