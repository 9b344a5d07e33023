// Decoding watch events and applying them to the topology graph: 10,000 pods churning across
// 1,000 nodes, as a busy cluster's pod watch delivers them. Reports events/s on one thread
// and the graph's memory per pod.
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "collectors/kubeapi/object_decoder.h"
#include "collectors/kubeapi/transition_detector.h"
#include "domain/event_id.h"
#include "domain/process.h"
#include "intelligence/topology/topology_graph.h"
#include "simdjson.h"

namespace tapio {
namespace {

constexpr int kPods = 10'000;
constexpr int kNodes = 1'000;
constexpr int kEvents = 100'000;

// A pod as the API server sends it in a watch event, with the fields real pods carry.
// `pod` names the pod (a replacement gets a new number), `node` is where it runs and
// `version` counts its status updates.
std::string PodWatchLine(int pod, int node, int version, absl::string_view type) {
  int deployment = pod % kPods / 10;
  bool restarting = version % 3 == 2;
  return absl::StrCat(
      R"({"type":")", type,
      R"(","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"web-)", deployment,
      "-7d9f8c6b4-", pod, R"(","generateName":"web-)", deployment,
      R"(-7d9f8c6b4-","namespace":"ns-)", deployment % 50, R"(","uid":"6f1c9a2e-7b4d-4e8a-9c61-)",
      1000000 + pod, R"(","resourceVersion":")", 100000 + version * kPods + pod,
      R"(","creationTimestamp":"2026-03-01T09:00:00Z","labels":{"app":"web-)", deployment,
      R"(","pod-template-hash":"7d9f8c6b4","tier":"frontend"},"ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-)",
      deployment, R"(-7d9f8c6b4","uid":"rs-)", deployment,
      R"(","controller":true,"blockOwnerDeletion":true}]},"spec":{"volumes":[{"name":"config","configMap":{"name":"web-config","defaultMode":420}},{"name":"kube-api-access-x2x9q","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},{"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}}],"defaultMode":420}}],"containers":[{"name":"app","image":"registry.example.com/web:1.42.0","ports":[{"containerPort":8080,"protocol":"TCP"}],"envFrom":[{"configMapRef":{"name":"web-env"}}],"env":[{"name":"DB_PASSWORD","valueFrom":{"secretKeyRef":{"name":"db","key":"password"}}}],"resources":{"limits":{"cpu":"500m","memory":"512Mi"},"requests":{"cpu":"250m","memory":"256Mi"}},"livenessProbe":{"httpGet":{"path":"/healthz","port":8080,"scheme":"HTTP"},"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3},"readinessProbe":{"httpGet":{"path":"/ready","port":8080,"scheme":"HTTP"},"timeoutSeconds":1,"periodSeconds":5,"successThreshold":1,"failureThreshold":3},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"}],"restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","serviceAccountName":"default","nodeName":"node-)",
      node,
      R"(","schedulerName":"default-scheduler","priority":0},"status":{"phase":"Running","conditions":[{"type":"Initialized","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-03-01T09:00:01Z"},{"type":"Ready","status":")",
      restarting ? "False" : "True",
      R"(","lastProbeTime":null,"lastTransitionTime":"2026-03-01T09:00:0)", version % 10,
      R"(Z"},{"type":"ContainersReady","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-03-01T09:00:05Z"},{"type":"PodScheduled","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-03-01T09:00:00Z"}],"hostIP":"10.0.3.41","podIP":"10.42.0.16","startTime":"2026-03-01T09:00:00Z","containerStatuses":[{"name":"app","state":{"running":{"startedAt":"2026-03-01T09:00:04Z"}},"lastState":{},"ready":true,"restartCount":)",
      version,
      R"(,"image":"registry.example.com/web:1.42.0","imageID":"registry.example.com/web@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1","containerID":"containerd://)",
      absl::StrCat(pod, "b308fb9398243225235b09803d1b317a9c85166bcbf5bf8aee64a28678", version),
      R"(","started":true}],"qosClass":"Burstable"}}})");
}

