#include "intelligence/rca/root_cause_ranker.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "intelligence/patterns/relation_step.h"

namespace tapio::intelligence {
namespace {

using domain::EntityId;

struct Reach {
  double proximity = 0;
  std::string relation;
};

using Neighbourhood = absl::flat_hash_map<EntityId, Reach>;

void Mark(Neighbourhood& n, const std::vector<EntityId>& ids, double proximity,
          const std::string& relation) {
  for (EntityId id : ids) {
    Reach& r = n[id];
    if (proximity > r.proximity) r = {proximity, relation};
  }
}

// The entities a cause of the symptom may live on, each with how close it is.
Neighbourhood Around(const TopologyGraph& g, const Symptom& s) {
  Neighbourhood n;
  const int64_t at = s.at_ns;
  std::vector<EntityId> self = {s.entity};
  auto step = [&](const std::vector<EntityId>& from, RelationStep st) {
    return FollowStep(g, from, st, at);
  };
  std::vector<EntityId> pods = step(self, RelationStep::kPods);
  std::vector<EntityId> owners = step(self, RelationStep::kOwner);
  std::vector<EntityId> callees = step(self, RelationStep::kCallees);
  std::vector<EntityId> callee_pods = step(callees, RelationStep::kPods);
  Mark(n, step(callee_pods, RelationStep::kNode), 0.7, "callees");
  Mark(n, step(callee_pods, RelationStep::kOwner), 0.8, "callees");
  Mark(n, callee_pods, 0.8, "callees");
  Mark(n, callees, 0.8, "callees");
  Mark(n, step(self, RelationStep::kServices), 0.85, "services");
  Mark(n, step(self, RelationStep::kQuotas), 0.9, "quotas");
  Mark(n, step(pods, RelationStep::kConfigs), 0.9, "configs");
  std::vector<EntityId> claims = step(pods, RelationStep::kClaims);
  Mark(n, step(claims, RelationStep::kVolumes), 0.85, "volumes");
  Mark(n, claims, 0.95, "claims");
  Mark(n, step(pods, RelationStep::kNode), 0.95, "node");
  Mark(n, pods, 0.95, "pods");
  Mark(n, owners, 1.0, "owner");
  Mark(n, self, 1.0, "self");
  return n;
}

// Deeper layers explain more of what sits above them: a kernel OOM explains the pod's
// restart, not the other way round.
double LayerDepth(const std::string& layer) {
  if (layer == "kernel") return 1.0;
  if (layer == "node" || layer == "control-plane") return 0.98;
  if (layer == "network") return 0.96;
  if (layer == "kubernetes") return 0.94;
  return 0.92;
}

std::string Minutes(int64_t ns) {
  double minutes = static_cast<double>(ns) / 60e9;
  return minutes < 1 ? absl::StrFormat("%.0fs", static_cast<double>(ns) / 1e9)
                     : absl::StrFormat("%.0fm", minutes);
}

// A cause comes before its symptom: one seen after it is more likely another effect.
ScoreFactor Timing(int64_t before_ns, const RankOptions& options) {
  if (before_ns < 0) {
    return {"timing", 0.75, absl::StrCat(Minutes(-before_ns), " after the symptom")};
  }
  if (before_ns > options.recent_ns) {
    return {"timing", 0.8, absl::StrCat(Minutes(before_ns), " before the symptom, long before")};
  }
  return {"timing", 1.0, absl::StrCat(Minutes(before_ns), " before the symptom")};
}

ScoreFactor Confidence(const PatternMatch& m) {
  std::string reason = absl::StrFormat("pattern %s %.2f", m.pattern, m.base_confidence);
  for (const MatchEvidence& e : m.evidence) {
    if (e.weight > 0) absl::StrAppendFormat(&reason, " +%.2f %s", e.weight, e.id);
    if (e.weight < 0) absl::StrAppendFormat(&reason, " -%.2f %s (against)", -e.weight, e.id);
  }
  return {"confidence", m.confidence, reason};
}

std::string Explain(const std::vector<ScoreFactor>& factors, double score) {
  std::vector<std::string> product;
  std::string bonus;
  for (const ScoreFactor& f : factors) {
    if (f.name == "agreement") {
      bonus = absl::StrFormat(" + agreement %.2f (%s)", f.value, f.reason);
    } else {
      product.push_back(absl::StrFormat("%s %.2f (%s)", f.name, f.value, f.reason));
    }
  }
  return absl::StrFormat("%s%s = %.3f", absl::StrJoin(product, " x "), bonus, score);
}

}  // namespace

std::vector<RankedCause> RankCauses(const TopologyGraph& graph,
                                    const std::vector<PatternMatch>& matches,
                                    const Symptom& symptom, const RankOptions& options) {
  Neighbourhood around = Around(graph, symptom);
  std::map<std::pair<std::string, uint32_t>, RankedCause> causes;
  for (size_t i = 0; i < matches.size(); ++i) {
    const PatternMatch& m = matches[i];
    if (m.retracted) continue;
    int64_t before = symptom.at_ns - m.trigger.time_ns;
    if (before < -options.after_slack_ns || before > options.lookback_ns) continue;
    Reach best;
    auto consider = [&](EntityId id, double factor, const char* via) {
      auto it = around.find(id);
      if (it == around.end()) return;
      double p = it->second.proximity * factor;
      if (p > best.proximity) best = {p, it->second.relation + via};
    };
    consider(m.at_fault, 1.0, "");
    for (EntityId hit : m.trigger_entities) consider(hit, 0.95, " (trigger)");
    for (const MatchEvidence& e : m.evidence) {
      if (e.contradicting) continue;
      for (const domain::Event& ev : e.events) consider(ev.entity, 0.9, " (evidence)");
    }
    if (best.proximity == 0 && m.layer == "control-plane") best = {0.7, "cluster"};
    if (best.proximity == 0) continue;
    std::vector<ScoreFactor> factors = {
        Confidence(m),
        {"proximity", best.proximity, best.relation},
        Timing(before, options),
        {"layer", LayerDepth(m.layer), m.layer},
    };
    double score = 1;
    for (const ScoreFactor& f : factors) score *= f.value;
    RankedCause& cause = causes[{m.category, m.at_fault.value}];
    if (cause.matches.empty() || score > cause.score) {
      cause.category = m.category;
      cause.entity = m.at_fault;
      cause.score = score;
      cause.relation = best.relation;
      cause.factors = std::move(factors);
      cause.matches.insert(cause.matches.begin(), i);
    } else {
      cause.matches.push_back(i);
    }
  }
  std::vector<RankedCause> ranked;
  for (auto& [key, cause] : causes) {
    std::vector<std::string> patterns;
    for (size_t i : cause.matches) {
      if (std::find(patterns.begin(), patterns.end(), matches[i].pattern) == patterns.end()) {
        patterns.push_back(matches[i].pattern);
      }
    }
    // Independent patterns agreeing on one cause make it likelier than either alone.
    if (patterns.size() > 1) {
      double bonus = 0.03 * static_cast<double>(patterns.size() - 1);
      cause.score = std::min(1.0, cause.score + bonus);
      cause.factors.push_back(
          {"agreement", bonus, absl::StrCat(patterns.size(), " patterns name this cause")});
    }
    cause.explanation = Explain(cause.factors, cause.score);
    ranked.push_back(std::move(cause));
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const RankedCause& a, const RankedCause& b) { return a.score > b.score; });
  return ranked;
}

}  // namespace tapio::intelligence
