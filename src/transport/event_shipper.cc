#include "transport/event_shipper.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "transport/channel_credentials.h"
#include "transport/encoded_batch_stream.h"

namespace tapio::transport {
namespace {

constexpr size_t kKeptEventBytes = 64 << 10;

}  // namespace

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
      batch_delay_(options_.batch_delay) {}

EventShipper::~EventShipper() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    CutBatch(/*force=*/true);
  }
  thread_.join();
}

void EventShipper::Submit(const std::vector<v1::UnifiedEvent>& events) {
  Submit(events.size(), [&](size_t i, std::string* out) { events[i].AppendToString(out); });
}

void EventShipper::Submit(size_t count, absl::FunctionRef<void(size_t, std::string*)> encode) {
  absl::MutexLock lock(&mu_);
  counts_.seen += count;
  for (size_t i = 0; i < count; ++i) {
    if (pending_.events() == 0) pending_since_ = absl::Now();
    scratch_.clear();
    encode(i, &scratch_);
    pending_.Add(scratch_);
    // A large event's buffer is not kept for the next one.
    if (scratch_.size() > kKeptEventBytes) std::string().swap(scratch_);
    if (pending_.events() >= batch_events_ || pending_.wire().size() >= options_.batch_bytes) {
      CutBatch(true);
    }
  }
  // At batch_delay's age a batch is cut here, not when the sending thread next wakes (which
  // may be up to a delay later).
  CutBatch(/*force=*/false);
}

void EventShipper::Finish() {
  absl::MutexLock lock(&mu_);
  pending_final_ = true;
  CutBatch(/*force=*/true);
}

bool EventShipper::CutBatch(bool force) {
  const size_t n = pending_.events();
  if (n == 0 && !pending_final_) return false;
  if (!force && n < batch_events_ && absl::Now() - pending_since_ < batch_delay_) {
    return false;
  }
  pending_.Close(options_.collector_id, pending_final_);
  const size_t bytes = pending_.wire().size();
  if (!queue_.Push(std::move(pending_))) counts_.dropped += n;
  pending_ = EncodedBatch();
  // The next batch is likely as large as this one.
  pending_.Reserve(std::min(bytes, options_.batch_bytes));
  pending_final_ = false;
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
    return queue_.size() == 0 && pending_.events() == 0;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&empty), timeout);
}

EventShipper::Counts EventShipper::counts() const {
  absl::MutexLock lock(&mu_);
  Counts c = counts_;
  c.spilled_batches = queue_.counts().spilled;
  c.queued = queue_.memory_events() + static_cast<uint64_t>(pending_.events());
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
  grpc::ClientContext context;
  if (!options_.token.empty()) context.AddMetadata("authorization", "Bearer " + options_.token);
  std::shared_ptr<grpc::Channel> channel = grpc::CreateChannel(options_.target, credentials_);
  std::unique_ptr<EncodedBatchStream> stream = OpenEncodedBatchStream(*channel, &context);

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
    std::shared_ptr<const EncodedBatch> next;
    {
      absl::MutexLock lock(&mu_);
      // The first batch not sent on this stream, when the window has room for it.
      auto sendable =
          [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> std::shared_ptr<const EncodedBatch> {
        for (size_t i = 0; i < options_.window; ++i) {
          std::shared_ptr<const EncodedBatch> b = queue_.At(i);
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
    const uint64_t sequence = next->sequence();
    if (!stream->Write(WireOf(std::move(next)))) break;
    last_sent = sequence;
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
