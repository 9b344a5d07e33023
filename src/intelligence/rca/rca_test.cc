#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "intelligence/patterns/pattern_engine.h"
#include "intelligence/patterns/pattern_loader.h"
#include "intelligence/rca/diagnosis.h"
#include "intelligence/rca/impact.h"
#include "intelligence/rca/root_cause_ranker.h"
#include "intelligence/rca/severity.h"
#include "intelligence/topology/testing/test_objects.h"

namespace tapio::intelligence {
namespace {

using domain::EntityId;
using domain::Intern;
using domain::KubeKind;
using domain::KubeObject;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Object;
using testing::PodObject;
using testing::ServiceObject;

constexpr int64_t kT0 = 1'772'360'100'000'000'000;  // 2026-03-01T10:15:00Z
constexpr int64_t kMinute = 60'000'000'000;

class RootCauseTest : public ::testing::Test {
 protected:
  RootCauseTest() : graph_(Intern("c"), registry_) {
    Apply(Object(KubeKind::kNode, "", "node-1"));
    Apply(Object(KubeKind::kNode, "", "node-2"));
    Apply(Object(KubeKind::kDeployment, "shop", "api"));
    Apply(PodObject("shop", "api-0", "node-1", "api", "api"));
    Apply(PodObject("shop", "db-0", "node-1", "", "db"));
    Apply(PodObject("shop", "web-0", "node-2", "", "web"));
    Apply(ServiceObject("shop", "api"));
    Apply(ServiceObject("shop", "web"));
    graph_.AddCall(Id(KubeKind::kService, "shop", "web"), Id(KubeKind::kService, "shop", "api"),
                   kT0 - 30 * kMinute);
  }

  void Apply(KubeObject object) {
    domain::ObjectChange change;
    change.time_ns = kT0 - 60 * kMinute;
    change.object = std::move(object);
    ASSERT_TRUE(graph_.Apply(change).ok());
  }

  EntityId Id(KubeKind kind, absl::string_view ns, absl::string_view name) {
    std::optional<EntityId> id = graph_.Find(kind, ns, name);
    EXPECT_TRUE(id.has_value()) << name;
    return id.value_or(EntityId{});
  }

  PatternMatch Match(absl::string_view pattern, absl::string_view category, EntityId at_fault,
                     EntityId trigger_entity, double confidence, int64_t at,
                     absl::string_view layer = "node") {
    PatternMatch m;
    m.pattern = std::string(pattern);
    m.category = std::string(category);
    m.layer = std::string(layer);
    m.base_confidence = confidence;
    m.confidence = confidence;
    m.at_fault = at_fault;
    m.trigger.entity = trigger_entity;
    m.trigger.time_ns = at;
    m.trigger_entities = {trigger_entity};
    return m;
  }

