// `tapio serve` watching the Kubernetes API itself, here a stand-in that replays a recorded pod
// watch: what the watch sees is stored and analysed as a collector's events are, and a restarted
// server's watch stores only what changed while it was down.
#include <atomic>
#include <chrono>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tapio/v1/event.pb.h"
#include "tests/support/fake_api_server.h"
#include "tests/support/run_command.h"
#include "tests/support/serve_fixture.h"

namespace tapio {
namespace {

using ::tapio::testing::ServeTest;
using ::testing::HasSubstr;

// A kubeconfig whose current context reaches the API server at `url` with a bearer token.
void WriteKubeconfig(const std::string& path, const std::string& url) {
  std::ofstream(path) << "apiVersion: v1\nkind: Config\ncurrent-context: test\nclusters:\n"
                      << "- name: test\n  cluster:\n    server: " << url << "\nusers:\n"
                      << "- name: tapio\n  user:\n    token: api-token\ncontexts:\n"
                      << "- name: test\n  context:\n    cluster: test\n    user: tapio\n";
}

// With --kubeconfig the server watches the Kubernetes API itself (the recording is chunked
// mid-object): the objects build its topology, and their transitions are stored and analysed
// as a collector's events are.
TEST_F(ServeTest, TheServersOwnKubernetesWatchIsStoredAndAnalysed) {
  std::ifstream in("tests/fixtures/watch/search-0-oom-restart.jsonl");
  std::string recording((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(recording.empty());
  testing::FakeApiServer api([&](const testing::FakeRequest& request) {
    testing::FakeResponse response;
    if (!request.query.contains("watch")) {
      response.chunks = {R"({"kind":"List","apiVersion":"v1","metadata":{"resourceVersion":"1"},)"
                         R"("items":[]})"};
    } else if (request.path == "/api/v1/pods" && request.query.at("resourceVersion") == "1") {
      response.chunks = testing::SplitIntoChunks(recording, 7);
    }
    return response;
  });
  WriteKubeconfig(dir_ + "/kubeconfig", api.url());
  auto server = Serve(0, {"--kubeconfig", dir_ + "/kubeconfig"});
  EXPECT_THAT(kubernetes_, HasSubstr("watching the Kubernetes API at " + api.url()));

  std::set<std::string> types;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!types.contains("k8s.container_restarted") &&
         std::chrono::steady_clock::now() < deadline) {
    auto listed = ::tapio::testing::RunCommand(
        absl::StrCat(TAPIO_BINARY, " events --server ", Address(), " --token-file ", dir_,
                     "/token --entity pod/search/search-0 --output json"));
    ASSERT_EQ(listed.exit_code, 0) << listed.output;
    std::vector<std::string> lines = absl::StrSplit(listed.output, '\n', absl::SkipEmpty());
    for (const std::string& line : lines) {
      v1::UnifiedEvent e;
      ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &e).ok()) << line;
      types.insert(e.type());
    }
  }
  EXPECT_TRUE(types.contains("k8s.object_change")) << "the pod itself, for the topology";
  EXPECT_TRUE(types.contains("k8s.container_terminated"));
  EXPECT_TRUE(types.contains("k8s.container_restarted"));
  for (const testing::FakeRequest& r : api.requests()) {
    EXPECT_EQ(r.headers.at("authorization"), "Bearer api-token") << r.path;
  }
  auto why = ::tapio::testing::RunCommand(
      absl::StrCat(TAPIO_BINARY, " why pod/search/search-0 --output json --server ", Address(),
                   " --token-file ", dir_, "/token"));
  EXPECT_EQ(why.exit_code, 0) << "the pod is known to the analysis: " << why.output;
  EXPECT_EQ(server->Stop(), 0);
}

// A restarted server lists the cluster again. An object the store holds in the version listed
// is neither stored again nor reported again; an object new to it is, and one deleted while the
// server was down is stored as deleted.
TEST_F(ServeTest, ARestartedServersWatchStoresOnlyWhatChangedWhileItWasDown) {
  std::ifstream in("tests/fixtures/watch/search-0-oom-restart.jsonl");
  std::string recording((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> lines = absl::StrSplit(recording, '\n', absl::SkipEmpty());
  ASSERT_FALSE(lines.empty());
  // The pod as the recording leaves it, a sibling the store has never seen, and one deleted
  // while the server is down.
  const std::string& last = lines.back();
  size_t object = last.find("\"object\":");
  ASSERT_NE(object, std::string::npos);
  std::string search_0 = last.substr(object + 9, last.rfind('}') - object - 9);
  std::string search_1 = absl::StrReplaceAll(
      search_0, {{"search-0", "search-1"},
                 {"8e2d4f61-0a3b-4c7d-9e15-2f6a8b4c0d93", "5b1c7e20-3d4f-4a6b-8c9d-0e1f2a3b4c5d"}});
  std::string search_2 = absl::StrReplaceAll(
      search_0, {{"search-0", "search-2"},
                 {"8e2d4f61-0a3b-4c7d-9e15-2f6a8b4c0d93", "c3a9d2e4-7b1f-4e8a-9d6c-1f2e3a4b5c6d"}});
  std::atomic<bool> relisting = false;
  testing::FakeApiServer api([&](const testing::FakeRequest& request) {
    testing::FakeResponse response;
    if (!request.query.contains("watch")) {
      std::string items;
      if (request.path == "/api/v1/pods") {
        items = relisting ? absl::StrCat(search_0, ",", search_1) : search_2;
      }
      response.chunks = {absl::StrCat(R"({"kind":"List","apiVersion":"v1","metadata":{)",
                                      R"("resourceVersion":")", relisting ? "200" : "1",
                                      R"("},"items":[)", items, "]}")};
    } else if (!relisting && request.path == "/api/v1/pods" &&
               request.query.at("resourceVersion") == "1") {
      response.chunks = testing::SplitIntoChunks(recording, 7);
    }
    return response;
  });
  WriteKubeconfig(dir_ + "/kubeconfig", api.url());
  auto events_of = [&](const std::string& pod) {
    auto listed = ::tapio::testing::RunCommand(
        absl::StrCat(TAPIO_BINARY, " events --server ", Address(), " --token-file ", dir_,
                     "/token --entity pod/search/", pod, " --limit 1000 --output json"));
    EXPECT_EQ(listed.exit_code, 0) << listed.output;
    std::vector<std::string> found = absl::StrSplit(listed.output, '\n', absl::SkipEmpty());
    return found;
  };
  // Polls until an event of `pod` holds `fragment` of JSON.
  auto wait_for = [&](const std::string& pod, const std::string& fragment) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      for (const std::string& line : events_of(pod)) {
        if (absl::StrContains(line, fragment)) return true;
      }
    }
    return false;
  };

  auto server = Serve(0, {"--kubeconfig", dir_ + "/kubeconfig"});
  ASSERT_TRUE(wait_for("search-0", R"("type":"k8s.container_restarted")"));
  ASSERT_TRUE(wait_for("search-2", R"("type":"k8s.object_change")"));
  std::vector<std::string> before = events_of("search-0");
  EXPECT_EQ(server->Stop(), 0);

  relisting = true;
  auto restarted = Serve(port_, {"--kubeconfig", dir_ + "/kubeconfig"});
  ASSERT_TRUE(wait_for("search-1", R"("type":"k8s.container_terminated")"))
      << "a pod new to the store is stored with what its state means";
  EXPECT_EQ(events_of("search-0"), before)
      << "listed again unchanged, the pod is not stored again and means nothing new";
  EXPECT_TRUE(wait_for("search-2", R"("reason":"DELETED")"))
      << "the pod missing from the new list was deleted while the server was down";
  EXPECT_EQ(restarted->Stop(), 0);
}

}  // namespace
}  // namespace tapio
