#include "collectors/kubeapi/resource_watch.h"

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "collectors/kubeapi/cluster_watch.h"
#include "collectors/kubeapi/transition_detector.h"
#include "domain/event_id.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/fake_api_server.h"
#include "tests/support/poll.h"

namespace tapio::collectors::kubeapi {
namespace {

using domain::Resolve;
using ::tapio::testing::FakeApiServer;
using ::tapio::testing::FakeRequest;
using ::tapio::testing::FakeResponse;
using ::tapio::testing::SplitIntoChunks;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Items of an API list response carry no kind, as the real API server sends them.
std::string PodItem(absl::string_view name, absl::string_view uid, absl::string_view rv,
                    absl::string_view phase = "Running") {
  return absl::StrCat(R"({"metadata":{"name":")", name, R"(","namespace":"shop","uid":")", uid,
                      R"(","resourceVersion":")", rv,
                      R"("},"spec":{"nodeName":"node-1"},"status":{"phase":")", phase, R"("}})");
}

std::string PodList(absl::string_view rv, absl::string_view continue_token,
                    std::vector<std::string> items) {
  return absl::StrCat(R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":")", rv,
                      R"(")", continue_token.empty() ? "" : R"(,"continue":")", continue_token,
                      continue_token.empty() ? "" : R"(")", R"(},"items":[)",
                      absl::StrJoin(items, ","), "]}");
}

std::string WatchLine(absl::string_view type, const std::string& pod) {
  return absl::StrCat(R"({"type":")", type, R"(","object":{"kind":"Pod","apiVersion":"v1",)",
                      pod.substr(1), "}\n");
}

constexpr char kGone[] =
    R"json({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 11 (40)","reason":"Expired","code":410}})json"
    "\n";

struct Recorder {
  absl::Mutex mu;
  std::vector<std::string> changes;
  ResourceWatch::ChangeHandler handler() {
    return [this](const domain::ObjectChange& change) {
      absl::MutexLock lock(&mu);
      const char* type = change.type == domain::ObjectChange::Type::kAdded      ? "+"
                         : change.type == domain::ObjectChange::Type::kModified ? "~"
                                                                                : "-";
      changes.push_back(absl::StrCat(type, Resolve(change.object.meta.name), "@",
                                     change.object.meta.resource_version));
    };
  }
  std::vector<std::string> Take() {
    absl::MutexLock lock(&mu);
    return changes;
  }
};

WatchOptions FastOptions() {
  WatchOptions options;
  options.page_size = 2;
  options.min_backoff = absl::Milliseconds(5);
  options.max_backoff = absl::Milliseconds(20);
  options.idle_timeout = absl::Seconds(5);
  return options;
}

ResourceType Pods() { return WatchedResources()[0]; }

ApiEndpoint Endpoint(const std::string& url) {
  ApiEndpoint endpoint;
  endpoint.server = url;
  return endpoint;
}

TEST(ResourceWatchTest, ListsEveryPageThenWatchesFromTheListsVersionThroughSplitChunks) {
  FakeApiServer server([](const FakeRequest& request) {
    FakeResponse response;
    if (!request.query.contains("watch")) {
      response.chunks = {request.query.contains("continue")
                             ? PodList("20", "", {PodItem("c", "u-c", "19")})
                             : PodList("20", "page-2 token/+",
                                       {PodItem("a", "u-a", "17"), PodItem("b", "u-b", "18")})};
      return response;
    }
    std::string stream =
        WatchLine("MODIFIED", PodItem("a", "u-a", "21", "Failed")) +
        R"({"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"25"}}})"
        "\n" +
        WatchLine("ADDED", PodItem("d", "u-d", "26"));
    response.chunks = SplitIntoChunks(stream, 7);
    return response;
  });
  Recorder recorder;
  HttpClient client(Endpoint(server.url()));
  ResourceWatch watch(Pods(), client, FastOptions(), domain::Clock::Real(), recorder.handler());
  std::atomic<bool> stop{false};
  ASSERT_TRUE(watch.Relist(stop).ok());
  EXPECT_EQ(watch.resource_version(), "20");
  ASSERT_TRUE(watch.WatchOnce(stop).ok());
  std::vector<std::string> changes = recorder.Take();
  ASSERT_EQ(changes.size(), 5u);
  EXPECT_THAT(std::vector<std::string>(changes.begin() + 3, changes.end()),
              ElementsAre("~a@21", "+d@26"));
  EXPECT_EQ(watch.resource_version(), "26");
  std::vector<FakeRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].path, "/api/v1/pods");
  EXPECT_EQ(requests[0].query.at("limit"), "2");
  EXPECT_EQ(requests[1].query.at("continue"), "page-2 token/+");
  EXPECT_EQ(requests[2].query.at("resourceVersion"), "20");
  EXPECT_EQ(requests[2].query.at("allowWatchBookmarks"), "true");
  EXPECT_EQ(requests[2].headers.at("accept"), "application/json");
}

