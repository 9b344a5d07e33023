// The `tapio` binary run as a user runs it: exit codes and what it prints.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tapio/v1/report.pb.h"
#include "tests/support/run_command.h"

namespace tapio {
namespace {

using ::tapio::testing::RunCommand;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Tapio(const std::string& args) { return absl::StrCat(TAPIO_BINARY, " ", args); }

class ConfigFile {
 public:
  explicit ConfigFile(const std::string& text) {
    char name[] = "/tmp/tapio-config-XXXXXX.yaml";
    int fd = mkstemps(name, 5);
    path_ = name;
    close(fd);
    std::ofstream(path_) << text;
  }
  ~ConfigFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(TapioCliTest, VersionNamesTheReleaseAndTheContract) {
  auto result = RunCommand(Tapio("version"));
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.output, HasSubstr("tapio 0."));
  EXPECT_THAT(result.output, HasSubstr("tapio.v1"));
}

TEST(TapioCliTest, UnknownSubcommandFails) {
  auto result = RunCommand(Tapio("frobnicate"));
  EXPECT_NE(result.exit_code, 0);
}

TEST(TapioCliTest, ConfigCheckAcceptsAValidFile) {
  ConfigFile file("cluster: prod-eu\npipeline:\n  shards: 4\n  overflow: block\n");
  auto result = RunCommand(Tapio("config check " + file.path()));
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("valid"));
}

TEST(TapioCliTest, ConfigCheckNamesTheUnknownKeyAndItsLine) {
  ConfigFile file("cluster: prod-eu\npipeline:\n  shards: 4\n  shard_count: 2\n");
  auto result = RunCommand(Tapio("config check " + file.path()));
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.output, HasSubstr(":4:"));
  EXPECT_THAT(result.output, HasSubstr("shard_count"));
}

TEST(TapioCliTest, ConfigCheckNamesTheWrongTypeAndItsLine) {
  ConfigFile file("pipeline:\n  batch_size: 256\n  shards: two\n");
  auto result = RunCommand(Tapio("config check " + file.path()));
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.output, HasSubstr(":3:"));
  EXPECT_THAT(result.output, HasSubstr("pipeline.shards"));
}

TEST(TapioCliTest, ConfigCheckNamesTheBadDurationAndItsLine) {
  ConfigFile file("log:\n  level: info\npipeline:\n  drain_timeout: soon\n");
  auto result = RunCommand(Tapio("config check " + file.path()));
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.output, HasSubstr(":4:"));
  EXPECT_THAT(result.output, HasSubstr("pipeline.drain_timeout"));
}

TEST(TapioCliTest, ConfigCheckOfAMissingFileFails) {
  auto result = RunCommand(Tapio("config check /nonexistent/tapio.yaml"));
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.output, HasSubstr("/nonexistent/tapio.yaml"));
}