  domain::EntityRegistry registry_;
  TopologyGraph graph_;
};

TEST_F(RootCauseTest, ACauseOnTheSymptomsNodeRanksAndOneOnAnotherNodeDoesNot) {
  EntityId api = Id(KubeKind::kPod, "shop", "api-0");
  EntityId web = Id(KubeKind::kPod, "shop", "web-0");
  std::vector<PatternMatch> matches = {
      Match("node-oom", "node-memory-pressure", Id(KubeKind::kNode, "", "node-1"), api, 0.8,
            kT0 - 5 * kMinute),
      Match("node-oom", "node-memory-pressure", Id(KubeKind::kNode, "", "node-2"), web, 0.9,
            kT0 - 5 * kMinute),
  };
  std::vector<RankedCause> ranked = RankCauses(graph_, matches, {api, kT0});
  ASSERT_EQ(ranked.size(), 1u);
  EXPECT_EQ(ranked[0].entity, Id(KubeKind::kNode, "", "node-1"));
  EXPECT_EQ(ranked[0].relation, "node");
  EXPECT_DOUBLE_EQ(ranked[0].score, 0.8 * 0.95 * 0.98) << "confidence x proximity x layer";
}

TEST_F(RootCauseTest, CloserAndSurerCausesComeFirstAndLaterOnesAreNotCauses) {
  EntityId api = Id(KubeKind::kPod, "shop", "api-0");
  EntityId deployment = Id(KubeKind::kDeployment, "shop", "api");
  std::vector<PatternMatch> matches = {
      Match("crash", "app-crash", deployment, api, 0.7, kT0 - kMinute),
      Match("node-oom", "node-memory-pressure", Id(KubeKind::kNode, "", "node-1"), api, 0.9,
            kT0 - 2 * kMinute),
      Match("late", "image-pull", deployment, api, 0.99, kT0 + 10 * kMinute),
  };
  std::vector<RankedCause> ranked = RankCauses(graph_, matches, {api, kT0});
  ASSERT_EQ(ranked.size(), 2u);
  EXPECT_EQ(ranked[0].category, "node-memory-pressure");
  EXPECT_EQ(ranked[1].category, "app-crash");
  EXPECT_EQ(ranked[1].relation, "owner");
}

TEST_F(RootCauseTest, PatternsAgreeingOnOneCauseMergeIntoOne) {
  EntityId api = Id(KubeKind::kPod, "shop", "api-0");
  EntityId deployment = Id(KubeKind::kDeployment, "shop", "api");
  std::vector<PatternMatch> matches = {
      Match("status-oom", "memory-limit", deployment, api, 0.8, kT0 - kMinute),
      Match("kernel-oom", "memory-limit", deployment, api, 0.85, kT0 - kMinute),
  };
  std::vector<RankedCause> ranked = RankCauses(graph_, matches, {api, kT0});
  ASSERT_EQ(ranked.size(), 1u);
  EXPECT_THAT(ranked[0].matches, ElementsAre(1, 0));
  EXPECT_DOUBLE_EQ(ranked[0].score, 0.85 * 0.98 + 0.03);
}

TEST_F(RootCauseTest, ACallersSymptomReachesTheCalleesCause) {
  EntityId web = Id(KubeKind::kService, "shop", "web");
  EntityId api_pod = Id(KubeKind::kPod, "shop", "api-0");
  std::vector<PatternMatch> matches = {Match(
      "crash", "app-crash", Id(KubeKind::kDeployment, "shop", "api"), api_pod, 0.7, kT0 - kMinute)};
  std::vector<RankedCause> ranked = RankCauses(graph_, matches, {web, kT0});
  ASSERT_EQ(ranked.size(), 1u);
  EXPECT_EQ(ranked[0].relation, "callees");
}

TEST_F(RootCauseTest, OfTwoCausesAlikeTheOneBeforeTheSymptomWins) {
  EntityId api = Id(KubeKind::kPod, "shop", "api-0");
  EntityId deployment = Id(KubeKind::kDeployment, "shop", "api");
  std::vector<PatternMatch> matches = {
      Match("pull", "image-pull", deployment, api, 0.8, kT0 + 2 * kMinute, "kubernetes"),
      Match("config", "config-error", deployment, api, 0.8, kT0 - 3 * kMinute, "kubernetes"),
  };
  std::vector<RankedCause> ranked = RankCauses(graph_, matches, {api, kT0});
  ASSERT_EQ(ranked.size(), 2u);
  EXPECT_EQ(ranked[0].category, "config-error");
  EXPECT_EQ(ranked[1].category, "image-pull");
  EXPECT_THAT(ranked[1].explanation, HasSubstr("timing 0.75 (2m after the symptom)"));
}

TEST_F(RootCauseTest, OfTwoCausesAlikeTheDeeperLayerWins) {
  EntityId api = Id(KubeKind::kPod, "shop", "api-0");
  std::vector<PatternMatch> matches = {
      Match("crash", "app-crash", api, api, 0.8, kT0 - kMinute, "application"),
      Match("memcg", "memory-limit", api, api, 0.8, kT0 - kMinute, "kernel"),
  };
  std::vector<RankedCause> ranked = RankCauses(graph_, matches, {api, kT0});
  ASSERT_EQ(ranked.size(), 2u);
  EXPECT_EQ(ranked[0].category, "memory-limit");
  EXPECT_GT(ranked[0].score, ranked[1].score);
}

constexpr char kEviction[] = R"(pattern: evicted-for-memory
description: the node ran out of memory and evicted the pod
category: node-memory-pressure
layer: node
severity: error
confidence: 0.8
trigger: {type: k8s.pod_evicted}
evidence:
  - id: own_limit
    on: trigger
    match: {type: kernel.oom_kill}
    before: 2m
    role: contradicting
    weight: 0.4
at_fault: trigger.node
root_cause: "{at_fault} evicted {trigger.entity}"
actions:
  immediate: ["cordon {at_fault}"]
)";

constexpr char kOwnLimit[] = R"(pattern: over-its-limit
description: the container went over its own memory limit
category: memory-limit
layer: kubernetes
severity: error
confidence: 0.6
trigger: {type: k8s.pod_evicted}
at_fault: trigger.workload
root_cause: "{trigger.entity} went over its limit"
actions:
  immediate: ["raise the memory limit of {at_fault}"]
)";

