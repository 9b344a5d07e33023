#include "transport/event_shipper.h"

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "transport/testing/collector_receiver.h"

namespace tapio::transport {
namespace {

using testing::CollectorServer;
using testing::Receiver;

std::vector<v1::UnifiedEvent> Events(uint64_t first, int n) {
  std::vector<v1::UnifiedEvent> events(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i)
    events[static_cast<size_t>(i)].set_id(first + static_cast<uint64_t>(i));
  return events;
}

std::vector<uint64_t> Range(uint64_t first, uint64_t n) {
  std::vector<uint64_t> ids;
  for (uint64_t i = 0; i < n; ++i) ids.push_back(first + i);
  return ids;
}

EventShipper::Options Shipping(int port) {
  EventShipper::Options o;
  o.target = absl::StrCat("127.0.0.1:", port);
  o.collector_id = "agent/node-1";
  o.token = "s3cret";
  o.batch_events = 100;
  o.first_backoff = absl::Milliseconds(20);
  o.max_backoff = absl::Milliseconds(200);
  return o;
}

// A port nothing listens on yet: a server takes one and gives it back.
int FreePort() {
  Receiver none;
  CollectorServer probe(&none);
  return probe.port();
}

bool WaitFor(const std::function<bool()>& condition) {
  absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (!condition()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

TEST(EventShipperTest, DeliversEveryEventInOrderAndForgetsWhatIsAcknowledged) {
  Receiver receiver;
  CollectorServer server(&receiver);
  auto shipper = *EventShipper::Start(Shipping(server.port()));
  for (int i = 0; i < 10; ++i) shipper->Submit(Events(static_cast<uint64_t>(i) * 100 + 1, 100));
  ASSERT_TRUE(shipper->Drain(absl::Seconds(20))) << shipper->counts().last_error;
  EXPECT_EQ(receiver.ids(), Range(1, 1000));
  EXPECT_EQ(receiver.batches(), 10u);
  EventShipper::Counts counts = shipper->counts();
  EXPECT_EQ(counts.seen, 1000u);
  EXPECT_EQ(counts.acked, 1000u);
  EXPECT_EQ(counts.queued, 0u);
  EXPECT_EQ(counts.dropped, 0u);
}

// 100 events of 100 KB are 10 MB, more than the 4 MiB message the test server takes: cut by
// size, they all get through, in order.
TEST(EventShipperTest, BatchesAreCutBySizeSoThatLargeEventsStillGetThrough) {
  Receiver receiver;
  CollectorServer server(&receiver);
  EventShipper::Options options = Shipping(server.port());
  options.batch_events = 1000;
  auto shipper = *EventShipper::Start(options);
  std::vector<v1::UnifiedEvent> events = Events(1, 100);
  for (v1::UnifiedEvent& e : events) e.set_raw(std::string(100 * 1024, 'x'));
  shipper->Submit(events);
  ASSERT_TRUE(shipper->Drain(absl::Seconds(20))) << shipper->counts().last_error;
  EXPECT_EQ(receiver.ids(), Range(1, 100));
  // 3 MiB a batch: 31 events of 100 KB, the 31st crossing the bound.
  EXPECT_EQ(receiver.batches(), 4u);
  EXPECT_EQ(shipper->counts().reconnects, 0u);
}

TEST(EventShipperTest, AWrongTokenIsRefusedAndNothingCountsAsDelivered) {
  Receiver receiver;
  CollectorServer server(&receiver);
  EventShipper::Options options = Shipping(server.port());
  options.token = "wrong";
  auto shipper = *EventShipper::Start(options);
  shipper->Submit(Events(1, 10));
  EXPECT_FALSE(shipper->Drain(absl::Milliseconds(500)));
  ASSERT_TRUE(WaitFor([&] { return !shipper->counts().last_error.empty(); }));
  EXPECT_THAT(shipper->counts().last_error, ::testing::HasSubstr("bad token"));
  EXPECT_EQ(shipper->counts().acked, 0u);
  EXPECT_EQ(shipper->counts().queued, 10u);
}

TEST(EventShipperTest, ResendsWhatWasNotAcknowledgedWhenTheServerComesBack) {
  const int port = FreePort();
  auto first = std::make_unique<Receiver>(/*ack_limit=*/2);
  auto server = std::make_unique<CollectorServer>(first.get(), port);
  auto shipper = *EventShipper::Start(Shipping(port));
  for (int i = 0; i < 5; ++i) shipper->Submit(Events(static_cast<uint64_t>(i) * 100 + 1, 100));
  ASSERT_TRUE(WaitFor([&] { return first->batches() == 5 && shipper->counts().acked == 200; }));
  server.reset();  // the server goes away with three batches unacknowledged

  Receiver second;
  CollectorServer again(&second, port);
  ASSERT_TRUE(shipper->Drain(absl::Seconds(20))) << shipper->counts().last_error;
  EXPECT_EQ(second.ids(), Range(201, 300)) << "exactly what was not acknowledged, in order";
  EXPECT_GE(shipper->counts().reconnects, 1u);
}

TEST(EventShipperTest, AServerAwayFromTheStartCostsDiskNotEventsAndGetsThemAll) {
  const int port = FreePort();
  std::string dir =
      absl::StrCat(std::filesystem::temp_directory_path().string(), "/tapio-shipper-", getpid());
  EventShipper::Options options = Shipping(port);
  options.queue.memory_events = 200;
  options.queue.spill_dir = dir;
  auto shipper = *EventShipper::Start(options);
  for (int i = 0; i < 10; ++i) shipper->Submit(Events(static_cast<uint64_t>(i) * 100 + 1, 100));
  shipper->Drain(absl::Milliseconds(1));
  EXPECT_EQ(shipper->counts().spilled_batches, 8u);
  EXPECT_EQ(shipper->counts().dropped, 0u);

  Receiver receiver;
  CollectorServer server(&receiver, port);
  ASSERT_TRUE(shipper->Drain(absl::Seconds(20))) << shipper->counts().last_error;
  EXPECT_EQ(receiver.ids(), Range(1, 1000));
  shipper.reset();
  std::filesystem::remove_all(dir);
}

TEST(EventShipperTest, WithNowhereToSpillEventsBeyondTheMemoryBoundAreDroppedAndCounted) {
  EventShipper::Options options = Shipping(FreePort());
  options.queue.memory_events = 200;
  auto shipper = *EventShipper::Start(options);
  for (int i = 0; i < 10; ++i) shipper->Submit(Events(static_cast<uint64_t>(i) * 100 + 1, 100));
  shipper->Drain(absl::Milliseconds(1));
  EventShipper::Counts counts = shipper->counts();
  EXPECT_EQ(counts.seen, 1000u);
  EXPECT_EQ(counts.dropped, 800u);
  EXPECT_EQ(counts.queued, 200u);
}

}  // namespace
}  // namespace tapio::transport
