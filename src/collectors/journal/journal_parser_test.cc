#include "collectors/journal/journal_parser.h"

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "domain/string_list.h"
#include "domain/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "simdjson.h"

namespace tapio::collectors::journal {
namespace {

using domain::Event;
using domain::Resolve;
using domain::ServicePayload;
using domain::Severity;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr char kRuntimeDown[] =
    "../shared/realdata/journal/node-runtime-down.journalctl-json.jsonl";
constexpr char kBeats[] = "../shared/realdata/public/B_kernel_journal/";
constexpr int64_t kObservedNs = 1'900'000'000'000'000'000;

const ServicePayload& Service(const Event& event) {
  return std::get<ServicePayload>(event.payload);
}

std::string Label(const Event& event, absl::string_view key) {
  return std::string(domain::FindLabel(event.labels, key).value_or(""));
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The records of a journalctl JSON array (json-pretty records gathered in a list), each
// minified to the one line `journalctl -o json` prints.
std::vector<std::string> ArrayRecords(const std::string& path) {
  simdjson::dom::parser parser;
  simdjson::dom::element document;
  std::vector<std::string> lines;
  simdjson::padded_string json(ReadAll(path));
  EXPECT_EQ(parser.parse(json).get(document), simdjson::SUCCESS);
  simdjson::dom::array array;
  EXPECT_EQ(document.get_array().get(array), simdjson::SUCCESS);
  for (simdjson::dom::element record : array) lines.push_back(simdjson::minify(record));
  return lines;
}

class JournalParserTest : public ::testing::Test {
 protected:
  JournalParserTest() : ids_(3), clock_(kObservedNs) { parser_ = NewParser("test.jsonl"); }

  std::unique_ptr<JournalParser> NewParser(std::string source) {
    JournalParser::Options options;
    options.cluster = "prod";
    options.node = "ip-10-0-3-41";
    options.source_name = std::move(source);
    auto parser = JournalParser::Create(options, registry_, ids_, clock_);
    EXPECT_TRUE(parser.ok()) << parser.status();
    return parser.ok() ? *std::move(parser) : nullptr;
  }

  std::vector<Event> ParseAll(const std::vector<std::string>& lines) {
    std::vector<Event> events;
    for (const std::string& line : lines) {
      absl::Status status = parser_->ParseLine(line, &events);
      EXPECT_TRUE(status.ok()) << status;
    }
    return events;
  }

  // Parses one line that must be refused, and returns the error's message.
  std::string Refusal(absl::string_view line) {
    std::vector<Event> events;
    absl::Status status = parser_->ParseLine(line, &events);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << line;
    EXPECT_THAT(events, IsEmpty());
    return std::string(status.message());
  }

  domain::EntityRegistry registry_;
  domain::EventIdGenerator ids_;
  domain::FakeClock clock_;
  std::unique_ptr<JournalParser> parser_;
};

TEST_F(JournalParserTest, NodeRuntimeDownKubeletAndContainerd) {
  std::vector<std::string> lines = absl::StrSplit(ReadAll(kRuntimeDown), '\n', absl::SkipEmpty());
  ASSERT_THAT(lines, SizeIs(6));
  std::vector<Event> events = ParseAll(lines);
  ASSERT_THAT(events, SizeIs(6));
  EXPECT_EQ(parser_->counts().events, 6u);
  EXPECT_EQ(parser_->counts().rejected, 0u);

  for (const Event& event : events) {
    EXPECT_EQ(event.source, domain::Source::kJournal);
    EXPECT_EQ(event.observed_ns, kObservedNs);
    EXPECT_NE(event.id, 0u);
    domain::EntityRef node = registry_.Get(event.entity);
    EXPECT_EQ(Resolve(node.kind), "Node");
    EXPECT_EQ(Resolve(node.name), "ip-10-0-3-41");
    EXPECT_EQ(Resolve(node.cluster), "prod");
    EXPECT_EQ(Label(event, "hostname"), "ip-10-0-3-41");
  }

  const Event& sync = events[0];
  EXPECT_EQ(Resolve(sync.type), "journal.log");
  EXPECT_EQ(sync.time_ns, 1'795'365'174'950'678'000);
  EXPECT_EQ(domain::FormatRfc3339Nanos(sync.time_ns), "2026-11-22T16:32:54.950678Z");
  EXPECT_EQ(sync.severity, Severity::kInfo);
  EXPECT_EQ(Resolve(Service(sync).unit), "kubelet.service");
  EXPECT_EQ(Resolve(Service(sync).source_location), "kubelet.go:2157");
  EXPECT_EQ(Resolve(Service(sync).message),
            "\"SyncLoop ADD\" source=\"api\" pods=[\"shop/web-7d9f8c6b4-x2x9q\"]");
  EXPECT_EQ(Service(sync).pid, 1873u);
  EXPECT_EQ(Service(sync).priority, 6);
  EXPECT_EQ(Label(sync, "identifier"), "kubelet");

  const Event& task_exit = events[1];
  EXPECT_EQ(Resolve(task_exit.type), "journal.log");
  EXPECT_EQ(task_exit.severity, Severity::kError);
  EXPECT_EQ(Resolve(Service(task_exit).unit), "containerd.service");
  EXPECT_EQ(Service(task_exit).pid, 912u);
  EXPECT_EQ(Service(task_exit).priority, 3);
  EXPECT_TRUE(Service(task_exit).source_location.empty());
  EXPECT_THAT(std::string(Resolve(Service(task_exit).message)),
              HasSubstr("msg=\"failed to handle container TaskExit event\""));

  const Event& killed = events[2];
  EXPECT_EQ(Resolve(killed.type), "journal.unit_process_exited");
  EXPECT_EQ(domain::FormatRfc3339Nanos(killed.time_ns), "2026-11-22T16:32:56.950678Z");
  EXPECT_EQ(killed.severity, Severity::kError);
  EXPECT_EQ(Resolve(Service(killed).unit), "containerd.service");
  EXPECT_EQ(Service(killed).exit_status, 9);
  EXPECT_EQ(Service(killed).pid, 1u);
  EXPECT_EQ(Label(killed, "code"), "killed");
  EXPECT_EQ(Label(killed, "status"), "9/KILL");
  EXPECT_EQ(Label(killed, "identifier"), "systemd");
  EXPECT_EQ(Resolve(Service(killed).message),
            "containerd.service: Main process exited, code=killed, status=9/KILL");

  const Event& failed = events[3];
  EXPECT_EQ(Resolve(failed.type), "journal.unit_failed");
  EXPECT_EQ(failed.severity, Severity::kError);
  EXPECT_EQ(Resolve(Service(failed).unit), "containerd.service");
  EXPECT_EQ(Resolve(Service(failed).state), "failed");
  EXPECT_EQ(Resolve(Service(failed).sub_state), "failed");
  EXPECT_EQ(Label(failed, "result"), "signal");
  EXPECT_EQ(Service(failed).priority, 4);

  const Event& pleg = events[4];
  EXPECT_EQ(Resolve(pleg.type), "journal.log");
  EXPECT_EQ(pleg.severity, Severity::kError);
  EXPECT_EQ(Resolve(Service(pleg).source_location), "kubelet.go:2373");
  EXPECT_THAT(std::string(Resolve(Service(pleg).message)),
              HasSubstr("container runtime is down, PLEG is not healthy"));

  const Event& refused = events[5];
  EXPECT_EQ(refused.severity, Severity::kError);
  EXPECT_EQ(Resolve(Service(refused).source_location), "remote_runtime.go:392");
  EXPECT_EQ(Resolve(Service(refused).message),
            "\"ListContainers with filter from runtime service failed\" err=\"rpc error: code = "
            "Unavailable desc = connection error: desc = \\\"transport: Error while dialing "
            "dial unix /run/containerd/containerd.sock: connect: connection refused\\\"\"");
  EXPECT_EQ(domain::FormatRfc3339Nanos(refused.time_ns), "2026-11-22T16:32:59.950678Z");
}

TEST_F(JournalParserTest, BeatsCornerCasesByteArrayMessageAndLongCoredump) {
  std::vector<std::string> lines = ArrayRecords(absl::StrCat(kBeats, "beats_corner-cases.json"));
  ASSERT_THAT(lines, SizeIs(2));
  std::vector<Event> events = ParseAll(lines);
  ASSERT_THAT(events, SizeIs(2));

  const Event& coredump = events[0];
  EXPECT_EQ(Resolve(coredump.type), "journal.log");
  EXPECT_EQ(coredump.severity, Severity::kCritical);
  EXPECT_EQ(Resolve(Service(coredump).unit), "systemd-coredump@0-3732-0.service");
  EXPECT_EQ(Service(coredump).priority, 2);
  EXPECT_EQ(Service(coredump).pid, 3740u);
  EXPECT_EQ(Label(coredump, "hostname"), "millennium-falcon");
  EXPECT_EQ(coredump.time_ns, 1'719'834'246'841'951'000);
  absl::string_view dump = Resolve(Service(coredump).message);
  // 1782 bytes of stack trace, cut to the cap; its lines stay lines.
  EXPECT_EQ(dump.size(), kMaxMessageBytes);
  EXPECT_TRUE(absl::StartsWith(dump,
                               "Process 3717 (kdeconnectd) of user 1000 dumped core.\n\n"
                               "Stack trace of thread 3717:\n"));

  // MESSAGE is an array of bytes: its carriage return becomes a space.
  const Event& pulse = events[1];
  EXPECT_EQ(pulse.severity, Severity::kError);
  EXPECT_EQ(Resolve(Service(pulse).unit), "user@1000.service");
  EXPECT_EQ(Label(pulse, "identifier"), "pulseaudio");
  EXPECT_EQ(Resolve(Service(pulse).message),
            "Unable to parse indicator of AT+BIA command: AT+BIA=1,1,0,0,0 AT+BCS=2");
  EXPECT_EQ(domain::FormatRfc3339Nanos(pulse.time_ns), "2024-07-01T18:42:46.807141Z");
}

TEST_F(JournalParserTest, BeatsSamplePrettyRecord) {
  std::string pretty = ReadAll(absl::StrCat(kBeats, "beats_sample-journal-event.json"));
  simdjson::dom::parser json;
  simdjson::dom::element record;
  ASSERT_EQ(json.parse(simdjson::padded_string(pretty)).get(record), simdjson::SUCCESS);
  std::vector<Event> events = ParseAll({simdjson::minify(record)});
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(Resolve(events[0].type), "journal.log");
  EXPECT_EQ(Resolve(Service(events[0]).unit), "session-2.scope");
  EXPECT_EQ(Resolve(Service(events[0]).message), "Count: 0000000001");
  EXPECT_EQ(Service(events[0]).pid, 235728u);
  EXPECT_EQ(events[0].severity, Severity::kInfo);
  EXPECT_EQ(events[0].time_ns, 1'724'080'855'230'058'000);
}

TEST_F(JournalParserTest, SystemdLifecycleFromPidOne) {
  std::vector<Event> events = ParseAll({
      R"({"__REALTIME_TIMESTAMP":"1795365180000000","_PID":"1","SYSLOG_IDENTIFIER":"systemd","_SYSTEMD_UNIT":"init.scope","UNIT":"kubelet.service","PRIORITY":"5","MESSAGE":"kubelet.service: Main process exited, code=exited, status=1/FAILURE"})",
      R"({"__REALTIME_TIMESTAMP":"1795365180000001","_PID":"1","UNIT":"kubelet.service","PRIORITY":"4","MESSAGE":"kubelet.service: Failed with result 'exit-code'."})",
      R"({"__REALTIME_TIMESTAMP":"1795365190000000","_PID":"1","UNIT":"kubelet.service","PRIORITY":"6","MESSAGE":"kubelet.service: Scheduled restart job, restart counter is at 3."})",
      R"({"__REALTIME_TIMESTAMP":"1795365190000001","_PID":"1","UNIT":"kubelet.service","PRIORITY":"6","MESSAGE":"Stopped kubelet: The Kubernetes Node Agent."})",
      R"({"__REALTIME_TIMESTAMP":"1795365190000002","_PID":"1","_SYSTEMD_UNIT":"init.scope","PRIORITY":"6","MESSAGE":"Started kubelet.service - kubelet: The Kubernetes Node Agent."})",
  });
  ASSERT_THAT(events, SizeIs(5));
  EXPECT_EQ(Resolve(events[0].type), "journal.unit_process_exited");
  EXPECT_EQ(Resolve(Service(events[0]).unit), "kubelet.service");
  EXPECT_EQ(Service(events[0]).exit_status, 1);
  EXPECT_EQ(Label(events[0], "code"), "exited");
  EXPECT_EQ(Label(events[0], "status"), "1/FAILURE");
  EXPECT_EQ(events[0].severity, Severity::kError);

  EXPECT_EQ(Resolve(events[1].type), "journal.unit_failed");
  EXPECT_EQ(Label(events[1], "result"), "exit-code");

  EXPECT_EQ(Resolve(events[2].type), "journal.unit_restarting");
  EXPECT_EQ(Resolve(Service(events[2]).state), "activating");
  EXPECT_EQ(Resolve(Service(events[2]).sub_state), "auto-restart");
  EXPECT_EQ(Label(events[2], "restart_count"), "3");
  EXPECT_EQ(events[2].severity, Severity::kWarning);

  EXPECT_EQ(Resolve(events[3].type), "journal.unit_stopped");
  EXPECT_EQ(Resolve(Service(events[3]).unit), "kubelet.service");
  EXPECT_EQ(Resolve(Service(events[3]).state), "inactive");
  EXPECT_EQ(Resolve(Service(events[3]).sub_state), "dead");

  // No UNIT field: the unit named in the message, not init.scope.
  EXPECT_EQ(Resolve(events[4].type), "journal.unit_started");
  EXPECT_EQ(Resolve(Service(events[4]).unit), "kubelet.service");
  EXPECT_EQ(Resolve(Service(events[4]).state), "active");
  EXPECT_EQ(Resolve(Service(events[4]).sub_state), "running");
}

TEST_F(JournalParserTest, ServicesCannotForgeLifecycleLines) {
  std::vector<Event> events = ParseAll({
      R"({"__REALTIME_TIMESTAMP":"1","_PID":"4242","SYSLOG_IDENTIFIER":"systemd","_SYSTEMD_UNIT":"evil.service","MESSAGE":"kubelet.service: Failed with result 'exit-code'."})",
      R"({"__REALTIME_TIMESTAMP":"2","SYSLOG_IDENTIFIER":"logger","MESSAGE":"kubelet.service: Failed with result 'exit-code'."})",
  });
  ASSERT_THAT(events, SizeIs(2));
  EXPECT_EQ(Resolve(events[0].type), "journal.log");
  EXPECT_EQ(Resolve(Service(events[0]).unit), "evil.service");
  EXPECT_EQ(Resolve(events[1].type), "journal.log");
  EXPECT_EQ(Resolve(Service(events[1]).unit), "logger");
}

TEST_F(JournalParserTest, FieldForms) {
  std::vector<Event> events = ParseAll({
      // A field given twice is an array; the first value counts.
      R"({"__REALTIME_TIMESTAMP":"5","MESSAGE":["first","second"],"UNIT":"a.service"})",
      R"({"__REALTIME_TIMESTAMP":"6","MESSAGE":[[104,105],[120]]})",
      // journalctl prints values over 4096 bytes as null.
      R"({"__REALTIME_TIMESTAMP":"7","MESSAGE":null,"_SYSTEMD_UNIT":"b.service"})",
      // Bytes that are not UTF-8, and control bytes.
      R"({"__REALTIME_TIMESTAMP":"8","MESSAGE":[97,255,98,0,99,226,130]})",
      R"({"__REALTIME_TIMESTAMP":"9","MESSAGE":"tab\there\u0001\u001b[31mred"})",
  });
  ASSERT_THAT(events, SizeIs(5));
  EXPECT_EQ(Resolve(Service(events[0]).message), "first");
  EXPECT_EQ(Resolve(Service(events[0]).unit), "a.service");
  EXPECT_EQ(Service(events[0]).priority, 6);
  EXPECT_EQ(events[0].time_ns, 5000);
  EXPECT_EQ(Resolve(Service(events[1]).message), "hi");
  EXPECT_EQ(Resolve(Service(events[2]).message), "");
  EXPECT_EQ(Resolve(Service(events[3]).message),
            "a\xEF\xBF\xBD"
            "b c\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(Resolve(Service(events[4]).message), "tab\there  [31mred");
  EXPECT_TRUE(Service(events[4]).unit.empty());
}

TEST_F(JournalParserTest, MessageCutAtCharacterBoundary) {
  // "é" is two bytes; after one 'x' the cap falls inside a character.
  std::string text = "x";
  for (int i = 0; i < 1000; ++i) text += "\xC3\xA9";
  std::string line = absl::StrCat(R"({"__REALTIME_TIMESTAMP":"1","MESSAGE":")", text, "\"}");
  std::vector<Event> events = ParseAll({line});
  ASSERT_THAT(events, SizeIs(1));
  absl::string_view message = Resolve(Service(events[0]).message);
  EXPECT_EQ(message.size(), kMaxMessageBytes - 1);
  EXPECT_EQ(message.substr(message.size() - 2), "\xC3\xA9");
}

TEST_F(JournalParserTest, RefusesBadLinesNamingSourceLineAndField) {
  parser_ = NewParser("nodes/n1/journal.jsonl");
  EXPECT_THAT(Refusal("not json"), HasSubstr("nodes/n1/journal.jsonl:1: not JSON"));
  EXPECT_THAT(Refusal(R"({"__REALTIME_TIMESTAMP":"1","MESSAGE":"x")"),
              HasSubstr("journal.jsonl:2: not JSON"));
  EXPECT_THAT(Refusal("[1,2,3]"), HasSubstr(":3: expected a JSON object, got an array"));
  EXPECT_THAT(Refusal(R"({"MESSAGE":"no time"})"), HasSubstr(":4: no __REALTIME_TIMESTAMP"));
  EXPECT_THAT(Refusal(R"({"__REALTIME_TIMESTAMP":1795365174950678,"MESSAGE":"x"})"),
              HasSubstr(":5: __REALTIME_TIMESTAMP: expected a string, got a number"));
  EXPECT_THAT(Refusal(R"({"__REALTIME_TIMESTAMP":"-5","MESSAGE":"x"})"),
              HasSubstr(":6: __REALTIME_TIMESTAMP: expected a decimal number"));
  EXPECT_THAT(Refusal(R"({"__REALTIME_TIMESTAMP":"99999999999999999999","MESSAGE":"x"})"),
              HasSubstr(":7: __REALTIME_TIMESTAMP"));
  EXPECT_THAT(Refusal(R"({"__REALTIME_TIMESTAMP":"1","PRIORITY":"9","MESSAGE":"x"})"),
              HasSubstr(":8: PRIORITY: expected a syslog priority"));
  EXPECT_THAT(Refusal(R"({"__REALTIME_TIMESTAMP":"1","PRIORITY":3,"MESSAGE":"x"})"),
              HasSubstr(":9: PRIORITY: expected a string"));
  EXPECT_THAT(Refusal(R"({"__REALTIME_TIMESTAMP":"1","_PID":"12a","MESSAGE":"x"})"),
              HasSubstr(":10: _PID: expected a decimal number"));
  EXPECT_THAT(Refusal(R"({"__REALTIME_TIMESTAMP":"1","_PID":"4294967296","MESSAGE":"x"})"),
              HasSubstr(":11: _PID"));
  EXPECT_THAT(Refusal(R"({"__REALTIME_TIMESTAMP":"1","MESSAGE":{"nested":1}})"),
              HasSubstr(":12: MESSAGE: expected a string or an array of bytes, got an object"));
  EXPECT_THAT(Refusal(R"({"__REALTIME_TIMESTAMP":"1","MESSAGE":[1,256]})"),
              HasSubstr(":13: MESSAGE: expected an array of byte values"));
  EXPECT_THAT(Refusal(R"({"__REALTIME_TIMESTAMP":"1","MESSAGE":[1,"a"]})"),
              HasSubstr(":14: MESSAGE: expected an array of byte values"));
  EXPECT_THAT(Refusal(R"({"__REALTIME_TIMESTAMP":"1","_SYSTEMD_UNIT":[104],"MESSAGE":"x"})"),
              HasSubstr(":15: _SYSTEMD_UNIT: expected a string, got an array"));
  EXPECT_THAT(Refusal(R"({"__REALTIME_TIMESTAMP":"1","MESSAGE":"x"} {"a":1})"),
              HasSubstr(":16: not JSON"));
  EXPECT_THAT(Refusal(std::string("{\"__REALTIME_TIMESTAMP\":\"1\",\"MESSAGE\":\"\xff\xfe\"}")),
              HasSubstr(":17: not JSON"));
  EXPECT_THAT(Refusal(std::string("\0\0\x01garbage\x7f", 11)), HasSubstr(":18: not JSON"));
  EXPECT_THAT(Refusal(R"({"__REALTIME_TIMESTAMP":"1","OTHER":[1,2,},"MESSAGE":"x"})"),
              HasSubstr(":19: not JSON"));
  std::string huge = absl::StrCat(R"({"__REALTIME_TIMESTAMP":"1","MESSAGE":")",
                                  std::string(kMaxLineBytes, 'a'), "\"}");
  EXPECT_THAT(Refusal(huge), HasSubstr(":20: line of 65577 bytes is longer than the 65536"));
  EXPECT_EQ(parser_->counts().lines, 20u);
  EXPECT_EQ(parser_->counts().rejected, 20u);
  EXPECT_EQ(parser_->counts().events, 0u);

  // And the stream goes on.
  std::vector<Event> events;
  ASSERT_TRUE(parser_->ParseLine(R"({"__REALTIME_TIMESTAMP":"1","MESSAGE":"ok"})", &events).ok());
  EXPECT_THAT(events, SizeIs(1));
}

TEST_F(JournalParserTest, IgnoresBlankLinesAndEntriesWithoutMessage) {
  std::vector<Event> events = ParseAll({"", "  \r", R"({"__REALTIME_TIMESTAMP":"1","_PID":"3"})"});
  EXPECT_THAT(events, IsEmpty());
  EXPECT_EQ(parser_->counts().lines, 3u);
  EXPECT_EQ(parser_->counts().ignored, 3u);
}

TEST_F(JournalParserTest, NeedsANode) {
  JournalParser::Options options;
  EXPECT_EQ(JournalParser::Create(options, registry_, ids_, clock_).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tapio::collectors::journal