TEST_F(RootCauseTest, ContradictingEvidenceDemotesAMatchBelowTheOtherCause) {
  EntityId api = Id(KubeKind::kPod, "shop", "api-0");
  auto rank = [&](bool with_kernel_oom) {
    std::vector<Pattern> patterns;
    for (const char* text : {kEviction, kOwnLimit}) {
      absl::StatusOr<Pattern> p = ParsePattern(text, "test.yaml");
      EXPECT_TRUE(p.ok()) << p.status();
      if (p.ok()) patterns.push_back(*std::move(p));
    }
    domain::FakeClock clock(kT0);
    PatternEngine engine(std::move(patterns), graph_, clock);
    auto event = [&](absl::string_view type, int64_t at) {
      domain::Event e;
      e.id = static_cast<uint64_t>(at);
      e.time_ns = at;
      e.entity = api;
      e.type = Intern(type);
      return e;
    };
    if (with_kernel_oom) engine.Observe(event("kernel.oom_kill", kT0 - kMinute));
    engine.Observe(event("k8s.pod_evicted", kT0));
    engine.Flush();
    return std::make_pair(engine.matches(), RankCauses(graph_, engine.matches(), {api, kT0}));
  };

  auto [plain_matches, plain] = rank(false);
  ASSERT_EQ(plain.size(), 2u);
  EXPECT_EQ(plain[0].category, "node-memory-pressure");

  auto [matches, ranked] = rank(true);
  ASSERT_EQ(ranked.size(), 2u);
  EXPECT_EQ(ranked[0].category, "memory-limit");
  EXPECT_EQ(ranked[1].category, "node-memory-pressure");
  EXPECT_THAT(ranked[1].explanation, HasSubstr("-0.40 own_limit (against)"));
  const PatternMatch& demoted = matches[ranked[1].matches.front()];
  ASSERT_EQ(demoted.evidence.size(), 1u);
  EXPECT_TRUE(demoted.evidence[0].contradicting);
}

TEST_F(RootCauseTest, ImpactFollowsThePodsHitToTheirWorkloadsServicesAndCallers) {
  EntityId api = Id(KubeKind::kPod, "shop", "api-0");
  std::vector<PatternMatch> matches = {Match("node-oom", "node-memory-pressure",
                                             Id(KubeKind::kNode, "", "node-1"), api, 0.8,
                                             kT0 - kMinute)};
  std::vector<RankedCause> ranked = RankCauses(graph_, matches, {api, kT0});
  ASSERT_EQ(ranked.size(), 1u);
  Impact impact = AssessImpact(graph_, matches, ranked[0], kT0);
  EXPECT_THAT(impact.pods, ElementsAre(api));
  EXPECT_THAT(impact.workloads, ElementsAre(Id(KubeKind::kDeployment, "shop", "api")));
  EXPECT_THAT(impact.services, ElementsAre(Id(KubeKind::kService, "shop", "api")));
  EXPECT_THAT(impact.callers, ElementsAre(Id(KubeKind::kService, "shop", "web")));
  EXPECT_THAT(impact.at_risk, ElementsAre(Id(KubeKind::kPod, "shop", "db-0")));
}

