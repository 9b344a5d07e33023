#include "collectors/kubeapi/transition_detector.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "collectors/kubeapi/object_decoder.h"
#include "domain/string_list.h"
#include "domain/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tapio::collectors::kubeapi {
namespace {

using domain::Resolve;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr int64_t kSecond = 1'000'000'000;
const int64_t kT0 = *domain::ParseRfc3339Nanos("2026-03-01T10:15:00Z");

class TransitionDetectorTest : public ::testing::Test {
 protected:
  // Decodes `json` and feeds it as a change at `at`; returns the types of the events emitted.
  std::vector<std::string> Feed(
      absl::string_view json, int64_t at,
      domain::ObjectChange::Type type = domain::ObjectChange::Type::kModified) {
    auto object = decoder_.DecodeObject(json);
    EXPECT_TRUE(object.ok()) << object.status();
    size_t before = events_.size();
    detector_.Observe(domain::ObjectChange{type, at, std::move(*object)}, &events_);
    std::vector<std::string> types;
    for (size_t i = before; i < events_.size(); ++i) {
      types.emplace_back(Resolve(events_[i].type));
    }
    return types;
  }
  const domain::KubernetesPayload& Payload(size_t from_end) {
    return std::get<domain::KubernetesPayload>(events_[events_.size() - 1 - from_end].payload);
  }

  ObjectDecoder decoder_;
  domain::EntityRegistry registry_;
  domain::EventIdGenerator ids_{7};
  TransitionDetector detector_{domain::Intern("test"), registry_, ids_};
  std::vector<domain::Event> events_;
};

std::string PodJson(absl::string_view rv, absl::string_view container_status,
                    absl::string_view phase = "Running") {
  return absl::StrCat(
      R"json({"kind":"Pod","metadata":{"name":"search-0","namespace":"search","uid":"p-1","resourceVersion":")json",
      rv, R"json("},"spec":{"nodeName":"node-7"},"status":{"phase":")json", phase,
      R"json(","containerStatuses":[)json", container_status, "]}}");
}

TEST_F(TransitionDetectorTest, OomKillThenCrashLoopEmitsEachFactOnce) {
  EXPECT_THAT(
      Feed(
          PodJson(
              "1",
              R"json({"name":"app","ready":true,"restartCount":0,"state":{"running":{"startedAt":"2026-03-01T10:00:00Z"}}})json"),
          kT0, domain::ObjectChange::Type::kAdded),
      ElementsAre("k8s.pod_phase"));
  std::string oom = PodJson(
      "2", R"json({"name":"app","ready":false,"restartCount":0,"containerID":"containerd://abc",
      "state":{"terminated":{"exitCode":137,"reason":"OOMKilled","startedAt":"2026-03-01T10:00:00Z","finishedAt":"2026-03-01T10:15:03Z","containerID":"containerd://abc"}}})json");
  EXPECT_THAT(Feed(oom, kT0 + 5 * kSecond),
              ElementsAre("k8s.container_terminated", "k8s.container_ready"));
  EXPECT_EQ(Resolve(Payload(1).reason), "OOMKilled");
  EXPECT_EQ(Payload(1).exit_code, 137);
  EXPECT_EQ(events_[events_.size() - 2].time_ns,
            *domain::ParseRfc3339Nanos("2026-03-01T10:15:03Z"));

  std::string crashloop = PodJson("3", R"json({"name":"app","ready":false,"restartCount":1,
      "state":{"waiting":{"reason":"CrashLoopBackOff","message":"back-off 10s restarting failed container=app pod=search-0_search(p-1)"}},
      "lastState":{"terminated":{"exitCode":137,"reason":"OOMKilled","startedAt":"2026-03-01T10:00:00Z","finishedAt":"2026-03-01T10:15:03Z","containerID":"containerd://abc"}}})json");
  EXPECT_THAT(Feed(crashloop, kT0 + 20 * kSecond),
              ElementsAre("k8s.container_restarted", "k8s.container_waiting"));
  EXPECT_EQ(Resolve(Payload(0).reason), "CrashLoopBackOff");

  // A relist delivers the same object again: nothing new happened.
  EXPECT_THAT(Feed(crashloop, kT0 + 60 * kSecond, domain::ObjectChange::Type::kAdded), IsEmpty());
}

