// An EventBatch in its wire form, built an event at a time: each event is serialized once, as
// it is added, and the batch is then queued, sent and spilled as those bytes, so that neither
// the sending thread nor the acknowledgement builds, measures or frees a message per event.
// Fields are appended in any order, as the protobuf wire format allows; the last of a field
// wins. Thread-compatible.
#ifndef TAPIO_TRANSPORT_ENCODED_BATCH_H_
#define TAPIO_TRANSPORT_ENCODED_BATCH_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tapio/v1/collector.pb.h"

namespace tapio::transport {

class EncodedBatch {
 public:
  EncodedBatch() = default;

  // Reads a batch spilled earlier, so that it goes out again as the same bytes. Fails when
  // `wire` is not an EventBatch (a file cut short).
  static absl::StatusOr<EncodedBatch> FromWire(std::string wire);

  // Appends a serialized UnifiedEvent as the next element of `events`.
  void Add(absl::string_view event);
  // Appends the collector's id and, when `final`, the final mark.
  void Close(absl::string_view collector_id, bool final);
  // Appends the sequence number the queue gives the batch.
  void Number(uint64_t sequence);

  // Keeps room for `bytes` so that filling the batch does not move it again and again.
  void Reserve(size_t bytes) { wire_.reserve(bytes); }

  size_t events() const { return events_; }
  uint64_t sequence() const { return sequence_; }
  // The serialized EventBatch.
  const std::string& wire() const { return wire_; }
  // The batch as a message, for reading it back in tests.
  tapio::v1::EventBatch Decode() const;

 private:
  std::string wire_;
  size_t events_ = 0;
  uint64_t sequence_ = 0;
};

}  // namespace tapio::transport

#endif  // TAPIO_TRANSPORT_ENCODED_BATCH_H_
