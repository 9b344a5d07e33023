#include "intelligence/topology/network_policy.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "intelligence/topology/testing/test_objects.h"
#include "intelligence/topology/topology_graph.h"

namespace tapio::intelligence {
namespace {

using domain::EntityId;
using domain::Intern;
using domain::KubeKind;
using domain::KubeObject;
using domain::ObjectChange;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr int64_t kT0 = 1'772'360'100'000'000'000;  // 2026-03-01T10:15:00Z
constexpr int64_t kMinute = 60'000'000'000;

domain::Labels Labels(std::initializer_list<std::pair<absl::string_view, absl::string_view>> kv) {
  domain::Labels labels;
  for (auto [k, v] : kv) labels.emplace_back(Intern(k), Intern(v));
  return labels;
}

KubeObject Pod(absl::string_view ns, absl::string_view name, domain::Labels labels) {
  KubeObject pod = testing::PodObject(ns, name, "node-1", "", "");
  pod.meta.labels = std::move(labels);
  return pod;
}

KubeObject Policy(absl::string_view ns, absl::string_view name, domain::NetworkPolicyObject spec,
                  int64_t generation = 1) {
  KubeObject policy = testing::Object(KubeKind::kNetworkPolicy, ns, name);
  policy.meta.generation = generation;
  policy.spec = std::move(spec);
  return policy;
}

domain::NetworkPolicyPeer PodsLabelled(domain::Labels labels) {
  domain::NetworkPolicyPeer peer;
  peer.pod_selector = domain::LabelSelector{std::move(labels), {}};
  return peer;
}

class NetworkPolicyTest : public ::testing::Test {
 protected:
  void Apply(KubeObject object, int64_t at, ObjectChange::Type type = ObjectChange::Type::kAdded) {
    ASSERT_TRUE(graph_.Apply(ObjectChange{type, at, std::move(object)}).ok());
  }
  EntityId Id(KubeKind kind, absl::string_view ns, absl::string_view name) {
    return graph_.Find(kind, ns, name).value_or(EntityId{});
  }

  domain::EntityRegistry registry_;
  TopologyGraph graph_{Intern("test"), registry_};
};

TEST_F(NetworkPolicyTest, AnIngressPolicyAdmitsOnlyThePodsItsRulesSelect) {
  Apply(Pod("payments", "payments-0", Labels({{"app", "payments"}})), kT0);
  Apply(Pod("payments", "ledger-0", Labels({{"app", "ledger"}})), kT0);
  Apply(Pod("shop", "checkout-0", Labels({{"app", "checkout"}})), kT0);
  domain::NetworkPolicyObject spec;
  spec.pod_selector.match_labels = Labels({{"app", "payments"}});
  spec.ingress = true;
  domain::NetworkPolicyRule rule;
  rule.peers.push_back(PodsLabelled(Labels({{"app", "ledger"}})));
  spec.ingress_rules.push_back(rule);
  Apply(Policy("payments", "payments-ingress", spec), kT0 + kMinute);

  EntityId policy = Id(KubeKind::kNetworkPolicy, "payments", "payments-ingress");
  EntityId payments = Id(KubeKind::kPod, "payments", "payments-0");
  EntityId ledger = Id(KubeKind::kPod, "payments", "ledger-0");
  EntityId checkout = Id(KubeKind::kPod, "shop", "checkout-0");
  EXPECT_THAT(graph_.IsolatingPolicies(payments, PolicyDirection::kIngress, kT0 + 2 * kMinute),
              ElementsAre(policy));
  EXPECT_THAT(graph_.IsolatingPolicies(payments, PolicyDirection::kEgress, kT0 + 2 * kMinute),
              IsEmpty());
  // Not before it was created, and never the pods it does not select.
  EXPECT_THAT(graph_.IsolatingPolicies(payments, PolicyDirection::kIngress, kT0), IsEmpty());
  EXPECT_THAT(graph_.IsolatingPolicies(ledger, PolicyDirection::kIngress, kT0 + 2 * kMinute),
              IsEmpty());
  EXPECT_TRUE(graph_.PolicyAdmits(policy, ledger, PolicyDirection::kIngress, kT0 + 2 * kMinute));
  // A pod selector alone means pods of the policy's own namespace.
  EXPECT_FALSE(graph_.PolicyAdmits(policy, checkout, PolicyDirection::kIngress, kT0 + 2 * kMinute));

  // The policy is changed to admit the shop namespace by its automatic name label.
  domain::NetworkPolicyPeer shop;
  shop.namespace_selector =
      domain::LabelSelector{Labels({{"kubernetes.io/metadata.name", "shop"}}), {}};
  spec.ingress_rules[0].peers.push_back(shop);
  Apply(Policy("payments", "payments-ingress", spec, 2), kT0 + 3 * kMinute,
        ObjectChange::Type::kModified);
  EXPECT_TRUE(graph_.PolicyAdmits(policy, checkout, PolicyDirection::kIngress, kT0 + 4 * kMinute));
  // History: as it stood before the change, it did not.
  EXPECT_FALSE(graph_.PolicyAdmits(policy, checkout, PolicyDirection::kIngress, kT0 + 2 * kMinute));
}

TEST_F(NetworkPolicyTest, PodsRelabelledIntoASelectorAreIsolatedFromThen) {
  domain::NetworkPolicyObject deny_all;
  deny_all.ingress = true;
  deny_all.egress = true;
  Apply(Policy("shop", "default-deny", deny_all), kT0);
  Apply(Pod("shop", "web-0", Labels({{"app", "web"}})), kT0 + kMinute);
  EntityId web = Id(KubeKind::kPod, "shop", "web-0");
  EntityId policy = Id(KubeKind::kNetworkPolicy, "shop", "default-deny");
  // An empty pod selector selects every pod of the namespace, and no rule admits anything.
  EXPECT_THAT(graph_.IsolatingPolicies(web, PolicyDirection::kEgress, kT0 + 2 * kMinute),
              ElementsAre(policy));
  EXPECT_FALSE(graph_.PolicyAdmits(policy, web, PolicyDirection::kEgress, kT0 + 2 * kMinute));

  domain::NetworkPolicyObject only_db;
  only_db.pod_selector.expressions.push_back(
      {Intern("tier"), domain::LabelSelector::Requirement::Op::kIn, {Intern("db")}});
  only_db.ingress = true;
  only_db.ingress_rules.push_back({});
  Apply(Policy("shop", "db-open", only_db), kT0);
  EntityId db_open = Id(KubeKind::kNetworkPolicy, "shop", "db-open");
  EXPECT_THAT(graph_.IsolatingPolicies(web, PolicyDirection::kIngress, kT0 + 2 * kMinute),
              ElementsAre(policy));
  Apply(Pod("shop", "web-0", Labels({{"app", "web"}, {"tier", "db"}})), kT0 + 3 * kMinute,
        ObjectChange::Type::kModified);
  EXPECT_THAT(graph_.IsolatingPolicies(web, PolicyDirection::kIngress, kT0 + 4 * kMinute),
              ElementsAre(policy, db_open));
  // A rule without peers admits everyone.
  EXPECT_TRUE(graph_.PolicyAdmits(db_open, web, PolicyDirection::kIngress, kT0 + 4 * kMinute));
}

}  // namespace
}  // namespace tapio::intelligence
