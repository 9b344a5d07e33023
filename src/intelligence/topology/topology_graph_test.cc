#include "intelligence/topology/topology_graph.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tapio::intelligence {
namespace {

using domain::EntityId;
using domain::Intern;
using domain::KubeKind;
using domain::KubeObject;
using domain::ObjectChange;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr int64_t kT0 = 1'772'360'100'000'000'000;  // 2026-03-01T10:15:00Z
constexpr int64_t kMinute = 60'000'000'000;

KubeObject Object(KubeKind kind, absl::string_view ns, absl::string_view name,
                  absl::string_view uid) {
  KubeObject object;
  object.kind = kind;
  object.meta.namespace_name = Intern(ns);
  object.meta.name = Intern(name);
  object.meta.uid = Intern(uid);
  return object;
}

void Own(KubeObject& object, absl::string_view kind, absl::string_view name,
         absl::string_view uid) {
  object.meta.owners.push_back({Intern(kind), Intern(name), Intern(uid), true});
}

KubeObject Pod(absl::string_view name, absl::string_view uid, absl::string_view node,
               domain::Labels labels = {}) {
  KubeObject pod = Object(KubeKind::kPod, "shop", name, uid);
  pod.meta.labels = std::move(labels);
  domain::PodObject spec;
  spec.node_name = Intern(node);
  pod.spec = spec;
  return pod;
}

KubeObject Service(absl::string_view name, domain::Labels selector) {
  KubeObject service = Object(KubeKind::kService, "shop", name, std::string(name) + "-uid");
  domain::ServiceObject spec;
  spec.selector = std::move(selector);
  service.spec = spec;
  return service;
}

domain::Labels Labels(std::initializer_list<std::pair<absl::string_view, absl::string_view>> kv) {
  domain::Labels labels;
  for (auto [k, v] : kv) labels.emplace_back(Intern(k), Intern(v));
  return labels;
}

class TopologyGraphTest : public ::testing::Test {
 protected:
  void Apply(KubeObject object, int64_t at, ObjectChange::Type type = ObjectChange::Type::kAdded) {
    ASSERT_TRUE(graph_.Apply(ObjectChange{type, at, std::move(object)}).ok());
  }
  EntityId Id(KubeKind kind, absl::string_view ns, absl::string_view name) {
    auto id = graph_.Find(kind, ns, name);
    EXPECT_TRUE(id.has_value()) << name;
    return id.value_or(EntityId{});
  }
  std::vector<EntityId> Targets(EntityId from, Relation relation, int64_t at) {
    std::vector<EntityId> out;
    for (const Edge& edge : graph_.Outgoing(from, relation, at)) out.push_back(edge.to);
    return out;
  }

