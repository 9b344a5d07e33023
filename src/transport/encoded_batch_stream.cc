#include "transport/encoded_batch_stream.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "tapio/v1/collector.grpc.pb.h"

namespace tapio::transport {

std::unique_ptr<EncodedBatchStream> OpenEncodedBatchStream(grpc::ChannelInterface& channel,
                                                           grpc::ClientContext* context) {
  static const std::string* const kMethod =
      new std::string(absl::StrCat("/", v1::CollectorService::service_full_name(), "/Stream"));
  const grpc::internal::RpcMethod method(kMethod->c_str(),
                                         grpc::internal::RpcMethod::BIDI_STREAMING);
  return std::unique_ptr<EncodedBatchStream>(
      grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, v1::BatchAck>::Create(
          &channel, method, context));
}

grpc::ByteBuffer WireOf(std::shared_ptr<const EncodedBatch> batch) {
  const std::string& wire = batch->wire();
  auto* owner = new std::shared_ptr<const EncodedBatch>(std::move(batch));
  grpc::Slice slice(
      const_cast<char*>(wire.data()), wire.size(),
      [](void* p) { delete static_cast<std::shared_ptr<const EncodedBatch>*>(p); }, owner);
  return grpc::ByteBuffer(&slice, 1);
}

}  // namespace tapio::transport
