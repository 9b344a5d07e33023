#include "intelligence/patterns/pattern_engine.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "intelligence/patterns/pattern_loader.h"
#include "intelligence/topology/testing/test_objects.h"

namespace tapio::intelligence {
namespace {

using domain::EntityId;
using domain::Intern;
using domain::KubeKind;
using domain::KubeObject;

constexpr int64_t kT0 = 1'772'360'100'000'000'000;  // 2026-03-01T10:15:00Z
constexpr int64_t kMinute = 60'000'000'000;

constexpr char kNodeMemory[] = R"(pattern: node-oom
description: the node ran out of memory
category: node-memory-pressure
layer: node
severity: critical
confidence: 0.7
trigger:
  type: k8s.pod_evicted
  message: {contains: "low on resource: memory"}
evidence:
  - id: pressure
    on: trigger.node
    match: {type: k8s.node_condition, field: condition/MemoryPressure, to: "True"}
    before: 10m
    after: 2m
    role: supporting
    weight: 0.2
  - id: own_limit
    on: trigger
    match: {type: kernel.oom_kill}
    before: 1m
    after: 1m
    role: contradicting
at_fault: trigger.node
root_cause: "{at_fault} ran out of memory; {trigger.entity} was evicted"
actions:
  immediate: ["cordon {at_fault}"]
)";

constexpr char kCrash[] = R"(pattern: crash
description: exits on its own
category: app-crash
layer: application
severity: error
confidence: 0.6
trigger:
  type: k8s.container_terminated
  exit_code: {not: 137}
evidence:
  - id: siblings_fail
    on: trigger.workload.pods
    match: {type: k8s.container_terminated}
    before: 30m
    min_count: 2
    role: required
at_fault: trigger.workload
root_cause: "{trigger.container} exits with {trigger.exit_code}; {siblings_fail.count} others too"
actions:
  immediate: ["read the logs of {at_fault}"]
)";

constexpr char kBlockedCalls[] = R"(pattern: blocked
description: a policy drops the calls
category: network-policy
layer: network
severity: error
confidence: 0.7
trigger:
  type: otlp.span_error
evidence:
  - id: blocking
    on: trigger.callees.pods.blocking_policies
at_fault: blocking
root_cause: "{blocking.entity} drops the calls of {trigger.entity}"
actions:
  immediate: ["fix {at_fault}"]
)";

KubeObject Object(KubeKind kind, absl::string_view ns, absl::string_view name,
                  absl::string_view uid) {
  KubeObject object;
  object.kind = kind;
  object.meta.namespace_name = Intern(ns);
  object.meta.name = Intern(name);
  object.meta.uid = Intern(uid);
  return object;
}

class PatternEngineTest : public ::testing::Test {
 protected:
  PatternEngineTest() : graph_(Intern("c"), registry_) {
    Apply(Object(KubeKind::kNode, "", "node-1", "n1"));
    Apply(Object(KubeKind::kNode, "", "node-2", "n2"));
    KubeObject deployment = Object(KubeKind::kDeployment, "shop", "api", "d1");
    Apply(deployment);
    for (int i = 0; i < 3; ++i) {
      KubeObject pod =
          Object(KubeKind::kPod, "shop", absl::StrCat("api-", i), absl::StrCat("p", i));
      pod.meta.owners.push_back({Intern("Deployment"), Intern("api"), Intern("d1"), true});
      domain::PodObject spec;
      spec.node_name = Intern(i == 2 ? "node-2" : "node-1");
      pod.spec = spec;
      Apply(pod);
    }
  }

  void Apply(KubeObject object, int64_t at = kT0 - 60 * kMinute) {
    domain::ObjectChange change;
    change.type = domain::ObjectChange::Type::kAdded;
    change.time_ns = at;
    change.object = std::move(object);
    ASSERT_TRUE(graph_.Apply(change).ok());
  }

  EntityId Id(KubeKind kind, absl::string_view ns, absl::string_view name) {
    std::optional<EntityId> id = graph_.Find(kind, ns, name);
    EXPECT_TRUE(id.has_value()) << name;
    return id.value_or(EntityId{});
  }

  domain::Event Kube(EntityId entity, absl::string_view type, int64_t at,
                     domain::KubernetesPayload payload) {
    domain::Event e;
    e.id = ++next_id_;
    e.time_ns = at;
    e.entity = entity;
    e.type = Intern(type);
    e.severity = domain::Severity::kError;
    e.source = domain::Source::kKubernetes;
    e.payload = payload;
    return e;
  }

  domain::Event Evicted(absl::string_view pod, int64_t at) {
    domain::KubernetesPayload p;
    p.reason = Intern("Evicted");
    p.message = Intern("The node was low on resource: memory. Threshold quantity: 100Mi.");
    return Kube(Id(KubeKind::kPod, "shop", pod), "k8s.pod_evicted", at, p);
  }

