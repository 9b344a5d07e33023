#include "intelligence/rca/root_cause_ranker.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
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

}  // namespace

std::vector<RankedCause> RankCauses(const TopologyGraph& graph,
                                    const std::vector<PatternMatch>& matches,
                                    const Symptom& symptom, const RankOptions& options) {
  Neighbourhood around = Around(graph, symptom);
  std::map<std::pair<std::string, uint32_t>, RankedCause> causes;
  std::vector<std::pair<double, size_t>> scored;
  for (size_t i = 0; i < matches.size(); ++i) {
    const PatternMatch& m = matches[i];
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
      for (const domain::Event& ev : e.events) consider(ev.entity, 0.9, " (evidence)");
    }
    if (best.proximity == 0 && m.layer == "control-plane") best = {0.7, "cluster"};
    if (best.proximity == 0) continue;
    double recency = before <= int64_t{3600} * 1000000000 ? 1.0 : 0.8;
    double score = m.confidence * best.proximity * recency;
    RankedCause& cause = causes[{m.category, m.at_fault.value}];
    if (cause.matches.empty() || score > cause.score) {
      cause.category = m.category;
      cause.entity = m.at_fault;
      cause.score = score;
      cause.relation = best.relation;
      cause.explanation =
          absl::StrFormat("pattern %s confidence %.2f x proximity %.2f (%s) x recency %.1f = %.3f",
                          m.pattern, m.confidence, best.proximity, best.relation, recency, score);
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
      absl::StrAppendFormat(&cause.explanation, "; +%.2f for %d agreeing patterns", bonus,
                            static_cast<int>(patterns.size()));
    }
    ranked.push_back(std::move(cause));
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const RankedCause& a, const RankedCause& b) { return a.score > b.score; });
  return ranked;
}

}  // namespace tapio::intelligence
