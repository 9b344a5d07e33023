// Tapio's server: CollectorService (agents stream events in), EventService (what is stored,
// read back), CorrelationService (what the live analysis concluded) and TapioService (the
// server's own status) over gRPC on one port,
// and the same with /metrics, /healthz and /readyz over HTTP on another when asked; TLS on
// both when a certificate and key are given, a bearer token on every call, and bounds on
// message size. What is stored reaches the analysis through its pipeline (AnalysisPipeline). A
// thread of its own moves a quiet stream's time on; another keeps the store to its retention.
// Thread-safe.
#ifndef TAPIO_SERVER_SERVER_H_
#define TAPIO_SERVER_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "pipeline/pipeline_builder.h"
#include "server/analysis_pipeline.h"
#include "server/api_metrics.h"
#include "server/bearer_token.h"
#include "server/collector_registry.h"
#include "server/collector_stream.h"
#include "server/correlation_queries.h"
#include "server/event_query.h"
#include "server/event_tail.h"
#include "server/http_gateway.h"
#include "server/kubernetes_intake.h"
#include "server/live_analysis.h"
#include "server/status_service.h"
#include "server/store_retention.h"
#include "storage/store.h"

namespace tapio::server {

// What the server asks of every collector (CollectorConfig) and holds it to.
struct CollectorSettings {
  // Events per second each collector may send (0: no limit), and how many it may send at once
  // after a quiet spell (0: two seconds' worth).
  double events_per_second = 0;
  double burst = 0;
  uint32_t batch_events = 5000;
  absl::Duration batch_delay = absl::Milliseconds(200);
  absl::Duration heartbeat_interval = absl::Seconds(10);
};

struct ServerOptions {
  // What TapioService.Status says the version is.
  std::string version;
  // host:port; port 0 takes a free one (see Server::port).
  std::string listen = "127.0.0.1:7470";
  // Empty: no token is asked for.
  std::string token;
  // PEM files; both empty: plaintext.
  std::string tls_cert_file;
  std::string tls_key_file;
  // PEM file of the CA whose certificates clients must present; empty: none asked for.
  // REQUIRES: TLS.
  std::string client_ca_file;
  int max_message_bytes = 16 << 20;
  CollectorSettings collectors;
  RetentionSettings retention;
  // host:port of the HTTP gateway; empty: none.
  std::string http_listen;
  size_t max_http_body_bytes = 1 << 20;
  // The queue, batching, overflow and drain settings of the analysis pipeline; its shard count
  // and stages are the server's.
  pipeline::PipelineBuilder pipeline;
};

class Server {
 public:
  // Listens and serves from `store` and `analysis`, which must outlive the server. Fails
  // naming the address when it cannot listen, or the file when a certificate cannot be read.
  static absl::StatusOr<std::unique_ptr<Server>> Start(const ServerOptions& options,
                                                       storage::Store& store,
                                                       LiveAnalysis& analysis);
  ~Server();

  int port() const { return port_; }
  // 0 when there is no HTTP gateway.
  int http_port() const { return http_ == nullptr ? 0 : http_->port(); }
  bool tls() const { return tls_; }
  const IngestCounts& ingest() const { return collector_.counts(); }
  // Holds every collector to `settings` from now on, and pushes the change to those that
  // send heartbeats. Returns the configuration's generation.
  uint64_t Reconfigure(const CollectorSettings& settings);
  // Watches the Kubernetes API at `endpoint` from now on, storing and analysing what changes
  // there as the collector kKubernetesCollector (see KubernetesIntake); `known` are the objects
  // as the store last held them (KnownObjects). Call once.
  void WatchKubernetes(collectors::kubeapi::ApiEndpoint endpoint, const std::string& cluster,
                       std::vector<domain::ObjectChange> known = {});
  // The watched resources and, for those that stopped, why; empty without a watch.
  std::vector<collectors::kubeapi::ClusterWatch::ResourceStatus> KubernetesStatus() const;
  // Stops the Kubernetes watch, then takes no more calls; those in flight get `grace`. Then
  // the analysis pipeline drains.
  void Shutdown(absl::Duration grace);

 private:
  Server(const ServerOptions& options, storage::Store& store, LiveAnalysis& analysis,
         std::unique_ptr<AnalysisPipeline> pipeline);
  void Tick();

  LiveAnalysis& analysis_;
  std::unique_ptr<AnalysisPipeline> pipeline_;
  BearerToken token_;
  CollectorRateLimit limit_;
  CollectorRegistry registry_;
  EventTail tail_;
  CollectorStream collector_;
  EventQueryService events_;
  CorrelationQueries correlation_;
  StatusService status_;
  ApiMetrics metrics_;
  std::unique_ptr<HttpGateway> http_;
  std::unique_ptr<KubernetesIntake> kubernetes_;
  StoreRetention retention_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread ticker_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool tls_ = false;
};

}  // namespace tapio::server

#endif  // TAPIO_SERVER_SERVER_H_
