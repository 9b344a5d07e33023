// How long each API call took and how it ended, by API ("grpc", "http") and method, kept as
// Prometheus histograms (DurationHistogram) and counters by result code. Thread-safe.
#ifndef TAPIO_SERVER_API_METRICS_H_
#define TAPIO_SERVER_API_METRICS_H_

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
#include "server/duration_histogram.h"

namespace tapio::server {

class ApiMetrics {
 public:
  // A call of `method` on `api` that ended with `code` ("OK", "NOT_FOUND", "200", "401").
  // `took` is left out of the histogram when negative (streams, whose length says nothing).
  void Record(absl::string_view api, absl::string_view method, absl::string_view code,
              absl::Duration took);

  // tapio_api_request_duration_seconds and tapio_api_requests_total in the text format.
  void AppendPrometheus(std::string* out) const;

  // An interceptor factory that records every gRPC call here.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> GrpcInterceptors();

 private:
  mutable absl::Mutex mu_;
  std::map<std::pair<std::string, std::string>, DurationHistogram> latency_ ABSL_GUARDED_BY(mu_);
  std::map<std::tuple<std::string, std::string, std::string>, uint64_t> requests_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace tapio::server

#endif  // TAPIO_SERVER_API_METRICS_H_
