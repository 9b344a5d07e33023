#include "config/config.h"

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tapio::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// The message of the InvalidArgument that loading `yaml` must give.
std::string ErrorOf(absl::string_view yaml) {
  absl::StatusOr<Config> config = LoadConfig(yaml, "tapio.yaml");
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument) << yaml;
  return std::string(config.status().message());
}

std::vector<std::string> Lines(absl::string_view text) { return absl::StrSplit(text, '\n'); }

TEST(ConfigTest, DefaultsAreTheDocumentedOnes) {
  Config config = DefaultConfig();
  EXPECT_EQ(config.cluster, "");
  EXPECT_EQ(config.pipeline.shards, 2);
  EXPECT_EQ(config.pipeline.queue_capacity, 65536);
  EXPECT_EQ(config.pipeline.batch_size, 256);
  EXPECT_EQ(config.pipeline.batch_wait, absl::ZeroDuration());
  EXPECT_EQ(config.pipeline.overflow, Overflow::kDropLowestSeverity);
  EXPECT_EQ(config.pipeline.drain_timeout, absl::Seconds(30));
  EXPECT_TRUE(config.pipeline.source_overflow.empty());
  EXPECT_EQ(config.log.level, LogLevel::kInfo);
}

TEST(ConfigTest, EmptyDocumentsMeanDefaults) {
  for (absl::string_view yaml : {"", "\n\n", "# only a comment\n", "---\n", "~\n", "---\n...\n"}) {
    absl::StatusOr<Config> config = LoadConfig(yaml, "tapio.yaml");
    ASSERT_TRUE(config.ok()) << yaml << ": " << config.status();
    EXPECT_EQ(config->pipeline.shards, 2);
    EXPECT_EQ(config->pipeline.batch_wait, absl::ZeroDuration());
  }
}