TEST(TapioCliTest, BenchPrintsOneJsonObjectWithTheDocumentedKeys) {
  auto result = RunCommand(Tapio("bench --events 100000 --producers 2 --output json"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  google::protobuf::Struct report;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(result.output, &report).ok())
      << result.output;
  for (const char* key : {"events", "events_per_sec", "p50_us", "p99_us", "bytes_per_event"}) {
    ASSERT_TRUE(report.fields().contains(key)) << key << " missing in " << result.output;
  }
  EXPECT_EQ(report.fields().at("events").number_value(), 100000);
  EXPECT_GT(report.fields().at("events_per_sec").number_value(), 0);
  EXPECT_LE(report.fields().at("p50_us").number_value(),
            report.fields().at("p99_us").number_value());
}

TEST(TapioCliTest, BenchUsesThePipelineSettingsOfAConfigFile) {
  ConfigFile file("pipeline:\n  shards: 3\n");
  auto result = RunCommand(Tapio("bench --events 10000 --output json --config " + file.path()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  google::protobuf::Struct report;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(result.output, &report).ok());
  EXPECT_EQ(report.fields().at("shards").number_value(), 3);
}

TEST(TapioCliTest, AnalyzeReadsAKubectlDumpAndGroupsEventsByEntity) {
  auto result =
      RunCommand(Tapio("analyze ../shared/realdata/public/A_kubernetes/troubleshoot_k3s_bundle"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("4 file(s) read, 2 skipped"));
  EXPECT_THAT(result.output, HasSubstr("1 Node, 6 Pod, 3 ReplicaSet"));
  size_t pod = result.output.find("\nPod/default/backend-api-75fb46b7bd-xtkrh\n");
  ASSERT_NE(pod, std::string::npos);
  size_t next = result.output.find("\n", pod + 1);
  std::string block = result.output.substr(next, result.output.find("\nPod/", next) - next);
  EXPECT_THAT(block, HasSubstr("k8s.container_waiting [api-server] CrashLoopBackOff"));
  EXPECT_THAT(block, HasSubstr("k8s.container_terminated [api-server] Error"));
  EXPECT_THAT(block, HasSubstr("BackOff x25"));
  // A bundle of kubectl output alone: say which evidence would sharpen the picture.
  EXPECT_THAT(result.output, HasSubstr("Not in this dump, and what it would add:"));
  EXPECT_THAT(result.output, HasSubstr("kernel logs (nodes/<node>/kmsg.log"));
}

TEST(TapioCliTest, AnalyzeJsonHoldsTheTopologyAndUnifiedEvents) {
  auto result = RunCommand(Tapio(
      "analyze --output json ../shared/realdata/public/A_kubernetes/troubleshoot_k3s_bundle"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  google::protobuf::Struct report;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(result.output, &report).ok());
  const auto& topology = report.fields().at("topology").struct_value();
  EXPECT_EQ(topology.fields().at("entities").struct_value().fields().at("Pod").number_value(), 6);
  const auto& entities = report.fields().at("entities").list_value();
  ASSERT_GT(entities.values_size(), 0);
  const auto& first_event =
      entities.values(0).struct_value().fields().at("events").list_value().values(0);
  EXPECT_EQ(first_event.struct_value().fields().at("source").string_value(), "SOURCE_KUBERNETES");
}

TEST(TapioCliTest, AnalyzeReadsANodesKernelLog) {
  char dir[] = "/tmp/tapio-scenario-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string root = dir;
  ASSERT_EQ(RunCommand("mkdir -p " + root +
                       "/nodes/node-1 && cp "
                       "../shared/realdata/kernel/memcg-oom-kubepods-paths.dmesg-iso.log " +
                       root + "/nodes/node-1/kmsg.log")
                .exit_code,
            0);
  auto result = RunCommand(Tapio("analyze " + root));
  RunCommand("rm -rf " + root);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("\nNode/node-1\n"));
  EXPECT_THAT(
      result.output,
      HasSubstr("kernel.oom_kill java (pid 6755) pod 3f1c9a2e-7b4d-4e8a-9c61-0d2b5e8f4a17"));
  EXPECT_THAT(result.output, Not(HasSubstr("kernel logs (nodes/<node>/kmsg.log")));
}

TEST(TapioCliTest, AnalyzePutsAKernelOomKillOnThePodItHit) {
  char dir[] = "/tmp/tapio-scenario-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string root = dir;
  ASSERT_EQ(RunCommand("mkdir -p " + root + "/nodes/node-1 " + root +
                       "/k8s && cp "
                       "../shared/realdata/kernel/memcg-oom-kubepods-paths.dmesg-iso.log " +
                       root + "/nodes/node-1/kmsg.log")
                .exit_code,
            0);
  std::ofstream(root + "/k8s/pods.json")
      << R"json({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"9"},"items":[
        {"metadata":{"name":"java-app-0","namespace":"shop","uid":"3f1c9a2e-7b4d-4e8a-9c61-0d2b5e8f4a17",
         "creationTimestamp":"2026-11-22T16:00:00Z"},
         "spec":{"nodeName":"node-1","containers":[{"name":"app","image":"registry.example.com/app:1"}]},
         "status":{"phase":"Running"}}]})json";
  auto result = RunCommand(Tapio("analyze " + root));
  RunCommand("rm -rf " + root);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  size_t pod = result.output.find("\nPod/shop/java-app-0\n");
  ASSERT_NE(pod, std::string::npos) << result.output;
  std::string block = result.output.substr(pod, result.output.find("\nNode/", pod) - pod);
  EXPECT_THAT(block, HasSubstr("kernel.oom_kill java (pid 6755)"));
}

TEST(TapioCliTest, AnalyzeCountsEventsThePipelineRejects) {
  char dir[] = "/tmp/tapio-scenario-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string root = dir;
  // A Kubernetes Event with no time anywhere cannot be placed in time, so validation rejects it.
  std::ofstream(root + "/events.json")
      << R"json({"kind":"EventList","apiVersion":"v1","items":[{"metadata":{"name":"x.1","namespace":"shop"},
         "involvedObject":{"kind":"Pod","namespace":"shop","name":"x","uid":"u-x"},
         "reason":"BackOff","message":"Back-off restarting failed container","type":"Warning"}]})json";
  auto result = RunCommand(Tapio("analyze " + root));
  RunCommand("rm -rf " + root);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("1 event(s) rejected as invalid, 0 dropped, 0 abandoned"));
}

