#include "collectors/otlp/otlp_file.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "domain/symbol_table.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tapio::collectors::otlp {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class OtlpFileTest : public ::testing::Test {
 protected:
  OtlpFileTest()
      : ids_(9),
        clock_(1'900'000'000'000'000'000),
        parser_({"prod", "otlp/x.json"}, registry_, ids_, clock_) {}

  domain::EntityRegistry registry_;
  domain::EventIdGenerator ids_;
  domain::FakeClock clock_;
  OtlpParser parser_;
};

TEST_F(OtlpFileTest, ReadsTheRealTraceSample) {
  absl::StatusOr<OtlpFile> file =
      ReadOtlpFile("../shared/realdata/public/C_otlp/otelproto_trace.json", parser_);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_THAT(file->result.errors, IsEmpty());
  EXPECT_EQ(file->counts.spans, 1u);
}

TEST_F(OtlpFileTest, MissingFileIsNotFound) {
  EXPECT_EQ(ReadOtlpFile("/nonexistent/otlp.json", parser_).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(OtlpFileTest, OversizedFileIsRefusedWithoutParsing) {
  fs::path path =
      fs::temp_directory_path() /
      ("tapio-otlp-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  {
    std::ofstream out(path, std::ios::binary);
    std::string block(1 << 20, ' ');
    for (size_t i = 0; i <= kMaxRequestBytes / block.size(); ++i) out << block;
  }
  absl::StatusOr<OtlpFile> file = ReadOtlpFile(path.string(), parser_);
  fs::remove(path);
  EXPECT_EQ(file.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(file.status().message(), HasSubstr(path.string()));
}

TEST_F(OtlpFileTest, EmptyFileIsOneProblem) {
  fs::path path =
      fs::temp_directory_path() /
      ("tapio-otlp-empty-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  { std::ofstream out(path); }
  absl::StatusOr<OtlpFile> file = ReadOtlpFile(path.string(), parser_);
  fs::remove(path);
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_THAT(file->result.errors, SizeIs(1));
  EXPECT_THAT(file->result.errors[0].message(), HasSubstr("otlp/x.json: malformed JSON"));
}

}  // namespace
}  // namespace tapio::collectors::otlp
