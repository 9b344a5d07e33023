#include "collectors/scenario/scenario_reader.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tapio::collectors::scenario {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

class ScenarioReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("tapio-scenario-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
             "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  ScenarioReader Reader() { return ScenarioReader("test", registry_, ids_, clock_); }

  domain::EntityRegistry registry_;
  domain::EventIdGenerator ids_{5};
  domain::FakeClock clock_{1'795'365'174'000'000'000};
  void Write(const std::string& relative, const std::string& text) {
    fs::path path = root_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }

  fs::path root_;
};

TEST_F(ScenarioReaderTest, ReadsListsAndWatchRecordingsAndReportsTheRest) {
  Write("expected.yaml", "symptom: {kind: Pod}\n");
  Write("k8s/pods.json",
        R"json({"kind":"PodList","items":[
          {"metadata":{"name":"b","namespace":"x","creationTimestamp":"2026-03-01T10:05:00Z"}},
          {"metadata":{"name":"a","namespace":"x","creationTimestamp":"2026-03-01T10:00:00Z"}},
          {"metadata":{"name":7}}]})json");
  Write("k8s/watch.jsonl",
        R"json({"type":"ADDED","object":{"kind":"Node","metadata":{"name":"n1"}}}
not json at all
{"type":"BOOKMARK","object":{"kind":"Node","metadata":{"resourceVersion":"9"}}}
{"type":"DELETED","object":{"kind":"Node","metadata":{"name":"n1"}}}
)json");
  Write("nodes/n1/kmsg.log", "2026-03-01T10:00:00,000000+00:00 hello\n");
  Write("notes.txt", "what I saw\n");

  std::vector<std::string> seen;
  ScenarioInput input;
  input.on_change = [&](const domain::ObjectChange& change) {
    seen.push_back(std::string(domain::Resolve(change.object.meta.name)) +
                   (change.type == domain::ObjectChange::Type::kDeleted ? "-" : "+"));
  };
  ScenarioReader reader = Reader();
  ScenarioReport report;
  ASSERT_TRUE(reader.Read(root_.string(), input, &report).ok());
  // Watch recordings (history) before lists (the state when collected); list items in the
  // order of their own times, watch lines in recorded order.
  EXPECT_THAT(seen, ElementsAre("n1+", "n1-", "a+", "b+"));
  EXPECT_THAT(report.read,
              UnorderedElementsAre("k8s/pods.json", "k8s/watch.jsonl", "nodes/n1/kmsg.log"));
  ASSERT_EQ(report.problems.size(), 2u);
  EXPECT_EQ(report.problems[0].place, "k8s/watch.jsonl:2");
  EXPECT_EQ(report.problems[1].place, "k8s/pods.json: items[2]");
  ASSERT_EQ(report.skipped.size(), 1u);
  EXPECT_EQ(report.skipped[0].place, "notes.txt");
  EXPECT_THAT(report.inputs, UnorderedElementsAre("k8s", "kmsg"));
}

TEST_F(ScenarioReaderTest, ReadsANodesKernelLogIntoEventsAboutThatNode) {
  fs::create_directories(root_ / "nodes/ip-10-0-3-41");
  fs::copy_file("../shared/realdata/kernel/memcg-oom-kubepods-paths.dmesg-iso.log",
                root_ / "nodes/ip-10-0-3-41/kmsg.log");
  Write("nodes/ip-10-0-3-41/extra.txt", "x\n");
  std::vector<domain::Event> events;
  ScenarioInput input;
  input.on_events = [&](std::vector<domain::Event> batch) {
    events.insert(events.end(), batch.begin(), batch.end());
  };
  ScenarioReader reader = Reader();
  ScenarioReport report;
  ASSERT_TRUE(reader.Read(root_.string(), input, &report).ok());
  ASSERT_EQ(events.size(), 2u);
  for (const domain::Event& event : events) {
    EXPECT_EQ(domain::Resolve(event.type), "kernel.oom_kill");
    EXPECT_EQ(domain::ToString(registry_.Get(event.entity)), "Node/ip-10-0-3-41");
  }
  EXPECT_EQ(domain::Resolve(std::get<domain::KernelPayload>(events[0].payload).pod_uid),
            "3f1c9a2e-7b4d-4e8a-9c61-0d2b5e8f4a17");
  EXPECT_TRUE(report.problems.empty());
}

