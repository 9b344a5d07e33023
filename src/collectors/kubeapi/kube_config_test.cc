#include "collectors/kubeapi/kube_config.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/fake_api_server.h"

namespace tapio::collectors::kubeapi {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class KubeConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tapio-kubeconfig-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream((dir_ / name).string()) << text;
    return (dir_ / name).string();
  }
  fs::path dir_;
};

constexpr char kConfig[] = R"(apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: prod-cluster
  cluster:
    server: https://10.0.0.1:6443/
    certificate-authority-data: Q0EgUEVN
- name: dev-cluster
  cluster:
    server: https://dev.example:6443
    certificate-authority: certs/ca.crt
contexts:
- name: prod
  context: {cluster: prod-cluster, user: admin}
- name: dev
  context: {cluster: dev-cluster, user: dev-user}
- name: gke
  context: {cluster: prod-cluster, user: gke-user}
- name: lost
  context: {cluster: nowhere, user: admin}
users:
- name: admin
  user:
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
- name: dev-user
  user:
    tokenFile: tokens/dev
- name: gke-user
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: gke-gcloud-auth-plugin
)";

TEST_F(KubeConfigTest, CurrentContextWithInlineCertificates) {
  auto endpoint = LoadKubeconfig(Write("config", kConfig), "");
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->server, "https://10.0.0.1:6443");
  EXPECT_EQ(endpoint->ca_pem, "CA PEM");
  EXPECT_EQ(endpoint->client_cert_pem, "CERT");
  EXPECT_EQ(endpoint->client_key_pem, "KEY");
}

TEST_F(KubeConfigTest, NamedContextWithRelativeFiles) {
  auto endpoint = LoadKubeconfig(Write("config", kConfig), "dev");
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->server, "https://dev.example:6443");
  EXPECT_EQ(endpoint->ca_file, (dir_ / "certs/ca.crt").string());
  EXPECT_EQ(endpoint->token_file, (dir_ / "tokens/dev").string());
}

TEST_F(KubeConfigTest, UnsupportedOrMissingPiecesAreClearErrors) {
  std::string path = Write("config", kConfig);
  EXPECT_THAT(LoadKubeconfig(path, "gke").status().message(),
              HasSubstr("exec credential plugin, which Tapio does not run"));
  EXPECT_THAT(LoadKubeconfig(path, "staging").status().message(),
              HasSubstr("no context named \"staging\""));
  EXPECT_THAT(LoadKubeconfig(path, "lost").status().message(),
              HasSubstr("names cluster \"nowhere\", which is not in the file"));
  EXPECT_EQ(LoadKubeconfig((dir_ / "absent").string(), "").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_THAT(LoadKubeconfig(Write("bad", "clusters: [\n"), "").status().message(),
              HasSubstr("not a valid kubeconfig"));
}

TEST_F(KubeConfigTest, InClusterUsesTheServiceAccount) {
  Write("token", "t0ken\n");
  setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  auto endpoint = InClusterEndpoint(dir_.string());
  unsetenv("KUBERNETES_SERVICE_HOST");
  unsetenv("KUBERNETES_SERVICE_PORT");
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->server, "https://10.96.0.1:443");
  EXPECT_EQ(endpoint->token_file, (dir_ / "token").string());
  EXPECT_EQ(endpoint->ca_file, (dir_ / "ca.crt").string());
  EXPECT_EQ(InClusterEndpoint(dir_.string()).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(KubeConfigTest, RotatedTokenFileIsReadAgain) {
  std::string token = Write("token", "first\n");
  testing::FakeApiServer server([](const testing::FakeRequest&) {
    testing::FakeResponse response;
    response.chunks = {"{}"};
    return response;
  });
  ApiEndpoint endpoint;
  endpoint.server = server.url();
  endpoint.token_file = token;
  HttpClient client(endpoint);
  ASSERT_TRUE(client.Get("/version", absl::Seconds(5)).ok());
  Write("token", "second\n");
  // Give the rewritten file a different modification time, as a kubelet rotation does.
  struct timespec times[2] = {{0, UTIME_OMIT}, {1'900'000'000, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, token.c_str(), times, 0), 0);
  ASSERT_TRUE(client.Get("/version", absl::Seconds(5)).ok());
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].headers.at("authorization"), "Bearer first");
  EXPECT_EQ(requests[1].headers.at("authorization"), "Bearer second");
}

}  // namespace
}  // namespace tapio::collectors::kubeapi
