#include "collectors/kubeapi/object_change_event.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "collectors/kubeapi/dump_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tapio::collectors::kubeapi {
namespace {

using domain::Resolve;
using ::testing::HasSubstr;

constexpr char kRealData[] = "../shared/realdata/public/A_kubernetes/";

std::vector<domain::ObjectChange> ReadKeepingRaw(const std::string& file, bool watch) {
  DumpReader reader;
  reader.set_keep_raw(true);
  std::vector<domain::ObjectChange> changes;
  std::vector<DumpProblem> problems;
  auto keep = [&](const domain::ObjectChange& c) { changes.push_back(c); };
  absl::Status read =
      watch ? reader.ReadWatchFile(absl::StrCat(kRealData, file), file, keep, &problems)
            : reader.ReadJsonFile(absl::StrCat(kRealData, file), file, keep, &problems);
  EXPECT_TRUE(read.ok()) << read;
  EXPECT_TRUE(problems.empty());
  return changes;
}

TEST(ObjectChangeEventTest, APodOfARealListCrossesTheWireWhole) {
  std::vector<domain::ObjectChange> changes =
      ReadKeepingRaw("troubleshoot_k3s_bundle/pods__default.json", /*watch=*/false);
  ASSERT_EQ(changes.size(), 6u);
  ObjectDecoder decoder;
  for (const domain::ObjectChange& sent : changes) {
    v1::UnifiedEvent wire = ObjectChangeEvent(sent, "lab", 42);
    EXPECT_TRUE(IsObjectChangeEvent(wire));
    EXPECT_EQ(wire.entity().kind(), "Pod");
    EXPECT_EQ(wire.entity().uid(), Resolve(sent.object.meta.uid));
    absl::StatusOr<domain::ObjectChange> got = ObjectChangeFromEvent(wire, decoder);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->type, domain::ObjectChange::Type::kAdded);
    EXPECT_EQ(got->time_ns, sent.time_ns);
    EXPECT_EQ(got->object.meta.name, sent.object.meta.name);
    EXPECT_EQ(got->object.meta.owners.size(), sent.object.meta.owners.size());
    ASSERT_NE(got->object.pod(), nullptr);
    EXPECT_EQ(got->object.pod()->node_name, sent.object.pod()->node_name);
    EXPECT_EQ(got->object.pod()->statuses.size(), sent.object.pod()->statuses.size());
  }
}

TEST(ObjectChangeEventTest, AWatchRecordingKeepsItsChangeTypes) {
  std::vector<domain::ObjectChange> changes =
      ReadKeepingRaw("kuryr_watch_pods_2016.jsonl", /*watch=*/true);
  ASSERT_EQ(changes.size(), 4u);
  ObjectDecoder decoder;
  absl::StatusOr<domain::ObjectChange> last =
      ObjectChangeFromEvent(ObjectChangeEvent(changes[3], "lab", 7), decoder);
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(last->type, domain::ObjectChange::Type::kModified);
  EXPECT_EQ(Resolve(last->object.pod()->phase), "Running");
}

TEST(ObjectChangeEventTest, ASecretsJsonIsNeverKept) {
  ObjectDecoder decoder;
  decoder.set_keep_raw(true);
  auto secret = decoder.DecodeObject(
      R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"shop"},)"
      R"("data":{"password":"aHVudGVyMg=="}})");
  ASSERT_TRUE(secret.ok()) << secret.status();
  EXPECT_EQ(decoder.raw(), "");
  auto map = decoder.DecodeObject(
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","namespace":"shop"}})");
  ASSERT_TRUE(map.ok()) << map.status();
  EXPECT_THAT(std::string(decoder.raw()), HasSubstr("\"ConfigMap\""));
}

TEST(ObjectChangeEventTest, ABadChangeNamesTheEventAndWhatIsWrong) {
  ObjectDecoder decoder;
  std::vector<domain::ObjectChange> changes =
      ReadKeepingRaw("kuryr_watch_pods_2016.jsonl", /*watch=*/true);
  ASSERT_FALSE(changes.empty());
  v1::UnifiedEvent wire = ObjectChangeEvent(changes[0], "lab", 0xabc);
  wire.mutable_kubernetes()->set_reason("REPLACED");
  absl::StatusOr<domain::ObjectChange> unknown = ObjectChangeFromEvent(wire, decoder);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(), HasSubstr("abc"));
  EXPECT_THAT(unknown.status().message(), HasSubstr("REPLACED"));

  wire = ObjectChangeEvent(changes[0], "lab", 0xabd);
  wire.set_raw(wire.raw().substr(0, wire.raw().size() / 2));
  absl::StatusOr<domain::ObjectChange> truncated = ObjectChangeFromEvent(wire, decoder);
  EXPECT_EQ(truncated.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(truncated.status().message(), HasSubstr("abd"));
  EXPECT_THAT(truncated.status().message(), HasSubstr("raw"));
}

}  // namespace
}  // namespace tapio::collectors::kubeapi
