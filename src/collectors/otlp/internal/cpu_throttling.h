// Reads cAdvisor's CFS counters from an OTLP/JSON metrics request and turns successive points
// of each container's counters into the intervals in which its CPU limit throttled it, keeping
// the last point of each container between requests. Thread-compatible.
#ifndef TAPIO_COLLECTORS_OTLP_INTERNAL_CPU_THROTTLING_H_
#define TAPIO_COLLECTORS_OTLP_INTERNAL_CPU_THROTTLING_H_

#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "collectors/otlp/internal/json_walk.h"
#include "collectors/otlp/internal/records.h"
#include "simdjson.h"

namespace tapio::collectors::otlp::internal {

enum class CfsCounter : uint8_t {
  kPeriods,           // container_cpu_cfs_periods_total
  kThrottledPeriods,  // container_cpu_cfs_throttled_periods_total
};

// One data point of a CFS counter, as read.
struct CfsPoint {
  size_t resource = 0;
  CfsCounter counter = CfsCounter::kPeriods;
  // The point's attributes namespace, pod and container; the resource's fill in the missing
  // ones (ResolveContainer).
  std::string namespace_name;
  std::string pod;
  std::string container;
  int64_t start_ns = 0;
  int64_t time_ns = 0;
  int64_t value = 0;
  // A Prometheus staleness marker (flags FLAG_NO_RECORDED_VALUE): the series ended.
  bool no_recorded_value = false;
  // Where the point is, kept when it lacks its namespace or pod, to name it if the resource
  // lacks them too.
  std::string path;
};

// An interval over which a container was throttled in at least kCpuThrottledMinPercent of at
// least kCpuThrottledMinPeriods CFS periods.
struct ThrottledInterval {
  size_t resource = 0;
  std::string namespace_name;
  std::string pod;
  std::string container;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  int64_t periods = 0;
  int64_t throttled_periods = 0;
};

// The throttled share in percent, rounded to the nearest.
int64_t ThrottledPercent(const ThrottledInterval& interval);
// "container api was throttled in 64% of its CFS periods (1151 of 1800) over 60s".
std::string Describe(const ThrottledInterval& interval);

// Reads one element of a scope's "metrics" list. A metric that is not a CFS counter is passed
// over unread. Each data point of a CFS counter (a cumulative sum) is read into a CfsPoint,
// with `resource` as its resource, and handed to `done`, any problem with it recorded on
// `walk`: `done` must clear the record error for the next point to be read. A problem with the
// metric itself (a CFS counter that is not a cumulative sum) is left on `walk`.
void ReadMetric(JsonWalk& walk, ::simdjson::ondemand::value value, size_t resource,
                absl::FunctionRef<void(CfsPoint&&)> done);

// Fills in the point's namespace, pod and container from `resource` where the point lacks
// them. Returns whether the point is about a container: false for the pod-level cgroup
// (container "") and the pause container ("POD"); InvalidArgument, naming the point, when it is
// about a container but names no pod.
absl::StatusOr<bool> ResolveContainer(const Resource& resource, CfsPoint* point);

// The last CFS points of each container, for at most `max_series` containers: a new one
// beyond that forgets the one updated longest ago.
class CpuThrottling {
 public:
  explicit CpuThrottling(size_t max_series);
  CpuThrottling(const CpuThrottling&) = delete;
  CpuThrottling& operator=(const CpuThrottling&) = delete;

  // Adds one request's points (resolved, in any order) to their series, each series in time
  // order, and returns the throttled intervals they close. Points of the two counters pair up
  // by time; a pair with a start time other than the series' last pair's, or with a counter
  // lower than there, or with more throttled periods than periods since then, starts the
  // series again. A point no later than its series' last pair is ignored; staleness markers
  // are the caller's to leave out.
  std::vector<ThrottledInterval> Add(std::vector<CfsPoint> points);

  size_t series() const { return index_.size(); }

 private:
  struct Reading {
    int64_t time_ns = 0;
    int64_t periods = 0;
    int64_t throttled_periods = 0;
    int64_t periods_start_ns = 0;
    int64_t throttled_start_ns = 0;
  };
  struct Series {
    // namespace, pod and container, separated by NULs.
    std::string key;
    std::optional<Reading> last;
    // A pair of which `pending_counters` (a bit per CfsCounter) have arrived.
    Reading pending;
    uint8_t pending_counters = 0;
  };

  // The series of `key`, created when new and moved to the front.
  Series& Touch(const std::string& key);
  // Takes a point; returns the interval it closes, if throttled.
  std::optional<ThrottledInterval> Step(Series& series, const CfsPoint& point);

  size_t max_series_;
  // Most recently updated first.
  std::list<Series> series_;
  // Views the keys of `series_`.
  absl::flat_hash_map<absl::string_view, std::list<Series>::iterator> index_;
};

}  // namespace tapio::collectors::otlp::internal

#endif  // TAPIO_COLLECTORS_OTLP_INTERNAL_CPU_THROTTLING_H_
