#include "cli/serve_command.h"

#include <signal.h>

#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cli/pattern_library.h"
#include "cli/pipeline_from_config.h"
#include "cli/token_file.h"
#include "collectors/kubeapi/kube_config.h"
#include "config/config.h"
#include "server/analysis_rebuild.h"
#include "server/known_objects.h"
#include "server/server.h"
#include "storage/postgres/postgres_store.h"
#include "storage/sqlite/sqlite_store.h"

namespace tapio::cli {
namespace {

// How long calls in flight get to finish once a stop is asked for.
constexpr absl::Duration kGrace = absl::Seconds(5);

absl::StatusOr<std::unique_ptr<storage::Store>> OpenStore(const std::string& sqlite_path,
                                                          const std::string& postgres) {
  if (!postgres.empty()) {
    absl::StatusOr<std::unique_ptr<storage::postgres::PostgresStore>> pg =
        storage::postgres::PostgresStore::Open(postgres);
    if (!pg.ok()) return pg.status();
    return std::unique_ptr<storage::Store>(*std::move(pg));
  }
  absl::StatusOr<std::unique_ptr<storage::sqlite::SqliteStore>> lite =
      storage::sqlite::SqliteStore::Open({sqlite_path});
  if (!lite.ok()) return lite.status();
  return std::unique_ptr<storage::Store>(*std::move(lite));
}

// The file's settings, or the defaults when there is no file.
absl::StatusOr<config::Config> ReadConfig(const std::string& path) {
  return path.empty() ? config::DefaultConfig() : config::LoadConfigFile(path);
}

}  // namespace

absl::StatusOr<collectors::kubeapi::ApiEndpoint> ServeCommand::KubernetesEndpoint() const {
  if (no_kube_watch_) return absl::CancelledError("--no-kube-watch");
  return kubeconfig_.empty() ? collectors::kubeapi::InClusterEndpoint()
                             : collectors::kubeapi::LoadKubeconfig(kubeconfig_, kube_context_);
}

absl::Status ServeCommand::WatchKubernetes(
    server::Server& server, const std::string& cluster,
    absl::StatusOr<collectors::kubeapi::ApiEndpoint> endpoint,
    std::vector<domain::ObjectChange> known) const {
  if (no_kube_watch_) {
    std::fprintf(stderr, "tapio serve: not watching the Kubernetes API (--no-kube-watch)\n");
    return absl::OkStatus();
  }
  if (!endpoint.ok()) {
    if (kubeconfig_.empty() && absl::IsNotFound(endpoint.status())) {
      std::fprintf(stderr,
                   "tapio serve: no Kubernetes API to watch (no --kubeconfig, and not in a "
                   "cluster); topology comes from collectors' object changes alone\n");
      return absl::OkStatus();
    }
    return absl::Status(endpoint.status().code(),
                        absl::StrCat("Kubernetes API: ", endpoint.status().message()));
  }
  std::fprintf(stderr, "tapio serve: watching the Kubernetes API at %s\n",
               endpoint->server.c_str());
  server.WatchKubernetes(*std::move(endpoint), cluster, std::move(known));
  return absl::OkStatus();
}

server::CollectorSettings ServeCommand::Collectors(const config::Config& file) const {
  server::CollectorSettings s;
  s.events_per_second =
      collector_rate_flag_->count() > 0 ? collector_rate_ : file.collectors.events_per_second;
  s.burst = collector_burst_flag_->count() > 0 ? collector_burst_ : file.collectors.burst;
  s.batch_events = static_cast<uint32_t>(file.collectors.batch_events);
  s.batch_delay = file.collectors.batch_delay;
  s.heartbeat_interval = file.collectors.heartbeat_interval;
  return s;
}

CLI::App* ServeCommand::Register(CLI::App& app) {
  CLI::App* serve =
      app.add_subcommand("serve", "Run the server: ingest agents' events, store, answer");
  serve->add_option("--listen", listen_, "host:port to listen on for gRPC")->capture_default_str();
  serve
      ->add_option("--http-listen", http_listen_,
                   "host:port for REST, /metrics, /healthz and /readyz; empty: none")
      ->capture_default_str();
  serve->add_option("--store", store_, "The SQLite file of the embedded store")
      ->capture_default_str();
  serve->add_option("--postgres", postgres_,
                    "A libpq connection string: store in PostgreSQL instead");
  serve->add_option("--token-file", token_file_,
                    "A file holding the bearer token every call must carry (or TAPIO_TOKEN)");
  serve->add_option("--tls-cert", tls_cert_, "The server's certificate (PEM): serve TLS");
  serve->add_option("--tls-key", tls_key_, "The certificate's private key (PEM)");
  serve->add_option("--client-ca", client_ca_,
                    "Ask every client for a certificate signed by this CA (PEM); needs TLS");
  serve->add_option("--config", config_path_,
                    "tapio.yaml: the cluster and the collectors' settings; read again on SIGHUP");
  collector_rate_flag_ = serve->add_option(
      "--collector-rate", collector_rate_,
      "Events per second each collector may send; 0: no limit (collectors.events_per_second)");
  collector_burst_flag_ = serve->add_option(
      "--collector-burst", collector_burst_,
      "Events a collector may send at once after a quiet spell; 0: 2 s' worth (collectors.burst)");
  serve->add_option("--cluster", cluster_, "The cluster's name, as its agents give it");
  serve->add_option("--kubeconfig", kubeconfig_,
                    "Watch the Kubernetes API this kubeconfig names (default: the in-cluster "
                    "service account, when there is one)");
  serve->add_option("--kube-context", kube_context_, "The kubeconfig context; default: current");
  serve->add_flag("--no-kube-watch", no_kube_watch_,
                  "Watch no Kubernetes API, even in a cluster: topology from collectors alone");
  serve->add_option("--patterns", patterns_,
                    "A directory of pattern files to use instead of the built-in library");
  return serve;
}

int ServeCommand::Run() {
  absl::StatusOr<std::string> token = ReadToken(token_file_);
  if (!token.ok()) {
    std::fprintf(stderr, "tapio serve: --token-file %s\n",
                 std::string(token.status().message()).c_str());
    return 2;
  }
  // Signals are taken by sigwait below, not by whichever thread gRPC happens to run.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  absl::StatusOr<config::Config> file = ReadConfig(config_path_);
  if (!file.ok()) {
    std::fprintf(stderr, "tapio serve: %s\n", std::string(file.status().message()).c_str());
    return 2;
  }
  const std::string cluster = cluster_.empty() ? file->cluster : cluster_;

  absl::StatusOr<std::vector<intelligence::Pattern>> patterns = LoadPatternLibrary(patterns_);
  if (!patterns.ok()) {
    std::fprintf(stderr, "tapio serve: %s\n", std::string(patterns.status().message()).c_str());
    return 2;
  }
  absl::StatusOr<std::unique_ptr<storage::Store>> store = OpenStore(store_, postgres_);
  if (!store.ok()) {
    std::fprintf(stderr, "tapio serve: store: %s\n", std::string(store.status().message()).c_str());
    return 1;
  }
  server::ServerOptions options;
  options.listen = listen_;
  options.version = TAPIO_VERSION;
  options.token = *token;
  options.tls_cert_file = tls_cert_;
  options.tls_key_file = tls_key_;
  options.client_ca_file = client_ca_;
  options.collectors = Collectors(*file);
  options.retention = {
      .age = file->store.retention,
      .max_raw_bytes = uint64_t{static_cast<uint32_t>(file->store.raw_records_mib)} << 20,
      .every = file->store.retention_interval};
  options.http_listen = http_listen_;
  options.pipeline = PipelineBuilderFromConfig(file->pipeline);
  server::LiveAnalysis analysis(*std::move(patterns), {.cluster = cluster}, domain::Clock::Real());
  // Resolved before the rebuild, which gathers the objects the watch starts from only when
  // there is a watch.
  absl::StatusOr<collectors::kubeapi::ApiEndpoint> endpoint = KubernetesEndpoint();
  server::KnownObjects known;
  absl::StatusOr<uint64_t> rebuilt =
      server::RebuildFromStore(**store, analysis, endpoint.ok() ? &known : nullptr);
  if (!rebuilt.ok()) {
    std::fprintf(stderr, "tapio serve: reading the store back: %s\n",
                 std::string(rebuilt.status().message()).c_str());
    return 1;
  }
  std::fprintf(stderr, "tapio serve: rebuilt from %llu stored event(s): %llu incident(s) open\n",
               static_cast<unsigned long long>(*rebuilt),
               static_cast<unsigned long long>(analysis.counts().incidents_open));
  absl::StatusOr<std::unique_ptr<server::Server>> server =
      server::Server::Start(options, **store, analysis);
  if (!server.ok()) {
    std::fprintf(stderr, "tapio serve: %s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  std::string http = (*server)->http_port() == 0
                         ? std::string("no HTTP")
                         : absl::StrCat("HTTP on port ", (*server)->http_port());
  std::fprintf(stderr, "tapio serve: listening on port %d, %s (%s, %s), store %s\n",
               (*server)->port(), http.c_str(), (*server)->tls() ? "TLS" : "plaintext",
               token->empty() ? "no token asked" : "bearer token asked",
               postgres_.empty() ? store_.c_str() : "in PostgreSQL");
  std::fflush(stderr);
  if (absl::Status watched = WatchKubernetes(**server, cluster, std::move(endpoint), known.Take());
      !watched.ok()) {
    std::fprintf(stderr, "tapio serve: %s\n", std::string(watched.message()).c_str());
    (*server)->Shutdown(absl::ZeroDuration());
    return 2;
  }
  std::fflush(stderr);
  int signal = 0;
  while (sigwait(&stop, &signal) == 0 && signal == SIGHUP) {
    absl::StatusOr<config::Config> again = ReadConfig(config_path_);
    if (!again.ok()) {
      std::fprintf(stderr, "tapio serve: SIGHUP: keeping the settings in force: %s\n",
                   std::string(again.status().message()).c_str());
    } else {
      uint64_t generation = (*server)->Reconfigure(Collectors(*again));
      std::fprintf(stderr, "tapio serve: SIGHUP: %s read again; collector configuration %llu\n",
                   config_path_.empty() ? "(no --config)" : config_path_.c_str(),
                   static_cast<unsigned long long>(generation));
    }
    std::fflush(stderr);
  }
  (*server)->Shutdown(kGrace);
  const server::IngestCounts& c = (*server)->ingest();
  std::fprintf(stderr,
               "tapio serve: stopped; %llu batch(es), %llu event(s) stored, %llu duplicate, %llu "
               "rejected\n",
               static_cast<unsigned long long>(c.batches.load()),
               static_cast<unsigned long long>(c.events_stored.load()),
               static_cast<unsigned long long>(c.events_duplicate.load()),
               static_cast<unsigned long long>(c.events_rejected.load()));
  return 0;
}

}  // namespace tapio::cli
