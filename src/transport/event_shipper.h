// Ships a collector's events to a server over CollectorService.Stream: events are cut into
// batches (by count, by size or by age), sent ahead of their acknowledgements up to a window, and
// kept in a BatchQueue until the server acknowledges them; when the stream breaks, the
// shipper reconnects with exponential back-off and re-sends every batch not acknowledged.
// A bearer token travels in the `authorization` metadata; TLS is used when a CA is given.
// Thread-safe: Submit from any thread; one thread of its own does the sending.
#ifndef TAPIO_TRANSPORT_EVENT_SHIPPER_H_
#define TAPIO_TRANSPORT_EVENT_SHIPPER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/security/credentials.h"
#include "tapio/v1/event.pb.h"
#include "transport/batch_queue.h"
#include "transport/encoded_batch.h"

namespace tapio::transport {

class EventShipper {
 public:
  struct Options {
    // host:port of the server.
    std::string target;
    std::string collector_id;
    // Sent as "authorization: Bearer <token>" when not empty.
    std::string token;
    // PEM file of the CA that signed the server's certificate; empty: plaintext.
    std::string ca_file;
    // This collector's certificate and key (PEM), for a server that asks for one.
    std::string cert_file;
    std::string key_file;
    size_t batch_events = 5000;
    // A batch is also cut once its events reach this many bytes on the wire (the event that
    // crosses it is the last), so that it stays under the server's message limit: gRPC's
    // default is 4 MiB, tapio serve takes 16.
    size_t batch_bytes = 3 << 20;
    absl::Duration batch_delay = absl::Milliseconds(200);
    // Batches sent and not yet acknowledged, at most.
    size_t window = 8;
    absl::Duration first_backoff = absl::Milliseconds(100);
    absl::Duration max_backoff = absl::Seconds(10);
    BatchQueue::Options queue;
  };

  struct Counts {
    // Events given to Submit, acknowledged by the server, and dropped (memory and disk full).
    uint64_t seen = 0;
    uint64_t acked = 0;
    uint64_t dropped = 0;
    uint64_t spilled_batches = 0;
    uint64_t batches_sent = 0;
    // Streams opened after the first, and the last reason one broke.
    uint64_t reconnects = 0;
    std::string last_error;
    // Events not yet acknowledged.
    uint64_t queued = 0;
  };

  // Starts the sending thread; the first connection is tried at once. Fails when the spill
  // directory or the CA file cannot be read.
  static absl::StatusOr<std::unique_ptr<EventShipper>> Start(Options options);
  // Stops sending; what is not acknowledged stays in the spill directory when there is one.
  ~EventShipper();

  void Submit(const std::vector<tapio::v1::UnifiedEvent>& events);
  // Appends `count` events that `encode(i, out)` appends to `*out` (empty) as a serialized
  // UnifiedEvent: domain::AppendWire, or a message's AppendToString. `encode` runs under the
  // shipper's lock.
  void Submit(size_t count, absl::FunctionRef<void(size_t, std::string*)> encode);
  // Says that what was submitted so far is all there is (the end of a replay): the batch that
  // carries the last of it is marked final.
  void Finish();
  // Cuts batches at `events` events or at `delay`'s age from now on, as the server asks.
  void SetBatching(size_t events, absl::Duration delay);
  // Waits up to `timeout` for every event submitted so far to be acknowledged.
  bool Drain(absl::Duration timeout);
  Counts counts() const;

 private:
  EventShipper(Options options, BatchQueue queue,
               std::shared_ptr<grpc::ChannelCredentials> credentials);
  void Run();
  // Cuts the pending events into a batch when it is full or old enough; true when it did.
  bool CutBatch(bool force) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // One stream, from connect to break; returns why it broke.
  std::string Session();

  const Options options_;
  const std::shared_ptr<grpc::ChannelCredentials> credentials_;
  mutable absl::Mutex mu_;
  BatchQueue queue_ ABSL_GUARDED_BY(mu_);
  // The batch being filled, and whether it is the last.
  EncodedBatch pending_ ABSL_GUARDED_BY(mu_);
  bool pending_final_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time pending_since_ ABSL_GUARDED_BY(mu_);
  // Where Submit encodes each event before it joins the pending batch.
  std::string scratch_ ABSL_GUARDED_BY(mu_);
  size_t batch_events_ ABSL_GUARDED_BY(mu_);
  absl::Duration batch_delay_ ABSL_GUARDED_BY(mu_);
  Counts counts_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace tapio::transport

#endif  // TAPIO_TRANSPORT_EVENT_SHIPPER_H_
