// Incremental decoding (ObjectDecoder::set_incremental) must give, for every version of an
// object, exactly what a decoder that never saw the object gives.
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "collectors/kubeapi/object_decoder.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tapio::collectors::kubeapi {
namespace {

using domain::Resolve;
using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A pod list as a real API server printed it: one OOM-killed Job pod.
std::string RealPodList() {
  return ReadFile(
      "../shared/realdata/public/A_kubernetes/troubleshoot_pods_message-oomkill-pod.json");
}

void Describe(const domain::ContainerState& state, std::string& out) {
  absl::StrAppend(&out, " state=", static_cast<int>(state.phase), ",", Resolve(state.reason), ",",
                  Resolve(state.message), ",", state.exit_code, ",", state.signal, ",",
                  state.started_ns, ",", state.finished_ns, ",", Resolve(state.container_id));
}

// Every field of a pod that decoding fills, as text.
std::string Describe(const domain::KubeObject& object) {
  std::string out;
  const domain::ObjectMeta& meta = object.meta;
  absl::StrAppend(&out, Resolve(meta.namespace_name), "/", Resolve(meta.name),
                  " uid=", Resolve(meta.uid), " rv=", meta.resource_version,
                  " created=", meta.created_ns);
  for (const auto& [key, value] : meta.labels) {
    absl::StrAppend(&out, " label:", Resolve(key), "=", Resolve(value));
  }
  for (const domain::OwnerRef& owner : meta.owners) {
    absl::StrAppend(&out, " owner:", Resolve(owner.kind), "/", Resolve(owner.name), "/",
                    Resolve(owner.uid), owner.controller);
  }
  const domain::PodObject* pod = object.pod();
  if (pod == nullptr) return out;
  absl::StrAppend(&out, " node=", Resolve(pod->node_name), " phase=", Resolve(pod->phase),
                  " reason=", Resolve(pod->reason), " qos=", Resolve(pod->qos_class),
                  " ip=", Resolve(pod->pod_ip), " start=", pod->start_ns);
  for (const domain::Condition& c : pod->conditions) {
    absl::StrAppend(&out, " condition:", Resolve(c.type), "=", Resolve(c.status), ",",
                    Resolve(c.reason), ",", c.last_transition_ns);
  }
  for (const domain::ContainerSpec& c : pod->containers) {
    absl::StrAppend(&out, " container:", Resolve(c.name), ",", Resolve(c.image), ",",
                    c.memory_limit_bytes, ",", c.memory_request_bytes, ",", c.cpu_limit_millis);
  }
  for (const domain::ContainerStatus& s : pod->statuses) {
    absl::StrAppend(&out, " status:", Resolve(s.name), ",", s.ready, ",", s.restart_count, ",",
                    Resolve(s.image), ",", Resolve(s.container_id));
    Describe(s.state, out);
    Describe(s.last_state, out);
  }
  for (domain::Symbol claim : pod->pvc_names) absl::StrAppend(&out, " claim:", Resolve(claim));
  for (const domain::ConfigRef& ref : pod->volume_config_refs) {
    absl::StrAppend(&out, " volume-ref:", Resolve(ref.name));
  }
  return out;
}

// The one item of `list`, or its error.
absl::StatusOr<domain::KubeObject> DecodeOnly(ObjectDecoder& decoder, const std::string& list) {
  absl::StatusOr<domain::KubeObject> item = absl::NotFoundError("no item");
  auto page = decoder.DecodeList(
      list, [&](size_t, absl::StatusOr<domain::KubeObject> object) { item = std::move(object); });
  EXPECT_TRUE(page.ok()) << page.status();
  return item;
}

TEST(ObjectDecoderIncrementalTest, EveryVersionDecodesAsAFreshDecoderDecodesIt) {
  const std::string base = RealPodList();
  ASSERT_THAT(base, HasSubstr("\"exitCode\": 137"));
  const std::string versions[] = {
      base,
      // The container's end changes: reason and exit code.
      absl::StrReplaceAll(base, {{"\"exitCode\": 137,", "\"exitCode\": 1,"},
                                 {"\"reason\": \"OOMKilled\"", "\"reason\": \"Error\""}}),
      base,
      // A label more: every later position shifts.
      absl::StrReplaceAll(base, {{"\"job-name\": \"oom-kill-job3\"",
                                  "\"job-name\": \"oom-kill-job3\", \"tier\": \"batch\""}}),
      // A new container id, and a label fewer.
      absl::StrReplaceAll(base, {{"docker://84d3", "docker://99d3"},
                                 {"\"job-name\": \"oom-kill-job3\"", "\"x\": \"\""}}),
      absl::StrReplaceAll(base,
                          {{"\"controller-uid\": \"a85295e8-54e4-40a4-aeb0-b47c19f1a69f\",", ""}}),
      base,
  };
  ObjectDecoder incremental;
  incremental.set_incremental(true);
  for (size_t i = 0; i < std::size(versions); ++i) {
    ObjectDecoder fresh;
    absl::StatusOr<domain::KubeObject> expected = DecodeOnly(fresh, versions[i]);
    absl::StatusOr<domain::KubeObject> got = DecodeOnly(incremental, versions[i]);
    ASSERT_TRUE(expected.ok()) << expected.status();
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(Describe(*got), Describe(*expected)) << "version " << i;
  }
  EXPECT_EQ(incremental.remembered(), 1u);
}

TEST(ObjectDecoderIncrementalTest, AValueOfTheWrongTypeIsAnErrorEvenWhereTheLastVersionWasFine) {
  const std::string base = RealPodList();
  ObjectDecoder decoder;
  decoder.set_incremental(true);
  ASSERT_TRUE(DecodeOnly(decoder, base).ok());
  absl::StatusOr<domain::KubeObject> bad = DecodeOnly(
      decoder, absl::StrReplaceAll(base, {{"\"job-name\": \"oom-kill-job3\"", "\"job-name\": 3"}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("metadata.labels.job-name: expected a string"));
  // The failed version leaves the memory of the good one, which still decodes.
  absl::StatusOr<domain::KubeObject> again = DecodeOnly(decoder, base);
  ASSERT_TRUE(again.ok()) << again.status();
  ObjectDecoder fresh;
  EXPECT_EQ(Describe(*again), Describe(*DecodeOnly(fresh, base)));
}

TEST(ObjectDecoderIncrementalTest, ADeletedObjectIsForgotten) {
  const std::string pod =
      R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"web-1","namespace":"shop",)"
      R"("uid":"0d6f2c1e-5b8a-4c3e-9f1d-2a7b6c5d4e3f","labels":{"app":"web"}},)"
      R"("spec":{"nodeName":"node-a"},"status":{"phase":"Running"}})";
  ObjectDecoder decoder;
  decoder.set_incremental(true);
  ASSERT_TRUE(
      decoder.DecodeWatchEvent(absl::StrCat(R"({"type":"ADDED","object":)", pod, "}")).ok());
  EXPECT_EQ(decoder.remembered(), 1u);
  auto deleted = decoder.DecodeWatchEvent(absl::StrCat(R"({"type":"DELETED","object":)", pod, "}"));
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(Resolve(deleted->object.pod()->node_name), "node-a");
  EXPECT_EQ(decoder.remembered(), 0u);

  ASSERT_TRUE(
      decoder.DecodeWatchEvent(absl::StrCat(R"({"type":"ADDED","object":)", pod, "}")).ok());
  decoder.Forget("0d6f2c1e-5b8a-4c3e-9f1d-2a7b6c5d4e3f");
  EXPECT_EQ(decoder.remembered(), 0u);
}

}  // namespace
}  // namespace tapio::collectors::kubeapi