TEST_F(TransitionDetectorTest, FirstSightOfAFailingPodReportsItsLastTermination) {
  // As a dump shows it: OOMKilled with exit code 0 (kubernetes#131530).
  EXPECT_THAT(Feed(PodJson("9", R"json({"name":"app","restartCount":3,
      "state":{"waiting":{"reason":"CrashLoopBackOff"}},
      "lastState":{"terminated":{"exitCode":0,"reason":"OOMKilled","finishedAt":"2026-03-01T10:14:00Z"}}})json"),
                   kT0, domain::ObjectChange::Type::kAdded),
              ElementsAre("k8s.pod_phase", "k8s.container_terminated", "k8s.container_restarted",
                          "k8s.container_waiting"));
  EXPECT_EQ(events_[1].severity, domain::Severity::kError);
  EXPECT_EQ(Resolve(std::get<domain::KubernetesPayload>(events_[1].payload).reason), "OOMKilled");
}

TEST_F(TransitionDetectorTest, RestartWithEmptyLastStateStillCounts) {
  Feed(PodJson("1", R"json({"name":"app","restartCount":0,"state":{"running":{}}})json"), kT0,
       domain::ObjectChange::Type::kAdded);
  // kubernetes#101044: a very early OOM can leave lastState empty.
  EXPECT_THAT(
      Feed(PodJson(
               "2",
               R"json({"name":"app","restartCount":1,"state":{"running":{}},"lastState":{}})json"),
           kT0 + kSecond),
      ElementsAre("k8s.container_restarted"));
}

TEST_F(TransitionDetectorTest, KubernetesEventsCountOccurrencesAndLinkToTheTransition) {
  Feed(
      PodJson(
          "1",
          R"json({"name":"app","restartCount":2,"state":{"waiting":{"reason":"CrashLoopBackOff"}}})json"),
      kT0, domain::ObjectChange::Type::kAdded);
  domain::Symbol waiting_link = events_.back().correlation_ids;
  ASSERT_FALSE(waiting_link.empty());

  std::string backoff =
      R"json({"kind":"Event","metadata":{"name":"search-0.1","namespace":"search","uid":"e-1"},
    "involvedObject":{"kind":"Pod","namespace":"search","name":"search-0","uid":"p-1","fieldPath":"spec.containers{app}"},
    "reason":"BackOff","message":"Back-off restarting failed container app in pod search-0_search(p-1)",
    "type":"Warning","count":COUNT,"firstTimestamp":"2026-03-01T10:14:00Z","lastTimestamp":"LAST",
    "source":{"component":"kubelet","host":"node-7"}})json";
  auto event = [&](int count, absl::string_view last) {
    return absl::StrReplaceAll(backoff, {{"COUNT", absl::StrCat(count)}, {"LAST", last}});
  };
  EXPECT_THAT(Feed(event(1, "2026-03-01T10:14:00Z"), kT0, domain::ObjectChange::Type::kAdded),
              ElementsAre("k8s.event"));
  EXPECT_EQ(events_.back().correlation_ids, waiting_link);
  EXPECT_EQ(events_.back().entity, events_.front().entity);
  EXPECT_EQ(Resolve(Payload(0).container), "app");
  EXPECT_EQ(Resolve(Payload(0).component), "kubelet");
  EXPECT_EQ(events_.back().time_ns, *domain::ParseRfc3339Nanos("2026-03-01T10:14:00Z"));

  EXPECT_THAT(Feed(event(1, "2026-03-01T10:14:00Z"), kT0 + kSecond), IsEmpty());
  EXPECT_THAT(Feed(event(4, "2026-03-01T10:16:00Z"), kT0 + 2 * kSecond), ElementsAre("k8s.event"));
  EXPECT_EQ(Payload(0).count, 4u);
  EXPECT_EQ(events_.back().time_ns, *domain::ParseRfc3339Nanos("2026-03-01T10:16:00Z"));
}

