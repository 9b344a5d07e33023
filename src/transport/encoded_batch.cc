#include "transport/encoded_batch.h"

#include <utility>

#include "absl/status/status.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"

namespace tapio::transport {
namespace {

using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedOutputStream;

}  // namespace

absl::StatusOr<EncodedBatch> EncodedBatch::FromWire(std::string wire) {
  v1::EventBatch parsed;
  if (!parsed.ParseFromString(wire)) return absl::DataLossError("not an EventBatch");
  EncodedBatch batch;
  batch.wire_ = std::move(wire);
  batch.events_ = static_cast<size_t>(parsed.events_size());
  batch.sequence_ = parsed.sequence();
  return batch;
}

void EncodedBatch::Add(absl::string_view event) {
  const uint32_t tag = WireFormatLite::MakeTag(v1::EventBatch::kEventsFieldNumber,
                                               WireFormatLite::WIRETYPE_LENGTH_DELIMITED);
  uint8_t prefix[16];
  uint8_t* end = CodedOutputStream::WriteVarint32ToArray(tag, prefix);
  end = CodedOutputStream::WriteVarint64ToArray(event.size(), end);
  wire_.append(reinterpret_cast<const char*>(prefix), static_cast<size_t>(end - prefix));
  wire_.append(event.data(), event.size());
  ++events_;
}

void EncodedBatch::Close(absl::string_view collector_id, bool final) {
  v1::EventBatch fields;
  fields.set_collector_id(std::string(collector_id));
  fields.set_final(final);
  fields.AppendToString(&wire_);
}

void EncodedBatch::Number(uint64_t sequence) {
  v1::EventBatch fields;
  fields.set_sequence(sequence);
  fields.AppendToString(&wire_);
  sequence_ = sequence;
}

v1::EventBatch EncodedBatch::Decode() const {
  v1::EventBatch batch;
  batch.ParseFromString(wire_);
  return batch;
}

}  // namespace tapio::transport
