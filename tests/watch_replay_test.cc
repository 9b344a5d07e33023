// A recorded watch session replayed through the test API server into the live watch client,
// and the same recording read as a dump by `tapio analyze`'s reader, must give the same graph
// and the same semantic events: one code path, whichever way the records arrive.
#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "collectors/kubeapi/dump_reader.h"
#include "collectors/kubeapi/resource_watch.h"
#include "collectors/kubeapi/transition_detector.h"
#include "domain/event_id.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "intelligence/topology/topology_graph.h"
#include "tests/support/fake_api_server.h"

namespace tapio {
namespace {

using domain::Resolve;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Everything one ingestion path produced, in a form two paths can be compared by. Event
// times are left out: a live watch stamps changes with the clock, a dump with the records'
// own times; every other fact must match.
struct Outcome {
  domain::EntityRegistry registry;
  intelligence::TopologyGraph graph{domain::Intern("replay"), registry};
  domain::EventIdGenerator ids{9};
  collectors::kubeapi::TransitionDetector detector{domain::Intern("replay"), registry, ids};
  std::vector<domain::Event> events;

  void Apply(const domain::ObjectChange& change) {
    ASSERT_TRUE(graph.Apply(change).ok());
    detector.Observe(change, &events);
  }

  std::vector<std::string> EventFacts() const {
    std::vector<std::string> facts;
    for (const domain::Event& e : events) {
      const auto& k = std::get<domain::KubernetesPayload>(e.payload);
      facts.push_back(absl::StrCat(domain::ToString(registry.Get(e.entity)), " ", Resolve(e.type),
                                   " ", domain::SeverityName(e.severity), " ", Resolve(k.reason),
                                   " ", Resolve(k.from), "->", Resolve(k.to), " ",
                                   Resolve(k.container), " exit=", k.exit_code,
                                   " restarts=", k.restart_count));
    }
    return facts;
  }

  std::vector<std::string> GraphFacts() const {
    std::vector<std::string> facts;
    for (domain::KubeKind kind :
         {domain::KubeKind::kPod, domain::KubeKind::kNode, domain::KubeKind::kStatefulSet,
          domain::KubeKind::kPersistentVolumeClaim, domain::KubeKind::kSecret}) {
      for (domain::EntityId id : graph.EntitiesOfKind(kind, intelligence::kForever - 1)) {
        std::string entity = domain::ToString(registry.Get(id));
        facts.push_back(entity);
        for (int r = 0; r < intelligence::kRelationCount; ++r) {
          auto relation = static_cast<intelligence::Relation>(r);
          for (const intelligence::Edge& edge :
               graph.Outgoing(id, relation, intelligence::kForever - 1)) {
            facts.push_back(absl::StrCat(entity, " ", intelligence::RelationName(relation), " ",
                                         domain::ToString(registry.Get(edge.to))));
          }
        }
      }
    }
    std::sort(facts.begin(), facts.end());
    return facts;
  }
};

class WatchReplayTest : public ::testing::TestWithParam<std::string> {};

TEST_P(WatchReplayTest, LiveReplayAndDumpGiveTheSameGraphAndEvents) {
  const std::string recording = ReadFile(GetParam());
  ASSERT_FALSE(recording.empty()) << GetParam();

  Outcome from_dump;
  collectors::kubeapi::DumpReader reader;
  std::vector<collectors::kubeapi::DumpProblem> problems;
  int64_t last_record_ns = 0;
  reader.ReadWatch(
      recording, "recording",
      [&](const domain::ObjectChange& c) {
        last_record_ns = std::max(last_record_ns, c.time_ns);
        from_dump.Apply(c);
      },
      &problems);
  EXPECT_TRUE(problems.empty());

  testing::FakeApiServer server([&](const testing::FakeRequest& request) {
    testing::FakeResponse response;
    if (!request.query.contains("watch")) {
      response.chunks = {
          R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[]})"};
    } else if (request.query.at("resourceVersion") == "1") {
      // Five-byte chunks: every object arrives in pieces, as over a slow link.
      response.chunks = testing::SplitIntoChunks(recording, 5);
    }
    return response;
  });
  Outcome from_watch;
  collectors::kubeapi::ApiEndpoint endpoint;
  endpoint.server = server.url();
  collectors::kubeapi::HttpClient client(endpoint);
  // The live watch sees the session as if it had happened now; its clock stands at the
  // recording's last moment so that elapsed-time facts (slow container creation) agree.
  domain::FakeClock clock(last_record_ns);
  collectors::kubeapi::ResourceWatch watch(
      collectors::kubeapi::WatchedResources()[0], client, collectors::kubeapi::WatchOptions{},
      clock, [&](const domain::ObjectChange& c) { from_watch.Apply(c); });
  std::atomic<bool> stop{false};
  ASSERT_TRUE(watch.Relist(stop).ok());
  ASSERT_TRUE(watch.WatchOnce(stop).ok());
  EXPECT_EQ(watch.counts().bad_lines, 0u);

  EXPECT_FALSE(from_dump.events.empty());
  EXPECT_EQ(from_watch.EventFacts(), from_dump.EventFacts());
  EXPECT_EQ(from_watch.GraphFacts(), from_dump.GraphFacts());
}

INSTANTIATE_TEST_SUITE_P(
    Recordings, WatchReplayTest,
    ::testing::Values("tests/fixtures/watch/search-0-oom-restart.jsonl",
                      "../shared/realdata/public/A_kubernetes/kuryr_watch_pods_2016.jsonl"));

TEST(WatchReplayFactsTest, TheOomSessionMeansWhatItShows) {
  Outcome outcome;
  collectors::kubeapi::DumpReader reader;
  std::vector<collectors::kubeapi::DumpProblem> problems;
  reader.ReadWatch(
      ReadFile("tests/fixtures/watch/search-0-oom-restart.jsonl"), "recording",
      [&](const domain::ObjectChange& c) { outcome.Apply(c); }, &problems);
  std::vector<std::string> types;
  for (const domain::Event& e : outcome.events) types.emplace_back(Resolve(e.type));
  EXPECT_THAT(types, ::testing::ElementsAre("k8s.pod_phase", "k8s.pod_ready",
                                            "k8s.container_terminated", "k8s.container_ready",
                                            "k8s.container_restarted", "k8s.container_waiting",
                                            "k8s.pod_ready", "k8s.container_ready"));
  EXPECT_THAT(
      outcome.GraphFacts(),
      ::testing::Contains("Pod/search/search-0 mounts PersistentVolumeClaim/search/data-search-0"));
  EXPECT_THAT(outcome.GraphFacts(), ::testing::Contains("Pod/search/search-0 runs-on Node/node-7"));
  EXPECT_THAT(outcome.GraphFacts(),
              ::testing::Contains("StatefulSet/search/search owns Pod/search/search-0"));
}

}  // namespace
}  // namespace tapio
