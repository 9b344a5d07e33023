// "Why did this pod fail?" on a cluster of 100 nodes, 1,000 Deployments with a Service each
// and 10,000 pods, after 1,000,000 events in the hour before the question went through the
// built-in pattern library: the latency of one answer — ranking, impact, severity and the
// evidence chain — about pods whose containers terminated, with its median and 99th
// percentile over every question asked.
#include <algorithm>
#include <chrono>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "domain/clock.h"
#include "intelligence/patterns/builtin_patterns.h"
#include "intelligence/patterns/pattern_engine.h"
#include "intelligence/rca/diagnosis.h"

namespace tapio::intelligence {
namespace {

using domain::EntityId;
using domain::Intern;
using domain::KubeKind;

constexpr int64_t kT0 = 1'772'360'100'000'000'000;
constexpr int64_t kHour = int64_t{3600} * 1000000000;
constexpr int kNodes = 100;
constexpr int kDeployments = 1000;
constexpr int kPodsPerDeployment = 10;
constexpr int kEvents = 1'000'000;

domain::KubeObject Object(KubeKind kind, const std::string& name) {
  domain::KubeObject o;
  o.kind = kind;
  o.meta.namespace_name = Intern(kind == KubeKind::kNode ? "" : "shop");
  o.meta.name = Intern(name);
  o.meta.uid = Intern(absl::StrCat(domain::KubeKindName(kind), "-", name));
  return o;
}

domain::Event Kube(uint64_t id, int64_t at, EntityId entity, absl::string_view type,
                   domain::Severity severity, domain::KubernetesPayload payload) {
  domain::Event e;
  e.id = id;
  e.time_ns = at;
  e.entity = entity;
  e.source = domain::Source::kKubernetes;
  e.type = Intern(type);
  e.severity = severity;
  e.payload = payload;
  return e;
}

struct Cluster {
  domain::EntityRegistry registry;
  TopologyGraph graph{Intern("bench"), registry};
  std::vector<EntityId> pods;
  std::vector<EntityId> nodes;
  std::vector<PatternMatch> matches;
  // Pods that had a container terminate: the ones an engineer asks about.
  std::vector<EntityId> failed;
  uint64_t events = 0;
  int crash_every_;

  explicit Cluster(int crash_every) : crash_every_(crash_every) {
    auto apply = [&](domain::KubeObject o) {
      domain::ObjectChange change;
      change.time_ns = kT0 - 2 * kHour;
      change.object = std::move(o);
      (void)graph.Apply(change);
    };
    for (int n = 0; n < kNodes; ++n) {
      apply(Object(KubeKind::kNode, absl::StrCat("node-", n)));
      nodes.push_back(*graph.Find(KubeKind::kNode, "", absl::StrCat("node-", n)));
    }
    for (int d = 0; d < kDeployments; ++d) {
      std::string app = absl::StrCat("app-", d);
      apply(Object(KubeKind::kDeployment, app));
      domain::KubeObject service = Object(KubeKind::kService, app);
      domain::ServiceObject spec;
      spec.selector = {{Intern("app"), Intern(app)}};
      service.spec = spec;
      apply(service);
      for (int p = 0; p < kPodsPerDeployment; ++p) {
        std::string name = absl::StrCat(app, "-", p);
        domain::KubeObject pod = Object(KubeKind::kPod, name);
        pod.meta.owners.push_back(
            {Intern("Deployment"), Intern(app), Intern(absl::StrCat("Deployment-", app)), true});
        pod.meta.labels = {{Intern("app"), Intern(app)}};
        domain::PodObject pod_spec;
        pod_spec.node_name = Intern(absl::StrCat("node-", (d * kPodsPerDeployment + p) % kNodes));
        pod.spec = pod_spec;
        apply(pod);
        pods.push_back(*graph.Find(KubeKind::kPod, "shop", name));
      }
    }
    for (int d = 0; d + 1 < kDeployments; d += 2) {
      graph.AddCall(*graph.Find(KubeKind::kService, "shop", absl::StrCat("app-", d)),
                    *graph.Find(KubeKind::kService, "shop", absl::StrCat("app-", d + 1)),
                    kT0 - kHour);
    }
    Replay();
  }

