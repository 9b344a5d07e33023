#include "intelligence/incidents/incident_tracker.h"

#include <algorithm>

#include "domain/kube_object.h"
#include "intelligence/patterns/relation_step.h"

namespace tapio::intelligence {

using domain::EntityId;

IncidentTracker::IncidentTracker(const TopologyGraph& graph, IncidentOptions options)
    : graph_(graph), options_(options) {}

absl::flat_hash_set<EntityId> IncidentTracker::Touched(const PatternMatch& m) const {
  absl::flat_hash_set<EntityId> touched;
  std::vector<EntityId> hit = {m.at_fault};
  hit.insert(hit.end(), m.trigger_entities.begin(), m.trigger_entities.end());
  for (const MatchEvidence& e : m.evidence) {
    if (e.contradicting) continue;
    for (const domain::Event& ev : e.events) hit.push_back(ev.entity);
  }
  for (EntityId id : hit) {
    if (!touched.insert(id).second) continue;
    std::optional<EntityInfo> info = graph_.Info(id);
    if (!info.has_value() || info->kind != domain::KubeKind::kPod) continue;
    int64_t at = graph_.LastSeenBy(id, m.trigger.time_ns);
    for (EntityId w : FollowStep(graph_, {id}, RelationStep::kWorkload, at)) touched.insert(w);
  }
  return touched;
}

void IncidentTracker::File(const PatternMatch& m, size_t index) {
  absl::flat_hash_set<EntityId> touched = Touched(m);
  const bool control_plane = m.layer == "control-plane";
  const int64_t at = m.trigger.time_ns;
  std::vector<size_t> linked;
  for (size_t i = 0; i < incidents_.size(); ++i) {
    const Incident& incident = incidents_[i];
    if (!incident.open() || at > incident.updated_ns + options_.window_ns ||
        at < incident.opened_ns - options_.window_ns) {
      continue;
    }
    if ((control_plane && incident.control_plane) ||
        std::any_of(touched.begin(), touched.end(),
                    [&](EntityId id) { return incident.touched.contains(id); })) {
      linked.push_back(i);
    }
  }
  if (linked.empty()) {
    Incident& opened = incidents_.emplace_back();
    opened.id = next_id_++;
    opened.opened_ns = at;
    opened.updated_ns = at;
    linked.push_back(incidents_.size() - 1);
  }
  Incident& home = incidents_[linked.front()];
  home.matches.push_back(index);
  home.touched.insert(touched.begin(), touched.end());
  home.control_plane = home.control_plane || control_plane;
  home.opened_ns = std::min(home.opened_ns, at);
  home.updated_ns = std::max(home.updated_ns, m.last_trigger_ns);
  // This match ties several open incidents together: they are one, under the oldest.
  for (size_t k = 1; k < linked.size(); ++k) {
    Incident& other = incidents_[linked[k]];
    home.matches.insert(home.matches.end(), other.matches.begin(), other.matches.end());
    home.touched.insert(other.touched.begin(), other.touched.end());
    home.control_plane = home.control_plane || other.control_plane;
    home.opened_ns = std::min(home.opened_ns, other.opened_ns);
    home.updated_ns = std::max(home.updated_ns, other.updated_ns);
    other.matches.clear();
  }
  incidents_.erase(std::remove_if(incidents_.begin(), incidents_.end(),
                                  [](const Incident& i) { return i.matches.empty(); }),
                   incidents_.end());
}

void IncidentTracker::Update(const std::vector<PatternMatch>& matches, int64_t now_ns) {
  for (; filed_ < matches.size(); ++filed_) {
    if (!matches[filed_].retracted) File(matches[filed_], filed_);
  }
  for (Incident& incident : incidents_) {
    if (!incident.open()) continue;
    for (size_t i : incident.matches) {
      incident.updated_ns = std::max(incident.updated_ns, matches[i].last_trigger_ns);
    }
    if (now_ns - incident.updated_ns >= options_.quiet_ns) {
      incident.resolved_ns = incident.updated_ns + options_.quiet_ns;
    }
  }
}

}  // namespace tapio::intelligence