  domain::EntityRegistry registry_;
  TopologyGraph graph_{Intern("test"), registry_};
};

TEST_F(TopologyGraphTest, OwnerChainRunsFromPodToDeployment) {
  KubeObject rs = Object(KubeKind::kReplicaSet, "shop", "web-7d9f8c6b4", "rs-uid");
  Own(rs, "Deployment", "web", "deploy-uid");
  Apply(rs, kT0);
  KubeObject pod = Pod("web-7d9f8c6b4-x2x9q", "pod-uid", "node-1");
  Own(pod, "ReplicaSet", "web-7d9f8c6b4", "rs-uid");
  Apply(pod, kT0);
  EntityId pod_id = Id(KubeKind::kPod, "shop", "web-7d9f8c6b4-x2x9q");
  EXPECT_THAT(graph_.OwnerChain(pod_id, kT0),
              ElementsAre(Id(KubeKind::kReplicaSet, "shop", "web-7d9f8c6b4"),
                          Id(KubeKind::kDeployment, "shop", "web")));
  EXPECT_EQ(graph_.NodeOf(pod_id, kT0), Id(KubeKind::kNode, "", "node-1"));
  EXPECT_EQ(graph_.PodByUid(Intern("pod-uid")), pod_id);
}

TEST_F(TopologyGraphTest, SelectorMembershipFollowsLabelChanges) {
  Apply(Service("checkout", Labels({{"app", "checkout"}})), kT0);
  Apply(Pod("a", "a-uid", "n1", Labels({{"app", "checkout"}, {"tier", "web"}})), kT0);
  Apply(Pod("b", "b-uid", "n1", Labels({{"app", "search"}})), kT0);
  EntityId service = Id(KubeKind::kService, "shop", "checkout");
  EntityId a = Id(KubeKind::kPod, "shop", "a");
  EntityId b = Id(KubeKind::kPod, "shop", "b");
  EXPECT_THAT(Targets(service, Relation::kSelects, kT0), ElementsAre(a));

  // b is relabelled into the service, a out of it.
  Apply(Pod("b", "b-uid", "n1", Labels({{"app", "checkout"}})), kT0 + kMinute,
        ObjectChange::Type::kModified);
  Apply(Pod("a", "a-uid", "n1", Labels({{"app", "legacy"}})), kT0 + 2 * kMinute,
        ObjectChange::Type::kModified);
  EXPECT_THAT(Targets(service, Relation::kSelects, kT0 + 3 * kMinute), ElementsAre(b));
  // History: as of the first minute, both were selected.
  EXPECT_THAT(Targets(service, Relation::kSelects, kT0 + kMinute + 1), UnorderedElementsAre(a, b));
  EXPECT_THAT(Targets(service, Relation::kSelects, kT0), ElementsAre(a));

  // A selector change moves membership too.
  Apply(Service("checkout", Labels({{"app", "legacy"}})), kT0 + 4 * kMinute,
        ObjectChange::Type::kModified);
  EXPECT_THAT(Targets(service, Relation::kSelects, kT0 + 5 * kMinute), ElementsAre(a));
}

TEST_F(TopologyGraphTest, PodMountsClaimBoundToVolumeAndClass) {
  KubeObject claim = Object(KubeKind::kPersistentVolumeClaim, "shop", "data-db-0", "pvc-uid");
  domain::VolumeObject volume;
  volume.volume_name = Intern("pvc-3f1c9a2e");
  volume.storage_class = Intern("gp3");
  claim.spec = volume;
  Apply(claim, kT0);
  KubeObject pod = Pod("db-0", "db-uid", "n2");
  std::get<domain::PodObject>(pod.spec).pvc_names.push_back(Intern("data-db-0"));
  Apply(pod, kT0);
  EntityId claim_id = Id(KubeKind::kPersistentVolumeClaim, "shop", "data-db-0");
  EXPECT_THAT(Targets(Id(KubeKind::kPod, "shop", "db-0"), Relation::kMounts, kT0),
              ElementsAre(claim_id));
  EXPECT_THAT(Targets(claim_id, Relation::kBinds, kT0),
              UnorderedElementsAre(Id(KubeKind::kPersistentVolume, "", "pvc-3f1c9a2e"),
                                   Id(KubeKind::kStorageClass, "", "gp3")));
}

TEST_F(TopologyGraphTest, PodUsesConfigMapsAndSecretsThroughEnvFromEnvAndVolumes) {
  KubeObject pod = Pod("api", "api-uid", "n1");
  domain::ContainerSpec container;
  container.name = Intern("app");
  container.config_refs.push_back(
      {domain::ConfigRef::Kind::kConfigMap, Intern("api-config"), {}, false});
  container.config_refs.push_back(
      {domain::ConfigRef::Kind::kSecret, Intern("db-password"), Intern("password"), false});
  auto& spec = std::get<domain::PodObject>(pod.spec);
  spec.containers.push_back(container);
  spec.volume_config_refs.push_back(
      {domain::ConfigRef::Kind::kConfigMap, Intern("api-config"), {}, false});
  spec.volume_config_refs.push_back({domain::ConfigRef::Kind::kSecret, Intern("tls"), {}, false});
  Apply(pod, kT0);
  EXPECT_THAT(Targets(Id(KubeKind::kPod, "shop", "api"), Relation::kUses, kT0),
              UnorderedElementsAre(Id(KubeKind::kConfigMap, "shop", "api-config"),
                                   Id(KubeKind::kSecret, "shop", "db-password"),
                                   Id(KubeKind::kSecret, "shop", "tls")));
}

TEST_F(TopologyGraphTest, DeletionClosesEdgesButKeepsHistory) {
  Apply(Service("web", Labels({{"app", "web"}})), kT0);
  Apply(Pod("web-1", "w1", "node-3", Labels({{"app", "web"}})), kT0);
  EntityId pod = Id(KubeKind::kPod, "shop", "web-1");
  Apply(Pod("web-1", "w1", "node-3", Labels({{"app", "web"}})), kT0 + kMinute,
        ObjectChange::Type::kDeleted);
  EXPECT_FALSE(graph_.NodeOf(pod, kT0 + 2 * kMinute).has_value());
  EXPECT_THAT(Targets(Id(KubeKind::kService, "shop", "web"), Relation::kSelects, kT0 + 2 * kMinute),
              IsEmpty());
  EXPECT_EQ(graph_.NodeOf(pod, kT0 + 30'000'000'000), Id(KubeKind::kNode, "", "node-3"));
  EXPECT_THAT(graph_.EntitiesOfKind(KubeKind::kPod, kT0 + 2 * kMinute), IsEmpty());
  EXPECT_THAT(graph_.EntitiesOfKind(KubeKind::kPod, kT0), ElementsAre(pod));
  // Asked later, a gone pod is looked at as it last was.
  EXPECT_EQ(graph_.LastSeenBy(pod, kT0 + 2 * kMinute), kT0 + kMinute - 1);
  EXPECT_EQ(graph_.NodeOf(pod, graph_.LastSeenBy(pod, kT0 + 2 * kMinute)),
            Id(KubeKind::kNode, "", "node-3"));
  EXPECT_EQ(graph_.LastSeenBy(pod, kT0 + 30'000'000'000), kT0 + 30'000'000'000);
}

TEST_F(TopologyGraphTest, RelationsOfANewObjectHoldFromItsCreation) {
  KubeObject pod = Pod("late", "late-uid", "n9");
  pod.meta.created_ns = kT0 - 10 * kMinute;
  Apply(pod, kT0);
  EXPECT_EQ(graph_.NodeOf(Id(KubeKind::kPod, "shop", "late"), kT0 - 5 * kMinute),
            Id(KubeKind::kNode, "", "n9"));
}

// An event about a pod can reach the registry before the pod's object reaches the graph (a
// server decodes what it stores first); the pod is still new to the graph.
TEST_F(TopologyGraphTest, APodNamedByAnEventFirstStillHoldsItsRelationsFromItsCreation) {
  ASSERT_TRUE(registry_
                  .Register({Intern("test"), Intern("Pod"), Intern("shop"), Intern("named"),
                             Intern("named-uid")})
                  .ok());
  KubeObject pod = Pod("named", "named-uid", "n4");
  pod.meta.created_ns = kT0 - 10 * kMinute;
  Apply(pod, kT0);
  EXPECT_EQ(graph_.NodeOf(Id(KubeKind::kPod, "shop", "named"), kT0 - 5 * kMinute),
            Id(KubeKind::kNode, "", "n4"));
}

TEST_F(TopologyGraphTest, ContainerIdsFindTheirPod) {
  KubeObject pod = Pod("java-app", "j-uid", "n1");
  domain::ContainerStatus status;
  status.name = Intern("app");
  status.container_id = Intern("84d3d308bb9a5765");
  status.last_state.container_id = Intern("0ld0ld");
  std::get<domain::PodObject>(pod.spec).statuses.push_back(status);
  Apply(pod, kT0);
  EntityId id = Id(KubeKind::kPod, "shop", "java-app");
  EXPECT_EQ(graph_.PodByContainerId(Intern("84d3d308bb9a5765")), id);
  EXPECT_EQ(graph_.PodByContainerId(Intern("0ld0ld")), id);
  EXPECT_FALSE(graph_.PodByContainerId(Intern("unknown")).has_value());
}

TEST_F(TopologyGraphTest, ARestartedContainerFindsItsPodAndLeavesTheEdges) {
  KubeObject pod = Pod("java-app", "j-uid", "n1");
  domain::ContainerStatus status;
  status.name = Intern("app");
  status.container_id = Intern("84d3d308bb9a5765");
  std::get<domain::PodObject>(pod.spec).statuses.push_back(status);
  Apply(pod, kT0);
  size_t edges = graph_.edge_count();
  auto& restarted = std::get<domain::PodObject>(pod.spec).statuses.back();
  restarted.last_state.container_id = restarted.container_id;
  restarted.container_id = Intern("e1a2b3c4d5f60718");
  restarted.restart_count = 1;
  Apply(pod, kT0 + kMinute);
  EntityId id = Id(KubeKind::kPod, "shop", "java-app");
  EXPECT_EQ(graph_.PodByContainerId(Intern("e1a2b3c4d5f60718")), id);
  EXPECT_EQ(graph_.PodByContainerId(Intern("84d3d308bb9a5765")), id);
  EXPECT_EQ(graph_.edge_count(), edges);
  EXPECT_EQ(graph_.NodeOf(id, kT0 + kMinute), Id(KubeKind::kNode, "", "n1"));
}

TEST_F(TopologyGraphTest, QuotaLimitsItsNamespace) {
  Apply(Object(KubeKind::kResourceQuota, "shop", "compute", "q-uid"), kT0);
  EXPECT_THAT(Targets(Id(KubeKind::kNamespace, "", "shop"), Relation::kLimitedBy, kT0),
              ElementsAre(Id(KubeKind::kResourceQuota, "shop", "compute")));
}

TEST_F(TopologyGraphTest, SelfOwnershipCannotLoopTheChain) {
  KubeObject a = Object(KubeKind::kReplicaSet, "shop", "a", "a-uid");
  Own(a, "ReplicaSet", "b", "b-uid");
  KubeObject b = Object(KubeKind::kReplicaSet, "shop", "b", "b-uid");
  Own(b, "ReplicaSet", "a", "a-uid");
  Apply(a, kT0);
  Apply(b, kT0);
  EXPECT_LE(graph_.OwnerChain(Id(KubeKind::kReplicaSet, "shop", "a"), kT0).size(), 2u);
}

}  // namespace
}  // namespace tapio::intelligence
