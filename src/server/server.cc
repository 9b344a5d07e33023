#include "server/server.h"

#include <chrono>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "domain/source_file.h"
#include "google/protobuf/util/time_util.h"
#include "server/undecodable_request.h"

namespace tapio::server {
namespace {

// A certificate or key is a few kilobytes; a file far larger is not one.
constexpr size_t kMaxPemBytes = 1 << 20;

// The newest stored events held for readers of EventService.Tail.
constexpr size_t kTailEvents = 65536;

// How often a quiet stream's time is moved on.
constexpr absl::Duration kTick = absl::Seconds(1);

double Burst(const CollectorSettings& s) { return s.burst > 0 ? s.burst : 2 * s.events_per_second; }

v1::CollectorConfig ConfigOf(const CollectorSettings& s) {
  v1::CollectorConfig config;
  config.set_batch_events(s.batch_events);
  *config.mutable_batch_delay() = google::protobuf::util::TimeUtil::NanosecondsToDuration(
      absl::ToInt64Nanoseconds(s.batch_delay));
  *config.mutable_heartbeat_interval() = google::protobuf::util::TimeUtil::NanosecondsToDuration(
      absl::ToInt64Nanoseconds(s.heartbeat_interval));
  config.set_events_per_second(s.events_per_second);
  return config;
}

}  // namespace

Server::Server(const ServerOptions& options, storage::Store& store, LiveAnalysis& analysis,
               std::unique_ptr<AnalysisPipeline> pipeline)
    : analysis_(analysis),
      pipeline_(std::move(pipeline)),
      token_(options.token),
      limit_(options.collectors.events_per_second, Burst(options.collectors),
             domain::Clock::Real()),
      registry_(ConfigOf(options.collectors), domain::Clock::Real()),
      tail_(kTailEvents),
      collector_(store, *pipeline_, token_, limit_, registry_, tail_),
      events_(store, tail_, token_),
      correlation_(store, analysis, token_),
      status_(options.version, store, analysis, collector_, token_),
      retention_(store, options.retention, domain::Clock::Real()) {}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServerOptions& options,
                                                      storage::Store& store,
                                                      LiveAnalysis& analysis) {
  if (!options.client_ca_file.empty() && options.tls_cert_file.empty()) {
    return absl::InvalidArgumentError("client certificates are only asked for over TLS");
  }
  absl::StatusOr<std::unique_ptr<AnalysisPipeline>> pipeline =
      AnalysisPipeline::Start(options.pipeline, analysis);
  if (!pipeline.ok()) return pipeline.status();
  std::unique_ptr<Server> server(new Server(options, store, analysis, *std::move(pipeline)));
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
    absl::StatusOr<std::string> cert = domain::ReadWholeFile(options.tls_cert_file, kMaxPemBytes);
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = domain::ReadWholeFile(options.tls_key_file, kMaxPemBytes);
    if (!key.ok()) return key.status();
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({*key, *cert});
    if (!options.client_ca_file.empty()) {
      absl::StatusOr<std::string> ca = domain::ReadWholeFile(options.client_ca_file, kMaxPemBytes);
      if (!ca.ok()) return ca.status();
      ssl.pem_root_certs = *std::move(ca);
      ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
    }
    credentials = grpc::SslServerCredentials(ssl);
    server->tls_ = true;
  }
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, credentials, &server->port_);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.RegisterService(&server->collector_);
  builder.RegisterService(&server->events_);
  builder.RegisterService(&server->correlation_);
  builder.RegisterService(&server->status_);
  // In this order, so that the metrics count the status the client gets.
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> intercept;
  intercept.push_back(UndecodableRequestInterceptors());
  intercept.push_back(server->metrics_.GrpcInterceptors());
  builder.experimental().SetInterceptorCreators(std::move(intercept));
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
  }
  if (!options.http_listen.empty()) {
    HttpGatewayOptions http;
    http.listen = options.http_listen;
    http.tls_cert_file = options.tls_cert_file;
    http.tls_key_file = options.tls_key_file;
    http.client_ca_file = options.client_ca_file;
    http.max_body_bytes = options.max_http_body_bytes;
    absl::StatusOr<std::unique_ptr<HttpGateway>> gateway = HttpGateway::Start(
        http, {options.version, store, analysis, *server->pipeline_, server->collector_,
               server->tail_, server->metrics_, server->token_, server->retention_.counts()});
    if (!gateway.ok()) return gateway.status();
    server->http_ = *std::move(gateway);
  }
  server->ticker_ = std::thread([s = server.get()] { s->Tick(); });
  return server;
}

void Server::Tick() {
  absl::MutexLock lock(&mu_);
  auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
  while (!mu_.AwaitWithTimeout(absl::Condition(&stopping), kTick)) {
    mu_.Unlock();
    analysis_.Tick();
    mu_.Lock();
  }
}

uint64_t Server::Reconfigure(const CollectorSettings& settings) {
  limit_.SetRate(settings.events_per_second, Burst(settings));
  return registry_.SetConfig(ConfigOf(settings)).generation();
}

void Server::WatchKubernetes(collectors::kubeapi::ApiEndpoint endpoint, const std::string& cluster,
                             std::vector<domain::ObjectChange> known) {
  kubernetes_ = KubernetesIntake::Start(std::move(endpoint), cluster, collector_, std::move(known));
}

std::vector<collectors::kubeapi::ClusterWatch::ResourceStatus> Server::KubernetesStatus() const {
  if (kubernetes_ == nullptr) return {};
  return kubernetes_->Status();
}

void Server::Shutdown(absl::Duration grace) {
  kubernetes_.reset();
  correlation_.Stop();
  collector_.Stop();
  events_.Stop();
  if (http_ != nullptr) http_->Stop();
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::milliseconds(absl::ToInt64Milliseconds(grace)));
  }
  if (absl::Status drained = pipeline_->Stop(); !drained.ok()) {
    std::fprintf(stderr, "tapio serve: analysis pipeline: %s\n",
                 std::string(drained.message()).c_str());
  }
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (ticker_.joinable()) ticker_.join();
}

Server::~Server() { Shutdown(absl::ZeroDuration()); }

}  // namespace tapio::server
