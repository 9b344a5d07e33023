// Waits on several BPF ring buffers at once and hands each record to the handler of the ring
// it came from. Owns the libbpf ring_buffer (and its epoll descriptor), not the maps. Not
// thread-safe: one thread adds rings and polls.
#ifndef TAPIO_COLLECTORS_EBPF_RING_BUFFER_POLLER_H_
#define TAPIO_COLLECTORS_EBPF_RING_BUFFER_POLLER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

struct ring_buffer;

namespace tapio::collectors::ebpf {

class RingBufferPoller {
 public:
  // Called with one record, valid only during the call.
  using Handler = std::function<void(absl::Span<const uint8_t>)>;

  RingBufferPoller() = default;
  RingBufferPoller(const RingBufferPoller&) = delete;
  RingBufferPoller& operator=(const RingBufferPoller&) = delete;
  ~RingBufferPoller();

  // Adds the ring buffer map `map_fd` of `program` (named in errors). The map must outlive
  // the poller. Errors as internal/libbpf_error.h ("watching bpf/oom.bpf.c ring buffer: …").
  absl::Status Add(absl::string_view program, int map_fd, Handler handler);

  // Waits up to `timeout` for a record, then handles every record available. Returns how
  // many were handled (0 on timeout or when interrupted by a signal). Fails with Internal
  // when epoll fails, FailedPrecondition when no ring was added.
  absl::StatusOr<int> Poll(absl::Duration timeout);

  // Handles the records available now, without waiting. Returns how many.
  absl::StatusOr<int> Drain();

  // The epoll descriptor that becomes readable when a record waits, for an outer event
  // loop; -1 before the first Add. Owned by the poller.
  int epoll_fd() const;

 private:
  static int OnRecord(void* context, void* data, size_t size);

  ring_buffer* rings_ = nullptr;
  // Stable addresses: libbpf keeps a pointer to each as its callback context.
  std::vector<std::unique_ptr<Handler>> handlers_;
};

}  // namespace tapio::collectors::ebpf

#endif  // TAPIO_COLLECTORS_EBPF_RING_BUFFER_POLLER_H_
