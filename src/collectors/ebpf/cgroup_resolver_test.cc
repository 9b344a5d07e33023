#include "collectors/ebpf/cgroup_resolver.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "domain/clock.h"
#include "domain/symbol_table.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tapio::collectors::ebpf {
namespace {

constexpr char kPodUid[] = "3f1c9a2e-7b4d-4e8a-9c61-0d2b5e8f4a17";
constexpr char kContainerId[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

uint64_t InodeOf(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

// A directory tree laid out like a cgroup hierarchy, under the test's temporary directory.
class FakeHierarchy {
 public:
  FakeHierarchy() {
    static int serial = 0;
    root_ = absl::StrCat(::testing::TempDir(), "/cgroups-", getpid(), "-", ++serial);
    Make("");
  }
  ~FakeHierarchy() {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }

  // Makes `relative` ("/a/b") and its parents; returns its inode.
  uint64_t Make(const std::string& relative) {
    std::string path = root_;
    for (absl::string_view part : absl::StrSplit(relative, '/', absl::SkipEmpty())) {
      absl::StrAppend(&path, "/", part);
      mkdir(path.c_str(), 0755);
    }
    if (relative.empty()) mkdir(root_.c_str(), 0755);
    return InodeOf(root_ + relative);
  }

  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

CgroupResolver::Options Roots(std::string unified, std::string memory = "") {
  CgroupResolver::Options options;
  options.unified_root = std::move(unified);
  options.memory_root = std::move(memory);
  return options;
}

TEST(CgroupResolverTest, DetectsTheMountsOfAHybridHost) {
  CgroupResolver::Options options = CgroupResolver::DetectMounts(
      "25 30 0:23 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n"
      "26 25 0:24 / /sys/fs/cgroup/unified rw,relatime shared:7 - cgroup2 cgroup2 rw\n"
      "27 25 0:25 / /sys/fs/cgroup/cpu rw,relatime shared:8 - cgroup cgroup rw,cpu\n"
      "28 25 0:26 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory\n");
  EXPECT_EQ(options.unified_root, "/sys/fs/cgroup/unified");
  EXPECT_EQ(options.memory_root, "/sys/fs/cgroup/memory");
}

TEST(CgroupResolverTest, DetectsTheMountOfAUnifiedHost) {
  CgroupResolver::Options options = CgroupResolver::DetectMounts(
      "35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev shared:9 - cgroup2 cgroup2 "
      "rw,nsdelegate,memory_recursiveprot\n");
  EXPECT_EQ(options.unified_root, "/sys/fs/cgroup");
  EXPECT_EQ(options.memory_root, "/sys/fs/cgroup");
}

TEST(CgroupResolverTest, DetectsNoMountsWhereThereAreNone) {
  CgroupResolver::Options options =
      CgroupResolver::DetectMounts("22 1 8:1 / / rw - ext4 /dev/sda1 rw\ngarbage\n\n");
  EXPECT_TRUE(options.unified_root.empty());
  EXPECT_TRUE(options.memory_root.empty());
}

TEST(CgroupResolverTest, ResolvesAContainerCgroupToItsPodAndContainer) {
  FakeHierarchy tree;
  std::string relative = absl::StrCat("/kubepods/burstable/pod", kPodUid, "/", kContainerId);
  uint64_t id = tree.Make(relative);
  domain::FakeClock clock(0);
  CgroupResolver resolver(Roots(tree.root(), tree.root()), clock);

  absl::StatusOr<ResolvedCgroup> resolved = resolver.Resolve(CgroupHierarchy::kUnified, id);
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_EQ(domain::Resolve(resolved->path), relative);
  EXPECT_TRUE(resolved->in_pod);
  EXPECT_EQ(domain::Resolve(resolved->pod_uid), kPodUid);
  EXPECT_EQ(domain::Resolve(resolved->container_id), kContainerId);
  EXPECT_EQ(resolved->qos, cgroup::QosClass::kBurstable);
  EXPECT_EQ(resolved->role, cgroup::CgroupRole::kContainer);

  absl::StatusOr<ResolvedCgroup> root =
      resolver.Resolve(CgroupHierarchy::kMemory, InodeOf(tree.root()));
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(domain::Resolve(root->path), "/");
  EXPECT_FALSE(root->in_pod);
}

TEST(CgroupResolverTest, AnswersFromItsCacheAndWalksAgainForANewCgroup) {
  FakeHierarchy tree;
  uint64_t first = tree.Make("/system.slice/containerd.service");
  domain::FakeClock clock(0);
  CgroupResolver resolver(Roots(tree.root()), clock);
  ASSERT_TRUE(resolver.Resolve(CgroupHierarchy::kUnified, first).ok());
  ASSERT_TRUE(resolver.Resolve(CgroupHierarchy::kUnified, first).ok());
  EXPECT_EQ(resolver.counts().walks, 1u);
  EXPECT_EQ(resolver.counts().hits, 1u);

  uint64_t second = tree.Make("/tapiotest");
  absl::StatusOr<ResolvedCgroup> resolved = resolver.Resolve(CgroupHierarchy::kUnified, second);
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_EQ(domain::Resolve(resolved->path), "/tapiotest");
  EXPECT_FALSE(resolved->in_pod);
  EXPECT_EQ(resolver.counts().walks, 2u);
}

TEST(CgroupResolverTest, WalksAtMostTheAllowedTimesASecond) {
  FakeHierarchy tree;
  domain::FakeClock clock(0);
  CgroupResolver::Options options = Roots(tree.root());
  options.max_walks_per_second = 1;
  CgroupResolver resolver(options, clock);
  EXPECT_FALSE(resolver.Resolve(CgroupHierarchy::kUnified, 1234567).ok());
  uint64_t made = tree.Make("/late");
  absl::StatusOr<ResolvedCgroup> limited = resolver.Resolve(CgroupHierarchy::kUnified, made);
  EXPECT_EQ(limited.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(resolver.counts().walks, 1u);

  clock.Advance(1'000'000'000);
  absl::StatusOr<ResolvedCgroup> found = resolver.Resolve(CgroupHierarchy::kUnified, made);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(domain::Resolve(found->path), "/late");
  EXPECT_EQ(resolver.counts().walks, 2u);
  EXPECT_EQ(resolver.counts().not_found, 2u);
}

TEST(CgroupResolverTest, FailsWithNotFoundForAHierarchyNotMounted) {
  domain::FakeClock clock(0);
  CgroupResolver resolver(Roots("/nonexistent"), clock);
  EXPECT_EQ(resolver.Resolve(CgroupHierarchy::kMemory, 1).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(resolver.Resolve(CgroupHierarchy::kUnified, 1).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace tapio::collectors::ebpf
