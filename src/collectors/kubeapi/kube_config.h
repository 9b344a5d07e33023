// Where Tapio finds the Kubernetes API and its credentials: a kubeconfig file (the current or
// a named context; CA, client certificates and bearer tokens as files or inline data), or the
// in-cluster service account (whose token file is re-read when it rotates). Pure functions
// over files; thread-safe.
#ifndef TAPIO_COLLECTORS_KUBEAPI_KUBE_CONFIG_H_
#define TAPIO_COLLECTORS_KUBEAPI_KUBE_CONFIG_H_

#include <string>

#include "absl/status/statusor.h"
#include "collectors/kubeapi/http_client.h"

namespace tapio::collectors::kubeapi {

// Reads the kubeconfig at `path` and resolves `context` ("" for current-context). Relative
// file paths in it are taken relative to the file's folder. Fails with InvalidArgument naming
// the file and what is wrong: no such context, cluster or user, no server, or a credential
// Tapio does not support (exec plugins, auth providers, basic auth), with what to use instead.
absl::StatusOr<ApiEndpoint> LoadKubeconfig(const std::string& path, const std::string& context);

// The in-cluster endpoint from KUBERNETES_SERVICE_HOST/PORT and the service account files in
// `account_dir` (normally /var/run/secrets/kubernetes.io/serviceaccount). Fails with
// NotFound when not running in a cluster.
absl::StatusOr<ApiEndpoint> InClusterEndpoint(
    const std::string& account_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

}  // namespace tapio::collectors::kubeapi

#endif  // TAPIO_COLLECTORS_KUBEAPI_KUBE_CONFIG_H_
