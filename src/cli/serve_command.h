// `tapio serve`: the server. It opens the store (SQLite by default, PostgreSQL with
// --postgres), loads the pattern library, listens for agents' event streams and for queries
// (TLS and a bearer token when configured), analyses what it stores as it arrives, and on
// SIGINT or SIGTERM stops taking calls, lets those in flight finish and closes the store. On
// SIGHUP it reads its tapio.yaml again and pushes the `collectors` settings to its collectors;
// flags given on the command line win over the file. With --kubeconfig, or inside a cluster,
// it also watches the Kubernetes API itself (KubernetesIntake).
#ifndef TAPIO_CLI_SERVE_COMMAND_H_
#define TAPIO_CLI_SERVE_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/command.h"
#include "collectors/kubeapi/http_client.h"
#include "config/config.h"
#include "domain/kube_object.h"
#include "server/server.h"

namespace tapio::cli {

class ServeCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override;
  int Run() override;

 private:
  // The flags given win over the file.
  server::CollectorSettings Collectors(const config::Config& file) const;
  // Starts the server's watch of the Kubernetes API named by --kubeconfig, or of the cluster
  // it runs in; without either, says so and watches nothing.
  // The Kubernetes API to watch; Cancelled with --no-kube-watch, NotFound when there is no
  // kubeconfig and no in-cluster configuration.
  absl::StatusOr<collectors::kubeapi::ApiEndpoint> KubernetesEndpoint() const;
  // Watches `endpoint` when there is one, saying so, or says why not; fails for a
  // configuration that is there but broken.
  absl::Status WatchKubernetes(server::Server& server, const std::string& cluster,
                               absl::StatusOr<collectors::kubeapi::ApiEndpoint> endpoint,
                               std::vector<domain::ObjectChange> known) const;

  std::string listen_ = "127.0.0.1:7470";
  std::string http_listen_ = "127.0.0.1:7471";
  std::string store_ = "tapio.db";
  std::string postgres_;
  std::string token_file_;
  std::string tls_cert_;
  std::string tls_key_;
  std::string client_ca_;
  std::string config_path_;
  double collector_rate_ = 0;
  double collector_burst_ = 0;
  CLI::Option* collector_rate_flag_ = nullptr;
  CLI::Option* collector_burst_flag_ = nullptr;
  std::string cluster_;
  std::string patterns_;
  std::string kubeconfig_;
  std::string kube_context_;
  bool no_kube_watch_ = false;
};

}  // namespace tapio::cli

#endif  // TAPIO_CLI_SERVE_COMMAND_H_
