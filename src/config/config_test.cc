#include "config/config.h"

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "config/schema.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tapio::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string ErrorOf(absl::string_view yaml) {
  absl::StatusOr<Config> config = LoadConfig(yaml, "tapio.yaml");
  EXPECT_FALSE(config.ok()) << yaml;
  return config.ok() ? "" : std::string(config.status().message());
}

TEST(ConfigTest, DefaultsComeFromTheSchema) {
  Config config = DefaultConfig();
  EXPECT_EQ(config.cluster, "");
  EXPECT_EQ(config.pipeline.shards, 2);
  EXPECT_EQ(config.pipeline.queue_capacity, 65536);
  EXPECT_EQ(config.pipeline.batch_size, 256);
  EXPECT_EQ(config.pipeline.batch_wait, absl::ZeroDuration());
  EXPECT_EQ(config.pipeline.drain_timeout, absl::Seconds(30));
  EXPECT_EQ(config.pipeline.overflow, Overflow::kDropLowestSeverity);
  EXPECT_TRUE(config.pipeline.source_overflow.empty());
  EXPECT_EQ(config.log.level, LogLevel::kInfo);
  for (const Key& key : Schema()) {
    if (key.default_text.empty()) continue;
    Value value;
    EXPECT_TRUE(ParseValue(key, key.default_text, &value).ok()) << key.path;
  }
}

TEST(ConfigTest, EmptyFileMeansDefaults) {
  auto config = LoadConfig("", "tapio.yaml");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->pipeline.shards, 2);
  ASSERT_TRUE(LoadConfig("# nothing but a comment\n", "tapio.yaml").ok());
}

TEST(ConfigTest, ReadsAFullFile) {
  auto config = LoadConfig(R"(cluster: prod-eu
pipeline:
  shards: 4
  queue_capacity: 131072
  batch_size: 512
  batch_wait: 250us
  overflow: block
  drain_timeout: 1m30s
  sources:
    kernel:
      overflow: drop-lowest-severity
    kubernetes:
      overflow: block
log:
  level: warning
)",
                           "tapio.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->cluster, "prod-eu");
  EXPECT_EQ(config->pipeline.shards, 4);
  EXPECT_EQ(config->pipeline.queue_capacity, 131072);
  EXPECT_EQ(config->pipeline.batch_size, 512);
  EXPECT_EQ(config->pipeline.batch_wait, absl::Microseconds(250));
  EXPECT_EQ(config->pipeline.overflow, Overflow::kBlock);
  EXPECT_EQ(config->pipeline.drain_timeout, absl::Seconds(90));
  EXPECT_EQ(config->pipeline.source_overflow.at(domain::Source::kKernel),
            Overflow::kDropLowestSeverity);
  EXPECT_EQ(config->pipeline.source_overflow.at(domain::Source::kKubernetes), Overflow::kBlock);
  EXPECT_EQ(config->log.level, LogLevel::kWarning);
}

TEST(ConfigTest, UnknownKeyIsNamedWithItsLineAndASuggestion) {
  std::string error = ErrorOf("cluster: a\npipline:\n  shards: 2\n");
  EXPECT_THAT(error,
              HasSubstr("tapio.yaml:2: unknown key \"pipline\" (did you mean \"pipeline\"?)"));
  EXPECT_THAT(ErrorOf("pipeline:\n  shard: 3\n"),
              HasSubstr("tapio.yaml:2: unknown key \"pipeline.shard\" (did you mean "
                        "\"pipeline.shards\"?)"));
  EXPECT_THAT(ErrorOf("frobnicate: 1\n"), Not(HasSubstr("did you mean")));
}

TEST(ConfigTest, WrongTypeIsNamedWithItsLine) {
  EXPECT_THAT(
      ErrorOf("pipeline:\n  batch_size: 64\n  shards: two\n"),
      HasSubstr("tapio.yaml:3: pipeline.shards: expected an integer from 1 to 64, got \"two\""));
  EXPECT_THAT(ErrorOf("pipeline:\n  shards:\n    - 1\n    - 2\n"),
              HasSubstr("tapio.yaml:3: pipeline.shards: expected a single value, got a list"));
  EXPECT_THAT(ErrorOf("pipeline: 7\n"), HasSubstr("tapio.yaml:1: pipeline: expected a mapping"));
  EXPECT_THAT(ErrorOf("- a\n- b\n"), HasSubstr("tapio.yaml:1: expected a mapping"));
  EXPECT_THAT(ErrorOf("pipeline:\n  shards:\n"),
              HasSubstr("tapio.yaml:2: pipeline.shards: needs a value"));
}

