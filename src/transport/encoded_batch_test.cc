#include "transport/encoded_batch.h"

#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace tapio::transport {
namespace {

using google::protobuf::util::MessageDifferencer;

v1::UnifiedEvent Event(uint64_t id, absl::string_view type) {
  v1::UnifiedEvent event;
  event.set_id(id);
  event.set_type(std::string(type));
  return event;
}

TEST(EncodedBatchTest, ReadsBackAsTheBatchOfItsEventsInOrder) {
  v1::UnifiedEvent refused = Event(1, "net.connection_refused");
  refused.mutable_network()->set_dport(5432);
  refused.mutable_network()->set_pod_uid("8e2d4f61-0a3b-4c7d-9e15-2f6a8b4c0d93");
  v1::UnifiedEvent oom = Event(2, "kernel.oom_kill");
  oom.mutable_kernel()->set_comm("java");
  (*oom.mutable_labels())["qos_class"] = "burstable";
  EncodedBatch batch;
  batch.Add(refused.SerializeAsString());
  batch.Add(oom.SerializeAsString());
  batch.Close("agent/node-7", /*final=*/true);
  batch.Number(12);

  v1::EventBatch expected;
  expected.set_collector_id("agent/node-7");
  expected.set_sequence(12);
  expected.set_final(true);
  *expected.add_events() = refused;
  *expected.add_events() = oom;
  EXPECT_TRUE(MessageDifferencer::Equals(batch.Decode(), expected)) << batch.Decode().DebugString();
  EXPECT_EQ(batch.events(), 2u);
  EXPECT_EQ(batch.sequence(), 12u);
  EXPECT_EQ(batch.wire().size(), expected.ByteSizeLong());
}

TEST(EncodedBatchTest, WhatWasSpilledComesBackWithItsNumberAndCount) {
  EncodedBatch batch;
  for (uint64_t id = 1; id <= 3; ++id) {
    batch.Add(Event(id, "kernel.process_exit").SerializeAsString());
  }
  batch.Close("agent/node-7", /*final=*/false);
  batch.Number(5);

  absl::StatusOr<EncodedBatch> back = EncodedBatch::FromWire(batch.wire());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->sequence(), 5u);
  EXPECT_EQ(back->events(), 3u);
  EXPECT_EQ(back->wire(), batch.wire());

  std::string cut = batch.wire().substr(0, batch.wire().size() / 2);
  EXPECT_FALSE(EncodedBatch::FromWire(cut).ok()) << "a batch cut in the middle of an event";
}

}  // namespace
}  // namespace tapio::transport
