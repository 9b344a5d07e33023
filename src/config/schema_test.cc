#include "config/schema.h"

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tapio::config {
namespace {

using ::testing::HasSubstr;

const Key& KeyAt(absl::string_view path) {
  for (const Key& key : Schema()) {
    if (key.path == path) return key;
  }
  ADD_FAILURE() << "no key " << path;
  return Schema().front();
}

TEST(SchemaTest, EveryDefaultParses) {
  for (const Key& key : Schema()) {
    if (!key.default_text.has_value()) continue;
    EXPECT_TRUE(ParseValue(key, *key.default_text).ok()) << key.path;
  }
}

TEST(SchemaTest, KeysAreWellFormed) {
  absl::flat_hash_set<std::string> sections;
  for (const Key& key : Schema()) {
    ASSERT_FALSE(key.segments.empty());
    EXPECT_EQ(absl::StrJoin(key.segments, "."), key.path);
    EXPECT_FALSE(key.doc.empty()) << key.path;
    EXPECT_TRUE(key.apply) << key.path;
    int placeholders = 0;
    for (const std::string& segment : key.segments) placeholders += segment.front() == '<';
    EXPECT_LE(placeholders, 1) << key.path;
    EXPECT_EQ(placeholders == 1, !key.names.empty()) << key.path;
    EXPECT_EQ(placeholders == 0, key.default_text.has_value()) << key.path;
    EXPECT_EQ(key.type == ValueType::kEnum, !key.words.empty()) << key.path;
    std::string section;
    for (size_t i = 0; i + 1 < key.segments.size(); ++i) {
      section += (i > 0 ? "." : "") + key.segments[i];
      sections.insert(section);
    }
  }
  for (const Key& key : Schema()) {
    EXPECT_FALSE(sections.contains(key.path)) << key.path << " is both a key and a section";
  }
}

TEST(SchemaTest, SourceNamesAreTheDomainsOwn) {
  const Key& key = KeyAt("pipeline.sources.<source>.overflow");
  EXPECT_EQ(absl::StrJoin(key.names, ","), "kernel,kmsg,journal,cni,etcd,kubernetes,otlp,tapio");
}

TEST(SchemaTest, IntegersAreBounded) {
  const Key& shards = KeyAt("pipeline.shards");
  EXPECT_EQ(ParseValue(shards, "1")->integer, 1);
  EXPECT_EQ(ParseValue(shards, "64")->integer, 64);
  for (absl::string_view bad : {"0", "65", "-1", "2.5", "0x10", "", "two", "1e3"}) {
    EXPECT_EQ(ParseValue(shards, bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(SchemaTest, DurationsAreGoStyleAndBounded) {
  const Key& drain = KeyAt("pipeline.drain_timeout");
  EXPECT_EQ(ParseValue(drain, "1m30s")->duration, absl::Seconds(90));
  EXPECT_EQ(ParseValue(drain, "250us")->duration, absl::Microseconds(250));
  EXPECT_EQ(ParseValue(drain, "0")->duration, absl::ZeroDuration());
  EXPECT_EQ(ParseValue(drain, "10m")->duration, absl::Minutes(10));
  for (absl::string_view bad : {"10m1s", "-1s", "inf", "-inf", "30", "soon", "1h30", ""}) {
    EXPECT_FALSE(ParseValue(drain, bad).ok()) << bad;
  }
}

TEST(SchemaTest, EnumsAcceptOnlyTheirWords) {
  const Key& level = KeyAt("log.level");
  EXPECT_EQ(ParseValue(level, "debug")->text, "debug");
  EXPECT_THAT(std::string(ParseValue(level, "DEBUG").status().message()),
              HasSubstr("expected one of debug, info, warning, error"));
}

TEST(SchemaTest, PrintableEscapesAndCuts) {
  EXPECT_EQ(Printable("plain"), "plain");
  EXPECT_EQ(Printable("a\"b\\\n\x1b"), "a\\\"b\\\\\\n\\x1b");
  EXPECT_EQ(Printable("grüße"), "grüße");
  EXPECT_EQ(Printable(std::string(100, 'x')), std::string(80, 'x') + "…");
  EXPECT_EQ(Printable(std::string(79, 'x') + "é"), std::string(79, 'x') + "…");
  EXPECT_EQ(Quoted("x"), "\"x\"");
}

}  // namespace
}  // namespace tapio::config
