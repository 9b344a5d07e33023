// Test support: an in-test receiver of CollectorService.Stream and the gRPC server that
// carries it on 127.0.0.1, for the tests of what ships events to a server. Test code only.
#ifndef TAPIO_TRANSPORT_TESTING_COLLECTOR_RECEIVER_H_
#define TAPIO_TRANSPORT_TESTING_COLLECTOR_RECEIVER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "tapio/v1/collector.grpc.pb.h"

namespace tapio::transport::testing {

// The server side of CollectorService as tests need it: it checks the token ("s3cret"),
// keeps what it receives and acknowledges the first `ack_limit` batches of each stream.
class Receiver final : public v1::CollectorService::Service {
 public:
  explicit Receiver(size_t ack_limit = SIZE_MAX) : ack_limit_(ack_limit) {}

  grpc::Status Stream(grpc::ServerContext* context,
                      grpc::ServerReaderWriter<v1::BatchAck, v1::EventBatch>* stream) override {
    auto token = context->client_metadata().find("authorization");
    if (token == context->client_metadata().end() || token->second != "Bearer s3cret") {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "bad token");
    }
    v1::EventBatch batch;
    size_t acked = 0;
    while (stream->Read(&batch)) {
      {
        absl::MutexLock lock(&mu_);
        ++batches_;
        for (const v1::UnifiedEvent& e : batch.events()) {
          ids_.push_back(e.id());
          events_.push_back(e);
        }
      }
      if (acked < ack_limit_) {
        v1::BatchAck ack;
        ack.set_sequence(batch.sequence());
        stream->Write(ack);
        ++acked;
      }
    }
    return grpc::Status::OK;
  }

  std::vector<uint64_t> ids() const {
    absl::MutexLock lock(&mu_);
    return ids_;
  }
  std::vector<v1::UnifiedEvent> events() const {
    absl::MutexLock lock(&mu_);
    return events_;
  }
  size_t batches() const {
    absl::MutexLock lock(&mu_);
    return batches_;
  }

 private:
  const size_t ack_limit_;
  mutable absl::Mutex mu_;
  std::vector<uint64_t> ids_;
  std::vector<v1::UnifiedEvent> events_;
  size_t batches_ = 0;
};

// A gRPC server for `receiver` on 127.0.0.1: on `port`, or on a free one when it is 0.
class CollectorServer {
 public:
  explicit CollectorServer(Receiver* receiver, int port = 0) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort(absl::StrCat("127.0.0.1:", port), grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(receiver);
    server_ = builder.BuildAndStart();
  }
  ~CollectorServer() { server_->Shutdown(std::chrono::system_clock::now()); }
  int port() const { return port_; }

 private:
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace tapio::transport::testing

#endif  // TAPIO_TRANSPORT_TESTING_COLLECTOR_RECEIVER_H_
