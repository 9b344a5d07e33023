#include "transport/batch_queue.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace tapio::transport {
namespace {

EncodedBatch Batch(uint64_t first_id, int events) {
  EncodedBatch batch;
  for (int i = 0; i < events; ++i) {
    v1::UnifiedEvent event;
    event.set_id(first_id + static_cast<uint64_t>(i));
    batch.Add(event.SerializeAsString());
  }
  return batch;
}

uint64_t FirstId(const std::shared_ptr<const EncodedBatch>& batch) {
  return batch->Decode().events(0).id();
}

class SpillDir {
 public:
  SpillDir()
      : path_(absl::StrCat(std::filesystem::temp_directory_path().string(), "/tapio-spill-",
                           getpid(), "-", ++counter_)) {}
  ~SpillDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

TEST(BatchQueueTest, HoldsBatchesInOrderAndForgetsThemWhenAcknowledged) {
  BatchQueue queue = *BatchQueue::Create({});
  ASSERT_TRUE(queue.Push(Batch(1, 10)));
  ASSERT_TRUE(queue.Push(Batch(11, 10)));
  ASSERT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue.At(0)->sequence(), 1u);
  EXPECT_EQ(FirstId(queue.At(1)), 11u);
  EXPECT_EQ(queue.At(2), nullptr);
  EXPECT_EQ(queue.Ack(1), 10u);
  EXPECT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue.At(0)->sequence(), 2u);
}

TEST(BatchQueueTest, BeyondMemoryWithNowhereToSpillBatchesAreDroppedAndCounted) {
  BatchQueue queue = *BatchQueue::Create({/*memory_events=*/20, "", 0});
  EXPECT_TRUE(queue.Push(Batch(1, 10)));
  EXPECT_TRUE(queue.Push(Batch(11, 10)));
  EXPECT_FALSE(queue.Push(Batch(21, 10)));
  EXPECT_EQ(queue.counts().dropped, 1u);
  EXPECT_EQ(queue.counts().dropped_events, 10u);
  EXPECT_EQ(queue.size(), 2u);
}

TEST(BatchQueueTest, SpillsBeyondMemoryKeepsTheOrderAndLoadsBackAsAcksFreeRoom) {
  SpillDir dir;
  BatchQueue queue = *BatchQueue::Create({/*memory_events=*/10, dir.path(), 1 << 20});
  for (uint64_t i = 0; i < 5; ++i) ASSERT_TRUE(queue.Push(Batch(i * 10 + 1, 10)));
  EXPECT_EQ(queue.counts().spilled, 4u);
  EXPECT_EQ(queue.memory_events(), 10u);
  for (uint64_t sequence = 1; sequence <= 5; ++sequence) {
    std::shared_ptr<const EncodedBatch> front = queue.At(0);
    ASSERT_NE(front, nullptr);
    EXPECT_EQ(front->sequence(), sequence);
    EXPECT_EQ(FirstId(front), (sequence - 1) * 10 + 1);
    queue.Ack(sequence);
  }
  EXPECT_EQ(queue.size(), 0u);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path())) << "acknowledged spill files are removed";
}

TEST(BatchQueueTest, WhatAnEarlierRunSpilledIsQueuedAgainAndNumberingGoesOn) {
  SpillDir dir;
  {
    BatchQueue first = *BatchQueue::Create({/*memory_events=*/0, dir.path(), 1 << 20});
    ASSERT_TRUE(first.Push(Batch(1, 5)));
    ASSERT_TRUE(first.Push(Batch(6, 5)));
  }
  BatchQueue again = *BatchQueue::Create({/*memory_events=*/100, dir.path(), 1 << 20});
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(FirstId(again.At(0)), 1u);
  EXPECT_EQ(FirstId(again.At(1)), 6u);
  ASSERT_TRUE(again.Push(Batch(11, 5)));
  EXPECT_EQ(again.At(2)->sequence(), 3u);
}

TEST(BatchQueueTest, ADamagedSpillFileIsCountedAsLostAndTheRestGoesOn) {
  SpillDir dir;
  {
    BatchQueue first = *BatchQueue::Create({/*memory_events=*/0, dir.path(), 1 << 20});
    ASSERT_TRUE(first.Push(Batch(1, 5)));
    ASSERT_TRUE(first.Push(Batch(6, 5)));
  }
  std::ofstream(absl::StrCat(dir.path(), "/00000000000000000001.batch"), std::ios::trunc)
      << "\xff\xff\xff";
  BatchQueue again = *BatchQueue::Create({/*memory_events=*/100, dir.path(), 1 << 20});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(FirstId(again.At(0)), 6u);
  EXPECT_EQ(again.counts().dropped, 1u);
}

TEST(BatchQueueTest, AnUnusableSpillDirectoryIsNamed) {
  absl::StatusOr<BatchQueue> queue = BatchQueue::Create({10, "/proc/tapio-cannot-be-here", 1});
  ASSERT_FALSE(queue.ok());
  EXPECT_NE(queue.status().message().find("/proc/tapio-cannot-be-here"), std::string::npos);
}

}  // namespace
}  // namespace tapio::transport
