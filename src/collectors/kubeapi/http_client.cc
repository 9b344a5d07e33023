#include "collectors/kubeapi/http_client.h"

#include <curl/curl.h>
#include <sys/stat.h>

#include <array>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace tapio::collectors::kubeapi {
namespace {

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct HeaderDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;
using HeaderList = std::unique_ptr<curl_slist, HeaderDeleter>;

void GlobalInit() {
  static const bool done = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  (void)done;
}

struct Transfer {
  CURL* curl;
  absl::FunctionRef<bool(absl::string_view)> on_data;
  const std::atomic<bool>* cancel;
  HttpResponse response;
  bool stopped_by_us = false;
};

size_t OnWrite(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t bytes = size * count;
  long status = 0;
  curl_easy_getinfo(transfer->curl, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status >= 300) {
    // Error bodies are Status objects of a few hundred bytes; more is not worth keeping.
    if (transfer->response.body.size() < 64 * 1024) transfer->response.body.append(data, bytes);
    return bytes;
  }
  if (!transfer->on_data(absl::string_view(data, bytes))) {
    transfer->stopped_by_us = true;
    return 0;
  }
  return bytes;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* transfer = static_cast<Transfer*>(user);
  if (transfer->cancel != nullptr && transfer->cancel->load(std::memory_order_acquire)) {
    transfer->stopped_by_us = true;
    return 1;
  }
  return 0;
}

void SetBlob(CURL* curl, CURLoption option, const std::string& pem) {
  curl_blob blob{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_COPY};
  curl_easy_setopt(curl, option, &blob);
}

}  // namespace

// The connection, TLS session and DNS caches shared by every transfer of one client.
struct HttpClient::Shared {
  CURLSH* share = nullptr;
  std::array<absl::Mutex, CURL_LOCK_DATA_LAST> locks;

  Shared() {
    share = curl_share_init();
    curl_share_setopt(share, CURLSHOPT_LOCKFUNC, &Lock);
    curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, &Unlock);
    curl_share_setopt(share, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  }
  ~Shared() { curl_share_cleanup(share); }

  static void Lock(CURL*, curl_lock_data data, curl_lock_access,
                   void* user) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    static_cast<Shared*>(user)->locks[data].Lock();
  }
  static void Unlock(CURL*, curl_lock_data data, void* user) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    static_cast<Shared*>(user)->locks[data].Unlock();
  }
};

HttpClient::HttpClient(ApiEndpoint endpoint) : endpoint_(std::move(endpoint)) {
  GlobalInit();
  shared_ = std::make_unique<Shared>();
}

HttpClient::~HttpClient() = default;

std::string HttpClient::BearerToken() {
  if (endpoint_.token_file.empty()) return endpoint_.token;
  struct stat info;
  if (stat(endpoint_.token_file.c_str(), &info) != 0) return endpoint_.token;
  int64_t mtime = int64_t{info.st_mtim.tv_sec} * 1'000'000'000 + info.st_mtim.tv_nsec;
  absl::MutexLock lock(&token_mu_);
  if (mtime != token_mtime_ns_) {
    std::ifstream in(endpoint_.token_file);
    std::stringstream text;
    text << in.rdbuf();
    file_token_ = std::string(absl::StripAsciiWhitespace(text.str()));
    token_mtime_ns_ = mtime;
  }
  return file_token_;
}

absl::StatusOr<HttpResponse> HttpClient::Stream(
    const std::string& path_and_query, const StreamOptions& options,
    absl::FunctionRef<bool(absl::string_view)> on_data) {
  CurlHandle curl(curl_easy_init());
  if (curl == nullptr) return absl::ResourceExhaustedError("libcurl could not make a handle");
  std::string url = endpoint_.server + path_and_query;
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_SHARE, shared_->share);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options.connect_timeout)));
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME,
                   std::max(1L, static_cast<long>(absl::ToInt64Seconds(options.idle_timeout))));
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
  std::string accept = absl::StrCat("Accept: ", options.accept);
  HeaderList headers(curl_slist_append(nullptr, accept.c_str()));
  std::string token = BearerToken();
  if (!token.empty()) {
    std::string authorization = absl::StrCat("Authorization: Bearer ", token);
    headers.reset(curl_slist_append(headers.release(), authorization.c_str()));
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  if (!endpoint_.ca_pem.empty()) SetBlob(c, CURLOPT_CAINFO_BLOB, endpoint_.ca_pem);
  if (!endpoint_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, endpoint_.ca_file.c_str());
  if (!endpoint_.client_cert_pem.empty())
    SetBlob(c, CURLOPT_SSLCERT_BLOB, endpoint_.client_cert_pem);
  if (!endpoint_.client_cert_file.empty()) {
    curl_easy_setopt(c, CURLOPT_SSLCERT, endpoint_.client_cert_file.c_str());
  }
  if (!endpoint_.client_key_pem.empty()) SetBlob(c, CURLOPT_SSLKEY_BLOB, endpoint_.client_key_pem);
  if (!endpoint_.client_key_file.empty()) {
    curl_easy_setopt(c, CURLOPT_SSLKEY, endpoint_.client_key_file.c_str());
  }
  if (endpoint_.insecure_skip_tls_verify) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  Transfer transfer{c, on_data, options.cancel, {}, false};
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnWrite);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &OnProgress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &transfer);

  CURLcode code = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  transfer.response.status = static_cast<int>(status);
  if (code != CURLE_OK && !transfer.stopped_by_us) {
    return absl::UnavailableError(
        absl::StrCat("GET ", url, ": ", curl_easy_strerror(code),
                     status != 0 ? absl::StrCat(" (after HTTP ", status, ")") : ""));
  }
  return std::move(transfer.response);
}

absl::StatusOr<HttpResponse> HttpClient::Get(const std::string& path_and_query,
                                             absl::Duration timeout, const std::string& accept) {
  std::string body;
  StreamOptions options;
  options.connect_timeout = timeout;
  options.idle_timeout = timeout;
  options.accept = accept;
  absl::StatusOr<HttpResponse> response =
      Stream(path_and_query, options, [&](absl::string_view data) {
        body.append(data.data(), data.size());
        return true;
      });
  if (response.ok() && response->status >= 200 && response->status < 300) {
    response->body = std::move(body);
  }
  return response;
}

}  // namespace tapio::collectors::kubeapi
