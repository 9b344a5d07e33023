// The pattern engine over the built-in library: events per second through Observe, on a
// cluster of 1,000 nodes and 10,000 pods, with one event in `trigger_every` a trigger whose
// evidence is looked up on the pod, its workload's pods and its node.
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "domain/clock.h"
#include "intelligence/patterns/builtin_patterns.h"
#include "intelligence/patterns/pattern_engine.h"

namespace tapio::intelligence {
namespace {

using domain::Intern;
using domain::KubeKind;

constexpr int64_t kT0 = 1'772'360'100'000'000'000;
constexpr int kNodes = 1000;
constexpr int kDeployments = 1000;
constexpr int kPodsPerDeployment = 10;

domain::KubeObject Object(KubeKind kind, absl::string_view ns, const std::string& name) {
  domain::KubeObject o;
  o.kind = kind;
  o.meta.namespace_name = Intern(ns);
  o.meta.name = Intern(name);
  o.meta.uid = Intern(absl::StrCat(name, "-uid"));
  return o;
}

struct Cluster {
  domain::EntityRegistry registry;
  TopologyGraph graph{Intern("bench"), registry};
  std::vector<domain::EntityId> pods;

  Cluster() {
    auto apply = [&](domain::KubeObject o) {
      domain::ObjectChange change;
      change.time_ns = kT0 - int64_t{3600} * 1000000000;
      change.object = std::move(o);
      (void)graph.Apply(change);
    };
    for (int n = 0; n < kNodes; ++n) apply(Object(KubeKind::kNode, "", absl::StrCat("node-", n)));
    for (int d = 0; d < kDeployments; ++d) {
      std::string name = absl::StrCat("app-", d);
      apply(Object(KubeKind::kDeployment, "shop", name));
      for (int p = 0; p < kPodsPerDeployment; ++p) {
        domain::KubeObject pod = Object(KubeKind::kPod, "shop", absl::StrCat(name, "-", p));
        pod.meta.owners.push_back(
            {Intern("Deployment"), Intern(name), Intern(absl::StrCat(name, "-uid")), true});
        domain::PodObject spec;
        spec.node_name = Intern(absl::StrCat("node-", (d * kPodsPerDeployment + p) % kNodes));
        pod.spec = spec;
        apply(pod);
        pods.push_back(*graph.Find(KubeKind::kPod, "shop", absl::StrCat(name, "-", p)));
      }
    }
  }
};

void BM_PatternEngine_Observe(benchmark::State& state) {
  static Cluster* cluster = new Cluster();
  const int trigger_every = static_cast<int>(state.range(0));
  std::vector<Pattern> library = *LoadBuiltinPatterns();
  std::vector<domain::Event> events;
  for (int i = 0; i < 100'000; ++i) {
    domain::Event e;
    e.id = static_cast<uint64_t>(i + 1);
    e.time_ns = kT0 + int64_t{i} * 10'000'000;
    e.entity = cluster->pods[static_cast<size_t>(i * 7919) % cluster->pods.size()];
    e.source = domain::Source::kKubernetes;
    domain::KubernetesPayload p;
    p.container = Intern("app");
    if (i % trigger_every == 0) {
      e.type = Intern("k8s.container_terminated");
      e.severity = domain::Severity::kError;
      p.reason = Intern("Error");
      p.exit_code = 1;
    } else {
      e.type = Intern("k8s.container_ready");
      e.severity = domain::Severity::kInfo;
      p.to = Intern("true");
    }
    e.payload = p;
    events.push_back(e);
  }
  uint64_t matches = 0;
  for (auto _ : state) {
    PatternEngine engine(library, cluster->graph, domain::Clock::Real());
    for (const domain::Event& e : events) engine.Observe(e);
    engine.Flush();
    matches = engine.counts().matches;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(events.size()));
  state.counters["matches"] = static_cast<double>(matches);
}
BENCHMARK(BM_PatternEngine_Observe)->Arg(1000)->Arg(100)->Arg(10)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tapio::intelligence
