#include "server/event_tail.h"

#include <vector>

#include "gtest/gtest.h"

namespace tapio::server {
namespace {

std::vector<v1::UnifiedEvent> Numbered(uint64_t first, int n) {
  std::vector<v1::UnifiedEvent> events(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i)
    events[static_cast<size_t>(i)].set_id(first + static_cast<uint64_t>(i));
  return events;
}

std::vector<uint64_t> Ids(const EventTail::Read& read) {
  std::vector<uint64_t> ids;
  for (const v1::UnifiedEvent& e : read.events) ids.push_back(e.id());
  return ids;
}

TEST(EventTailTest, AReaderGetsWhatIsStoredAfterItJoinedInOrder) {
  EventTail tail(100);
  tail.Publish(Numbered(1, 5));
  uint64_t at = tail.Join();
  tail.Publish(Numbered(6, 3));
  EventTail::Read read = tail.After(at, absl::ZeroDuration());
  EXPECT_EQ(Ids(read), (std::vector<uint64_t>{6, 7, 8})) << "nothing from before it joined";
  EXPECT_EQ(read.missed, 0u);
  EXPECT_TRUE(tail.After(read.last, absl::Milliseconds(1)).events.empty());
  tail.Leave();
}

TEST(EventTailTest, AReaderThatFellBehindIsToldHowManyItMissed) {
  EventTail tail(4);
  uint64_t at = tail.Join();
  tail.Publish(Numbered(1, 7));
  tail.Publish(Numbered(8, 3));
  EventTail::Read read = tail.After(at, absl::ZeroDuration());
  EXPECT_EQ(read.missed, 6u);
  EXPECT_EQ(Ids(read), (std::vector<uint64_t>{7, 8, 9, 10}));
  tail.Publish(Numbered(11, 1));
  EXPECT_EQ(Ids(tail.After(read.last, absl::ZeroDuration())), (std::vector<uint64_t>{11}));
  tail.Leave();
}

TEST(EventTailTest, WithNoReaderNothingIsHeldForTheNextOne) {
  EventTail tail(100);
  uint64_t first = tail.Join();
  tail.Publish(Numbered(1, 2));
  tail.Leave();
  tail.Publish(Numbered(3, 2));
  uint64_t at = tail.Join();
  EXPECT_EQ(at, first + 4) << "numbers go on while no one reads";
  tail.Publish(Numbered(5, 1));
  EventTail::Read read = tail.After(at, absl::ZeroDuration());
  EXPECT_EQ(Ids(read), (std::vector<uint64_t>{5}));
  EXPECT_EQ(read.missed, 0u);
  tail.Leave();
}

}  // namespace
}  // namespace tapio::server
