// Whether the tests run in CI (CI=true), where tests that need root or a real server must
// run, and fail rather than skip when they cannot.
#ifndef TAPIO_TESTS_SUPPORT_CI_H_
#define TAPIO_TESTS_SUPPORT_CI_H_

#include <cstdlib>
#include <string_view>

namespace tapio::testing {

inline bool InCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string_view(ci) == "true";
}

}  // namespace tapio::testing

#endif  // TAPIO_TESTS_SUPPORT_CI_H_