TEST(ResourceWatchTest, GoneMidWatchRelistsAndEmitsNeitherDuplicatesNorGaps) {
  std::atomic<int> lists{0};
  FakeApiServer server([&](const FakeRequest& request) {
    FakeResponse response;
    if (!request.query.contains("watch")) {
      // First list: a and b. After the 410: a as the watch left it, b gone, c new.
      response.chunks = {
          ++lists == 1 ? PodList("10", "", {PodItem("a", "u-a", "9"), PodItem("b", "u-b", "10")})
                       : PodList("40", "",
                                 {PodItem("a", "u-a", "11", "Failed"), PodItem("c", "u-c", "39")})};
      return response;
    }
    if (request.query.at("resourceVersion") == "10") {
      response.chunks =
          SplitIntoChunks(WatchLine("MODIFIED", PodItem("a", "u-a", "11", "Failed")) + kGone, 13);
    }
    return response;
  });
  Recorder recorder;
  domain::EntityRegistry registry;
  domain::EventIdGenerator ids(3);
  TransitionDetector detector(domain::Intern("c"), registry, ids);
  std::vector<domain::Event> events;
  ResourceWatch::ChangeHandler record = recorder.handler();
  HttpClient client(Endpoint(server.url()));
  ResourceWatch watch(Pods(), client, FastOptions(), domain::Clock::Real(),
                      [&](const domain::ObjectChange& change) {
                        record(change);
                        detector.Observe(change, &events);
                      });
  std::atomic<bool> stop{false};
  ASSERT_TRUE(watch.Relist(stop).ok());
  absl::Status watched = watch.WatchOnce(stop);
  EXPECT_EQ(watched.code(), absl::StatusCode::kAborted) << watched;
  ASSERT_TRUE(watch.Relist(stop).ok());
  EXPECT_THAT(recorder.Take(), ElementsAre("+a@9", "+b@10", "~a@11", "+c@39", "-b@10"));
  EXPECT_EQ(watch.resource_version(), "40");
  EXPECT_EQ(watch.counts().relists_after_gone, 1u);
  int failed_phase = 0;
  for (const domain::Event& e : events) {
    const auto& k = std::get<domain::KubernetesPayload>(e.payload);
    if (Resolve(e.type) == "k8s.pod_phase" && Resolve(k.to) == "Failed") ++failed_phase;
  }
  EXPECT_EQ(failed_phase, 1) << "a's failure must be reported exactly once";
}

