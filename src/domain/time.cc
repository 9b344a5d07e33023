#include "domain/time.h"

#include <cstdio>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tapio::domain {
namespace {

// The range of years whose every instant fits in int64 nanoseconds.
constexpr int64_t kMinYear = 1678;
constexpr int64_t kMaxYear = 2261;

struct Cursor {
  absl::string_view text;
  size_t pos = 0;
  absl::string_view format;

  bool AtEnd() const { return pos >= text.size(); }
  char Peek() const { return AtEnd() ? '\0' : text[pos]; }

  absl::Status Error(absl::string_view expected) const {
    absl::string_view shown = text.substr(0, 64);
    return absl::InvalidArgumentError(
        absl::StrCat("invalid ", format, " time \"", absl::CHexEscape(shown),
                     text.size() > 64 ? "…" : "", "\" at offset ", pos, ": expected ", expected));
  }

  absl::StatusOr<int> Digits(int count, absl::string_view what) {
    int value = 0;
    for (int i = 0; i < count; ++i) {
      char c = Peek();
      if (c < '0' || c > '9') return Error(what);
      value = value * 10 + (c - '0');
      ++pos;
    }
    return value;
  }

  absl::Status Expect(char c, absl::string_view what) {
    if (Peek() != c) return Error(what);
    ++pos;
    return absl::OkStatus();
  }
};

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// Both formats are "YYYY-MM-DD?HH:MM:SS[<sep>fraction](Z|±HH:MM)"; they differ in the date/time
// separators, the fraction separator and whether "Z" is allowed.
absl::StatusOr<int64_t> ParseTimestamp(absl::string_view text, absl::string_view format,
                                       char fraction_separator, bool allow_zulu) {
  Cursor in{text, 0, format};
  auto year = in.Digits(4, "a four-digit year");
  if (!year.ok()) return year.status();
  if (auto s = in.Expect('-', "'-' after the year"); !s.ok()) return s;
  auto month = in.Digits(2, "a two-digit month");
  if (!month.ok()) return month.status();
  if (*month < 1 || *month > 12) return in.Error("a month from 01 to 12");
  if (auto s = in.Expect('-', "'-' after the month"); !s.ok()) return s;
  auto day = in.Digits(2, "a two-digit day");
  if (!day.ok()) return day.status();
  if (*day < 1 || *day > DaysInMonth(*year, *month)) return in.Error("a day within the month");
  if (in.Peek() != 'T' && in.Peek() != 't') return in.Error("'T' between date and time");
  ++in.pos;
  auto hour = in.Digits(2, "a two-digit hour");
  if (!hour.ok()) return hour.status();
  if (*hour > 23) return in.Error("an hour from 00 to 23");
  if (auto s = in.Expect(':', "':' after the hour"); !s.ok()) return s;
  auto minute = in.Digits(2, "two-digit minutes");
  if (!minute.ok()) return minute.status();
  if (*minute > 59) return in.Error("minutes from 00 to 59");
  if (auto s = in.Expect(':', "':' after the minutes"); !s.ok()) return s;
  auto second = in.Digits(2, "two-digit seconds");
  if (!second.ok()) return second.status();
  if (*second > 60) return in.Error("seconds from 00 to 60");

  int64_t nanos = 0;
  if (in.Peek() == fraction_separator) {
    ++in.pos;
    int digits = 0;
    while (in.Peek() >= '0' && in.Peek() <= '9') {
      if (digits == 9) return in.Error("at most 9 fraction digits");
      nanos = nanos * 10 + (in.Peek() - '0');
      ++digits;
      ++in.pos;
    }
    if (digits == 0) return in.Error("fraction digits");
    for (int i = digits; i < 9; ++i) nanos *= 10;
  }

  int64_t offset_seconds = 0;
  char zone = in.Peek();
  if (allow_zulu && (zone == 'Z' || zone == 'z')) {
    ++in.pos;
  } else if (zone == '+' || zone == '-') {
    ++in.pos;
    auto offset_hours = in.Digits(2, "a two-digit offset hour");
    if (!offset_hours.ok()) return offset_hours.status();
    if (*offset_hours > 23) return in.Error("an offset hour from 00 to 23");
    if (auto s = in.Expect(':', "':' in the offset"); !s.ok()) return s;
    auto offset_minutes = in.Digits(2, "two-digit offset minutes");
    if (!offset_minutes.ok()) return offset_minutes.status();
    if (*offset_minutes > 59) return in.Error("offset minutes from 00 to 59");
    offset_seconds = (*offset_hours * 3600 + *offset_minutes * 60) * (zone == '-' ? -1 : 1);
  } else {
    return in.Error(allow_zulu ? "'Z' or a numeric offset" : "a numeric offset");
  }
  if (!in.AtEnd()) return in.Error("the end of the timestamp");

  int64_t seconds =
      CivilToUnixSeconds(*year, *month, *day, *hour, *minute, *second) - offset_seconds;
  constexpr int64_t kMinSeconds = INT64_MIN / kNanosPerSecond + 1;
  constexpr int64_t kMaxSeconds = INT64_MAX / kNanosPerSecond - 1;
  if (*year < kMinYear || *year > kMaxYear || seconds < kMinSeconds || seconds > kMaxSeconds) {
    return absl::OutOfRangeError(absl::StrCat(format, " time \"", absl::CHexEscape(text),
                                              "\" is outside the years ", kMinYear, " to ",
                                              kMaxYear));
  }
  return seconds * kNanosPerSecond + nanos;
}

}  // namespace

int64_t CivilToUnixSeconds(int64_t year, int month, int day, int hour, int minute, int second) {
  // Days from civil, after H. Hinnant's public-domain algorithm.
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  const int64_t days = era * 146097 + day_of_era - 719468;
  return days * 86400 + hour * 3600 + minute * 60 + second;
}

absl::StatusOr<int64_t> ParseRfc3339Nanos(absl::string_view text) {
  return ParseTimestamp(text, "RFC 3339", '.', /*allow_zulu=*/true);
}

absl::StatusOr<int64_t> ParseDmesgIsoNanos(absl::string_view text) {
  return ParseTimestamp(text, "dmesg ISO", ',', /*allow_zulu=*/false);
}

std::string FormatRfc3339Nanos(int64_t unix_nanos) {
  int64_t seconds = unix_nanos / kNanosPerSecond;
  int64_t nanos = unix_nanos % kNanosPerSecond;
  if (nanos < 0) {
    nanos += kNanosPerSecond;
    --seconds;
  }
  int64_t days = seconds / 86400;
  int64_t rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  // Civil from days, the inverse of CivilToUnixSeconds.
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t day_of_era = z - era * 146097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t mp = (5 * day_of_year + 2) / 153;
  const int64_t day = day_of_year - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);

  std::string out = absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02d", year, month, day, rest / 3600,
                                    rest / 60 % 60, rest % 60);
  if (nanos != 0) {
    if (nanos % 1'000'000 == 0) {
      absl::StrAppendFormat(&out, ".%03d", nanos / 1'000'000);
    } else if (nanos % 1'000 == 0) {
      absl::StrAppendFormat(&out, ".%06d", nanos / 1'000);
    } else {
      absl::StrAppendFormat(&out, ".%09d", nanos);
    }
  }
  out += 'Z';
  return out;
}

}  // namespace tapio::domain