TEST_F(TransitionDetectorTest, NodeEventsNamingTheNodeAsTheirUidLandOnTheNode) {
  Feed(
      R"json({"kind":"Node","metadata":{"name":"node-7","uid":"3f2a9c1e-node","resourceVersion":"1"},
    "status":{"conditions":[{"type":"Ready","status":"False","reason":"KubeletNotReady",
      "lastTransitionTime":"2026-03-01T10:12:00Z"}]}})json",
      kT0, domain::ObjectChange::Type::kAdded);
  ASSERT_FALSE(events_.empty());
  domain::EntityId node = events_.back().entity;
  // As the kubelet and the node controller emit them: the uid is the node's name.
  EXPECT_THAT(
      Feed(
          R"json({"kind":"Event","metadata":{"name":"node-7.17f","namespace":"default","uid":"e-9"},
    "involvedObject":{"kind":"Node","name":"node-7","uid":"node-7"},
    "reason":"NodeNotReady","message":"Node node-7 status is now: NodeNotReady","type":"Normal",
    "count":1,"firstTimestamp":"2026-03-01T10:12:05Z","lastTimestamp":"2026-03-01T10:12:05Z",
    "source":{"component":"node-controller"}})json",
          kT0 + kSecond, domain::ObjectChange::Type::kAdded),
      ElementsAre("k8s.event"));
  EXPECT_EQ(events_.back().entity, node);
}

TEST_F(TransitionDetectorTest, RolloutProgressIsDatedByTheConditionsLastUpdate) {
  std::string deployment =
      R"json({"kind":"Deployment","metadata":{"name":"web","namespace":"shop","uid":"d-1",
    "resourceVersion":"RV","generation":GEN,"annotations":{"deployment.kubernetes.io/revision":"GEN"}},
    "status":{"conditions":[{"type":"Progressing","status":"True","reason":"REASON",
      "lastUpdateTime":"UPDATED","lastTransitionTime":"2026-02-24T08:00:00Z"}]}})json";
  auto version = [&](int gen, absl::string_view reason, absl::string_view updated) {
    return absl::StrReplaceAll(deployment, {{"RV", absl::StrCat(gen)},
                                            {"GEN", absl::StrCat(gen)},
                                            {"REASON", reason},
                                            {"UPDATED", updated}});
  };
  Feed(version(1, "NewReplicaSetAvailable", "2026-02-24T08:00:00Z"), kT0,
       domain::ObjectChange::Type::kAdded);
  // The status stays True, so lastTransitionTime keeps the old rollout's day.
  EXPECT_THAT(Feed(version(2, "ReplicaSetUpdated", "2026-03-01T10:14:30Z"), kT0 + kSecond),
              ElementsAre("k8s.rollout_started", "k8s.rollout_progressing"));
  EXPECT_EQ(events_.back().time_ns, *domain::ParseRfc3339Nanos("2026-03-01T10:14:30Z"));
}

TEST_F(TransitionDetectorTest, EvictionIsReportedWithTheKubeletsMessage) {
  // The shape of is-healthy's pod_evicted.yaml fixture.
  EXPECT_THAT(
      Feed(
          R"json({"kind":"Pod","metadata":{"name":"web-1","namespace":"default","uid":"ev-1","resourceVersion":"5"},
      "spec":{"nodeName":"some-node"},
      "status":{"phase":"Failed","reason":"Evicted",
        "message":"The node was low on resource: memory. Threshold quantity: 750Mi, available: 179968Ki. ",
        "conditions":[{"type":"Ready","status":"False","reason":"PodEvicted","lastTransitionTime":"2026-03-01T10:10:00Z"}]}})json",
          kT0, domain::ObjectChange::Type::kAdded),
      ElementsAre("k8s.pod_phase", "k8s.pod_evicted"));
  EXPECT_EQ(events_.back().time_ns, *domain::ParseRfc3339Nanos("2026-03-01T10:10:00Z"));
  EXPECT_EQ(events_[0].severity, domain::Severity::kError);
}