// Objects a store remembers from before: the first list hands over only what changed since,
// and the deletion of those no longer listed.
TEST(ResourceWatchTest, ObjectsKnownBeforeTheFirstListAreComparedWithIt) {
  FakeApiServer server([](const FakeRequest& request) {
    FakeResponse response;
    if (!request.query.contains("watch")) {
      response.chunks = {PodList(
          "50", "",
          {PodItem("a", "u-a", "9"), PodItem("b", "u-b", "48"), PodItem("d", "u-d", "49")})};
    }
    return response;
  });
  Recorder recorder;
  HttpClient client(Endpoint(server.url()));
  ResourceWatch watch(Pods(), client, FastOptions(), domain::Clock::Real(), recorder.handler());
  ObjectDecoder decoder;
  for (const std::string& item :
       {PodItem("a", "u-a", "9"), PodItem("b", "u-b", "10"), PodItem("c", "u-c", "11")}) {
    absl::StatusOr<domain::KubeObject> object = decoder.DecodeObject(item, "Pod");
    ASSERT_TRUE(object.ok()) << object.status();
    watch.Know(*std::move(object));
  }
  std::atomic<bool> stop{false};
  ASSERT_TRUE(watch.Relist(stop).ok());
  EXPECT_THAT(recorder.Take(), ElementsAre("~b@48", "+d@49", "-c@11"));
}

TEST(ResourceWatchTest, ForbiddenNamesTheResourceAndTheVerb) {
  FakeApiServer server([](const FakeRequest&) {
    FakeResponse response;
    response.status = 403;
    response.chunks = {
        R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods is forbidden: User \"system:serviceaccount:tapio:tapio\" cannot list resource \"pods\" in API group \"\" at the cluster scope","reason":"Forbidden","details":{"kind":"pods"},"code":403})"};
    return response;
  });
  Recorder recorder;
  HttpClient client(Endpoint(server.url()));
  ResourceWatch watch(Pods(), client, FastOptions(), domain::Clock::Real(), recorder.handler());
  std::atomic<bool> stop{false};
  absl::Status status = watch.Run(stop);
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(status.message(),
              HasSubstr("pods: forbidden (403): Tapio needs the RBAC verb \"list\""));
  EXPECT_THAT(status.message(), HasSubstr("system:serviceaccount:tapio:tapio"));
}

TEST(ResourceWatchTest, DroppedStreamReconnectsAndTruncatedLinesAreSkipped) {
  std::atomic<int> watches{0};
  FakeApiServer server([&](const FakeRequest& request) {
    FakeResponse response;
    if (!request.query.contains("watch")) {
      response.chunks = {PodList("5", "", {})};
      return response;
    }
    if (++watches == 1) {
      // One good line, one cut short, then the connection breaks.
      std::string good = WatchLine("ADDED", PodItem("x", "u-x", "6"));
      std::string cut = WatchLine("ADDED", PodItem("y", "u-y", "7")).substr(0, 40) + "\n";
      response.chunks = {good, cut, R"({"type":"MODIF)"};
      response.drop = true;
      return response;
    }
    response.chunks = {WatchLine("ADDED", PodItem("z", "u-z", "8"))};
    response.pause_between_chunks = std::chrono::milliseconds(1);
    return response;
  });
  Recorder recorder;
  HttpClient client(Endpoint(server.url()));
  ResourceWatch watch(Pods(), client, FastOptions(), domain::Clock::Real(), recorder.handler());
  std::atomic<bool> stop{false};
  absl::Status result;
  std::thread runner([&] { result = watch.Run(stop); });
  ASSERT_TRUE(::tapio::testing::PollUntil([&] { return recorder.Take().size() >= 2; }));
  stop = true;
  runner.join();
  EXPECT_TRUE(result.ok()) << result;
  std::vector<std::string> changes = recorder.Take();
  EXPECT_EQ(changes[0], "+x@6");
  EXPECT_EQ(changes[1], "+z@8");
  EXPECT_GE(watch.counts().bad_lines, 1u);
  EXPECT_GE(watch.counts().reconnects + watch.counts().watches, 2u);
  // The reconnect resumed after the last good line, not from the list.
  std::vector<FakeRequest> requests = server.requests();
  ASSERT_GE(requests.size(), 3u);
  EXPECT_EQ(requests[2].query.at("resourceVersion"), "6");
}

