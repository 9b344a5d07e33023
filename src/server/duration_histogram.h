// Durations counted in fixed buckets (seconds) and written as one Prometheus histogram series:
// what the API latencies and the store's appends share. Thread-compatible.
#ifndef TAPIO_SERVER_DURATION_HISTOGRAM_H_
#define TAPIO_SERVER_DURATION_HISTOGRAM_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace tapio::server {

class DurationHistogram {
 public:
  // Upper bounds of the buckets, in seconds; +Inf follows.
  static constexpr std::array<double, 12> kBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05,   0.1,   0.25,   0.5,   1,    5};

  void Record(absl::Duration took);
  // The series' _bucket, _sum and _count lines for the family `name`, each with `labels`
  // (`key="value",…`, or empty) and `le`.
  void AppendSeries(std::string* out, absl::string_view name, absl::string_view labels) const;

 private:
  std::array<uint64_t, kBounds.size() + 1> buckets_{};
  uint64_t count_ = 0;
  double sum_ = 0;
};

}  // namespace tapio::server

#endif  // TAPIO_SERVER_DURATION_HISTOGRAM_H_