TEST_F(RootCauseTest, SeverityRisesWithWhatTheCauseHitsAndSaysWhy) {
  EntityId api = Id(KubeKind::kPod, "shop", "api-0");
  std::vector<PatternMatch> matches = {Match("node-oom", "node-memory-pressure",
                                             Id(KubeKind::kNode, "", "node-1"), api, 0.8,
                                             kT0 - kMinute)};
  matches[0].severity = domain::Severity::kWarning;
  std::vector<Diagnosis> d = Diagnose(graph_, matches, {api, kT0}, 3);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].severity.level, domain::Severity::kError);
  EXPECT_THAT(d[0].severity.reasons, ElementsAre("pattern node-oom is warning",
                                                 "the only pod of Deployment/shop/api is hit",
                                                 "1 calling service(s) see the failure",
                                                 "1 more pod(s) on Node/node-1 are at risk"));
}

TEST_F(RootCauseTest, ACauseInASystemNamespaceIsOneLevelWorse) {
  KubeObject dns = Object(KubeKind::kPod, "kube-system", "coredns-0");
  domain::PodObject spec;
  spec.node_name = Intern("node-2");
  dns.spec = spec;
  Apply(dns);
  EntityId pod = Id(KubeKind::kPod, "kube-system", "coredns-0");
  std::vector<PatternMatch> matches = {
      Match("crash", "app-crash", pod, pod, 0.7, kT0 - kMinute, "application")};
  matches[0].severity = domain::Severity::kWarning;
  std::vector<Diagnosis> d = Diagnose(graph_, matches, {pod, kT0}, 3);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].severity.level, domain::Severity::kError);
  matches[0].severity = domain::Severity::kError;
  d = Diagnose(graph_, matches, {pod, kT0}, 3);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].severity.level, domain::Severity::kCritical);
  EXPECT_THAT(d[0].severity.reasons, ::testing::Contains("hits the system namespace kube-system"));
}

TEST_F(RootCauseTest, TimeToDetectionRunsFromTheFirstEventOfTheChainToTheConclusion) {
  EntityId api = Id(KubeKind::kPod, "shop", "api-0");
  PatternMatch m = Match("node-oom", "node-memory-pressure", Id(KubeKind::kNode, "", "node-1"), api,
                         0.8, kT0 - kMinute);
  MatchEvidence pressure;
  pressure.id = "pressure";
  pressure.relation = "trigger.node";
  pressure.events.resize(1);
  pressure.events[0].entity = Id(KubeKind::kNode, "", "node-1");
  pressure.events[0].time_ns = kT0 - 4 * kMinute;
  m.evidence.push_back(pressure);
  m.concluded_ns = kT0 + kMinute;
  std::vector<PatternMatch> matches = {m};
  std::vector<Diagnosis> d = Diagnose(graph_, matches, {api, kT0}, 3);
  ASSERT_EQ(d.size(), 1u);
  ASSERT_EQ(d[0].chain.size(), 2u);
  EXPECT_EQ(d[0].chain[0].evidence, "pressure") << "the chain is in time order";
  EXPECT_EQ(d[0].chain[1].evidence, "trigger");
  EXPECT_EQ(d[0].first_event_ns, kT0 - 4 * kMinute);
  EXPECT_EQ(d[0].time_to_detection_ns, 5 * kMinute);
}

}  // namespace
}  // namespace tapio::intelligence
