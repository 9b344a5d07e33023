#include "transport/batch_queue.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tapio::transport {
namespace {

namespace fs = std::filesystem;

constexpr char kSuffix[] = ".batch";

}  // namespace

absl::StatusOr<BatchQueue> BatchQueue::Create(Options options) {
  BatchQueue queue(std::move(options));
  const std::string& dir = queue.options_.spill_dir;
  if (dir.empty()) return queue;
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) return absl::UnavailableError(absl::StrCat(dir, ": ", error.message()));
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    std::string name = entry.path().filename().string();
    uint64_t sequence = 0;
    if (entry.path().extension() != kSuffix ||
        !absl::SimpleAtoi(name.substr(0, name.size() - sizeof kSuffix + 1), &sequence)) {
      continue;
    }
    uint64_t bytes = entry.file_size(error);
    queue.spilled_.push_back({sequence, entry.path().string(), error ? 0 : bytes});
    queue.spill_bytes_ += error ? 0 : bytes;
  }
  if (error) return absl::UnavailableError(absl::StrCat(dir, ": ", error.message()));
  std::sort(queue.spilled_.begin(), queue.spilled_.end(),
            [](const SpilledBatch& a, const SpilledBatch& b) { return a.sequence < b.sequence; });
  if (!queue.spilled_.empty()) queue.next_sequence_ = queue.spilled_.back().sequence + 1;
  while (queue.memory_events_ < queue.options_.memory_events && queue.Unspill()) {
  }
  return queue;
}

bool BatchQueue::Push(EncodedBatch batch) {
  batch.Number(next_sequence_++);
  ++counts_.pushed;
  const size_t events = batch.events();
  // Once anything is on disk, newer batches go there too, so the order holds.
  if (spilled_.empty() && memory_events_ + events <= options_.memory_events) {
    memory_events_ += events;
    memory_.push_back(std::make_shared<const EncodedBatch>(std::move(batch)));
    return true;
  }
  if (Spill(batch)) return true;
  ++counts_.dropped;
  counts_.dropped_events += events;
  return false;
}

bool BatchQueue::Spill(const EncodedBatch& batch) {
  if (options_.spill_dir.empty()) return false;
  const std::string& bytes = batch.wire();
  if (spill_bytes_ + bytes.size() > options_.spill_bytes) return false;
  std::string path =
      absl::StrCat(options_.spill_dir, "/", absl::StrFormat("%020d", batch.sequence()), kSuffix);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    std::error_code ignored;
    fs::remove(path, ignored);
    return false;
  }
  spilled_.push_back({batch.sequence(), path, bytes.size()});
  spill_bytes_ += bytes.size();
  ++counts_.spilled;
  return true;
}

bool BatchQueue::Unspill() {
  while (!spilled_.empty()) {
    SpilledBatch next = spilled_.front();
    spilled_.pop_front();
    spill_bytes_ -= std::min(spill_bytes_, next.bytes);
    std::ifstream in(next.path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::error_code ignored;
    fs::remove(next.path, ignored);
    absl::StatusOr<EncodedBatch> batch = EncodedBatch::FromWire(std::move(bytes));
    // A file named for another number than the batch it holds is not one this queue wrote.
    if (!in.bad() && batch.ok() && batch->sequence() == next.sequence) {
      memory_events_ += batch->events();
      memory_.push_back(std::make_shared<const EncodedBatch>(*std::move(batch)));
      return true;
    }
    // A file cut short or damaged (a crash while spilling): its events are lost; say so.
    ++counts_.dropped;
  }
  return false;
}

std::shared_ptr<const EncodedBatch> BatchQueue::At(size_t index) {
  while (index >= memory_.size()) {
    if (!Unspill()) return nullptr;
  }
  return memory_[index];
}

uint64_t BatchQueue::Ack(uint64_t sequence) {
  uint64_t events = 0;
  while (!memory_.empty() && memory_.front()->sequence() <= sequence) {
    events += memory_.front()->events();
    memory_events_ -= memory_.front()->events();
    memory_.pop_front();
    ++counts_.acked;
  }
  while (memory_.empty() && !spilled_.empty() && spilled_.front().sequence <= sequence) {
    std::error_code ignored;
    fs::remove(spilled_.front().path, ignored);
    spill_bytes_ -= std::min(spill_bytes_, spilled_.front().bytes);
    spilled_.pop_front();
    ++counts_.acked;
  }
  while (memory_events_ < options_.memory_events && Unspill()) {
  }
  return events;
}

}  // namespace tapio::transport
