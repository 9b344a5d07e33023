// Test and benchmark support: ports on 127.0.0.1 that nothing listens on, and connections
// to them that the kernel refuses, one at a time or at a steady rate.
#ifndef TAPIO_TESTS_SUPPORT_LOOPBACK_H_
#define TAPIO_TESTS_SUPPORT_LOOPBACK_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace tapio::testing {

inline sockaddr_in Loopback(uint16_t port) {
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// A port on 127.0.0.1 nothing listens on: bound by the kernel's choice, then closed.
inline uint16_t ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address = Loopback(0);
  socklen_t length = sizeof(address);
  uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

// Connects to `port` on 127.0.0.1; true when the kernel refused.
inline bool RefuseOnce(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address = Loopback(port);
  bool refused = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 &&
                 errno == ECONNREFUSED;
  close(fd);
  return refused;
}

// Connects to `port` `count` times, the i-th `i * interval_ns` after the first on an
// absolute schedule (CLOCK_MONOTONIC; 0: back to back); returns how many were refused.
inline int64_t RefusePaced(uint16_t port, int64_t count, int64_t interval_ns) {
  constexpr int64_t kNanosPerSecond = 1'000'000'000;
  timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  const int64_t start_ns = int64_t{start.tv_sec} * kNanosPerSecond + start.tv_nsec;
  int64_t refused = 0;
  for (int64_t i = 0; i < count; ++i) {
    if (interval_ns > 0) {
      const int64_t due = start_ns + i * interval_ns;
      timespec at = {static_cast<time_t>(due / kNanosPerSecond), due % kNanosPerSecond};
      while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, nullptr) == EINTR) {
      }
    }
    refused += RefuseOnce(port) ? 1 : 0;
  }
  return refused;
}

}  // namespace tapio::testing

#endif  // TAPIO_TESTS_SUPPORT_LOOPBACK_H_
