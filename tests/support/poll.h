// Waiting in tests for something another thread makes true: poll with a deadline, never sleep
// a guessed amount.
#ifndef TAPIO_TESTS_SUPPORT_POLL_H_
#define TAPIO_TESTS_SUPPORT_POLL_H_

#include <chrono>
#include <functional>
#include <thread>

namespace tapio::testing {

// Returns true as soon as `condition` holds, false when `timeout` passes first.
inline bool PollUntil(const std::function<bool()>& condition,
                      std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return true;
}

}  // namespace tapio::testing

#endif  // TAPIO_TESTS_SUPPORT_POLL_H_
