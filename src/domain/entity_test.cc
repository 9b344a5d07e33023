#include "domain/entity.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace tapio::domain {
namespace {

EntityRef Pod(absl::string_view name, absl::string_view uid = "") {
  return EntityRef{Intern("c1"), Intern("Pod"), Intern("shop"), Intern(name), Intern(uid)};
}

TEST(EntityRegistryTest, SameRefGetsSameId) {
  EntityRegistry registry;
  EntityId a = *registry.Register(Pod("web-1", "uid-1"));
  EXPECT_EQ(*registry.Register(Pod("web-1", "uid-1")), a);
  EXPECT_NE(*registry.Register(Pod("web-2", "uid-2")), a);
  EXPECT_EQ(registry.Get(a), Pod("web-1", "uid-1"));
  EXPECT_EQ(ToString(registry.Get(a)), "Pod/shop/web-1");
}

TEST(EntityRegistryTest, NameOnlyEntityAdoptsTheUidSeenLater) {
  EntityRegistry registry;
  EntityId early = *registry.Register(Pod("db-0"));
  EntityId later = *registry.Register(Pod("db-0", "uid-a"));
  EXPECT_EQ(early, later);
  EXPECT_EQ(registry.Get(early).uid, Intern("uid-a"));
  EXPECT_EQ(*registry.FindByUid(Intern("c1"), Intern("uid-a")), early);
}

TEST(EntityRegistryTest, ReplacedPodIsANewEntityAndTheNameFindsTheNewest) {
  EntityRegistry registry;
  EntityId old_pod = *registry.Register(Pod("db-0", "uid-a"));
  EntityId new_pod = *registry.Register(Pod("db-0", "uid-b"));
  EXPECT_NE(old_pod, new_pod);
  EXPECT_EQ(*registry.FindByName(Intern("c1"), Intern("Pod"), Intern("shop"), Intern("db-0")),
            new_pod);
  EXPECT_EQ(*registry.Register(Pod("db-0")), new_pod);
  EXPECT_EQ(*registry.FindByUid(Intern("c1"), Intern("uid-a")), old_pod);
}

TEST(EntityRegistryTest, RejectsEntityWithoutKindOrName) {
  EntityRegistry registry;
  EXPECT_FALSE(registry.Register(EntityRef{}).ok());
  EXPECT_FALSE(registry.Register(Pod("")).ok());
  EXPECT_EQ(registry.size(), 0u);
}

TEST(EntityRegistryTest, ConcurrentRegistrationAgreesOnIds) {
  EntityRegistry registry;
  constexpr int kThreads = 4;
  constexpr int kEntities = 2000;
  std::vector<std::vector<EntityId>> seen(kThreads, std::vector<EntityId>(kEntities));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEntities; ++i) {
        int n = (i * 7919 + t * 31) % kEntities;
        seen[t][n] =
            *registry.Register(Pod("pod-" + std::to_string(n), "uid-" + std::to_string(n)));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(registry.size(), static_cast<size_t>(kEntities));
  for (int t = 1; t < kThreads; ++t) EXPECT_EQ(seen[t], seen[0]);
  for (int i = 0; i < kEntities; ++i) {
    EXPECT_EQ(Resolve(registry.Get(seen[0][i]).name), "pod-" + std::to_string(i));
  }
}

}  // namespace
}  // namespace tapio::domain