// Churn as a busy cluster's pod watch shows it: every pod is added, then most events are
// status updates (restarts, readiness flips), and one in ten replaces a pod: the old one is
// deleted and a new one, with a new name and uid, starts on another node.
std::vector<std::string> MakeWatchEvents() {
  std::vector<std::string> lines;
  lines.reserve(kEvents);
  std::vector<int> current(kPods), node(kPods), version(kPods, 0);
  for (int p = 0; p < kPods; ++p) {
    current[p] = p;
    node[p] = p % kNodes;
    lines.push_back(PodWatchLine(p, node[p], 0, "ADDED"));
  }
  for (int i = 0; static_cast<int>(lines.size()) < kEvents; ++i) {
    int slot = static_cast<int>((i * 7919ull) % kPods);
    if (i % 20 == 19) {
      lines.push_back(PodWatchLine(current[slot], node[slot], version[slot], "DELETED"));
      current[slot] += kPods;
      node[slot] = (node[slot] + 37) % kNodes;
      version[slot] = 0;
      lines.push_back(PodWatchLine(current[slot], node[slot], 0, "ADDED"));
    } else {
      lines.push_back(PodWatchLine(current[slot], node[slot], ++version[slot], "MODIFIED"));
    }
  }
  lines.resize(kEvents);
  return lines;
}

domain::ObjectChange::Type ChangeTypeOf(const collectors::kubeapi::WatchEvent& event) {
  switch (event.type) {
    case collectors::kubeapi::WatchEvent::Type::kAdded:
      return domain::ObjectChange::Type::kAdded;
    case collectors::kubeapi::WatchEvent::Type::kDeleted:
      return domain::ObjectChange::Type::kDeleted;
    default:
      return domain::ObjectChange::Type::kModified;
  }
}