TEST(ConfigTest, ReadsEveryKey) {
  absl::StatusOr<Config> config = LoadConfig(R"(cluster: prod-eu
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
    kubernetes: {overflow: block}
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
  EXPECT_EQ(config->pipeline.source_overflow.size(), 2u);
  EXPECT_EQ(config->pipeline.source_overflow.at(domain::Source::kKernel),
            Overflow::kDropLowestSeverity);
  EXPECT_EQ(config->pipeline.source_overflow.at(domain::Source::kKubernetes), Overflow::kBlock);
  EXPECT_EQ(config->log.level, LogLevel::kWarning);
}

TEST(ConfigTest, PerSourceOverrideLeavesTheRestAtTheirDefaults) {
  absl::StatusOr<Config> config =
      LoadConfig("pipeline:\n  sources:\n    journal:\n      overflow: block\n", "tapio.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->pipeline.overflow, Overflow::kDropLowestSeverity);
  EXPECT_EQ(config->pipeline.shards, 2);
  ASSERT_EQ(config->pipeline.source_overflow.size(), 1u);
  EXPECT_EQ(config->pipeline.source_overflow.at(domain::Source::kJournal), Overflow::kBlock);
}

TEST(ConfigTest, WrongValueNamesFileLineAndKey) {
  EXPECT_EQ(ErrorOf("cluster: a\n"
                    "log:\n"
                    "  level: info\n"
                    "pipeline:\n"
                    "  batch_size: 64\n"
                    "  # workers\n"
                    "  shards: two\n"),
            "tapio.yaml:7: pipeline.shards: expected an integer from 1 to 64, got \"two\"");
}

TEST(ConfigTest, UnknownKeysGetASuggestionWhenOneIsClose) {
  EXPECT_EQ(ErrorOf("cluster: a\n\npipline:\n  shards: 2\n"),
            "tapio.yaml:3: unknown key \"pipline\" (did you mean \"pipeline\"?)");
  EXPECT_EQ(ErrorOf("pipeline:\n  shard: 3\n"),
            "tapio.yaml:2: unknown key \"pipeline.shard\" (did you mean \"pipeline.shards\"?)");
  EXPECT_EQ(ErrorOf("pipeline:\n  Batch-Size: 3\n"),
            "tapio.yaml:2: unknown key \"pipeline.Batch-Size\" (did you mean "
            "\"pipeline.batch_size\"?)");
  EXPECT_EQ(ErrorOf("pipeline:\n  sources:\n    kmsg:\n      overflw: block\n"),
            "tapio.yaml:4: unknown key \"pipeline.sources.kmsg.overflw\" (did you mean "
            "\"pipeline.sources.kmsg.overflow\"?)");
  EXPECT_EQ(ErrorOf("frobnicate: 1\n"), "tapio.yaml:1: unknown key \"frobnicate\"");
  EXPECT_EQ(ErrorOf("log:\n  shards: 2\n"), "tapio.yaml:2: unknown key \"log.shards\"");
}

TEST(ConfigTest, UnknownSourceNameIsRejected) {
  EXPECT_EQ(ErrorOf("pipeline:\n  sources:\n    kernal:\n      overflow: block\n"),
            "tapio.yaml:3: pipeline.sources.kernal: \"kernal\" is not a source (did you mean "
            "\"kernel\"?); expected one of kernel, kmsg, journal, cni, etcd, kubernetes, otlp, "
            "tapio");
  EXPECT_THAT(ErrorOf("pipeline:\n  sources:\n    unspecified: {overflow: block}\n"),
              HasSubstr("tapio.yaml:3: pipeline.sources.unspecified: \"unspecified\" is not a "
                        "source; expected one of"));
}

TEST(ConfigTest, BadDurationsNameFileLineAndKey) {
  EXPECT_EQ(ErrorOf("cluster: a\nlog:\n  level: info\npipeline:\n  batch_wait: fast\n"),
            "tapio.yaml:5: pipeline.batch_wait: \"fast\" is not a duration (examples: 250us, "
            "200ms, 30s)");
  EXPECT_EQ(ErrorOf("pipeline:\n  drain_timeout: 30\n"),
            "tapio.yaml:2: pipeline.drain_timeout: \"30\" is not a duration (examples: 250us, "
            "200ms, 30s)");
  EXPECT_THAT(ErrorOf("pipeline:\n  drain_timeout: inf\n"), HasSubstr("is not a duration"));
  EXPECT_EQ(ErrorOf("pipeline:\n  batch_wait: -5ms\n"),
            "tapio.yaml:2: pipeline.batch_wait: expected a duration from 0 to 1s, got \"-5ms\"");
  EXPECT_EQ(ErrorOf("pipeline:\n  drain_timeout: 1h\n"),
            "tapio.yaml:2: pipeline.drain_timeout: expected a duration from 0 to 10m, got \"1h\"");
}

TEST(ConfigTest, OutOfRangeAndUnknownWords) {
  EXPECT_EQ(ErrorOf("pipeline:\n  queue_capacity: 100\n"),
            "tapio.yaml:2: pipeline.queue_capacity: expected an integer from 1024 to 16777216, "
            "got \"100\"");
  EXPECT_THAT(ErrorOf("pipeline:\n  shards: 99999999999999999999999\n"),
              HasSubstr("tapio.yaml:2: pipeline.shards: expected an integer from 1 to 64"));
  EXPECT_EQ(ErrorOf("pipeline:\n  overflow: drop-oldest\n"),
            "tapio.yaml:2: pipeline.overflow: expected one of block, drop-lowest-severity, got "
            "\"drop-oldest\"");
  EXPECT_EQ(ErrorOf("log:\n  level: Info\n"),
            "tapio.yaml:2: log.level: expected one of debug, info, warning, error, got \"Info\"");
}

TEST(ConfigTest, CollectionsWhereValuesBelongAndTheReverse) {
  EXPECT_EQ(ErrorOf("pipeline:\n  shards:\n    - 1\n    - 2\n"),
            "tapio.yaml:3: pipeline.shards: expected a single value, got a list");
  EXPECT_EQ(ErrorOf("log:\n  level: {name: info}\n"),
            "tapio.yaml:2: log.level: expected a single value, got a mapping");
  EXPECT_EQ(ErrorOf("pipeline: 7\n"),
            "tapio.yaml:1: pipeline: expected a mapping of keys, got the value \"7\"");
  EXPECT_EQ(ErrorOf("pipeline:\n  sources: [kernel]\n"),
            "tapio.yaml:2: pipeline.sources: expected a mapping of keys, got a list");
  EXPECT_EQ(ErrorOf("pipeline:\n  shards:\n"), "tapio.yaml:2: pipeline.shards: needs a value");
  EXPECT_EQ(ErrorOf("? [a, b]\n: c\n"), "tapio.yaml:1: expected a key, got a list");
}

TEST(ConfigTest, TopLevelMustBeAMapping) {
  EXPECT_EQ(ErrorOf("- a\n- b\n"), "tapio.yaml:1: expected a mapping of keys, got a list");
  EXPECT_EQ(ErrorOf("\njust words\n"),
            "tapio.yaml:2: expected a mapping of keys, got the value \"just words\"");
}

TEST(ConfigTest, DuplicateKeysAreErrors) {
  EXPECT_EQ(ErrorOf("pipeline:\n  shards: 2\n  batch_size: 8\n  shards: 3\n"),
            "tapio.yaml:4: pipeline.shards: given twice (first on line 2)");
  EXPECT_EQ(ErrorOf("log:\n  level: info\ncluster: a\nlog:\n  level: error\n"),
            "tapio.yaml:4: log: given twice (first on line 1)");
}

TEST(ConfigTest, EveryProblemIsListedInFileOrder) {
  std::string error = ErrorOf(
      "pipeline:\n"
      "  shards: 0\n"
      "  batch_wait: soon\n"
      "  sources:\n"
      "    etcd: {overflow: nope}\n"
      "log:\n"
      "  level: loud\n"
      "x: 1\n");
  std::vector<std::string> lines = Lines(error);
  ASSERT_EQ(lines.size(), 5u) << error;
  EXPECT_THAT(lines[0], StartsWith("tapio.yaml:2: pipeline.shards: "));
  EXPECT_THAT(lines[1], StartsWith("tapio.yaml:3: pipeline.batch_wait: "));
  EXPECT_THAT(lines[2], StartsWith("tapio.yaml:5: pipeline.sources.etcd.overflow: "));
  EXPECT_THAT(lines[3], StartsWith("tapio.yaml:7: log.level: "));
  EXPECT_EQ(lines[4], "tapio.yaml:8: unknown key \"x\"");
}

TEST(ConfigTest, AFloodOfProblemsIsCappedWithACount) {
  std::string yaml;
  for (int i = 0; i < 200; ++i) absl::StrAppend(&yaml, "unknown_", i, ": 1\n");
  std::vector<std::string> lines = Lines(ErrorOf(yaml));
  ASSERT_EQ(lines.size(), 51u);
  EXPECT_EQ(lines[49], "tapio.yaml:50: unknown key \"unknown_49\"");
  EXPECT_EQ(lines[50], "tapio.yaml: 150 more problems not listed");
}

TEST(ConfigTest, SyntaxErrorsNameTheLine) {
  EXPECT_THAT(ErrorOf("pipeline:\n  shards: 2\n bad indent: x\n"),
              StartsWith("tapio.yaml:3: not valid YAML: "));
  EXPECT_THAT(ErrorOf("cluster: a\npipeline: {shards: 2\n"), StartsWith("tapio.yaml:"));
  EXPECT_EQ(ErrorOf("log:\n  level: a: b\n"), "tapio.yaml:2: not valid YAML: illegal map value");
}

TEST(ConfigTest, ASecondDocumentIsAnError) {
  EXPECT_EQ(ErrorOf("cluster: a\n---\ncluster: b\n"),
            "tapio.yaml:2: a second YAML document; the file holds one");
  EXPECT_TRUE(LoadConfig("---\ncluster: a\n...\n", "tapio.yaml").ok());
  EXPECT_TRUE(LoadConfig("cluster: a\n---\n", "tapio.yaml").ok());
}

// yaml-cpp 0.7 reads these as endless empty documents.
TEST(ConfigTest, StrayCommasAreSyntaxErrors) {
  EXPECT_EQ(ErrorOf(","), "tapio.yaml:1: not valid YAML: text that starts no key or value");
  EXPECT_THAT(ErrorOf("{cluster: a},\n"), HasSubstr("not valid YAML"));
  EXPECT_THAT(ErrorOf("cluster: a\n---\n,\n"), HasSubstr("tapio.yaml:3: not valid YAML"));
}

TEST(ConfigTest, HugeValuesAreReportedShortly) {
  std::string huge(100000, 'c');
  EXPECT_EQ(ErrorOf(absl::StrCat("cluster: ", huge, "\n")),
            "tapio.yaml:1: cluster: expected at most 253 bytes, got 100000");
  // YAML limits plain keys to 1024 characters.
  std::string long_key(1000, 'c');
  std::string error =
      ErrorOf(absl::StrCat("pipeline:\n  shards: ", huge, "\n  ", long_key, ": 1\n"));
  EXPECT_LT(error.size(), 500u);
  EXPECT_THAT(Lines(error), ElementsAre(StartsWith("tapio.yaml:2: pipeline.shards: "),
                                        StartsWith("tapio.yaml:3: unknown key \"pipeline.ccc")));
  EXPECT_EQ(ErrorOf(std::string(kMaxConfigBytes + 1, ' ')),
            "tapio.yaml: larger than 1048576 bytes, too large for a configuration");
}

TEST(ConfigTest, ControlCharactersAreEscapedInMessages) {
  std::string error = ErrorOf("\"\\e[31mred\": 1\nlog:\n  level: \"\\0\\x07\"\n");
  EXPECT_THAT(error, HasSubstr("unknown key \"\\x1b[31mred\""));
  EXPECT_THAT(error, HasSubstr("got \"\\x00\\x07\""));
  EXPECT_THAT(error, Not(HasSubstr("\x1b")));
}

TEST(ConfigTest, HostileInputNeverCrashes) {
  EXPECT_EQ(ErrorOf(std::string(100000, '[')), "tapio.yaml:1: not valid YAML: nested too deeply");
  std::string dashes;
  for (int i = 0; i < 10000; ++i) dashes += "- ";
  EXPECT_THAT(ErrorOf(dashes), HasSubstr("not valid YAML"));
  LoadConfig("pipeline: &p\n  sources: *p\n", "tapio.yaml").IgnoreError();
  LoadConfig("a: &x [*x, {b: *x}]\n", "tapio.yaml").IgnoreError();
  LoadConfig(std::string("\0\xff\x01: \x02\n\xfe\xfe", 8), "tapio.yaml").IgnoreError();
  uint32_t state = 12345;
  for (int round = 0; round < 2000; ++round) {
    std::string garbage;
    for (int i = 0; i < 64; ++i) {
      state = state * 1103515245u + 12345u;
      garbage.push_back(static_cast<char>(state >> 24));
    }
    LoadConfig(garbage, "tapio.yaml").IgnoreError();
  }
}

TEST(ConfigFileTest, ReadsAFileAndNamesItInErrors) {
  const std::string path = absl::StrCat(::testing::TempDir(), "/config_test_tapio.yaml");
  {
    std::ofstream out(path, std::ios::trunc);
    out << "cluster: lab\npipeline:\n  shards: 65\n";
  }
  absl::StatusOr<Config> config = LoadConfigFile(path);
  EXPECT_EQ(
      config.status().message(),
      absl::StrCat(path, ":3: pipeline.shards: expected an integer from 1 to 64, got \"65\""));
  {
    std::ofstream out(path, std::ios::trunc);
    out << "cluster: lab\n";
  }
  config = LoadConfigFile(path);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->cluster, "lab");
}

TEST(ConfigFileTest, UnreadablePathsAreNotConfigurations) {
  EXPECT_EQ(LoadConfigFile("/nonexistent/tapio.yaml").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(LoadConfigFile(::testing::TempDir()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(LoadConfigFile("/dev/zero").status().message(), HasSubstr("larger than"));
}

}  // namespace
}  // namespace tapio::config
