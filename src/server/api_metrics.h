// How long each API call took and how it ended, by API ("grpc", "http") and method, kept as
// Prometheus histograms (seconds, fixed buckets) and counters by result code. Thread-safe.
#ifndef TAPIO_SERVER_API_METRICS_H_
#define TAPIO_SERVER_API_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>

#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/support/server_interceptor.h"

namespace tapio::server {

class ApiMetrics {
 public:
  // Upper bounds of the latency buckets, in seconds; +Inf follows.
  static constexpr std::array<double, 12> kBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05,   0.1,   0.25,   0.5,   1,    5};

  // A call of `method` on `api` that ended with `code` ("OK", "NOT_FOUND", "200", "401").
  // `took` is left out of the histogram when negative (streams, whose length says nothing).
  void Record(absl::string_view api, absl::string_view method, absl::string_view code,
              absl::Duration took);

  // tapio_api_request_duration_seconds and tapio_api_requests_total in the text format.
  void AppendPrometheus(std::string* out) const;

  // An interceptor factory that records every gRPC call here.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> GrpcInterceptors();

 private:
  struct Series {
    std::array<uint64_t, kBounds.size() + 1> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };

  mutable absl::Mutex mu_;
  std::map<std::pair<std::string, std::string>, Series> latency_ ABSL_GUARDED_BY(mu_);
  std::map<std::tuple<std::string, std::string, std::string>, uint64_t> requests_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace tapio::server

#endif  // TAPIO_SERVER_API_METRICS_H_
