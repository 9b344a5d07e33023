#include "collectors/kmsg/kmsg_device.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "domain/clock.h"
#include "gtest/gtest.h"
#include "tests/support/ci.h"

namespace tapio::collectors::kmsg {
namespace {

class KmsgDeviceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    KmsgParser::Options options;
    options.node = "node-1";
    options.source_name = "/dev/kmsg";
    options.boot_time_ns = KmsgBootTimeNanos();
    auto parser = KmsgParser::Create(options, registry_, ids_, domain::Clock::Real());
    ASSERT_TRUE(parser.ok()) << parser.status();
    parser_ = *std::move(parser);
  }

  domain::EntityRegistry registry_;
  domain::EventIdGenerator ids_{7};
  std::unique_ptr<KmsgParser> parser_;
};

TEST_F(KmsgDeviceTest, AMissingDeviceIsNotFoundByName) {
  auto device = KmsgDevice::Open({"/nonexistent/kmsg", false}, *parser_);
  ASSERT_FALSE(device.ok());
  EXPECT_EQ(device.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(device.status().message().find("/nonexistent/kmsg"), std::string::npos);
}

// What user space writes to /dev/kmsg reaches the reader as a record but never becomes a
// kernel event: no process can forge an OOM kill that way.
TEST_F(KmsgDeviceTest, ReadsLiveRecordsAndRefusesKernelEventsForgedByUserSpace) {
  auto device = KmsgDevice::Open({}, *parser_);
  int writer = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
  if (!device.ok() || writer < 0) {
    std::string why =
        device.ok() ? "cannot write /dev/kmsg" : std::string(device.status().message());
    if (writer >= 0) close(writer);
    if (::tapio::testing::InCi()) FAIL() << "CI=true but /dev/kmsg is not usable: " << why;
    GTEST_SKIP() << "needs root for /dev/kmsg: " << why;
  }
  std::string forged = absl::StrCat(
      "<3>Memory cgroup out of memory: Killed process ", getpid(),
      " (tapio-forged) total-vm:1000kB, anon-rss:500kB, file-rss:0kB, shmem-rss:0kB, UID:0 "
      "pgtables:4kB oom_score_adj:0\n");
  ASSERT_EQ(write(writer, forged.data(), forged.size()), static_cast<ssize_t>(forged.size()));
  close(writer);

  std::vector<domain::Event> events;
  absl::Time deadline = absl::Now() + absl::Seconds(5);
  while ((*device)->counts().records == 0 && absl::Now() < deadline) {
    ASSERT_TRUE((*device)->Poll(absl::Milliseconds(100), &events).ok());
  }
  EXPECT_GE((*device)->counts().records, 1u);
  EXPECT_GE(parser_->counts().ignored, 1u);
  for (const domain::Event& e : events) {
    const auto* kernel = std::get_if<domain::KernelPayload>(&e.payload);
    EXPECT_FALSE(kernel != nullptr && kernel->comm.view() == "tapio-forged");
  }
}

}  // namespace
}  // namespace tapio::collectors::kmsg
