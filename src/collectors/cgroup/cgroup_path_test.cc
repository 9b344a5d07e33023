#include "collectors/cgroup/cgroup_path.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tapio::collectors::cgroup {
namespace {

constexpr char kId[] = "5b9a4704eef8e2c2d8b8feb12c0a5299b5461fc46ff8a874c5422404d5f42424";
constexpr char kUid[] = "3f1c9a2e-7b4d-4e8a-9c61-0d2b5e8f4a17";
constexpr char kUidUnderscores[] = "3f1c9a2e_7b4d_4e8a_9c61_0d2b5e8f4a17";

PodCgroup Expect(absl::string_view path) {
  absl::StatusOr<PodCgroup> parsed = ParseCgroupPath(path);
  EXPECT_TRUE(parsed.ok()) << path << ": " << parsed.status();
  return parsed.ok() ? *parsed : PodCgroup{};
}

// The paths below are verbatim from ../shared/realdata (kernel/*.log and the public
// B_kernel_journal excerpts).
TEST(ParseCgroupPathTest, CgroupfsBurstableFromRealMemcgOom) {
  PodCgroup got = Expect(
      "/kubepods/burstable/pod3f1c9a2e-7b4d-4e8a-9c61-0d2b5e8f4a17/"
      "5b9a4704eef8e2c2d8b8feb12c0a5299b5461fc46ff8a874c5422404d5f42424");
  EXPECT_EQ(got.pod_uid, kUid);
  EXPECT_EQ(got.container_id, kId);
  EXPECT_EQ(got.qos, QosClass::kBurstable);
  EXPECT_EQ(got.runtime, ContainerRuntime::kUnknown);
  EXPECT_EQ(got.role, CgroupRole::kContainer);
}

TEST(ParseCgroupPathTest, SystemdBestEffortContainerdFromRealMemcgOom) {
  PodCgroup got = Expect(
      "/kubepods.slice/kubepods-besteffort.slice/"
      "kubepods-besteffort-pod8e2d4f61_0a3b_4c7d_9e15_2f6a8b4c0d93.slice/"
      "cri-containerd-a3fe75ce2c23b0560c4376345cf1c9686f20ff50f74387ebbfc2fdb7eaf4cc13.scope");
  EXPECT_EQ(got.pod_uid, "8e2d4f61-0a3b-4c7d-9e15-2f6a8b4c0d93");
  EXPECT_EQ(got.container_id, "a3fe75ce2c23b0560c4376345cf1c9686f20ff50f74387ebbfc2fdb7eaf4cc13");
  EXPECT_EQ(got.qos, QosClass::kBestEffort);
  EXPECT_EQ(got.runtime, ContainerRuntime::kContainerd);
  EXPECT_EQ(got.role, CgroupRole::kContainer);
}

TEST(ParseCgroupPathTest, SystemdDockerScopeFromCgroupV1Issue) {
  PodCgroup got = Expect(
      "/kubepods.slice/kubepods-burstable.slice/"
      "kubepods-burstable-pod0330b2c1_a15b_4cdd_b5e5_72d4a90bee82.slice/"
      "docker-b27201334a41cd0749d053b18378d7ea65617b8e26277197ea25c974da1a5a8a.scope");
  EXPECT_EQ(got.pod_uid, "0330b2c1-a15b-4cdd-b5e5-72d4a90bee82");
  EXPECT_EQ(got.container_id, "b27201334a41cd0749d053b18378d7ea65617b8e26277197ea25c974da1a5a8a");
  EXPECT_EQ(got.qos, QosClass::kBurstable);
  EXPECT_EQ(got.runtime, ContainerRuntime::kDocker);
}

TEST(ParseCgroupPathTest, SkipsAnOuterContainerPrefix) {
  PodCgroup got = Expect(
      "/lxc.payload.ny2g2r5hh3-lxc/kubepods.slice/kubepods-burstable.slice/"
      "kubepods-burstable-podeded8c65_6e8e_4c6e_a889_3e427565c740.slice/"
      "cri-containerd-ec9ee26695deb4cc72bc665efff1cf3a03fdfb12f1303e02fe9252985e084a95.scope");
  EXPECT_EQ(got.pod_uid, "eded8c65-6e8e-4c6e-a889-3e427565c740");
  EXPECT_EQ(got.container_id, "ec9ee26695deb4cc72bc665efff1cf3a03fdfb12f1303e02fe9252985e084a95");
}

TEST(ParseCgroupPathTest, PodLevelOnly) {
  PodCgroup got = Expect(
      "/lxc.payload.ny2g2r5hh3-lxc/kubepods.slice/kubepods-burstable.slice/"
      "kubepods-burstable-podeded8c65_6e8e_4c6e_a889_3e427565c740.slice");
  EXPECT_EQ(got.pod_uid, "eded8c65-6e8e-4c6e-a889-3e427565c740");
  EXPECT_EQ(got.container_id, "");
  EXPECT_EQ(got.role, CgroupRole::kPod);

  got = Expect(absl::StrCat("/kubepods/besteffort/pod", kUid, "/"));
  EXPECT_EQ(got.pod_uid, kUid);
  EXPECT_EQ(got.container_id, "");
  EXPECT_EQ(got.qos, QosClass::kBestEffort);
}

TEST(ParseCgroupPathTest, CgroupfsGuaranteedFromOldKernelIssue) {
  PodCgroup got = Expect(
      "/kubepods/pod95387fa4-da9c-11e7-9d36-5254b24cbf5e/"
      "6895a3e13439535852d3184ac2aadd26d7363cc035f171545ec7d4ce74073b0b");
  EXPECT_EQ(got.pod_uid, "95387fa4-da9c-11e7-9d36-5254b24cbf5e");
  EXPECT_EQ(got.container_id, "6895a3e13439535852d3184ac2aadd26d7363cc035f171545ec7d4ce74073b0b");
  EXPECT_EQ(got.qos, QosClass::kGuaranteed);
}

TEST(ParseCgroupPathTest, SystemdGuaranteed) {
  PodCgroup got = Expect(
      absl::StrCat("/kubepods.slice/kubepods-pod", kUidUnderscores, ".slice/crio-", kId, ".scope"));
  EXPECT_EQ(got.pod_uid, kUid);
  EXPECT_EQ(got.container_id, kId);
  EXPECT_EQ(got.qos, QosClass::kGuaranteed);
  EXPECT_EQ(got.runtime, ContainerRuntime::kCrio);
}

TEST(ParseCgroupPathTest, ConmonBelongsToThePodNotTheContainer) {
  PodCgroup got =
      Expect(absl::StrCat("/kubepods.slice/kubepods-burstable.slice/", "kubepods-burstable-pod",
                          kUidUnderscores, ".slice/crio-conmon-", kId, ".scope"));
  EXPECT_EQ(got.pod_uid, kUid);
  EXPECT_EQ(got.role, CgroupRole::kConmon);
  EXPECT_EQ(got.container_id, "");
  EXPECT_EQ(got.monitored_container_id, kId);
  EXPECT_EQ(got.runtime, ContainerRuntime::kCrio);
}

TEST(ParseCgroupPathTest, CgroupV1ControllerMountAndSubcgroups) {
  PodCgroup got =
      Expect(absl::StrCat("/sys/fs/cgroup/memory/kubepods/burstable/pod", kUid, "/", kId));
  EXPECT_EQ(got.pod_uid, kUid);
  EXPECT_EQ(got.container_id, kId);

  got = Expect(
      absl::StrCat("/sys/fs/cgroup/cpu,cpuacct/kubepods/besteffort/pod", kUid, "/crio-", kId));
  EXPECT_EQ(got.container_id, kId);
  EXPECT_EQ(got.runtime, ContainerRuntime::kCrio);

  got = Expect(absl::StrCat("/kubepods.slice/kubepods-pod", kUidUnderscores, ".slice/crio-", kId,
                            ".scope/container"));
  EXPECT_EQ(got.container_id, kId);
}

TEST(ParseCgroupPathTest, KubeletCgroupRootPrefixOnSystemdSlices) {
  PodCgroup got =
      Expect(absl::StrCat("/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
                          "kubelet-kubepods-besteffort-pod",
                          kUidUnderscores, ".slice/cri-containerd-", kId, ".scope"));
  EXPECT_EQ(got.pod_uid, kUid);
  EXPECT_EQ(got.qos, QosClass::kBestEffort);
  EXPECT_EQ(got.container_id, kId);
}

TEST(ParseCgroupPathTest, StaticPodConfigHash) {
  PodCgroup got = Expect("/kubepods/burstable/pod0f1e2d3c4b5a69788796a5b4c3d2e1f0/");
  EXPECT_EQ(got.pod_uid, "0f1e2d3c4b5a69788796a5b4c3d2e1f0");
}

TEST(ParseCgroupPathTest, UnknownChildOfPodNamesNoContainer) {
  PodCgroup got = Expect(absl::StrCat("/kubepods/burstable/pod", kUid, "/not-a-container"));
  EXPECT_EQ(got.pod_uid, kUid);
  EXPECT_EQ(got.role, CgroupRole::kPod);
  EXPECT_EQ(got.container_id, "");

  got = Expect(absl::StrCat("/kubepods/burstable/pod", kUid, "/cri-containerd-abc.scope"));
  EXPECT_EQ(got.container_id, "");
}

TEST(ParseCgroupPathTest, UpperCaseIsCanonicalised) {
  std::string upper = "/kubepods/pod3F1C9A2E-7B4D-4E8A-9C61-0D2B5E8F4A17";
  EXPECT_EQ(Expect(upper).pod_uid, kUid);
}

TEST(ParseCgroupPathTest, OutsideKubepodsIsNotFound) {
  for (std::string path :
       {std::string("/system.slice/containerd.service"), std::string("/tapiotest"),
        std::string("/"), std::string(""), "/docker/" + std::string(kId), std::string("/mem2"),
        std::string("/kubepods"), std::string("/kubepods/burstable"),
        std::string("/kubepods.slice"), std::string("/kubepods.slice/kubepods-besteffort.slice"),
        std::string("/user.slice/user-1000.slice"),
        std::string("/notkubepods.slice/notkubepods-podx.slice"),
        std::string("/kubepods/burstable/notapod")}) {
    EXPECT_EQ(ParseCgroupPath(path).status().code(), absl::StatusCode::kNotFound) << path;
  }
}

TEST(ParseCgroupPathTest, MalformedPodUidIsInvalidArgument) {
  for (std::string path : {
           std::string("/kubepods/burstable/pod3f1c9a2e-7b4d"),
           std::string("/kubepods/burstable/pod") + kUidUnderscores,
           std::string("/kubepods.slice/kubepods-pod") + kUid + ".slice",
           std::string("/kubepods.slice/kubepods-pod") + kUidUnderscores,
           std::string("/kubepods/podzzzzzzzz-7b4d-4e8a-9c61-0d2b5e8f4a17"),
       }) {
    EXPECT_EQ(ParseCgroupPath(path).status().code(), absl::StatusCode::kInvalidArgument) << path;
  }
}

TEST(ParseCgroupPathTest, OverlongPathIsInvalidArgument) {
  std::string path = absl::StrCat("/kubepods/pod", kUid, "/", std::string(5000, 'a'));
  EXPECT_EQ(ParseCgroupPath(path).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ParseCgroupPathTest, Names) {
  EXPECT_EQ(QosClassName(QosClass::kBestEffort), "besteffort");
  EXPECT_EQ(ContainerRuntimeName(ContainerRuntime::kCrio), "cri-o");
}

}  // namespace
}  // namespace tapio::collectors::cgroup
