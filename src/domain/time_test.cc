#include "domain/time.h"

#include <random>
#include <string>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tapio::domain {
namespace {

using ::testing::HasSubstr;

int64_t AbslNanos(absl::string_view text) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, text, &t, &err)) << text << ": " << err;
  return absl::ToUnixNanos(t);
}

TEST(ParseRfc3339NanosTest, ReadsTheFormsKubernetesAndOtlpPrint) {
  EXPECT_EQ(*ParseRfc3339Nanos("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseRfc3339Nanos("2026-03-01T10:15:00Z"), int64_t{1772360100} * kNanosPerSecond);
  EXPECT_EQ(*ParseRfc3339Nanos("2026-03-01T10:15:00.123456Z"),
            int64_t{1772360100} * kNanosPerSecond + 123456000);
  EXPECT_EQ(*ParseRfc3339Nanos("2026-03-01T12:15:00.5+02:00"),
            int64_t{1772360100} * kNanosPerSecond + 500000000);
  EXPECT_EQ(*ParseRfc3339Nanos("2026-03-01t10:15:00z"), *ParseRfc3339Nanos("2026-03-01T10:15:00Z"));
  EXPECT_EQ(*ParseRfc3339Nanos("1969-12-31T23:59:59.999999999Z"), -1);
}

TEST(ParseRfc3339NanosTest, ReadsLeapSecondAsTheNextSecond) {
  EXPECT_EQ(*ParseRfc3339Nanos("2016-12-31T23:59:60Z"), *ParseRfc3339Nanos("2017-01-01T00:00:00Z"));
}

TEST(ParseRfc3339NanosTest, NamesTheOffsetOfTheFirstBadCharacter) {
  auto bad = ParseRfc3339Nanos("2026-03-01 10:15:00Z");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("at offset 10"));
  EXPECT_THAT(bad.status().message(), HasSubstr("'T'"));

  EXPECT_THAT(ParseRfc3339Nanos("2026-02-30T00:00:00Z").status().message(),
              HasSubstr("a day within the month"));
  EXPECT_THAT(ParseRfc3339Nanos("2026-03-01T10:15:00").status().message(),
              HasSubstr("'Z' or a numeric offset"));
  EXPECT_THAT(ParseRfc3339Nanos("2026-03-01T10:15:00.Z").status().message(),
              HasSubstr("fraction digits"));
  EXPECT_THAT(ParseRfc3339Nanos("2026-03-01T10:15:00.1234567891Z").status().message(),
              HasSubstr("at most 9"));
  EXPECT_THAT(ParseRfc3339Nanos("2026-03-01T10:15:00Zjunk").status().message(),
              HasSubstr("the end of the timestamp"));
  EXPECT_FALSE(ParseRfc3339Nanos("").ok());
  EXPECT_FALSE(ParseRfc3339Nanos(std::string("2026-03-01T10:15:00\0Z", 21)).ok());
}

TEST(ParseRfc3339NanosTest, RejectsYearsNanosecondsCannotHold) {
  EXPECT_EQ(ParseRfc3339Nanos("2262-06-01T00:00:00Z").status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(ParseRfc3339Nanos("1600-01-01T00:00:00Z").status().code(),
            absl::StatusCode::kOutOfRange);
}

TEST(ParseRfc3339NanosTest, AgreesWithAbslOnRandomTimesZonesAndFractions) {
  std::mt19937_64 random(20261122);
  std::uniform_int_distribution<int64_t> seconds(-2'000'000'000, 9'000'000'000);
  std::uniform_int_distribution<int> nanos(0, 999'999'999);
  std::uniform_int_distribution<int> offset_minutes(-23 * 60 - 59, 23 * 60 + 59);
  std::uniform_int_distribution<int> digits(0, 9);
  for (int i = 0; i < 20000; ++i) {
    absl::Time t = absl::FromUnixSeconds(seconds(random)) + absl::Nanoseconds(nanos(random));
    absl::TimeZone zone = absl::FixedTimeZone(offset_minutes(random) * 60);
    int fraction = digits(random);
    std::string format = fraction == 0
                             ? "%Y-%m-%d%ET%H:%M:%S%Ez"
                             : "%Y-%m-%d%ET%H:%M:%S.%E" + std::to_string(fraction) + "f%Ez";
    std::string text = absl::FormatTime(format, t, zone);
    auto ours = ParseRfc3339Nanos(text);
    ASSERT_TRUE(ours.ok()) << text << ": " << ours.status();
    ASSERT_EQ(*ours, AbslNanos(text)) << text;
  }
}

TEST(ParseDmesgIsoNanosTest, ReadsTheKernelLogPrefix) {
  // From ../shared/realdata/kernel/memcg-oom-kubepods-paths.dmesg-iso.log.
  EXPECT_EQ(*ParseDmesgIsoNanos("2026-11-22T16:31:34,632565+00:00"),
            AbslNanos("2026-11-22T16:31:34.632565+00:00"));
  EXPECT_EQ(*ParseDmesgIsoNanos("2026-11-22T17:31:34,632565+01:00"),
            AbslNanos("2026-11-22T16:31:34.632565Z"));
  EXPECT_THAT(ParseDmesgIsoNanos("2026-11-22T16:31:34,632565Z").status().message(),
              HasSubstr("a numeric offset"));
  EXPECT_THAT(ParseDmesgIsoNanos("2026-11-22T16:31:34.632565+00:00").status().message(),
              HasSubstr("dmesg ISO"));
}

TEST(FormatRfc3339NanosTest, RoundTripsThroughTheParser) {
  EXPECT_EQ(FormatRfc3339Nanos(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339Nanos(int64_t{1772360100} * kNanosPerSecond + 120000000),
            "2026-03-01T10:15:00.120Z");
  EXPECT_EQ(FormatRfc3339Nanos(-1), "1969-12-31T23:59:59.999999999Z");
  std::mt19937_64 random(7);
  std::uniform_int_distribution<int64_t> nanos(-9'000'000'000'000'000'000,
                                               9'000'000'000'000'000'000);
  for (int i = 0; i < 20000; ++i) {
    int64_t value = nanos(random);
    if (i % 3 == 0) value -= value % 1000;
    std::string text = FormatRfc3339Nanos(value);
    ASSERT_EQ(*ParseRfc3339Nanos(text), value) << text;
    ASSERT_EQ(
        text.substr(0, 19),
        absl::FormatTime("%Y-%m-%d%ET%H:%M:%S", absl::FromUnixNanos(value), absl::UTCTimeZone()));
  }
}

}  // namespace
}  // namespace tapio::domain