TEST_F(ScenarioReaderTest, ReadsANodesJournalIntoEventsAboutThatNode) {
  fs::create_directories(root_ / "nodes/ip-10-0-3-41");
  fs::copy_file("../shared/realdata/journal/node-runtime-down.journalctl-json.jsonl",
                root_ / "nodes/ip-10-0-3-41/journal.jsonl");
  std::ofstream(root_ / "nodes/ip-10-0-3-41/journal.jsonl", std::ios::app) << "{broken\n";
  std::vector<domain::Event> events;
  ScenarioInput input;
  input.on_events = [&](std::vector<domain::Event> batch) {
    events.insert(events.end(), batch.begin(), batch.end());
  };
  ScenarioReader reader = Reader();
  ScenarioReport report;
  ASSERT_TRUE(reader.Read(root_.string(), input, &report).ok());
  ASSERT_EQ(events.size(), 6u);
  for (const domain::Event& event : events) {
    EXPECT_EQ(event.source, domain::Source::kJournal);
    EXPECT_EQ(domain::ToString(registry_.Get(event.entity)), "Node/ip-10-0-3-41");
  }
  EXPECT_EQ(domain::Resolve(events[3].type), "journal.unit_failed");
  EXPECT_THAT(report.read, ElementsAre("nodes/ip-10-0-3-41/journal.jsonl"));
  EXPECT_THAT(report.inputs, ElementsAre("journal"));
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].place, "nodes/ip-10-0-3-41/journal.jsonl");
  EXPECT_THAT(report.problems[0].problem,
              ::testing::HasSubstr("nodes/ip-10-0-3-41/journal.jsonl:7: not JSON"));
}

TEST_F(ScenarioReaderTest, ReadsOtlpRequestsIntoApplicationEvents) {
  fs::create_directories(root_ / "otlp");
  fs::copy_file("../shared/realdata/public/C_otlp/otelproto_trace.json", root_ / "otlp/trace.json");
  Write("otlp/errors.json", R"json({"resourceSpans": [{
      "resource": {"attributes": [
        {"key": "service.name", "value": {"stringValue": "cart"}},
        {"key": "k8s.namespace.name", "value": {"stringValue": "shop"}}]},
      "scopeSpans": [{"spans": [
        {"name": "GetCart", "kind": 2, "status": {"code": 2}, "endTimeUnixNano": "5"},
        {"name": "bad", "spanId": "xyz"}]}]}]})json");
  std::vector<domain::Event> events;
  ScenarioInput input;
  input.on_events = [&](std::vector<domain::Event> batch) {
    events.insert(events.end(), batch.begin(), batch.end());
  };
  ScenarioReader reader = Reader();
  ScenarioReport report;
  ASSERT_TRUE(reader.Read(root_.string(), input, &report).ok());
  EXPECT_THAT(report.read, UnorderedElementsAre("otlp/errors.json", "otlp/trace.json"));
  EXPECT_THAT(report.inputs, ElementsAre("otlp"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(domain::Resolve(events[0].type), "otlp.span_error");
  EXPECT_EQ(domain::ToString(registry_.Get(events[0].entity)), "Service/shop/cart");
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].place, "otlp/errors.json");
  EXPECT_EQ(report.problems[0].problem,
            "otlp/errors.json: resourceSpans[0].scopeSpans[0].spans[1].spanId: expected 16 hex "
            "digits, got 3 characters");
}

TEST_F(ScenarioReaderTest, MissingPathIsNotFound) {
  ScenarioReader reader = Reader();
  ScenarioReport report;
  EXPECT_EQ(reader.Read((root_ / "nope").string(), {}, &report).code(),
            absl::StatusCode::kNotFound);
}

TEST_F(ScenarioReaderTest, ReadsASingleFile) {
  Write("pod.json", R"json({"kind":"Pod","metadata":{"name":"solo","namespace":"x"}})json");
  int changes = 0;
  ScenarioInput input;
  input.on_change = [&](const domain::ObjectChange&) { ++changes; };
  ScenarioReader reader = Reader();
  ScenarioReport report;
  ASSERT_TRUE(reader.Read((root_ / "pod.json").string(), input, &report).ok());
  EXPECT_EQ(changes, 1);
}

}  // namespace
}  // namespace tapio::collectors::scenario
