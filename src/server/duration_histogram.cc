#include "server/duration_histogram.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tapio::server {

void DurationHistogram::Record(absl::Duration took) {
  const double seconds = absl::ToDoubleSeconds(took);
  const size_t bucket = static_cast<size_t>(
      std::lower_bound(kBounds.begin(), kBounds.end(), seconds) - kBounds.begin());
  ++buckets_[bucket];
  ++count_;
  sum_ += seconds;
}

void DurationHistogram::AppendSeries(std::string* out, absl::string_view name,
                                     absl::string_view labels) const {
  const std::string before = labels.empty() ? "" : absl::StrCat(labels, ",");
  const std::string only = labels.empty() ? "" : absl::StrCat("{", labels, "}");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kBounds.size(); ++i) {
    cumulative += buckets_[i];
    absl::StrAppendFormat(out, "%s_bucket{%sle=\"%g\"} %d\n", name, before, kBounds[i], cumulative);
  }
  absl::StrAppendFormat(out, "%s_bucket{%sle=\"+Inf\"} %d\n%s_sum%s %.9f\n%s_count%s %d\n", name,
                        before, count_, name, only, sum_, name, only, count_);
}

}  // namespace tapio::server