TEST_F(TransitionDetectorTest, NodeConditionsCordonAndTaints) {
  std::string healthy =
      R"json({"kind":"Node","metadata":{"name":"node-7","uid":"n-7","resourceVersion":"1"},
    "status":{"conditions":[{"type":"MemoryPressure","status":"False"},{"type":"Ready","status":"True"}]}})json";
  EXPECT_THAT(Feed(healthy, kT0, domain::ObjectChange::Type::kAdded), IsEmpty());
  std::string pressure =
      R"json({"kind":"Node","metadata":{"name":"node-7","uid":"n-7","resourceVersion":"2"},
    "spec":{"unschedulable":true,"taints":[{"key":"node.kubernetes.io/memory-pressure","effect":"NoSchedule"}]},
    "status":{"conditions":[{"type":"MemoryPressure","status":"True","reason":"KubeletHasInsufficientMemory",
      "message":"kubelet has insufficient memory available","lastTransitionTime":"2026-03-01T10:12:00Z"},
      {"type":"Ready","status":"True"}]}})json";
  EXPECT_THAT(Feed(pressure, kT0 + kSecond),
              ElementsAre("k8s.node_condition", "k8s.node_cordoned", "k8s.node_taint"));
  const auto& condition = std::get<domain::KubernetesPayload>(events_[0].payload);
  EXPECT_EQ(Resolve(condition.field), "condition/MemoryPressure");
  EXPECT_EQ(Resolve(condition.to), "True");
  EXPECT_EQ(Resolve(condition.reason), "KubeletHasInsufficientMemory");
  EXPECT_EQ(Resolve(Payload(0).to), "node.kubernetes.io/memory-pressure:NoSchedule");
}

TEST_F(TransitionDetectorTest, StalledRolloutAndFailedJob) {
  std::string deployment =
      R"json({"kind":"Deployment","metadata":{"name":"web","namespace":"shop","uid":"d-1","generation":3,"resourceVersion":"RV",
    "annotations":{"deployment.kubernetes.io/revision":"REV"}},
    "status":{"unavailableReplicas":UNAVAILABLE,"conditions":[{"type":"Progressing","status":"STATUS","reason":"REASON",
      "message":"ReplicaSet \"web-5f8d\" has timed out progressing.","lastTransitionTime":"2026-03-01T10:14:00Z"}]}})json";
  auto version = [&](absl::string_view rv, absl::string_view rev, int unavailable,
                     absl::string_view status, absl::string_view reason) {
    return absl::StrReplaceAll(deployment, {{"RV", rv},
                                            {"REV", rev},
                                            {"UNAVAILABLE", absl::StrCat(unavailable)},
                                            {"STATUS", status},
                                            {"REASON", reason}});
  };
  EXPECT_THAT(Feed(version("1", "4", 0, "True", "NewReplicaSetAvailable"), kT0,
                   domain::ObjectChange::Type::kAdded),
              IsEmpty());
  EXPECT_THAT(
      Feed(version("2", "5", 1, "True", "ReplicaSetUpdated"), kT0 + kSecond),
      ElementsAre("k8s.rollout_started", "k8s.rollout_progressing", "k8s.replicas_unavailable"));
  EXPECT_THAT(Feed(version("3", "5", 1, "False", "ProgressDeadlineExceeded"), kT0 + 2 * kSecond),
              ElementsAre("k8s.rollout_stalled"));
  EXPECT_EQ(events_.back().severity, domain::Severity::kError);

  EXPECT_THAT(
      Feed(
          R"json({"kind":"Job","metadata":{"name":"nightly","namespace":"batch","uid":"j-1","resourceVersion":"9"},
      "spec":{"backoffLimit":6},"status":{"failed":7,"conditions":[{"type":"Failed","status":"True",
      "reason":"BackoffLimitExceeded","message":"Job has reached the specified backoff limit",
      "lastTransitionTime":"2026-03-01T09:00:00Z"}]}})json",
          kT0, domain::ObjectChange::Type::kAdded),
      ElementsAre("k8s.job_failed"));
  EXPECT_EQ(Resolve(Payload(0).reason), "BackoffLimitExceeded");
}

TEST_F(TransitionDetectorTest, PendingClaimAndDeletion) {
  std::string claim =
      R"json({"kind":"PersistentVolumeClaim","metadata":{"name":"data","namespace":"db","uid":"c-1"},
    "spec":{"storageClassName":"fast"},"status":{"phase":"Pending"}})json";
  EXPECT_THAT(Feed(claim, kT0, domain::ObjectChange::Type::kAdded), ElementsAre("k8s.pvc_phase"));
  EXPECT_THAT(Feed(claim, kT0 + kSecond, domain::ObjectChange::Type::kDeleted),
              ElementsAre("k8s.object_deleted"));
  EXPECT_TRUE(detector_.Known(domain::KubeKind::kPersistentVolumeClaim).empty());
}

}  // namespace
}  // namespace tapio::collectors::kubeapi
