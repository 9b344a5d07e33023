#include "collectors/kmsg/kmsg_device.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "absl/strings/str_cat.h"
#include "collectors/kmsg/kmsg_record.h"

namespace tapio::collectors::kmsg {
namespace {

int64_t Nanos(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

}  // namespace

int64_t KmsgBootTimeNanos() { return Nanos(CLOCK_REALTIME) - Nanos(CLOCK_MONOTONIC); }

absl::StatusOr<std::unique_ptr<KmsgDevice>> KmsgDevice::Open(Options options, KmsgParser& parser) {
  int fd = open(options.path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    int error = errno;
    std::string what = absl::StrCat(options.path, ": ", std::strerror(error));
    if (error == ENOENT) return absl::NotFoundError(what);
    if (error == EPERM || error == EACCES) return absl::PermissionDeniedError(what);
    return absl::UnavailableError(what);
  }
  if (!options.from_start && lseek(fd, 0, SEEK_END) < 0) {
    std::string what = absl::StrCat(options.path, ": seeking to the end: ", std::strerror(errno));
    close(fd);
    return absl::UnavailableError(what);
  }
  return std::unique_ptr<KmsgDevice>(new KmsgDevice(options.path, fd, parser));
}

KmsgDevice::KmsgDevice(std::string path, int fd, KmsgParser& parser)
    : path_(std::move(path)), fd_(fd), parser_(parser), buffer_(kMaxLineBytes + 1) {}

KmsgDevice::~KmsgDevice() { close(fd_); }

absl::Status KmsgDevice::Poll(absl::Duration timeout, std::vector<domain::Event>* out) {
  pollfd p{fd_, POLLIN, 0};
  int ready = poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  if (ready < 0 && errno != EINTR) {
    return absl::DataLossError(absl::StrCat(path_, ": poll: ", std::strerror(errno)));
  }
  while (true) {
    ssize_t n = read(fd_, buffer_.data(), buffer_.size());
    if (n > 0) {
      ++counts_.records;
      // A bad record is counted by the parser; the stream goes on.
      parser_.ParseKmsgRecord(absl::string_view(buffer_.data(), static_cast<size_t>(n)), out)
          .IgnoreError();
      continue;
    }
    if (n < 0 && errno == EPIPE) {
      ++counts_.lost;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 || errno == EAGAIN) return absl::OkStatus();
    return absl::DataLossError(absl::StrCat(path_, ": read: ", std::strerror(errno)));
  }
}

}  // namespace tapio::collectors::kmsg
