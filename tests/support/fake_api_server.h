// A Kubernetes API server stand-in for tests: HTTP/1.1 on 127.0.0.1 and a free port, answering
// each request with what the test scripted — whole bodies, or chunked streams whose chunk
// boundaries fall wherever the test puts them (inside JSON objects too), with pauses, and
// with a connection dropped mid-stream. It records every request. Thread-safe.
#ifndef TAPIO_TESTS_SUPPORT_FAKE_API_SERVER_H_
#define TAPIO_TESTS_SUPPORT_FAKE_API_SERVER_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tapio::testing {

struct FakeRequest {
  std::string path;
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // lower-case names
};

struct FakeResponse {
  int status = 200;
  // Sent one after another as HTTP chunks (Transfer-Encoding: chunked).
  std::vector<std::string> chunks;
  std::chrono::milliseconds pause_between_chunks{0};
  // Close the connection after the chunks without the final empty chunk, as a broken
  // connection or a restarted API server does.
  bool drop = false;
};

class FakeApiServer {
 public:
  using Handler = std::function<FakeResponse(const FakeRequest&)>;

  explicit FakeApiServer(Handler handler);
  ~FakeApiServer();
  FakeApiServer(const FakeApiServer&) = delete;
  FakeApiServer& operator=(const FakeApiServer&) = delete;

  // "http://127.0.0.1:PORT".
  std::string url() const;
  std::vector<FakeRequest> requests() const;

 private:
  void Accept();
  void Serve(int fd);

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::vector<std::thread> connections_;
  std::vector<int> open_fds_;
  std::vector<FakeRequest> requests_;
};

// Splits `text` into chunks of at most `size` bytes, so JSON objects straddle chunks.
std::vector<std::string> SplitIntoChunks(const std::string& text, size_t size);

}  // namespace tapio::testing

#endif  // TAPIO_TESTS_SUPPORT_FAKE_API_SERVER_H_
