#include "transport/collector_control.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "transport/channel_credentials.h"

namespace tapio::transport {
namespace {

// Used until the server says how often.
constexpr absl::Duration kDefaultHeartbeat = absl::Seconds(10);

absl::Duration HeartbeatInterval(const v1::CollectorConfig& config) {
  int64_t ns = google::protobuf::util::TimeUtil::DurationToNanoseconds(config.heartbeat_interval());
  return ns > 0 ? absl::Nanoseconds(ns) : kDefaultHeartbeat;
}

}  // namespace

absl::StatusOr<std::unique_ptr<CollectorControl>> CollectorControl::Start(Options options,
                                                                          Figures figures,
                                                                          OnConfig on_config) {
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      ClientCredentials(options.ca_file, options.cert_file, options.key_file);
  if (!credentials.ok()) return credentials.status();
  std::shared_ptr<grpc::Channel> channel = grpc::CreateChannel(options.target, *credentials);
  std::unique_ptr<CollectorControl> control(new CollectorControl(
      std::move(options), std::move(figures), std::move(on_config), std::move(channel)));
  control->thread_ = std::thread([c = control.get()] { c->Run(); });
  return control;
}

CollectorControl::CollectorControl(Options options, Figures figures, OnConfig on_config,
                                   std::shared_ptr<grpc::Channel> channel)
    : options_(std::move(options)),
      figures_(std::move(figures)),
      on_config_(std::move(on_config)),
      stub_(v1::CollectorService::NewStub(std::move(channel))) {}

CollectorControl::~CollectorControl() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    if (open_stream_ != nullptr) open_stream_->TryCancel();
  }
  thread_.join();
}

v1::CollectorConfig CollectorControl::config() const {
  absl::MutexLock lock(&mu_);
  return config_;
}

std::string CollectorControl::last_error() const {
  absl::MutexLock lock(&mu_);
  return last_error_;
}

std::unique_ptr<grpc::ClientContext> CollectorControl::Context() const {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!options_.token.empty()) context->AddMetadata("authorization", "Bearer " + options_.token);
  return context;
}

void CollectorControl::Take(const v1::CollectorConfig& config) {
  {
    absl::MutexLock lock(&mu_);
    if (config.generation() == config_.generation()) return;
    config_ = config;
  }
  if (on_config_) on_config_(config);
}

void CollectorControl::Run() {
  absl::Duration backoff = options_.first_backoff;
  while (true) {
    std::string why = Session();
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    last_error_ = why;
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), backoff);
    if (stopping_) return;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

std::string CollectorControl::Session() {
  v1::CollectorConfig registered;
  grpc::Status status = stub_->Register(Context().get(), options_.registration, &registered);
  if (!status.ok()) return absl::StrCat("registering: ", status.error_message());
  Take(registered);
  std::unique_ptr<grpc::ClientContext> context = Context();
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return "stopping";
    last_error_.clear();
    open_stream_ = context.get();
  }
  auto stream = stub_->Heartbeat(context.get());
  bool broken = false;
  std::thread reader([&] {
    v1::CollectorConfig pushed;
    while (stream->Read(&pushed)) Take(pushed);
    absl::MutexLock lock(&mu_);
    broken = true;
  });
  while (true) {
    v1::CollectorHeartbeat beat = figures_ ? figures_() : v1::CollectorHeartbeat();
    beat.set_collector_id(options_.registration.collector_id());
    absl::Duration interval;
    {
      absl::MutexLock lock(&mu_);
      beat.set_config_generation(config_.generation());
      interval = HeartbeatInterval(config_);
    }
    if (!stream->Write(beat)) break;
    absl::MutexLock lock(&mu_);
    auto done = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || broken; };
    if (mu_.AwaitWithTimeout(absl::Condition(&done), interval)) break;
  }
  stream->WritesDone();
  {
    absl::MutexLock lock(&mu_);
    if (!broken) open_stream_->TryCancel();
  }
  reader.join();
  grpc::Status ended = stream->Finish();
  absl::MutexLock lock(&mu_);
  open_stream_ = nullptr;
  if (stopping_) return "stopping";
  return ended.ok() ? "the server ended the heartbeat stream"
                    : absl::StrCat("heartbeat: ", ended.error_message());
}

}  // namespace tapio::transport
