#include "collectors/journal/journal_file.h"

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <variant>

#include "absl/status/status.h"
#include "collectors/journal/journal_parser.h"
#include "domain/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tapio::collectors::journal {
namespace {

using domain::Event;
using domain::Resolve;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr char kRuntimeDown[] =
    "../shared/realdata/journal/node-runtime-down.journalctl-json.jsonl";

class JournalFileTest : public ::testing::Test {
 protected:
  JournalFileTest() : ids_(9), clock_(1'900'000'000'000'000'000) {}

  std::unique_ptr<JournalParser> NewParser(std::string source) {
    JournalParser::Options options;
    options.cluster = "prod";
    options.node = "node-1";
    options.source_name = std::move(source);
    auto parser = JournalParser::Create(options, registry_, ids_, clock_);
    EXPECT_TRUE(parser.ok()) << parser.status();
    return parser.ok() ? *std::move(parser) : nullptr;
  }

  domain::EntityRegistry registry_;
  domain::EventIdGenerator ids_;
  domain::FakeClock clock_;
};

TEST_F(JournalFileTest, NodeRuntimeDown) {
  std::unique_ptr<JournalParser> parser = NewParser("nodes/node-1/journal.jsonl");
  absl::StatusOr<JournalFile> file = ReadJournalFile(kRuntimeDown, *parser);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_THAT(file->line_errors, IsEmpty());
  EXPECT_EQ(file->counts.lines, 6u);
  EXPECT_EQ(file->counts.events, 6u);
  std::vector<std::string> types;
  for (const Event& event : file->events) types.emplace_back(Resolve(event.type));
  EXPECT_THAT(types, ElementsAre("journal.log", "journal.log", "journal.unit_process_exited",
                                 "journal.unit_failed", "journal.log", "journal.log"));
  EXPECT_EQ(domain::FormatRfc3339Nanos(file->events.front().time_ns),
            "2026-11-22T16:32:54.950678Z");
  EXPECT_EQ(Resolve(std::get<domain::ServicePayload>(file->events[3].payload).unit),
            "containerd.service");
}

TEST_F(JournalFileTest, KeepsGoingAfterBadLines) {
  std::string path = ::testing::TempDir() + "journal_file_test_bad.jsonl";
  {
    std::ofstream out(path, std::ios::binary);
    out << R"({"__REALTIME_TIMESTAMP":"1795365176950678","_PID":"1","MESSAGE":"kubelet.service: Main process exited, code=exited, status=1/FAILURE"})"
        << "\n";
    out << R"({"__REALTIME_TIMESTAMP":"1795365176950679","MESSAGE":)"
        << "\n";
    out << R"({"__REALTIME_TIMESTAMP":"1","MESSAGE":")" << std::string(3 * kMaxLineBytes, 'y')
        << "\"}\n";
    out << std::string("\0\0garbage\0", 10) << "\r\n";
    out << "\n";
    out << R"({"__REALTIME_TIMESTAMP":"1795365177950678","_PID":"1","MESSAGE":"kubelet.service: Failed with result 'exit-code'."})";
  }
  std::unique_ptr<JournalParser> parser = NewParser("nodes/node-1/journal.jsonl");
  absl::StatusOr<JournalFile> file = ReadJournalFile(path, *parser);
  std::remove(path.c_str());
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_THAT(file->events, SizeIs(2));
  EXPECT_EQ(Resolve(file->events[0].type), "journal.unit_process_exited");
  EXPECT_EQ(Resolve(file->events[1].type), "journal.unit_failed");
  ASSERT_THAT(file->line_errors, SizeIs(3));
  EXPECT_THAT(std::string(file->line_errors[0].message()),
              HasSubstr("nodes/node-1/journal.jsonl:2: not JSON"));
  EXPECT_THAT(std::string(file->line_errors[1].message()),
              HasSubstr("journal.jsonl:3: line of 65537 bytes"));
  EXPECT_THAT(std::string(file->line_errors[2].message()), HasSubstr("journal.jsonl:4: not JSON"));
  EXPECT_EQ(file->counts.lines, 6u);
  EXPECT_EQ(file->counts.rejected, 3u);
  EXPECT_EQ(file->counts.ignored, 1u);
}

TEST_F(JournalFileTest, Missing) {
  std::unique_ptr<JournalParser> parser = NewParser("journal.jsonl");
  EXPECT_EQ(ReadJournalFile("../shared/no/such/journal.jsonl", *parser).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace tapio::collectors::journal