void BM_WatchEvents_DecodeAndApply(benchmark::State& state) {
  domain::ConfigureProcess();
  static const std::vector<std::string> lines = MakeWatchEvents();
  size_t bytes = 0;
  for (const auto& line : lines) bytes += line.size();
  double pods_memory = 0;
  double decoder_memory = 0;
  for (auto _ : state) {
    state.PauseTiming();
    domain::EntityRegistry registry;
    intelligence::TopologyGraph graph(domain::Intern("bench"), registry);
    // Incremental as the live watch decodes, remembering each pod's last version, or each
    // event decoded from scratch.
    collectors::kubeapi::ObjectDecoder decoder;
    decoder.set_incremental(state.range(0) == 1);
    int64_t at = 1'772'355'600'000'000'000;
    state.ResumeTiming();
    for (const std::string& line : lines) {
      auto event = decoder.DecodeWatchEvent(line);
      domain::ObjectChange change{ChangeTypeOf(*event), at++, std::move(event->object)};
      benchmark::DoNotOptimize(graph.Apply(change));
    }
    state.PauseTiming();
    pods_memory = static_cast<double>(graph.memory_bytes()) / kPods;
    decoder_memory = static_cast<double>(decoder.memo_bytes()) / kPods;
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
  state.SetBytesProcessed(state.iterations() * bytes);
  state.counters["graph_bytes_per_live_pod"] = pods_memory;
  state.counters["decoder_bytes_per_live_pod"] = decoder_memory;
}
BENCHMARK(BM_WatchEvents_DecodeAndApply)
    ->ArgName("incremental")
    ->Arg(1)
    ->Arg(0)
    ->Unit(benchmark::kMillisecond);

// Copies `line` into `buffer` with the padding simdjson reads past the end.
simdjson::padded_string_view Padded(const std::string& line, std::string& buffer) {
  buffer.reserve(line.size() + simdjson::SIMDJSON_PADDING);
  buffer.assign(line);
  return simdjson::padded_string_view(buffer.data(), buffer.size(), buffer.capacity());
}

// Reads every key and value of every line with simdjson and nothing else: the floor under
// any decoder that looks at the whole object, for comparison with the one above.
size_t WalkJson(simdjson::ondemand::value value) {
  size_t seen = 0;
  switch (value.type()) {
    case simdjson::ondemand::json_type::object:
      for (auto field : value.get_object()) {
        std::string_view key = field.unescaped_key();
        seen += key.size() + WalkJson(field.value());
      }
      break;
    case simdjson::ondemand::json_type::array:
      for (auto element : value.get_array()) seen += WalkJson(element.value());
      break;
    case simdjson::ondemand::json_type::string: {
      std::string_view text = value.get_string();
      seen += text.size();
      break;
    }
    default:
      seen += value.raw_json_token().size();
  }
  return seen;
}

// Times `read(padded line)` over every line, as the parser-only benchmarks below do.
template <typename Read>
void ReadEveryLine(benchmark::State& state, Read read) {
  static const std::vector<std::string> lines = MakeWatchEvents();
  std::string buffer;
  for (auto _ : state) {
    for (const std::string& line : lines) read(Padded(line, buffer));
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
}

void BM_WatchEvents_JsonWalkOnly(benchmark::State& state) {
  simdjson::ondemand::parser parser;
  ReadEveryLine(state, [&](simdjson::padded_string_view padded) {
    simdjson::ondemand::document doc = parser.iterate(padded);
    benchmark::DoNotOptimize(WalkJson(doc.get_value()));
  });
}
BENCHMARK(BM_WatchEvents_JsonWalkOnly)->Unit(benchmark::kMillisecond);

// simdjson's DOM parser building its whole tape, and the on-demand parser's first stage
// (structural indexing) alone: what a decoder built on either would start from.
void BM_WatchEvents_DomParseOnly(benchmark::State& state) {
  simdjson::dom::parser parser;
  ReadEveryLine(state, [&](simdjson::padded_string_view padded) {
    simdjson::dom::element doc;
    auto error = parser.parse(padded.data(), padded.size(), false).get(doc);
    benchmark::DoNotOptimize(error);
    benchmark::DoNotOptimize(doc);
  });
}
BENCHMARK(BM_WatchEvents_DomParseOnly)->Unit(benchmark::kMillisecond);

void BM_WatchEvents_OnDemandStage1Only(benchmark::State& state) {
  simdjson::ondemand::parser parser;
  ReadEveryLine(state, [&](simdjson::padded_string_view padded) {
    simdjson::ondemand::document doc = parser.iterate(padded);
    std::string_view type;
    benchmark::DoNotOptimize(doc["type"].get(type));
  });
}
BENCHMARK(BM_WatchEvents_OnDemandStage1Only)->Unit(benchmark::kMillisecond);

void BM_WatchEvents_DecodeApplyAndDetect(benchmark::State& state) {
  static const std::vector<std::string> lines = MakeWatchEvents();
  for (auto _ : state) {
    state.PauseTiming();
    domain::EntityRegistry registry;
    intelligence::TopologyGraph graph(domain::Intern("bench"), registry);
    domain::EventIdGenerator ids(1);
    collectors::kubeapi::TransitionDetector detector(domain::Intern("bench"), registry, ids);
    collectors::kubeapi::ObjectDecoder decoder;
    decoder.set_incremental(true);
    std::vector<domain::Event> events;
    int64_t at = 1'772'355'600'000'000'000;
    state.ResumeTiming();
    for (const std::string& line : lines) {
      auto event = decoder.DecodeWatchEvent(line);
      domain::ObjectChange change{ChangeTypeOf(*event), at++, std::move(event->object)};
      benchmark::DoNotOptimize(graph.Apply(change));
      events.clear();
      detector.Observe(change, &events);
    }
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
}
BENCHMARK(BM_WatchEvents_DecodeApplyAndDetect)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tapio
