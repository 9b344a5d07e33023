// Test support: `tapio serve` as an operator starts it, in a directory of its own with a
// token file, on free gRPC and HTTP ports read from the line that says it listens; and a CA
// with a certificate for 127.0.0.1 made by openssl, for the TLS tests.
#ifndef TAPIO_TESTS_SUPPORT_SERVE_FIXTURE_H_
#define TAPIO_TESTS_SUPPORT_SERVE_FIXTURE_H_

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/run_command.h"
#include "tests/support/tapio_process.h"
#include "transport/event_shipper.h"

namespace tapio::testing {

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "tapio-serve-", getpid(), "-",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ + "/token") << "s3cret\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Starts the server (on `port`, or a free one) and waits for the line that says it listens,
  // keeping the one before, which says what it rebuilt from its store.
  std::unique_ptr<TapioProcess> Serve(int port = 0, std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"serve",
                                     "--listen",
                                     absl::StrCat("127.0.0.1:", port),
                                     "--http-listen",
                                     "127.0.0.1:0",
                                     "--store",
                                     dir_ + "/tapio.db",
                                     "--token-file",
                                     dir_ + "/token"};
    args.insert(args.end(), more.begin(), more.end());
    // A test run inside a cluster must not watch it.
    if (std::find(args.begin(), args.end(), "--kubeconfig") == args.end()) {
      args.push_back("--no-kube-watch");
    }
    auto server = std::make_unique<TapioProcess>(args);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::string line = server->Line(/*from_stderr=*/true, deadline);
    if (line.find("rebuilt from") != std::string::npos) {
      rebuilt_ = line;
      line = server->Line(/*from_stderr=*/true, deadline);
    }
    EXPECT_THAT(line, ::testing::HasSubstr("listening on port")) << line;
    kubernetes_ = server->Line(/*from_stderr=*/true, deadline);
    EXPECT_THAT(kubernetes_, ::testing::HasSubstr("Kubernetes API")) << kubernetes_;
    std::vector<std::string> words = absl::StrSplit(line, ' ');
    for (size_t i = 0; i + 1 < words.size(); ++i) {
      if (words[i] != "port") continue;
      bool http = i >= 2 && words[i - 2] == "HTTP";
      (http ? http_port_ : port_) = std::stoi(words[i + 1]);
    }
    return server;
  }

  std::string Address() const { return absl::StrCat("127.0.0.1:", port_); }
  std::string HttpAddress() const { return absl::StrCat("127.0.0.1:", http_port_); }

  transport::EventShipper::Options Shipping() const {
    transport::EventShipper::Options o;
    o.target = Address();
    o.collector_id = "agent/node-1";
    o.token = "s3cret";
    o.batch_events = 500;
    o.first_backoff = absl::Milliseconds(20);
    o.max_backoff = absl::Milliseconds(200);
    return o;
  }

  std::string dir_;
  int port_ = 0;
  int http_port_ = 0;
  // What the server said of the store it started from, and of the Kubernetes API.
  std::string rebuilt_;
  std::string kubernetes_;
};

// A CA, a certificate for 127.0.0.1 signed by it (server.pem, server.key) and a client
// certificate signed by it (client.pem, client.key), made with openssl in `dir`.
inline void MakeCertificates(const std::string& dir) {
  std::string script = absl::StrCat(
      "(cd ", dir, " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem ",
      "-days 1 -subj /CN=tapio-test-ca && openssl req -newkey rsa:2048 -nodes -keyout ",
      "server.key -out server.csr -subj /CN=127.0.0.1 && printf ",
      "'subjectAltName=IP:127.0.0.1' > san && openssl x509 -req -in server.csr -CA ca.pem ",
      "-CAkey ca.key -CAcreateserial -out server.pem -days 1 -extfile san && openssl req ",
      "-newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=agent-node-1 && ",
      "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out ",
      "client.pem -days 1)");
  auto made = RunCommand(script);
  ASSERT_EQ(made.exit_code, 0) << made.output;
}

}  // namespace tapio::testing

#endif  // TAPIO_TESTS_SUPPORT_SERVE_FIXTURE_H_