TEST(TapioCliTest, AnalyzeWhyRanksTheCauseAndSaysWhatToDo) {
  auto result =
      RunCommand(Tapio("analyze ../shared/realdata/public/A_kubernetes/troubleshoot_k3s_bundle "
                       "--why pod/default/backend-api-75fb46b7bd-xtkrh --explain"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("#1  app-crash  ReplicaSet/default/backend-api-75fb46b7bd"));
  EXPECT_THAT(result.output, HasSubstr("exits with code 1 on its own"));
  EXPECT_THAT(
      result.output,
      HasSubstr("score: confidence 0.80 (pattern app-crash-loop 0.70 +0.10 restarts) x proximity"));
  EXPECT_THAT(result.output,
              HasSubstr("[K8S]    Pod/default/backend-api-75fb46b7bd-xtkrh  "
                        "k8s.container_terminated [api-server] Error -> terminated exit 1"));
  EXPECT_THAT(result.output, HasSubstr("Do now:\n      - Read the logs of the crashed container"));
}

TEST(TapioCliTest, AnalyzeOfAKubectlDumpReportsEveryIncidentWithItsCause) {
  auto result =
      RunCommand(Tapio("analyze ../shared/realdata/public/A_kubernetes/troubleshoot_k3s_bundle"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  size_t incidents = result.output.find("\nIncidents (");
  ASSERT_NE(incidents, std::string::npos) << result.output;
  std::string section = result.output.substr(incidents);
  // The bundle's events show a container crashing on its own and pods no node can fit.
  EXPECT_THAT(section, HasSubstr("#1  app-crash  ReplicaSet/default/backend-api-75fb46b7bd"));
  EXPECT_THAT(section,
              HasSubstr("#1  scheduling-resources  ReplicaSet/default/cpu-intensive-app-"));
  EXPECT_THAT(section, HasSubstr("Severity: "));
  EXPECT_THAT(section, HasSubstr(" after the first sign ("));
  // And what it could not use: the container logs it skipped.
  EXPECT_THAT(result.output, HasSubstr("skipped pods__logs__default__backend-api"));
}

TEST(TapioCliTest, AnalyzeWhyAsJsonIsTheDocumentedWhyReport) {
  auto result =
      RunCommand(Tapio("analyze ../shared/realdata/public/A_kubernetes/troubleshoot_k3s_bundle "
                       "--why pod/default/backend-api-75fb46b7bd-xtkrh --output json"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  v1::WhyReport report;
  // Strict parsing: a field that report.proto does not define fails the test.
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(result.output, &report).ok())
      << result.output;
  EXPECT_EQ(report.symptom().name(), "backend-api-75fb46b7bd-xtkrh");
  ASSERT_GE(report.causes_size(), 1);
  const v1::Cause& cause = report.causes(0);
  EXPECT_EQ(cause.rank(), 1);
  EXPECT_EQ(cause.category(), "app-crash");
  EXPECT_EQ(cause.entity().kind(), "ReplicaSet");
  EXPECT_GT(cause.confidence(), 0);
  EXPECT_LE(cause.confidence(), 1);
  ASSERT_GE(cause.score_size(), 4);
  EXPECT_EQ(cause.score(0).name(), "confidence");
  ASSERT_GE(cause.chain_size(), 1);
  for (int i = 1; i < cause.chain_size(); ++i) {
    EXPECT_LE(cause.chain(i - 1).time().seconds(), cause.chain(i).time().seconds());
  }
  EXPECT_EQ(cause.chain(0).layer(), "K8S");
  EXPECT_FALSE(cause.actions().immediate().empty());
  EXPECT_LE(cause.first_event().seconds(), cause.detected().seconds());
  EXPECT_EQ(cause.time_to_detection().seconds(),
            cause.detected().seconds() - cause.first_event().seconds());
  // Every field is printed, even when empty, so the shape does not depend on the data.
  EXPECT_THAT(result.output, HasSubstr("\"at_risk\":[]"));
}

TEST(TapioCliTest, AnalyzeJsonListsTheIncidentsAsDocumented) {
  auto result = RunCommand(Tapio(
      "analyze ../shared/realdata/public/A_kubernetes/troubleshoot_k3s_bundle --output json"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  google::protobuf::Struct report;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(result.output, &report).ok());
  const auto& incidents = report.fields().at("incidents").list_value();
  ASSERT_GE(incidents.values_size(), 2);
  for (const google::protobuf::Value& value : incidents.values()) {
    std::string json;
    ASSERT_TRUE(google::protobuf::util::MessageToJsonString(value, &json).ok());
    v1::Incident incident;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &incident).ok()) << json;
    EXPECT_NE(incident.state(), v1::Incident::STATE_UNSPECIFIED);
    EXPECT_EQ(incident.has_resolved(), incident.state() == v1::Incident::STATE_RESOLVED);
    EXPECT_GE(incident.matches(), 1u);
    EXPECT_FALSE(incident.cause().category().empty());
  }
}

TEST(TapioCliTest, AnalyzeWhyOfAnUnknownOrMalformedEntityFails) {
  const std::string dump = "../shared/realdata/public/A_kubernetes/troubleshoot_k3s_bundle";
  auto unknown = RunCommand(Tapio("analyze " + dump + " --why pod/default/nope"));
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.output, HasSubstr("Pod/default/nope has not been seen"));
  auto malformed = RunCommand(Tapio("analyze " + dump + " --why nope"));
  EXPECT_EQ(malformed.exit_code, 2);
  EXPECT_THAT(malformed.output, HasSubstr("name the entity as KIND/NAMESPACE/NAME"));
}

TEST(TapioCliTest, EvalPrintsTheDocumentedJson) {
  auto result = RunCommand(Tapio("eval --output json tests/fixtures/worked-example"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  google::protobuf::Struct report;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(result.output, &report).ok())
      << result.output;
  EXPECT_EQ(report.fields().at("scenarios").number_value(), 1);
  EXPECT_EQ(report.fields().at("top1").number_value(), 1);
  EXPECT_EQ(report.fields().at("top3").number_value(), 1);
  EXPECT_EQ(report.fields().at("near_miss_false_positives").number_value(), 0);
  EXPECT_EQ(report.fields().at("median_detection_ms").kind_case(),
            google::protobuf::Value::kNumberValue);
  EXPECT_GE(report.fields().at("median_detection_ms").number_value(), 0);
  const auto& first = report.fields().at("results").list_value().values(0).struct_value();
  EXPECT_EQ(first.fields().at("name").string_value(), "worked-example");
  EXPECT_EQ(first.fields().at("rank").number_value(), 1);
  const auto& got = first.fields().at("got").list_value().values(0).struct_value();
  EXPECT_EQ(got.fields().at("kind").string_value(), "Deployment");
  EXPECT_EQ(got.fields().at("category").string_value(), "quota");
}

TEST(TapioCliTest, EvalOfADirectoryWithoutScenariosFails) {
  auto result = RunCommand(Tapio("eval docs"));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr("docs: holds no scenario (no expected.yaml)"));
}

TEST(TapioCliTest, DemoReplaysTheBundledIncidentAndAnswersWhyForTwoPods) {
  auto result = RunCommand(Tapio("demo"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("0 records unusable"));
  EXPECT_THAT(result.output, HasSubstr("$ tapio why pod/shop/cart-6d5f8b7c9d-h2k4x\nWhy "));
  EXPECT_THAT(result.output, HasSubstr("$ tapio why pod/search/search-indexer-0\nWhy "));
  size_t first = result.output.find("\n#1  ");
  ASSERT_NE(first, std::string::npos);
  EXPECT_EQ(result.output.substr(first + 5, 36), "node-memory-pressure  Node/worker-2 ");
  EXPECT_THAT(result.output, HasSubstr("[KERNEL] Pod/search/search-indexer-0  kernel.global_oom"));
  // What else the node's memory took down: the cart Service, and through traces its caller.
  EXPECT_THAT(result.output, HasSubstr("services Service/search/search-indexer, Service/shop/cart; "
                                       "their callers Service/shop/frontend"));
  EXPECT_THAT(result.output, HasSubstr("At risk: 6 other pod(s) on the same node"));
}

TEST(TapioCliTest, AgentWithoutAPlaceToSendEventsSaysWhatToDo) {
  auto result = RunCommand(Tapio("agent"));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr("say where the events go: --server HOST:PORT or --stdout"));
}

TEST(TapioCliTest, AgentWithAnUnreadableKernelLogNamesIt) {
  auto result = RunCommand(Tapio("agent --stdout --kernel kmsg --kmsg /nonexistent/kmsg --for 1s"));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.output, HasSubstr("kernel collector: /nonexistent/kmsg: No such file"));
}

TEST(TapioCliTest, AnalyzeOfAMissingPathFails) {
  auto result = RunCommand(Tapio("analyze /nonexistent/incident"));
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.output, HasSubstr("/nonexistent/incident"));
}

}  // namespace
}  // namespace tapio
