// Time as Tapio carries it: int64 nanoseconds since the Unix epoch (UTC), parsed from the
// formats sources print. Pure functions; thread-safe.
#ifndef TAPIO_DOMAIN_TIME_H_
#define TAPIO_DOMAIN_TIME_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tapio::domain {

inline constexpr int64_t kNanosPerSecond = 1'000'000'000;

// Parses an RFC 3339 timestamp as Kubernetes, OTLP/JSON and etcd print it:
// "2026-03-01T10:15:00Z", "2026-03-01T10:15:00.123456Z", "2026-03-01T12:15:00.5+02:00".
// Accepts 't'/'z' in lower case and 1 to 9 fraction digits; a leap second (":60") is read as
// the next second. Fails with InvalidArgument naming the offset of the first bad character,
// and OutOfRange outside the years 1678 to 2261 (what int64 nanoseconds can hold).
absl::StatusOr<int64_t> ParseRfc3339Nanos(absl::string_view text);

// Parses a line prefix as `dmesg --time-format=iso` prints it:
// "2026-11-22T16:31:34,632565+00:00" (a comma before the fraction, always a numeric offset).
// Same errors as ParseRfc3339Nanos.
absl::StatusOr<int64_t> ParseDmesgIsoNanos(absl::string_view text);

// Formats as RFC 3339 in UTC with as many fraction digits as needed (none, 3, 6 or 9):
// "2026-03-01T10:15:00Z", "2026-03-01T10:15:00.120Z".
std::string FormatRfc3339Nanos(int64_t unix_nanos);

// Converts a civil UTC date and time to Unix seconds (proleptic Gregorian calendar).
int64_t CivilToUnixSeconds(int64_t year, int month, int day, int hour, int minute, int second);

}  // namespace tapio::domain

#endif  // TAPIO_DOMAIN_TIME_H_
