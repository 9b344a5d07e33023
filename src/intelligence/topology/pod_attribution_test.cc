#include "intelligence/topology/pod_attribution.h"

#include "domain/string_list.h"
#include "gtest/gtest.h"

namespace tapio::intelligence {
namespace {

using domain::Intern;

TEST(PodAttributionTest, KernelEventMovesFromItsNodeToTheKnownPod) {
  domain::EntityRegistry registry;
  TopologyGraph graph(Intern("c"), registry);
  domain::KubeObject pod;
  pod.kind = domain::KubeKind::kPod;
  pod.meta.name = Intern("search-0");
  pod.meta.namespace_name = Intern("search");
  pod.meta.uid = Intern("8e2d4f61-0a3b-4c7d-9e15-2f6a8b4c0d93");
  domain::PodObject spec;
  spec.node_name = Intern("node-7");
  domain::ContainerStatus status;
  status.name = Intern("app");
  status.container_id = Intern("5d8c6f0a");
  spec.statuses.push_back(status);
  pod.spec = spec;
  ASSERT_TRUE(graph.Apply({domain::ObjectChange::Type::kAdded, 1, pod}).ok());
  domain::EntityId node =
      *registry.Register({Intern("c"), Intern("Node"), {}, Intern("node-7"), {}});
  domain::EntityId pod_id = *graph.Find(domain::KubeKind::kPod, "search", "search-0");

  domain::Event by_uid;
  by_uid.entity = node;
  domain::KernelPayload payload;
  payload.pod_uid = Intern("8e2d4f61-0a3b-4c7d-9e15-2f6a8b4c0d93");
  by_uid.payload = payload;
  EXPECT_TRUE(AttributeToPod(graph, by_uid));
  EXPECT_EQ(by_uid.entity, pod_id);
  EXPECT_EQ(domain::FindLabel(by_uid.labels, "node"), "node-7");

  domain::Event by_container;
  by_container.entity = node;
  domain::KernelPayload container_payload;
  container_payload.container_id = Intern("5d8c6f0a");
  by_container.payload = container_payload;
  EXPECT_TRUE(AttributeToPod(graph, by_container));
  EXPECT_EQ(by_container.entity, pod_id);

  domain::Event refused;
  refused.entity = node;
  domain::NetworkPayload socket;
  socket.container_id = Intern("5d8c6f0a");
  refused.payload = socket;
  EXPECT_TRUE(AttributeToPod(graph, refused)) << "a socket of the pod's container";
  EXPECT_EQ(refused.entity, pod_id);
  EXPECT_EQ(domain::FindLabel(refused.labels, "node"), "node-7");

  domain::Event host;
  host.entity = node;
  host.payload = domain::KernelPayload{};
  EXPECT_FALSE(AttributeToPod(graph, host));
  EXPECT_EQ(host.entity, node);

  domain::Event unknown;
  unknown.entity = node;
  domain::KernelPayload unknown_payload;
  unknown_payload.pod_uid = Intern("not-a-pod-we-know");
  unknown.payload = unknown_payload;
  EXPECT_FALSE(AttributeToPod(graph, unknown));
  EXPECT_EQ(unknown.entity, node);
}

}  // namespace
}  // namespace tapio::intelligence
