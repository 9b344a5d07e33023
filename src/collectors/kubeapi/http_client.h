// HTTP GET over libcurl for the Kubernetes API: TLS with a CA and an optional client
// certificate, a bearer token, timeouts, and a body delivered chunk by chunk as it arrives (a
// watch stream never ends). Handles share one connection cache, so lists and watches of all
// resources reuse connections to the API server. Thread-safe: each call uses its own handle.
#ifndef TAPIO_COLLECTORS_KUBEAPI_HTTP_CLIENT_H_
#define TAPIO_COLLECTORS_KUBEAPI_HTTP_CLIENT_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace tapio::collectors::kubeapi {

// Where the API server is and how to prove who we are.
struct ApiEndpoint {
  // "https://10.0.0.1:6443"; no trailing slash.
  std::string server;
  // PEM text of the CA bundle, or a path to it; empty uses the system's CAs.
  std::string ca_pem;
  std::string ca_file;
  // PEM text or paths of a client certificate and key.
  std::string client_cert_pem;
  std::string client_key_pem;
  std::string client_cert_file;
  std::string client_key_file;
  // A bearer token, or a file holding one that is re-read when it changes (rotated
  // service-account tokens).
  std::string token;
  std::string token_file;
  bool insecure_skip_tls_verify = false;
};

struct StreamOptions {
  absl::Duration connect_timeout = absl::Seconds(10);
  // A transfer that receives nothing for this long is ended.
  absl::Duration idle_timeout = absl::Seconds(60);
  // Polled during the transfer; setting it ends the transfer.
  const std::atomic<bool>* cancel = nullptr;
  // The Accept header; the API server answers metadata-only for the PartialObjectMetadata
  // media types.
  std::string accept = "application/json";
};

struct HttpResponse {
  int status = 0;
  // The body, when the caller did not stream it.
  std::string body;
};

class HttpClient {
 public:
  explicit HttpClient(ApiEndpoint endpoint);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // GETs `path_and_query` and hands each piece of the body to `on_data` as it arrives;
  // `on_data` returns false to stop early. Returns the HTTP status
  // (the body of a non-2xx answer is collected into HttpResponse::body instead of streamed),
  // or Unavailable when the server cannot be reached or the connection broke (a watch that
  // ends cleanly returns its status), naming the URL.
  absl::StatusOr<HttpResponse> Stream(const std::string& path_and_query,
                                      const StreamOptions& options,
                                      absl::FunctionRef<bool(absl::string_view)> on_data);

  // GETs and returns the whole body.
  absl::StatusOr<HttpResponse> Get(const std::string& path_and_query, absl::Duration timeout,
                                   const std::string& accept = "application/json");

  const ApiEndpoint& endpoint() const { return endpoint_; }

 private:
  std::string BearerToken();

  const ApiEndpoint endpoint_;
  struct Shared;
  std::unique_ptr<Shared> shared_;
  absl::Mutex token_mu_;
  std::string file_token_ ABSL_GUARDED_BY(token_mu_);
  int64_t token_mtime_ns_ ABSL_GUARDED_BY(token_mu_) = -1;
};

}  // namespace tapio::collectors::kubeapi

#endif  // TAPIO_COLLECTORS_KUBEAPI_HTTP_CLIENT_H_
