// `tapio why` as a server answers it: a cluster of 100 nodes, 1,000 Deployments (each with a
// ReplicaSet and a Service) and 10,000 pods, sent as object changes, and 1,000,000 events of a
// bad hour (readiness flapping everywhere, 1 in 200 a container crashing, 1 in 500 one
// OOM-killed, two nodes under memory pressure evicting) stored in SQLite. The server starts as
// a restarted one does, rebuilding its analysis from the store, then answers
// CorrelationService.Why over loopback gRPC with a bearer token for pods whose containers
// terminated: the latency of each whole call, with its median and 99th percentile.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "collectors/kubeapi/object_change_event.h"
#include "domain/clock.h"
#include "grpcpp/grpcpp.h"
#include "intelligence/patterns/builtin_patterns.h"
#include "server/analysis_rebuild.h"
#include "server/live_analysis.h"
#include "server/server.h"
#include "storage/sqlite/sqlite_store.h"
#include "tapio/v1/correlation_service.grpc.pb.h"

namespace tapio {
namespace {

constexpr int64_t kT0 = 1'772'360'100'000'000'000;
constexpr int64_t kHour = int64_t{3600} * 1000000000;
constexpr int kNodes = 100;
constexpr int kDeployments = 1000;
constexpr int kPodsPerDeployment = 10;
constexpr int kEvents = 1'000'000;
constexpr size_t kAppendBatch = 5000;

v1::UnifiedEvent ObjectEvent(uint64_t id, const std::string& kind, const std::string& ns,
                             const std::string& name, std::string json) {
  v1::UnifiedEvent e;
  e.set_id(id);
  e.set_time_unix_nano(static_cast<uint64_t>(kT0 - 2 * kHour));
  e.set_source(v1::SOURCE_KUBERNETES);
  e.set_type(collectors::kubeapi::kObjectChangeType);
  e.set_severity(v1::SEVERITY_INFO);
  e.mutable_entity()->set_kind(kind);
  e.mutable_entity()->set_namespace_(ns);
  e.mutable_entity()->set_name(name);
  e.mutable_entity()->set_uid(absl::StrCat(kind, "-", name));
  e.mutable_kubernetes()->set_reason("ADDED");
  e.set_raw(std::move(json));
  return e;
}

std::string Meta(const std::string& kind, const std::string& name, const std::string& extra) {
  return absl::StrCat(R"("metadata":{"name":")", name, R"(","namespace":"shop","uid":")", kind, "-",
                      name, R"(","creationTimestamp":"2026-03-01T08:00:00Z")", extra, "}");
}

std::string Owner(const std::string& kind, const std::string& name) {
  return absl::StrCat(R"(,"ownerReferences":[{"apiVersion":"apps/v1","kind":")", kind,
                      R"(","name":")", name, R"(","uid":")", kind, "-", name,
                      R"(","controller":true}])");
}

// The cluster's objects, as a watch would have sent them.
std::vector<v1::UnifiedEvent> Objects(uint64_t* id) {
  std::vector<v1::UnifiedEvent> out;
  for (int n = 0; n < kNodes; ++n) {
    std::string name = absl::StrCat("node-", n);
    out.push_back(
        ObjectEvent(++*id, "Node", "", name,
                    absl::StrCat(R"({"apiVersion":"v1","kind":"Node","metadata":{"name":")", name,
                                 R"(","uid":"Node-)", name, R"("},"status":{"conditions":[]}})")));
  }
  for (int d = 0; d < kDeployments; ++d) {
    std::string app = absl::StrCat("app-", d);
    std::string rs = app + "-7d9f8c6b4";
    std::string labels = absl::StrCat(R"(,"labels":{"app":")", app, R"("})");
    out.push_back(ObjectEvent(++*id, "Deployment", "shop", app,
                              absl::StrCat(R"({"apiVersion":"apps/v1","kind":"Deployment",)",
                                           Meta("Deployment", app, labels), "}")));
    out.push_back(
        ObjectEvent(++*id, "ReplicaSet", "shop", rs,
                    absl::StrCat(R"({"apiVersion":"apps/v1","kind":"ReplicaSet",)",
                                 Meta("ReplicaSet", rs, labels + Owner("Deployment", app)), "}")));
    out.push_back(ObjectEvent(
        ++*id, "Service", "shop", app,
        absl::StrCat(R"({"apiVersion":"v1","kind":"Service",)", Meta("Service", app, ""),
                     R"(,"spec":{"selector":{"app":")", app, R"("}}})")));
    for (int p = 0; p < kPodsPerDeployment; ++p) {
      std::string pod = absl::StrCat(rs, "-", p);
      std::string node = absl::StrCat("node-", (d * kPodsPerDeployment + p) % kNodes);
      out.push_back(ObjectEvent(
          ++*id, "Pod", "shop", pod,
          absl::StrCat(R"({"apiVersion":"v1","kind":"Pod",)",
                       Meta("Pod", pod, labels + Owner("ReplicaSet", rs)),
                       R"(,"spec":{"nodeName":")", node,
                       R"(","containers":[{"name":"app"}]},"status":{"phase":"Running"}})")));
    }
  }
  return out;
}

v1::UnifiedEvent Kube(uint64_t id, int64_t at, const std::string& kind, const std::string& name,
                      const std::string& type, v1::Severity severity) {
  v1::UnifiedEvent e;
  e.set_id(id);
  e.set_time_unix_nano(static_cast<uint64_t>(at));
  e.set_observed_time_unix_nano(static_cast<uint64_t>(at));
  e.set_source(v1::SOURCE_KUBERNETES);
  e.set_type(type);
  e.set_severity(severity);
  e.mutable_entity()->set_kind(kind);
  if (kind != "Node") e.mutable_entity()->set_namespace_("shop");
  e.mutable_entity()->set_name(name);
  e.mutable_entity()->set_uid(absl::StrCat(kind, "-", name));
  e.mutable_kubernetes()->set_container("app");
  return e;
}