  domain::Event Pressure(absl::string_view node, int64_t at) {
    domain::KubernetesPayload p;
    p.field = Intern("condition/MemoryPressure");
    p.to = Intern("True");
    return Kube(Id(KubeKind::kNode, "", node), "k8s.node_condition", at, p);
  }

  domain::Event Terminated(absl::string_view pod, int32_t exit_code, int64_t at) {
    domain::KubernetesPayload p;
    p.container = Intern("app");
    p.exit_code = exit_code;
    return Kube(Id(KubeKind::kPod, "shop", pod), "k8s.container_terminated", at, p);
  }

  PatternEngine Engine(std::vector<const char*> texts, int64_t horizon_ns = 6 * 60 * kMinute) {
    std::vector<Pattern> patterns;
    for (const char* text : texts) {
      absl::StatusOr<Pattern> p = ParsePattern(text, "test.yaml");
      EXPECT_TRUE(p.ok()) << p.status();
      if (p.ok()) patterns.push_back(*std::move(p));
    }
    PatternEngineOptions options;
    options.lateness_ns = 0;
    options.horizon_ns = horizon_ns;
    return PatternEngine(std::move(patterns), graph_, clock_, options);
  }

  domain::EntityRegistry registry_;
  TopologyGraph graph_;
  domain::FakeClock clock_{kT0};
  uint64_t next_id_ = 0;
};

TEST_F(PatternEngineTest, EvidenceOnTheTriggersNodeRaisesConfidenceAndNamesTheNode) {
  PatternEngine engine = Engine({kNodeMemory});
  engine.Observe(Pressure("node-1", kT0 - 5 * kMinute));
  engine.Observe(Evicted("api-0", kT0));
  engine.Flush();
  ASSERT_EQ(engine.matches().size(), 1u);
  const PatternMatch& m = engine.matches()[0];
  EXPECT_EQ(m.at_fault, Id(KubeKind::kNode, "", "node-1"));
  EXPECT_DOUBLE_EQ(m.confidence, 0.7 + 0.2);
  ASSERT_EQ(m.evidence.size(), 1u);
  EXPECT_EQ(m.evidence[0].id, "pressure");
  EXPECT_EQ(m.evidence[0].relation, "trigger.node");
  EXPECT_EQ(m.root_cause, "Node/node-1 ran out of memory; Pod/shop/api-0 was evicted");
  EXPECT_EQ(m.immediate, std::vector<std::string>{"cordon Node/node-1"});
}

TEST_F(PatternEngineTest, TheNodeOfANodeIsTheNodeItself) {
  constexpr char kNodeFault[] = R"(pattern: node-fault
description: a node reports a kernel fault while under pressure
category: kernel
layer: kernel
severity: critical
confidence: 0.7
trigger:
  type: k8s.node_condition
evidence:
  - id: lockup
    on: trigger.node
    match: {type: kernel.soft_lockup}
    before: 10m
at_fault: trigger.node
root_cause: "{lockup.entity} locked up"
actions:
  immediate: ["drain {at_fault}"]
)";
  PatternEngine engine = Engine({kNodeFault});
  engine.Observe(Kube(Id(KubeKind::kNode, "", "node-2"), "kernel.soft_lockup", kT0 - kMinute, {}));
  engine.Observe(Pressure("node-2", kT0));
  engine.Observe(Pressure("node-1", kT0));
  engine.Flush();
  ASSERT_EQ(engine.matches().size(), 1u) << "node-1 had no lockup";
  EXPECT_EQ(engine.matches()[0].at_fault, Id(KubeKind::kNode, "", "node-2"));
  EXPECT_EQ(engine.matches()[0].root_cause, "Node/node-2 locked up");
}

