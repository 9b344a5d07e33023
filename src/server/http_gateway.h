// The server's HTTP face: the operations of the gRPC services under /api/v1/… in protobuf's
// JSON mapping (docs/api.md), live insights as Server-Sent Events, /metrics in the Prometheus
// text format, /healthz and /readyz. TLS with the server's certificate when one is given; the
// bearer token on every path but /healthz; request bodies bounded. Thread-safe.
#ifndef TAPIO_SERVER_HTTP_GATEWAY_H_
#define TAPIO_SERVER_HTTP_GATEWAY_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "server/api_metrics.h"
#include "server/bearer_token.h"
#include "server/collector_stream.h"
#include "server/event_tail.h"
#include "server/live_analysis.h"
#include "server/store_retention.h"
#include "storage/store.h"

namespace httplib {
class Server;
}

namespace tapio::server {

struct HttpGatewayOptions {
  // host:port; port 0 takes a free one.
  std::string listen;
  // PEM files; both empty: plaintext.
  std::string tls_cert_file;
  std::string tls_key_file;
  // PEM file of the CA whose certificates clients must present; empty: none asked for.
  std::string client_ca_file;
  size_t max_body_bytes = 1 << 20;
};

// What the gateway answers from; all must outlive it.
struct HttpGatewayParts {
  std::string version;
  storage::Store& store;
  LiveAnalysis& analysis;
  const AnalysisPipeline& pipeline;
  const CollectorStream& collectors;
  EventTail& tail;
  ApiMetrics& metrics;
  const BearerToken& token;
  const RetentionCounts& retention;
};

class HttpGateway {
 public:
  // Fails naming the address when it cannot listen, or the files when TLS cannot start.
  static absl::StatusOr<std::unique_ptr<HttpGateway>> Start(const HttpGatewayOptions& options,
                                                            HttpGatewayParts parts);
  ~HttpGateway();

  int port() const { return port_; }
  // Ends every event stream and stops listening; calls in flight finish.
  void Stop();

 private:
  explicit HttpGateway(HttpGatewayParts parts);
  void Route();

  HttpGatewayParts parts_;
  std::unique_ptr<httplib::Server> http_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  int port_ = 0;
};

}  // namespace tapio::server

#endif  // TAPIO_SERVER_HTTP_GATEWAY_H_
