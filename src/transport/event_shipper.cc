#include "transport/event_shipper.h"

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "tapio/v1/collector.grpc.pb.h"
#include "transport/channel_credentials.h"

namespace tapio::transport {

absl::StatusOr<std::unique_ptr<EventShipper>> EventShipper::Start(Options options) {
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      ClientCredentials(options.ca_file, options.cert_file, options.key_file);
  if (!credentials.ok()) return credentials.status();
  absl::StatusOr<BatchQueue> queue = BatchQueue::Create(options.queue);
  if (!queue.ok()) return queue.status();
  std::unique_ptr<EventShipper> shipper(
      new EventShipper(std::move(options), *std::move(queue), *std::move(credentials)));
  shipper->thread_ = std::thread([s = shipper.get()] { s->Run(); });
  return shipper;
}

EventShipper::EventShipper(Options options, BatchQueue queue,
                           std::shared_ptr<grpc::ChannelCredentials> credentials)
    : options_(std::move(options)),
      credentials_(std::move(credentials)),
      queue_(std::move(queue)),
      batch_events_(options_.batch_events),
      batch_delay_(options_.batch_delay) {
  absl::MutexLock lock(&mu_);
  NewPending();
}

void EventShipper::NewPending() {
  google::protobuf::ArenaOptions sizes;
  sizes.start_block_size = 16 << 10;
  sizes.max_block_size = 256 << 10;
  pending_arena_ = std::make_shared<google::protobuf::Arena>(sizes);
  pending_ = google::protobuf::Arena::CreateMessage<v1::EventBatch>(pending_arena_.get());
  pending_bytes_ = 0;
}

EventShipper::~EventShipper() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    CutBatch(/*force=*/true);
  }
  thread_.join();
}

void EventShipper::Submit(std::vector<v1::UnifiedEvent> events) {
  Submit(events.size(), [&](size_t i, v1::UnifiedEvent& out) { out = std::move(events[i]); });
}

void EventShipper::Submit(size_t count, absl::FunctionRef<void(size_t, v1::UnifiedEvent&)> fill) {
  absl::MutexLock lock(&mu_);
  counts_.seen += count;
  for (size_t i = 0; i < count; ++i) {
    if (pending_->events_size() == 0) pending_since_ = absl::Now();
    v1::UnifiedEvent& event = *pending_->add_events();
    fill(i, event);
    pending_bytes_ += event.ByteSizeLong();
    if (static_cast<size_t>(pending_->events_size()) >= batch_events_ ||
        pending_bytes_ >= options_.batch_bytes) {
      CutBatch(true);
    }
  }
  // At batch_delay's age a batch is cut here, not when the sending thread next wakes (which
  // may be up to a delay later).
  CutBatch(/*force=*/false);
}

void EventShipper::Finish() {
  absl::MutexLock lock(&mu_);
  pending_->set_final(true);
  CutBatch(/*force=*/true);
}

bool EventShipper::CutBatch(bool force) {
  const size_t n = static_cast<size_t>(pending_->events_size());
  if (n == 0 && !pending_->final()) return false;
  if (!force && n < batch_events_ && absl::Now() - pending_since_ < batch_delay_) {
    return false;
  }
  pending_->set_collector_id(options_.collector_id);
  if (!queue_.Push(std::shared_ptr<v1::EventBatch>(std::move(pending_arena_), pending_))) {
    counts_.dropped += n;
  }
  NewPending();
  return true;
}

void EventShipper::SetBatching(size_t events, absl::Duration delay) {
  absl::MutexLock lock(&mu_);
  batch_events_ = std::max<size_t>(1, events);
  batch_delay_ = delay;
}

bool EventShipper::Drain(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  CutBatch(/*force=*/true);
  auto empty = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return queue_.size() == 0 && pending_->events_size() == 0;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&empty), timeout);
}

EventShipper::Counts EventShipper::counts() const {
  absl::MutexLock lock(&mu_);
  Counts c = counts_;
  c.spilled_batches = queue_.counts().spilled;
  c.queued = queue_.memory_events() + static_cast<uint64_t>(pending_->events_size());
  return c;
}

void EventShipper::Run() {
  absl::Duration backoff = options_.first_backoff;
  for (bool first = true;; first = false) {
    uint64_t acked_before;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      if (!first) ++counts_.reconnects;
      acked_before = counts_.acked;
    }
    std::string why = Session();
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    counts_.last_error = why;
    // A stream that got work done earns a quick retry; one that did not, a longer wait.
    backoff = counts_.acked > acked_before ? options_.first_backoff
                                           : std::min(backoff * 2, options_.max_backoff);
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), backoff);
  }
}

std::string EventShipper::Session() {
  std::unique_ptr<v1::CollectorService::Stub> stub =
      v1::CollectorService::NewStub(grpc::CreateChannel(options_.target, credentials_));
  grpc::ClientContext context;
  if (!options_.token.empty()) context.AddMetadata("authorization", "Bearer " + options_.token);
  std::unique_ptr<grpc::ClientReaderWriter<v1::EventBatch, v1::BatchAck>> stream =
      stub->Stream(&context);

  bool broken = false;
  std::thread reader([&] {
    v1::BatchAck ack;
    while (stream->Read(&ack)) {
      absl::MutexLock lock(&mu_);
      counts_.acked += queue_.Ack(ack.sequence());
    }
    absl::MutexLock lock(&mu_);
    broken = true;
  });

  uint64_t last_sent = 0;
  while (true) {
    std::shared_ptr<const v1::EventBatch> next;
    {
      absl::MutexLock lock(&mu_);
      // The first batch not sent on this stream, when the window has room for it.
      auto sendable =
          [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> std::shared_ptr<const v1::EventBatch> {
        for (size_t i = 0; i < options_.window; ++i) {
          std::shared_ptr<const v1::EventBatch> b = queue_.At(i);
          if (b == nullptr) return nullptr;
          if (b->sequence() > last_sent) return b;
        }
        return nullptr;
      };
      auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || broken || sendable() != nullptr;
      };
      while (!ready()) {
        mu_.AwaitWithTimeout(absl::Condition(&ready), batch_delay_);
        CutBatch(/*force=*/false);
      }
      if (stopping_ || broken) break;
      next = sendable();
    }
    if (!stream->Write(*next)) break;
    last_sent = next->sequence();
    absl::MutexLock lock(&mu_);
    ++counts_.batches_sent;
  }
  {
    absl::MutexLock lock(&mu_);
    // Stopping: the reader may be waiting for acks that will not come.
    if (stopping_) context.TryCancel();
  }
  stream->WritesDone();
  reader.join();
  grpc::Status status = stream->Finish();
  return status.ok() ? "the server ended the stream"
                     : absl::StrCat(options_.target, ": ", status.error_message());
}

}  // namespace tapio::transport