TEST(ConfigTest, BadDurationIsNamedWithItsLine) {
  EXPECT_THAT(ErrorOf("log:\n  level: info\npipeline:\n  drain_timeout: soon\n"),
              HasSubstr("tapio.yaml:4: pipeline.drain_timeout: \"soon\" is not a duration"));
  EXPECT_THAT(ErrorOf("pipeline:\n  batch_wait: -5ms\n"),
              HasSubstr("tapio.yaml:2: pipeline.batch_wait: \"-5ms\" is outside 0 to 1s"));
  EXPECT_THAT(ErrorOf("pipeline:\n  drain_timeout: 30\n"), HasSubstr("is not a duration"));
}

TEST(ConfigTest, OutOfRangeAndBadEnumValues) {
  EXPECT_THAT(ErrorOf("pipeline:\n  queue_capacity: 100\n"),
              HasSubstr("tapio.yaml:2: pipeline.queue_capacity: expected an integer from 1024"));
  EXPECT_THAT(ErrorOf("pipeline:\n  overflow: drop-oldest\n"),
              HasSubstr("expected one of block, drop-lowest-severity, got \"drop-oldest\""));
  EXPECT_THAT(ErrorOf("pipeline:\n  shards: 99999999999999999999\n"), HasSubstr("pipeline.shards"));
}

TEST(ConfigTest, UnknownSourceNameIsRejected) {
  EXPECT_THAT(ErrorOf("pipeline:\n  sources:\n    kernal:\n      overflow: block\n"),
              HasSubstr("tapio.yaml:3: pipeline.sources.kernal: \"kernal\" is not a source"));
}

TEST(ConfigTest, DuplicateKeysAndEveryProblemAreReported) {
  std::string error = ErrorOf("pipeline:\n  shards: 2\n  shards: 3\nlog:\n  level: loud\nx: 1\n");
  EXPECT_THAT(error, HasSubstr("tapio.yaml:3: pipeline.shards: given twice"));
  EXPECT_THAT(error, HasSubstr("tapio.yaml:5: log.level"));
  EXPECT_THAT(error, HasSubstr("tapio.yaml:6: unknown key \"x\""));
  EXPECT_EQ(std::vector<std::string>(absl::StrSplit(error, '\n')).size(), 3u);
}

TEST(ConfigTest, SyntaxErrorsAndHostileInputNeverCrash) {
  EXPECT_THAT(ErrorOf("pipeline:\n  shards: [1, 2\n"), HasSubstr("tapio.yaml:"));
  EXPECT_THAT(ErrorOf("pipeline:\n  shards: 2\n bad indent: x\n"), HasSubstr("not valid YAML"));
  std::string huge = absl::StrCat("cluster: ", std::string(1 << 20, 'c'), "\n");
  EXPECT_THAT(ErrorOf(huge), HasSubstr("cluster: longer than 253 characters"));
  LoadConfig(std::string("\0\xff\x01: \x02", 5), "tapio.yaml").IgnoreError();
  LoadConfig("&a [*a]", "tapio.yaml").IgnoreError();
  LoadConfig("? [a, b]\n: c\n", "tapio.yaml").IgnoreError();
}

TEST(ConfigTest, MissingFileIsNotFound) {
  EXPECT_EQ(LoadConfigFile("/nonexistent/tapio.yaml").status().code(), absl::StatusCode::kNotFound);
}

std::string ReadDocs() {
  std::ifstream in("docs/configuration.md");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ConfigDocsTest, ReferenceTableMatchesTheSchema) {
  std::string docs = ReadDocs();
  const std::string begin = "<!-- BEGIN GENERATED -->\n";
  const std::string end = "<!-- END GENERATED -->";
  size_t from = docs.find(begin);
  size_t to = docs.find(end);
  ASSERT_NE(from, std::string::npos);
  ASSERT_NE(to, std::string::npos);
  EXPECT_EQ(docs.substr(from + begin.size(), to - from - begin.size()), ConfigReferenceMarkdown())
      << "regenerate docs/configuration.md with `tapio config reference`";
}

TEST(ConfigDocsTest, TheExampleLoads) {
  std::string docs = ReadDocs();
  size_t from = docs.find("```yaml\n");
  ASSERT_NE(from, std::string::npos);
  size_t to = docs.find("```", from + 8);
  auto config = LoadConfig(docs.substr(from + 8, to - from - 8), "docs example");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->pipeline.overflow, Overflow::kDropLowestSeverity);
  EXPECT_EQ(config->pipeline.source_overflow.at(domain::Source::kKubernetes), Overflow::kBlock);
}

}  // namespace
}  // namespace tapio::config