TEST(ResourceWatchTest, SecretsAreListedAndWatchedAsMetadataOnly) {
  FakeApiServer server([](const FakeRequest& request) {
    FakeResponse response;
    if (!request.query.contains("watch")) {
      response.chunks = {
          R"json({"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"70"},"items":[{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"db-password","namespace":"shop","uid":"s-1","resourceVersion":"69"}}]})json"};
    } else {
      response.chunks = {
          R"json({"type":"MODIFIED","object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"db-password","namespace":"shop","uid":"s-1","resourceVersion":"71"}}})json"
          "\n"};
    }
    return response;
  });
  std::vector<domain::KubeKind> kinds;
  HttpClient client(Endpoint(server.url()));
  ResourceType secrets;
  for (const ResourceType& type : WatchedResources()) {
    if (type.plural == "secrets") secrets = type;
  }
  ASSERT_TRUE(secrets.metadata_only);
  ResourceWatch watch(
      secrets, client, FastOptions(), domain::Clock::Real(),
      [&](const domain::ObjectChange& change) { kinds.push_back(change.object.kind); });
  std::atomic<bool> stop{false};
  ASSERT_TRUE(watch.Relist(stop).ok());
  ASSERT_TRUE(watch.WatchOnce(stop).ok());
  EXPECT_THAT(kinds, ElementsAre(domain::KubeKind::kSecret, domain::KubeKind::kSecret));
  std::vector<FakeRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_THAT(requests[0].headers.at("accept"), HasSubstr("as=PartialObjectMetadataList"));
  EXPECT_THAT(requests[1].headers.at("accept"), HasSubstr("as=PartialObjectMetadata;"));
}

TEST(ClusterWatchTest, AForbiddenResourceStopsAloneAndTheOthersKeepWorking) {
  FakeApiServer server([](const FakeRequest& request) {
    FakeResponse response;
    if (request.path == "/api/v1/secrets") {
      response.status = 403;
      response.chunks = {
          R"json({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"secrets is forbidden: User \"system:serviceaccount:tapio:tapio\" cannot list resource \"secrets\" in API group \"\" at the cluster scope","reason":"Forbidden","details":{"kind":"secrets"},"code":403})json"};
    } else if (!request.query.contains("watch")) {
      response.chunks = {PodList("3", "", {PodItem("a", "u-a", "2")})};
    } else {
      response.chunks = {WatchLine("MODIFIED", PodItem("a", "u-a", "4", "Failed"))};
      response.pause_between_chunks = std::chrono::milliseconds(1);
    }
    return response;
  });
  Recorder recorder;
  HttpClient client(Endpoint(server.url()));
  std::vector<ResourceType> resources;
  for (const ResourceType& type : WatchedResources()) {
    if (type.plural == "pods" || type.plural == "secrets") resources.push_back(type);
  }
  ClusterWatch watch(resources, client, FastOptions(), domain::Clock::Real(), recorder.handler());
  watch.Start();
  ASSERT_TRUE(::tapio::testing::PollUntil([&] {
    auto status = watch.Status();
    return status[1].resource == "secrets" && !status[1].running && recorder.Take().size() >= 3;
  }));
  auto status = watch.Status();
  EXPECT_TRUE(status[0].running);
  EXPECT_EQ(status[1].ended.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(status[1].ended.message(), HasSubstr("\"list\" on \"secrets\""));
  watch.Stop();
  EXPECT_THAT(recorder.Take()[0], "+a@2");
}

TEST(ResourceWatchTest, UnreachableServerIsUnavailableNamingTheUrl) {
  HttpClient client(Endpoint("http://127.0.0.1:1"));
  Recorder recorder;
  ResourceWatch watch(Pods(), client, FastOptions(), domain::Clock::Real(), recorder.handler());
  std::atomic<bool> stop{false};
  absl::Status status = watch.Relist(stop);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr("http://127.0.0.1:1/api/v1/pods"));
}

}  // namespace
}  // namespace tapio::collectors::kubeapi