  // An hour of a busy cluster: readiness flapping everywhere; 1 in `crash_every` events a
  // container crashing with an error, 1 in 500 one OOM-killed; two nodes under memory
  // pressure, evicting.
  void Replay() {
    PatternEngine engine(*LoadBuiltinPatterns(), graph, domain::Clock::Real());
    const int64_t step = kHour / kEvents;
    for (int i = 0; i < kEvents; ++i) {
      const int64_t at = kT0 - kHour + int64_t{i} * step;
      const uint64_t id = static_cast<uint64_t>(i + 1);
      EntityId pod = pods[static_cast<size_t>(i) * 7919 % pods.size()];
      domain::KubernetesPayload p;
      p.container = Intern("app");
      if (i % crash_every_ == 0 || i % 500 == 1) failed.push_back(pod);
      if (i % crash_every_ == 0) {
        p.reason = Intern("Error");
        p.exit_code = 1;
        p.restart_count = 3;
        engine.Observe(Kube(id, at, pod, "k8s.container_terminated", domain::Severity::kError, p));
      } else if (i % 500 == 1) {
        p.reason = Intern("OOMKilled");
        p.exit_code = 137;
        engine.Observe(Kube(id, at, pod, "k8s.container_terminated", domain::Severity::kError, p));
      } else if (i % 10'000 == 2) {
        p.field = Intern("condition/MemoryPressure");
        p.to = Intern("True");
        engine.Observe(Kube(id, at, nodes[static_cast<size_t>(i / 10'000) % 2],
                            "k8s.node_condition", domain::Severity::kWarning, p));
      } else if (i % 10'000 == 3) {
        p.reason = Intern("Evicted");
        p.message = Intern("The node was low on resource: memory. Threshold quantity: 100Mi.");
        engine.Observe(Kube(id, at, pods[static_cast<size_t>(i / 10'000) % 2], "k8s.pod_evicted",
                            domain::Severity::kError, p));
      } else {
        p.field = Intern("ready");
        p.to = Intern(i % 2 == 0 ? "true" : "false");
        engine.Observe(Kube(id, at, pod, "k8s.container_ready", domain::Severity::kInfo, p));
      }
    }
    engine.Flush();
    matches = engine.matches();
    events = engine.counts().events;
  }
};

void BM_Why(benchmark::State& state) {
  static Cluster* quiet = new Cluster(200);
  static Cluster* stormy = new Cluster(10);
  Cluster* cluster = state.range(0) == 200 ? quiet : stormy;
  std::vector<double> micros;
  size_t next = 0;
  size_t causes = 0;
  for (auto _ : state) {
    EntityId pod = cluster->failed[(next++ * 104729) % cluster->failed.size()];
    auto start = std::chrono::steady_clock::now();
    std::vector<Diagnosis> answer = Diagnose(cluster->graph, cluster->matches, {pod, kT0}, 3);
    auto stop = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(answer.data());
    causes += answer.size();
    micros.push_back(std::chrono::duration<double, std::micro>(stop - start).count());
  }
  std::sort(micros.begin(), micros.end());
  auto percentile = [&](double q) {
    return micros[std::min(micros.size() - 1, static_cast<size_t>(q * micros.size()))];
  };
  state.counters["p50_us"] = percentile(0.50);
  state.counters["p99_us"] = percentile(0.99);
  state.counters["events"] = static_cast<double>(cluster->events);
  state.counters["matches"] = static_cast<double>(cluster->matches.size());
  state.counters["causes_per_answer"] =
      static_cast<double>(causes) / static_cast<double>(micros.size());
}
// The argument is `crash_every`: 200 for a bad hour, 10 for a storm.
BENCHMARK(BM_Why)->Arg(200)->Arg(10)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace tapio::intelligence
