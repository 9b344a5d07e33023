#include "collectors/kubeapi/object_decoder.h"

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "domain/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tapio::collectors::kubeapi {
namespace {

using domain::Intern;
using domain::KubeKind;
using domain::Resolve;
using ::testing::HasSubstr;

constexpr char kRealData[] = "../shared/realdata/public/A_kubernetes/";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<domain::KubeObject> DecodeAll(ObjectDecoder& decoder, const std::string& json) {
  std::vector<domain::KubeObject> objects;
  auto page = decoder.DecodeList(json, [&](size_t, absl::StatusOr<domain::KubeObject> object) {
    ASSERT_TRUE(object.ok()) << object.status();
    objects.push_back(std::move(*object));
  });
  EXPECT_TRUE(page.ok()) << page.status();
  return objects;
}

TEST(ObjectDecoderTest, ReadsAnOomKilledJobPodFromARealPodList) {
  ObjectDecoder decoder;
  auto pods = DecodeAll(
      decoder, ReadFile(absl::StrCat(kRealData, "troubleshoot_pods_message-oomkill-pod.json")));
  ASSERT_EQ(pods.size(), 1u);
  const domain::KubeObject& pod = pods[0];
  EXPECT_EQ(pod.kind, KubeKind::kPod);
  EXPECT_EQ(Resolve(pod.meta.name), "oom-kill-job3-gbb89");
  EXPECT_EQ(Resolve(pod.meta.uid), "c8d3f094-b80c-4ff8-aff7-f0e624f1bf3a");
  ASSERT_EQ(pod.meta.owners.size(), 1u);
  EXPECT_EQ(Resolve(pod.meta.owners[0].kind), "Job");
  EXPECT_TRUE(pod.meta.owners[0].controller);
  ASSERT_NE(pod.pod(), nullptr);
  ASSERT_EQ(pod.pod()->statuses.size(), 1u);
  const domain::ContainerStatus& status = pod.pod()->statuses[0];
  EXPECT_EQ(Resolve(status.name), "memory-eater");
  EXPECT_EQ(status.state.phase, domain::ContainerState::Phase::kTerminated);
  EXPECT_EQ(Resolve(status.state.reason), "OOMKilled");
  EXPECT_EQ(status.state.exit_code, 137);
  EXPECT_EQ(status.state.finished_ns, *domain::ParseRfc3339Nanos("2023-07-11T04:43:25Z"));
  EXPECT_EQ(Resolve(status.container_id),
            "84d3d308bb9a5765e637884194e718d297046f156a377cf6145a9397d5e469b7");
  ASSERT_EQ(pod.pod()->containers.size(), 1u);
  EXPECT_EQ(pod.pod()->containers[0].memory_limit_bytes, 100 * 1024 * 1024);
}

TEST(ObjectDecoderTest, ReadsCrashLoopWaitingAndLastStateFromARealBundle) {
  ObjectDecoder decoder;
  auto pods = DecodeAll(
      decoder, ReadFile(absl::StrCat(kRealData, "troubleshoot_k3s_bundle/pods__default.json")));
  ASSERT_EQ(pods.size(), 6u);
  const domain::KubeObject* backend = nullptr;
  for (const auto& pod : pods) {
    if (Resolve(pod.meta.name) == "backend-api-75fb46b7bd-xtkrh") backend = &pod;
  }
  ASSERT_NE(backend, nullptr);
  const domain::ContainerStatus& status = backend->pod()->statuses[0];
  EXPECT_EQ(Resolve(status.state.reason), "CrashLoopBackOff");
  EXPECT_EQ(Resolve(status.last_state.reason), "Error");
  EXPECT_EQ(status.last_state.exit_code, 1);
  EXPECT_EQ(status.restart_count, 5u);
  EXPECT_EQ(backend->pod()->containers[0].memory_limit_bytes, 256 * 1024 * 1024);
  EXPECT_EQ(backend->pod()->containers[0].cpu_limit_millis, 200);
  const domain::Condition* ready = domain::FindCondition(backend->pod()->conditions, "Ready");
  ASSERT_NE(ready, nullptr);
  EXPECT_EQ(Resolve(ready->status), "False");
  EXPECT_EQ(Resolve(ready->reason), "ContainersNotReady");
}

TEST(ObjectDecoderTest, EventsWithOnlyEventTimeGetFirstAndLastTimes) {
  ObjectDecoder decoder;
  auto events = DecodeAll(
      decoder, ReadFile(absl::StrCat(kRealData, "troubleshoot_k3s_bundle/events__default.json")));
  ASSERT_EQ(events.size(), 56u);
  int failed_scheduling = 0;
  for (const auto& object : events) {
    ASSERT_EQ(object.kind, KubeKind::kEvent);
    const domain::EventObject& event = *object.event();
    EXPECT_GT(event.first_ns, 0) << Resolve(object.meta.name);
    EXPECT_GE(event.last_ns, event.first_ns);
    EXPECT_GE(event.count, 1u);
    if (Resolve(event.reason) == "FailedScheduling" &&
        Resolve(event.regarding_name) == "cpu-intensive-app-7bcfc5d944-hw2vc") {
      ++failed_scheduling;
      EXPECT_EQ(event.first_ns, *domain::ParseRfc3339Nanos("2025-09-11T20:50:21.450412Z"));
      EXPECT_EQ(Resolve(event.component), "default-scheduler");
      EXPECT_EQ(Resolve(event.type), "Warning");
      EXPECT_EQ(event.regarding_kind, KubeKind::kPod);
      EXPECT_THAT(std::string(Resolve(event.message)), HasSubstr("1 Insufficient cpu"));
    }
  }
  EXPECT_EQ(failed_scheduling, 1);
}

TEST(ObjectDecoderTest, NodeConditionsAndMemory) {
  ObjectDecoder decoder;
  auto nodes =
      DecodeAll(decoder, ReadFile(absl::StrCat(kRealData, "troubleshoot_k3s_bundle/nodes.json")));
  ASSERT_EQ(nodes.size(), 1u);
  ASSERT_NE(nodes[0].node(), nullptr);
  EXPECT_EQ(nodes[0].node()->memory_capacity_bytes, int64_t{8146056} * 1024);
  const domain::Condition* ready = domain::FindCondition(nodes[0].node()->conditions, "Ready");
  ASSERT_NE(ready, nullptr);
  EXPECT_EQ(Resolve(ready->status), "True");
}

// The shape of the NetworkPolicy examples in the Kubernetes documentation.
TEST(ObjectDecoderTest, NetworkPolicySelectorsRulesAndDefaultTypes) {
  ObjectDecoder decoder;
  auto policy = decoder.DecodeObject(R"({"apiVersion":"networking.k8s.io/v1",
    "kind":"NetworkPolicy","metadata":{"name":"test-network-policy","namespace":"default",
    "generation":2},"spec":{"podSelector":{"matchLabels":{"role":"db"}},
    "ingress":[{"from":[{"ipBlock":{"cidr":"172.17.0.0/16","except":["172.17.1.0/24"]}},
      {"namespaceSelector":{"matchLabels":{"project":"myproject"}}},
      {"podSelector":{"matchExpressions":[{"key":"role","operator":"In",
        "values":["frontend"]}]}}],
      "ports":[{"protocol":"TCP","port":6379}]}]}})",
                                     "");
  ASSERT_TRUE(policy.ok()) << policy.status();
  const domain::NetworkPolicyObject* spec = policy->network_policy();
  ASSERT_NE(spec, nullptr);
  EXPECT_TRUE(spec->ingress);
  EXPECT_FALSE(spec->egress);  // no policyTypes and no egress rules
  ASSERT_EQ(spec->ingress_rules.size(), 1u);
  ASSERT_EQ(spec->ingress_rules[0].peers.size(), 3u);
  EXPECT_TRUE(spec->ingress_rules[0].peers[0].ip_block);
  EXPECT_TRUE(spec->ingress_rules[0].peers[1].namespace_selector.has_value());
  EXPECT_FALSE(spec->ingress_rules[0].peers[1].pod_selector.has_value());
  EXPECT_TRUE(spec->ingress_rules[0].peers[2].pod_selector->Matches(
      {{Intern("role"), Intern("frontend")}}));
  EXPECT_FALSE(
      spec->ingress_rules[0].peers[2].pod_selector->Matches({{Intern("role"), Intern("db")}}));

  auto bad = decoder.DecodeObject(R"({"kind":"NetworkPolicy","metadata":{"name":"p",
    "namespace":"default"},"spec":{"podSelector":{"matchExpressions":[{"key":"a",
    "operator":"Near"}]}}})",
                                  "");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(),
              HasSubstr("spec.podSelector.matchExpressions[0].operator: unknown operator"));
}