TEST_F(PatternEngineTest, WeightedContradictingEvidenceLowersTheConfidenceAndIsListed) {
  std::string text = kNodeMemory;
  text.replace(text.find("role: contradicting"), 19, "role: contradicting\n    weight: 0.5");
  PatternEngine engine = Engine({text.c_str()});
  domain::Event oom =
      Kube(Id(KubeKind::kPod, "shop", "api-0"), "kernel.oom_kill", kT0 - 30'000'000'000, {});
  engine.Observe(oom);
  engine.Observe(Evicted("api-0", kT0));
  engine.Flush();
  ASSERT_EQ(engine.matches().size(), 1u) << "a weighted contradiction does not veto";
  const PatternMatch& m = engine.matches()[0];
  EXPECT_DOUBLE_EQ(m.base_confidence, 0.7);
  EXPECT_DOUBLE_EQ(m.confidence, 0.7 - 0.5);
  ASSERT_EQ(m.evidence.size(), 1u);
  EXPECT_EQ(m.evidence[0].id, "own_limit");
  EXPECT_TRUE(m.evidence[0].contradicting);
  EXPECT_DOUBLE_EQ(m.evidence[0].weight, -0.5);
}

TEST_F(PatternEngineTest, EvidenceOutsideTheWindowOrOnAnotherNodeIsNotCounted) {
  PatternEngine engine = Engine({kNodeMemory});
  engine.Observe(Pressure("node-1", kT0 - 11 * kMinute));
  engine.Observe(Pressure("node-2", kT0 - kMinute));
  engine.Observe(Evicted("api-0", kT0));
  engine.Flush();
  ASSERT_EQ(engine.matches().size(), 1u);
  EXPECT_DOUBLE_EQ(engine.matches()[0].confidence, 0.7);
  EXPECT_TRUE(engine.matches()[0].evidence.empty());
}

TEST_F(PatternEngineTest, EventsOlderThanTheHorizonAreForgotten) {
  PatternEngine engine = Engine({kNodeMemory}, /*horizon_ns=*/2 * kMinute);
  engine.Observe(Pressure("node-1", kT0 - 5 * kMinute));
  engine.Observe(Pressure("node-2", kT0));
  engine.Observe(Evicted("api-0", kT0));
  engine.Flush();
  ASSERT_EQ(engine.matches().size(), 1u);
  EXPECT_DOUBLE_EQ(engine.matches()[0].confidence, 0.7) << "the pressure 5 minutes back is gone";
}

TEST_F(PatternEngineTest, ContradictingEvidenceBeforeTheTriggerStopsTheMatch) {
  PatternEngine engine = Engine({kNodeMemory});
  domain::Event kill =
      Kube(Id(KubeKind::kPod, "shop", "api-0"), "kernel.oom_kill", kT0 - 30'000'000'000, {});
  kill.payload = domain::KernelPayload{};
  engine.Observe(kill);
  engine.Observe(Evicted("api-0", kT0));
  engine.Flush();
  EXPECT_TRUE(engine.matches().empty());
  EXPECT_EQ(engine.counts().triggers, 1u);
  EXPECT_EQ(engine.counts().rejected, 1u);
}

TEST_F(PatternEngineTest, ContradictingEvidenceArrivingAfterTheConclusionRetractsIt) {
  PatternEngine engine = Engine({kNodeMemory});
  std::vector<bool> seen_retracted;
  engine.set_sink([&](const PatternMatch& m) { seen_retracted.push_back(m.retracted); });
  engine.Observe(Evicted("api-0", kT0));
  ASSERT_EQ(engine.matches().size(), 1u) << "nothing required: concluded at once";
  domain::Event kill =
      Kube(Id(KubeKind::kPod, "shop", "api-0"), "kernel.oom_kill", kT0 + 30'000'000'000, {});
  kill.payload = domain::KernelPayload{};
  engine.Observe(kill);
  engine.Flush();
  ASSERT_EQ(engine.matches().size(), 1u);
  EXPECT_TRUE(engine.matches()[0].retracted);
  EXPECT_EQ(engine.counts().retracted, 1u);
  EXPECT_EQ(seen_retracted, (std::vector<bool>{false, true})) << "the sink hears both";
}

TEST_F(PatternEngineTest, ConcludesOnceTheRequiredEvidenceIsInAndUpdatesWhenAllWindowsClose) {
  PatternEngine engine = Engine({kNodeMemory});
  engine.Observe(Evicted("api-0", kT0));
  ASSERT_EQ(engine.matches().size(), 1u);
  EXPECT_DOUBLE_EQ(engine.matches()[0].confidence, 0.7);
  EXPECT_EQ(engine.matches()[0].concluded_ns, kT0);
  engine.Observe(Pressure("node-1", kT0 + kMinute));
  EXPECT_DOUBLE_EQ(engine.matches()[0].confidence, 0.7) << "the supporting window is open";
  engine.Observe(Terminated("api-2", 1, kT0 + 3 * kMinute));
  ASSERT_EQ(engine.matches().size(), 1u);
  EXPECT_DOUBLE_EQ(engine.matches()[0].confidence, 0.9);
  EXPECT_EQ(engine.matches()[0].evidence.size(), 1u);
  EXPECT_EQ(engine.matches()[0].concluded_ns, kT0) << "the first conclusion keeps its time";
}

TEST_F(PatternEngineTest, RequiredCountsFollowTheOwnerChainToSiblingPods) {
  PatternEngine engine = Engine({kCrash});
  engine.Observe(Terminated("api-0", 1, kT0 - 2 * kMinute));
  engine.Flush();
  EXPECT_TRUE(engine.matches().empty()) << "one sibling failure is below min_count";

  PatternEngine second = Engine({kCrash});
  second.Observe(Terminated("api-0", 1, kT0 - 2 * kMinute));
  second.Observe(Terminated("api-2", 2, kT0 - kMinute));
  second.Observe(Terminated("api-1", 1, kT0));
  second.Observe(Terminated("api-1", 137, kT0 + kMinute));
  second.Observe(Terminated("api-0", 3, kT0 + 2 * kMinute));
  second.Flush();
  ASSERT_EQ(second.matches().size(), 1u) << "later triggers join the first match";
  const PatternMatch& m = second.matches()[0];
  EXPECT_EQ(m.at_fault, Id(KubeKind::kDeployment, "shop", "api"));
  EXPECT_EQ(m.trigger.time_ns, kT0) << "the first trigger with two failed siblings before it";
  EXPECT_EQ(m.root_cause, "app exits with 1; 2 others too");
  EXPECT_EQ(m.occurrences, 2u);
  EXPECT_EQ(second.counts().joined, 1u);
  EXPECT_EQ(m.trigger_entities, (std::vector<EntityId>{Id(KubeKind::kPod, "shop", "api-1"),
                                                       Id(KubeKind::kPod, "shop", "api-0")}));
}

TEST_F(PatternEngineTest, EventsOfOtherTypesNeverStartAnEvaluation) {
  PatternEngine engine = Engine({kNodeMemory, kCrash});
  for (int i = 0; i < 100; ++i) engine.Observe(Pressure("node-1", kT0 + i));
  engine.Flush();
  EXPECT_EQ(engine.counts().events, 100u);
  EXPECT_EQ(engine.counts().triggers, 0u);
  EXPECT_TRUE(engine.matches().empty());
}

TEST_F(PatternEngineTest, DetectionTimeRunsFromTheTriggerToTheConclusion) {
  absl::StatusOr<Pattern> pattern = ParsePattern(kNodeMemory, "test.yaml");
  ASSERT_TRUE(pattern.ok()) << pattern.status();
  PatternEngine engine({*pattern}, graph_, clock_);
  engine.Observe(Evicted("api-0", kT0));
  EXPECT_TRUE(engine.matches().empty()) << "waits the lateness allowance for late events";
  clock_.Advance(7'000'000);
  engine.Flush();
  ASSERT_EQ(engine.matches().size(), 1u);
  EXPECT_EQ(engine.matches()[0].detection_ns, 7'000'000);
}

TEST_F(PatternEngineTest, EntityEvidenceFindsThePolicyThatKeepsACallerFromItsCallee) {
  Apply(testing::PodObject("shop", "web-0", "node-1", "", "web"));
  Apply(testing::PodObject("shop", "db-0", "node-2", "", "db"));
  Apply(testing::ServiceObject("shop", "web"));
  Apply(testing::ServiceObject("shop", "db"));
  graph_.AddCall(Id(KubeKind::kService, "shop", "web"), Id(KubeKind::kService, "shop", "db"),
                 kT0 - 30 * kMinute);
  auto db_ingress_from = [](absl::string_view app) {
    domain::NetworkPolicyObject spec;
    spec.pod_selector.match_labels = {{Intern("app"), Intern("db")}};
    spec.ingress = true;
    domain::NetworkPolicyPeer peer;
    peer.pod_selector = domain::LabelSelector{{{Intern("app"), Intern(app)}}, {}};
    spec.ingress_rules.push_back({{peer}});
    return spec;
  };
  KubeObject policy = testing::Object(KubeKind::kNetworkPolicy, "shop", "db-ingress");
  policy.spec = db_ingress_from("batch");
  Apply(policy);
  auto call_error = [&](int64_t at) {
    domain::Event e;
    e.id = ++next_id_;
    e.time_ns = at;
    e.entity = Id(KubeKind::kPod, "shop", "web-0");
    e.type = Intern("otlp.span_error");
    e.source = domain::Source::kOtlp;
    domain::ApplicationPayload p;
    p.peer_service = Intern("db");
    e.payload = p;
    return e;
  };

  PatternEngine blocked = Engine({kBlockedCalls});
  blocked.Observe(call_error(kT0));
  blocked.Flush();
  ASSERT_EQ(blocked.matches().size(), 1u);
  EXPECT_EQ(blocked.matches()[0].at_fault, Id(KubeKind::kNetworkPolicy, "shop", "db-ingress"));
  EXPECT_EQ(blocked.matches()[0].root_cause,
            "NetworkPolicy/shop/db-ingress drops the calls of Pod/shop/web-0");

  policy.spec = db_ingress_from("web");
  policy.meta.generation = 2;
  Apply(policy, kT0 - 10 * kMinute);
  PatternEngine admitted = Engine({kBlockedCalls});
  admitted.Observe(call_error(kT0));
  admitted.Flush();
  EXPECT_TRUE(admitted.matches().empty()) << "a policy whose rule admits the caller blocks nothing";
}

}  // namespace
}  // namespace tapio::intelligence
