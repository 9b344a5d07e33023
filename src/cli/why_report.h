// The question "why did this entity fail?" as the command line asks it — an entity named
// KIND/NAMESPACE/NAME and a time — and its answer, in wire form and as text.
// Thread-compatible.
#ifndef TAPIO_CLI_WHY_REPORT_H_
#define TAPIO_CLI_WHY_REPORT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "cli/offline_analysis.h"
#include "domain/entity.h"
#include "tapio/v1/report.pb.h"

namespace tapio::cli {

struct WhyQuestion {
  // "pod/shop/checkout-7d9f8c6b4-x2x9q", "node/node-7", "deployment/shop/checkout": the kind
  // in any case, then the namespace for namespaced kinds, then the name.
  std::string entity;
  // Unix nanoseconds; 0 asks as of the last record.
  int64_t at_ns = 0;
  bool explain = false;
  // At most this many causes are printed.
  int causes = 3;
};

// Finds the entity the question names. Fails with InvalidArgument for a malformed name and
// NotFound, naming it, when the records hold no such entity.
absl::StatusOr<domain::EntityId> FindAskedEntity(const OfflineAnalysis& analysis,
                                                 const std::string& entity);

// The answer. Fails as FindAskedEntity does.
absl::StatusOr<tapio::v1::WhyReport> AnswerWhy(const OfflineAnalysis& analysis,
                                               const WhyQuestion& question);

// The answer for people. Fails as FindAskedEntity does.
absl::StatusOr<std::string> WhyReport(const OfflineAnalysis& analysis, const WhyQuestion& question);

}  // namespace tapio::cli

#endif  // TAPIO_CLI_WHY_REPORT_H_