TEST(ObjectDecoderTest, SeriesCountAndTimeWin) {
  ObjectDecoder decoder;
  auto event = decoder.DecodeObject(R"json({"kind":"Event","apiVersion":"events.k8s.io/v1",
    "metadata":{"name":"web.1","namespace":"shop"},
    "regarding":{"kind":"Pod","namespace":"shop","name":"web","uid":"u1"},
    "reason":"BackOff","note":"Back-off restarting failed container app in pod web_shop(u1)",
    "type":"Warning","eventTime":"2026-03-01T10:00:00.000000Z",
    "series":{"count":17,"lastObservedTime":"2026-03-01T10:14:00.000000Z"},
    "reportingController":"kubelet","deprecatedCount":3})json");
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->event()->count, 17u);
  EXPECT_EQ(event->event()->first_ns, *domain::ParseRfc3339Nanos("2026-03-01T10:00:00Z"));
  EXPECT_EQ(event->event()->last_ns, *domain::ParseRfc3339Nanos("2026-03-01T10:14:00Z"));
  EXPECT_EQ(Resolve(event->event()->component), "kubelet");
}

TEST(ObjectDecoderTest, WatchErrorCarriesTheStatusCode) {
  ObjectDecoder decoder;
  std::string line = ReadFile(absl::StrCat(kRealData, "wso2apk_571_watch_410_expired.jsonl"));
  auto event = decoder.DecodeWatchEvent(line.substr(0, line.find('\n')));
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->type, WatchEvent::Type::kError);
  EXPECT_EQ(event->code, 410);
  EXPECT_EQ(event->reason, "Expired");
  EXPECT_THAT(event->message, HasSubstr("too old resource version"));
}

