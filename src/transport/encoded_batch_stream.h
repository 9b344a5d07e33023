// CollectorService.Stream with batches written as the bytes an EncodedBatch already holds, so
// that gRPC neither serializes a message nor copies the bytes; acknowledgements come back as
// BatchAck messages. It is the call the generated stub makes (same method, same factory) with
// another type written: the server sees an ordinary EventBatch stream.
#ifndef TAPIO_TRANSPORT_ENCODED_BATCH_STREAM_H_
#define TAPIO_TRANSPORT_ENCODED_BATCH_STREAM_H_

#include <memory>

#include "grpcpp/grpcpp.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/sync_stream.h"
#include "tapio/v1/collector.pb.h"
#include "transport/encoded_batch.h"

namespace tapio::transport {

using EncodedBatchStream = grpc::ClientReaderWriter<grpc::ByteBuffer, tapio::v1::BatchAck>;

// Opens the stream on `channel`. `context` must outlive it.
std::unique_ptr<EncodedBatchStream> OpenEncodedBatchStream(grpc::ChannelInterface& channel,
                                                           grpc::ClientContext* context);

// The batch's bytes, as a buffer that keeps the batch alive for as long as gRPC holds them.
grpc::ByteBuffer WireOf(std::shared_ptr<const EncodedBatch> batch);

}  // namespace tapio::transport

#endif  // TAPIO_TRANSPORT_ENCODED_BATCH_STREAM_H_