std::string PodName(size_t index) {
  size_t d = index / kPodsPerDeployment;
  return absl::StrCat("app-", d, "-7d9f8c6b4-", index % kPodsPerDeployment);
}

struct Fixture {
  std::string path;
  std::unique_ptr<storage::sqlite::SqliteStore> store;
  std::unique_ptr<server::LiveAnalysis> analysis;
  std::unique_ptr<server::Server> server;
  std::unique_ptr<v1::CorrelationService::Stub> stub;
  // Pods whose containers terminated: the ones an engineer asks about.
  std::vector<std::string> failed;
  uint64_t stored = 0;
  uint64_t open_incidents = 0;

  Fixture() {
    path = absl::StrCat(std::filesystem::temp_directory_path().string(), "/tapio-why-", getpid(),
                        ".db");
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    store = *storage::sqlite::SqliteStore::Open({path, /*durable=*/false});
    uint64_t id = 0;
    std::vector<v1::UnifiedEvent> batch = Objects(&id);
    (void)store->Append(batch);
    batch.clear();
    const size_t pods = static_cast<size_t>(kDeployments) * kPodsPerDeployment;
    const int64_t step = kHour / kEvents;
    for (int i = 0; i < kEvents; ++i) {
      const int64_t at = kT0 - kHour + int64_t{i} * step;
      const std::string pod = PodName(static_cast<size_t>(i) * 7919 % pods);
      v1::UnifiedEvent e;
      if (i % 200 == 0 || i % 500 == 1) {
        failed.push_back(pod);
        e = Kube(++id, at, "Pod", pod, "k8s.container_terminated", v1::SEVERITY_ERROR);
        bool oom = i % 200 != 0;
        e.mutable_kubernetes()->set_reason(oom ? "OOMKilled" : "Error");
        e.mutable_kubernetes()->set_exit_code(oom ? 137 : 1);
        e.mutable_kubernetes()->set_restart_count(3);
      } else if (i % 10'000 == 2) {
        e = Kube(++id, at, "Node", absl::StrCat("node-", (i / 10'000) % 2), "k8s.node_condition",
                 v1::SEVERITY_WARNING);
        e.mutable_kubernetes()->set_field("condition/MemoryPressure");
        e.mutable_kubernetes()->set_to("True");
      } else if (i % 10'000 == 3) {
        e = Kube(++id, at, "Pod", PodName((static_cast<size_t>(i) / 10'000) % 2), "k8s.pod_evicted",
                 v1::SEVERITY_ERROR);
        e.mutable_kubernetes()->set_reason("Evicted");
        e.mutable_kubernetes()->set_message(
            "The node was low on resource: memory. Threshold quantity: 100Mi.");
      } else {
        e = Kube(++id, at, "Pod", pod, "k8s.container_ready", v1::SEVERITY_INFO);
        e.mutable_kubernetes()->set_field("ready");
        e.mutable_kubernetes()->set_to(i % 2 == 0 ? "true" : "false");
      }
      batch.push_back(std::move(e));
      if (batch.size() == kAppendBatch) {
        (void)store->Append(batch);
        batch.clear();
      }
    }
    (void)store->Append(batch);
    stored = *store->EventCount();
    analysis = std::make_unique<server::LiveAnalysis>(*intelligence::LoadBuiltinPatterns(),
                                                      server::LiveAnalysis::Options{},
                                                      domain::Clock::Real());
    (void)server::RebuildFromStore(*store, *analysis);
    analysis->Flush();
    open_incidents = analysis->counts().incidents_open;
    server::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.token = "bench";
    server = *server::Server::Start(options, *store, *analysis);
    stub = v1::CorrelationService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server->port()), grpc::InsecureChannelCredentials()));
  }
};

void BM_WhyOverGrpc(benchmark::State& state) {
  static Fixture* fixture = new Fixture();
  std::vector<double> micros;
  size_t next = 0;
  size_t causes = 0;
  for (auto _ : state) {
    v1::WhyRequest request;
    request.set_entity(
        absl::StrCat("pod/shop/", fixture->failed[(next++ * 104729) % fixture->failed.size()]));
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer bench");
    v1::WhyReport report;
    auto start = std::chrono::steady_clock::now();
    grpc::Status status = fixture->stub->Why(&context, request, &report);
    auto stop = std::chrono::steady_clock::now();
    if (!status.ok()) {
      state.SkipWithError(status.error_message().c_str());
      break;
    }
    causes += static_cast<size_t>(report.causes_size());
    micros.push_back(std::chrono::duration<double, std::micro>(stop - start).count());
  }
  if (micros.empty()) return;
  std::sort(micros.begin(), micros.end());
  auto percentile = [&](double q) {
    return micros[std::min(micros.size() - 1, static_cast<size_t>(q * micros.size()))];
  };
  state.counters["p50_us"] = percentile(0.50);
  state.counters["p99_us"] = percentile(0.99);
  state.counters["stored_events"] = static_cast<double>(fixture->stored);
  state.counters["open_incidents"] = static_cast<double>(fixture->open_incidents);
  state.counters["causes_per_answer"] =
      static_cast<double>(causes) / static_cast<double>(micros.size());
}
BENCHMARK(BM_WhyOverGrpc)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace tapio