TEST(ObjectDecoderTest, ReadsARealWatchRecording) {
  ObjectDecoder decoder;
  std::istringstream lines(ReadFile(absl::StrCat(kRealData, "kuryr_watch_pods_2016.jsonl")));
  std::string line;
  std::vector<WatchEvent> events;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    auto event = decoder.DecodeWatchEvent(line);
    ASSERT_TRUE(event.ok()) << event.status();
    events.push_back(std::move(*event));
  }
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].type, WatchEvent::Type::kAdded);
  EXPECT_EQ(events[3].type, WatchEvent::Type::kModified);
  EXPECT_EQ(Resolve(events[0].object.meta.name), "nginx-app-o0kvl");
  EXPECT_EQ(Resolve(events[3].object.pod()->phase), "Running");
}

TEST(ObjectDecoderTest, SecretDataIsNeverKept) {
  ObjectDecoder decoder;
  auto secret = decoder.DecodeObject(
      R"json({"kind":"Secret","metadata":{"name":"db","namespace":"shop"},"data":{"password":"aHVudGVyMg=="}})json");
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(secret->kind, KubeKind::kSecret);
  EXPECT_FALSE(domain::SymbolTable::Global().Find("aHVudGVyMg==").has_value());
}

TEST(ObjectDecoderTest, BadInputNamesThePlaceAndNeverCrashes) {
  ObjectDecoder decoder;
  auto wrong_type = decoder.DecodeObject(
      R"json({"kind":"Pod","metadata":{"name":"web","namespace":"shop"},"status":{"containerStatuses":[{"name":"a"},{"name":"b","restartCount":"three"}]}})json");
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_THAT(
      wrong_type.status().message(),
      HasSubstr("status.containerStatuses[1].restartCount: expected an integer, got a string"));
  EXPECT_THAT(wrong_type.status().message(), HasSubstr("Pod shop/web"));

  auto number_name = decoder.DecodeObject(R"json({"kind":"Pod","metadata":{"name":42}})json");
  ASSERT_FALSE(number_name.ok());
  EXPECT_THAT(number_name.status().message(), HasSubstr("metadata.name: expected a string"));

  EXPECT_FALSE(decoder.DecodeObject(R"json({"kind":"Pod","metadata":{"name":"web")json").ok());
  EXPECT_FALSE(decoder.DecodeObject("").ok());
  EXPECT_FALSE(decoder.DecodeObject(std::string("\0\xff\x01{", 4)).ok());
  EXPECT_FALSE(decoder.DecodeWatchEvent(R"json({"type":"EXPLODED","object":{}})json").ok());

  auto unknown = decoder.DecodeObject(R"json({"kind":"Widget","metadata":{"name":"w1"}})json");
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->kind, KubeKind::kUnknown);

  std::string huge =
      absl::StrCat(R"json({"kind":"Pod","metadata":{"name":"big","annotations":{"a":")json",
                   std::string(10 << 20, 'x'), R"json("}},"status":{"phase":"Running"}})json");
  auto big = decoder.DecodeObject(huge);
  ASSERT_TRUE(big.ok()) << big.status();
  EXPECT_EQ(Resolve(big->pod()->phase), "Running");
}

TEST(ObjectDecoderTest, OneBadItemDoesNotLoseTheOthers) {
  ObjectDecoder decoder;
  int good = 0;
  int bad = 0;
  auto page = decoder.DecodeList(
      R"json({"kind":"PodList","metadata":{"resourceVersion":"77","continue":"abc"},"items":[
        {"metadata":{"name":"a"}},{"metadata":{"name":["oops"]}},{"metadata":{"name":"c"}}]})json",
      [&](size_t, absl::StatusOr<domain::KubeObject> object) {
        if (object.ok()) {
          ++good;
          EXPECT_EQ(object->kind, KubeKind::kPod);
        } else {
          ++bad;
        }
      });
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(good, 2);
  EXPECT_EQ(bad, 1);
  EXPECT_EQ(page->resource_version, "77");
  EXPECT_EQ(page->continue_token, "abc");
}

}  // namespace
}  // namespace tapio::collectors::kubeapi
