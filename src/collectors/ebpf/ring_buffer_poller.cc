#include "collectors/ebpf/ring_buffer_poller.h"

#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "collectors/ebpf/internal/libbpf_error.h"

namespace tapio::collectors::ebpf {

RingBufferPoller::~RingBufferPoller() {
  if (rings_ != nullptr) ring_buffer__free(rings_);
}

int RingBufferPoller::OnRecord(void* context, void* data, size_t size) {
  (*static_cast<Handler*>(context))(
      absl::Span<const uint8_t>(static_cast<const uint8_t*>(data), size));
  return 0;
}

absl::Status RingBufferPoller::Add(absl::string_view program, int map_fd, Handler handler) {
  auto owned = std::make_unique<Handler>(std::move(handler));
  internal::BeginLibbpfCall();
  if (rings_ == nullptr) {
    rings_ = ring_buffer__new(map_fd, &RingBufferPoller::OnRecord, owned.get(), nullptr);
    if (rings_ == nullptr) {
      return internal::LibbpfError("watching the ring buffer of", program, -errno);
    }
  } else if (int error = ring_buffer__add(rings_, map_fd, &RingBufferPoller::OnRecord, owned.get());
             error != 0) {
    return internal::LibbpfError("watching the ring buffer of", program, error);
  }
  handlers_.push_back(std::move(owned));
  return absl::OkStatus();
}

absl::StatusOr<int> RingBufferPoller::Poll(absl::Duration timeout) {
  if (rings_ == nullptr) return absl::FailedPreconditionError("no ring buffer to poll");
  int64_t millis =
      std::clamp<int64_t>(absl::ToInt64Milliseconds(timeout), 0, std::numeric_limits<int>::max());
  int handled = ring_buffer__poll(rings_, static_cast<int>(millis));
  if (handled == -EINTR) return 0;
  if (handled < 0) {
    return absl::InternalError(absl::StrCat("polling ring buffers: ", std::strerror(-handled)));
  }
  return handled;
}

absl::StatusOr<int> RingBufferPoller::Drain() {
  if (rings_ == nullptr) return absl::FailedPreconditionError("no ring buffer to drain");
  int handled = ring_buffer__consume(rings_);
  if (handled < 0) {
    return absl::InternalError(absl::StrCat("draining ring buffers: ", std::strerror(-handled)));
  }
  return handled;
}

int RingBufferPoller::epoll_fd() const {
  return rings_ == nullptr ? -1 : ring_buffer__epoll_fd(rings_);
}

}  // namespace tapio::collectors::ebpf
