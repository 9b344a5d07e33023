#include "collectors/kubeapi/quantity.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace tapio::collectors::kubeapi {
namespace {

struct Suffix {
  absl::string_view text;
  long double factor;
};

// Binary suffixes first: "Mi" must not be read as "M".
constexpr Suffix kSuffixes[] = {
    {"Ki", 1024.0L},
    {"Mi", 1048576.0L},
    {"Gi", 1073741824.0L},
    {"Ti", 1099511627776.0L},
    {"Pi", 1125899906842624.0L},
    {"Ei", 1152921504606846976.0L},
    {"n", 1e-9L},
    {"u", 1e-6L},
    {"m", 1e-3L},
    {"k", 1e3L},
    {"M", 1e6L},
    {"G", 1e9L},
    {"T", 1e12L},
    {"P", 1e15L},
    {"E", 1e18L},
};

}  // namespace

absl::StatusOr<int64_t> ParseQuantity(absl::string_view text, int64_t scale) {
  auto bad = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text.substr(0, 64), "\" is not a quantity (e.g. 256Mi, 1.5G, 200m)"));
  };
  size_t end = 0;
  while (end < text.size() && (absl::ascii_isdigit(text[end]) || text[end] == '.' ||
                               ((text[end] == '+' || text[end] == '-') && end == 0))) {
    ++end;
  }
  if (end == 0) return bad();
  double number;
  if (!absl::SimpleAtod(text.substr(0, end), &number)) return bad();
  absl::string_view suffix = text.substr(end);
  long double factor = 1.0L;
  if (!suffix.empty()) {
    bool found = false;
    if (suffix[0] == 'e' || suffix[0] == 'E') {
      int exponent;
      if (suffix.size() > 1 && absl::SimpleAtoi(suffix.substr(1), &exponent) && exponent >= -18 &&
          exponent <= 18) {
        factor = std::pow(10.0L, exponent);
        found = true;
      }
    }
    for (const Suffix& s : kSuffixes) {
      if (!found && suffix == s.text) {
        factor = s.factor;
        found = true;
      }
    }
    if (!found) return bad();
  }
  // Kubernetes rounds fractions up; the small tolerance keeps 0.1 * 1000 from becoming 101.
  long double value = std::ceil(static_cast<long double>(number) * factor * scale - 1e-6L);
  if (value > 9.2e18L || value < -9.2e18L) {
    return absl::OutOfRangeError(
        absl::StrCat("quantity \"", text.substr(0, 64), "\" is too large"));
  }
  return static_cast<int64_t>(value);
}

}  // namespace tapio::collectors::kubeapi
