#include "collectors/kubeapi/kube_config.h"

#include <cstdlib>
#include <filesystem>
#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "yaml-cpp/yaml.h"

namespace tapio::collectors::kubeapi {
namespace {

namespace fs = std::filesystem;

// Finds the entry called `name` in a kubeconfig list ("clusters", "users", "contexts") and
// returns its inner map ("cluster", "user", "context").
std::optional<YAML::Node> FindNamed(const YAML::Node& root, const char* list, const char* inner,
                                    const std::string& name) {
  if (!root[list] || !root[list].IsSequence()) return std::nullopt;
  for (const YAML::Node& entry : root[list]) {
    if (entry.IsMap() && entry["name"] && entry["name"].IsScalar() &&
        entry["name"].as<std::string>() == name) {
      return entry[inner];
    }
  }
  return std::nullopt;
}

std::string Text(const YAML::Node& node, const char* key) {
  return node && node[key] && node[key].IsScalar() ? node[key].as<std::string>() : "";
}

absl::StatusOr<std::string> Data(const YAML::Node& node, const char* key, const std::string& file) {
  std::string encoded = Text(node, key);
  if (encoded.empty()) return std::string();
  std::string decoded;
  if (!absl::Base64Unescape(encoded, &decoded)) {
    return absl::InvalidArgumentError(absl::StrCat(file, ": ", key, " is not base64"));
  }
  return decoded;
}

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  return (fs::path(base_dir) / path).string();
}

}  // namespace

absl::StatusOr<ApiEndpoint> LoadKubeconfig(const std::string& path, const std::string& context) {
  YAML::Node root;
  // yaml-cpp reports errors by throwing; this is the one place they are caught.
  try {
    root = YAML::LoadFile(path);
    std::string context_name = context.empty() ? Text(root, "current-context") : context;
    if (context_name.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": no current-context; name one with --context"));
    }
    std::optional<YAML::Node> found_context = FindNamed(root, "contexts", "context", context_name);
    if (!found_context.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": no context named \"", context_name, "\""));
    }
    std::string cluster_name = Text(*found_context, "cluster");
    std::string user_name = Text(*found_context, "user");
    std::optional<YAML::Node> found_cluster = FindNamed(root, "clusters", "cluster", cluster_name);
    if (!found_cluster.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": context \"", context_name,
                                                     "\" names cluster \"", cluster_name,
                                                     "\", which is not in the file"));
    }
    const YAML::Node& cluster = *found_cluster;
    std::string base = fs::path(path).parent_path().string();
    ApiEndpoint endpoint;
    endpoint.server = Text(cluster, "server");
    while (!endpoint.server.empty() && endpoint.server.back() == '/') endpoint.server.pop_back();
    if (endpoint.server.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": cluster \"", cluster_name, "\" has no server"));
    }
    endpoint.ca_file = Resolve(base, Text(cluster, "certificate-authority"));
    auto ca = Data(cluster, "certificate-authority-data", path);
    if (!ca.ok()) return ca.status();
    endpoint.ca_pem = *ca;
    endpoint.insecure_skip_tls_verify = Text(cluster, "insecure-skip-tls-verify") == "true";

    std::optional<YAML::Node> found_user = FindNamed(root, "users", "user", user_name);
    if (!user_name.empty() && !found_user.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": context \"", context_name,
                                                     "\" names user \"", user_name,
                                                     "\", which is not in the file"));
    }
    YAML::Node user = found_user.value_or(YAML::Node());
    if (user && user["exec"]) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": user \"", user_name,
          "\" authenticates with an exec credential plugin, which Tapio does not run; give it a "
          "token (or tokenFile) or a client certificate, or run Tapio in the cluster"));
    }
    if (user && user["auth-provider"]) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": user \"", user_name,
          "\" uses an auth-provider, which Tapio does not support; use a token or a client "
          "certificate"));
    }
    if (user && (user["username"] || user["password"])) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": user \"", user_name, "\" uses basic authentication, which Kubernetes removed"));
    }
    endpoint.token = Text(user, "token");
    endpoint.token_file = Resolve(base, Text(user, "tokenFile"));
    endpoint.client_cert_file = Resolve(base, Text(user, "client-certificate"));
    endpoint.client_key_file = Resolve(base, Text(user, "client-key"));
    auto cert = Data(user, "client-certificate-data", path);
    if (!cert.ok()) return cert.status();
    endpoint.client_cert_pem = *cert;
    auto key = Data(user, "client-key-data", path);
    if (!key.ok()) return key.status();
    endpoint.client_key_pem = *key;
    return endpoint;
  } catch (const YAML::BadFile&) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot be read"));
  } catch (const YAML::Exception& error) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ":", error.mark.line + 1, ": not a valid kubeconfig: ", error.msg));
  }
}

absl::StatusOr<ApiEndpoint> InClusterEndpoint(const std::string& account_dir) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || port == nullptr) {
    return absl::NotFoundError("not in a cluster: KUBERNETES_SERVICE_HOST/PORT are not set");
  }
  std::string token = (fs::path(account_dir) / "token").string();
  if (!fs::exists(token)) {
    return absl::NotFoundError(absl::StrCat("not in a cluster: ", token, " does not exist"));
  }
  ApiEndpoint endpoint;
  std::string h = host;
  // An IPv6 service address needs brackets in a URL.
  if (h.find(':') != std::string::npos) h = absl::StrCat("[", h, "]");
  endpoint.server = absl::StrCat("https://", h, ":", port);
  endpoint.token_file = token;
  endpoint.ca_file = (fs::path(account_dir) / "ca.crt").string();
  return endpoint;
}

}  // namespace tapio::collectors::kubeapi
