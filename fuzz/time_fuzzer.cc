// Feeds arbitrary bytes to the timestamp parsers; what one accepts must agree with abseil's
// RFC 3339 parser and survive formatting and parsing again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/time/time.h"
#include "domain/time.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto nanos = tapio::domain::ParseRfc3339Nanos(text);
  if (nanos.ok()) {
    absl::Time reference;
    std::string error;
    if (absl::ParseTime(absl::RFC3339_full, text, &reference, &error) &&
        absl::ToUnixNanos(reference) != *nanos) {
      std::abort();
    }
    auto again = tapio::domain::ParseRfc3339Nanos(tapio::domain::FormatRfc3339Nanos(*nanos));
    if (!again.ok() || *again != *nanos) std::abort();
  }
  (void)tapio::domain::ParseDmesgIsoNanos(text);
  return 0;
}
