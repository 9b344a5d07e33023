// Keeps docs/configuration.md identical to the schema. CTest runs this from the repository root.
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "config/config.h"
#include "config/schema.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tapio::config {
namespace {

using ::testing::HasSubstr;

std::string ReadDocs() {
  std::ifstream in("docs/configuration.md");
  EXPECT_TRUE(in.is_open()) << "run from the repository root";
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The text between `begin` and `end` in `text`, or nullopt if either is missing.
std::optional<std::string> Between(const std::string& text, const std::string& begin,
                                   const std::string& end) {
  size_t from = text.find(begin);
  if (from == std::string::npos) return std::nullopt;
  from += begin.size();
  size_t to = text.find(end, from);
  if (to == std::string::npos) return std::nullopt;
  return text.substr(from, to - from);
}

TEST(ConfigReferenceTest, HasARowPerKey) {
  std::string markdown = ConfigReferenceMarkdown();
  for (const Key& key : Schema()) EXPECT_THAT(markdown, HasSubstr("| `" + key.path + "` |"));
  EXPECT_THAT(markdown, HasSubstr("| `pipeline.batch_wait` | duration | `0s` | 0 to 1s |"));
  EXPECT_THAT(markdown, HasSubstr("`<source>` is a source: `kernel`, `kmsg`"));
}

TEST(ConfigReferenceTest, DocsHoldExactlyTheGeneratedReference) {
  std::optional<std::string> generated =
      Between(ReadDocs(), "<!-- BEGIN GENERATED -->\n", "<!-- END GENERATED -->");
  ASSERT_TRUE(generated.has_value()) << "docs/configuration.md lacks its GENERATED markers";
  EXPECT_EQ(*generated, ConfigReferenceMarkdown())
      << "regenerate the section of docs/configuration.md with `tapio config reference`";
}

TEST(ConfigReferenceTest, TheDocsExampleLoads) {
  std::optional<std::string> example = Between(ReadDocs(), "```yaml\n", "```");
  ASSERT_TRUE(example.has_value()) << "docs/configuration.md lacks a ```yaml example";
  absl::StatusOr<Config> config = LoadConfig(*example, "docs/configuration.md example");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->cluster.empty());
  EXPECT_FALSE(config->pipeline.source_overflow.empty());
}

}  // namespace
}  // namespace tapio::config
