// A collector's side of CollectorService.Register and Heartbeat: registers, then holds a
// heartbeat stream open, sending the collector's figures every heartbeat interval and handing
// each configuration the server pushes to `on_config`. When the stream breaks (the server
// restarted, say) it registers again, with exponential back-off. Thread-safe: one thread of
// its own does the calling.
#ifndef TAPIO_TRANSPORT_COLLECTOR_CONTROL_H_
#define TAPIO_TRANSPORT_COLLECTOR_CONTROL_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "tapio/v1/collector.grpc.pb.h"

namespace tapio::transport {

class CollectorControl {
 public:
  struct Options {
    // host:port of the server, and how to reach it, as EventShipper::Options.
    std::string target;
    std::string token;
    std::string ca_file;
    std::string cert_file;
    std::string key_file;
    tapio::v1::Registration registration;
    absl::Duration first_backoff = absl::Milliseconds(100);
    absl::Duration max_backoff = absl::Seconds(10);
  };
  // The collector's own figures for the next heartbeat; the id and generation are filled in.
  using Figures = std::function<tapio::v1::CollectorHeartbeat()>;
  // Called on the control thread with each configuration newer than the last.
  using OnConfig = std::function<void(const tapio::v1::CollectorConfig&)>;

  // Fails when the TLS files cannot be read.
  static absl::StatusOr<std::unique_ptr<CollectorControl>> Start(Options options, Figures figures,
                                                                 OnConfig on_config);
  ~CollectorControl();

  // The configuration in force: generation 0 until the server has given one.
  tapio::v1::CollectorConfig config() const;
  // Why the last call to the server failed; empty while all is well.
  std::string last_error() const;

 private:
  CollectorControl(Options options, Figures figures, OnConfig on_config,
                   std::shared_ptr<grpc::Channel> channel);
  void Run();
  // Register, then one heartbeat stream until it breaks; returns why it broke.
  std::string Session();
  void Take(const tapio::v1::CollectorConfig& config);
  std::unique_ptr<grpc::ClientContext> Context() const;

  const Options options_;
  const Figures figures_;
  const OnConfig on_config_;
  const std::unique_ptr<tapio::v1::CollectorService::Stub> stub_;
  mutable absl::Mutex mu_;
  tapio::v1::CollectorConfig config_ ABSL_GUARDED_BY(mu_);
  std::string last_error_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* open_stream_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::thread thread_;
};

}  // namespace tapio::transport

#endif  // TAPIO_TRANSPORT_COLLECTOR_CONTROL_H_
