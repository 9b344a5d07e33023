#include "intelligence/patterns/pattern_engine.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace tapio::intelligence {
namespace {

using domain::EntityId;

struct Found {
  uint32_t count = 0;
  std::vector<domain::Event> events;
  // Where the events were found, in order found: what paths starting here follow from.
  std::vector<EntityId> entities;
};

std::vector<std::string> RenderAll(const std::vector<MessageTemplate>& templates,
                                   const MessageTemplate::Resolver& resolve) {
  std::vector<std::string> out;
  out.reserve(templates.size());
  for (const MessageTemplate& t : templates) out.push_back(t.Render(resolve));
  return out;
}

}  // namespace

PatternEngine::PatternEngine(std::vector<Pattern> patterns, const TopologyGraph& graph,
                             const domain::Clock& clock, PatternEngineOptions options)
    : patterns_(std::move(patterns)),
      graph_(graph),
      clock_(clock),
      options_(options),
      index_(options.horizon_ns) {
  for (uint32_t p = 0; p < patterns_.size(); ++p) {
    for (uint32_t t = 0; t < patterns_[p].triggers.size(); ++t) {
      for (domain::Symbol type : patterns_[p].triggers[t].types) by_type_[type].push_back({p, t});
    }
  }
}

constexpr size_t kNoMatch = SIZE_MAX;

struct PatternEngine::Assessment {
  std::vector<Found> found;
  double confidence = 0;
  EntityId fault;
};

void PatternEngine::Observe(const domain::Event& event) {
  ++counts_.events;
  index_.Add(event);
  newest_ns_ = std::max(newest_ns_, event.time_ns);
  auto found = by_type_.find(event.type);
  if (found != by_type_.end()) {
    uint32_t last_pattern = UINT32_MAX;
    for (const auto& [p, t] : found->second) {
      // A pattern with several triggers that all match is still one evaluation.
      if (p == last_pattern || !patterns_[p].triggers[t].Matches(event)) continue;
      last_pattern = p;
      ++counts_.triggers;
      const int64_t now = clock_.NowNanos();
      const int64_t settle = patterns_[p].settle_ns();
      const int64_t conclude = patterns_[p].conclude_ns();
      if (conclude < settle) {
        pending_.push({event.time_ns + conclude, p, Look::kFirst, event, now});
        pending_.push({event.time_ns + settle, p, Look::kSecond, event, now});
      } else {
        pending_.push({event.time_ns + settle, p, Look::kOnly, event, now});
      }
    }
  }
  EvaluateDue(newest_ns_ - options_.lateness_ns);
}

void PatternEngine::AdvanceTo(int64_t stream_ns) {
  newest_ns_ = std::max(newest_ns_, stream_ns);
  EvaluateDue(newest_ns_ - options_.lateness_ns);
}

void PatternEngine::Flush() { EvaluateDue(INT64_MAX); }

void PatternEngine::EvaluateDue(int64_t watermark_ns) {
  while (!pending_.empty() && pending_.top().due_ns <= watermark_ns) {
    Pending next = pending_.top();
    pending_.pop();
    Evaluate(next);
  }
}

std::optional<PatternEngine::Assessment> PatternEngine::Assess(const Pattern& pattern,
                                                               const domain::Event& trigger) {
  const int64_t at = trigger.time_ns;
  Assessment result;
  result.found.resize(pattern.evidence.size());
  result.confidence = pattern.confidence;
  std::vector<Found>& found = result.found;

  auto origin_of = [&](const RelationPath& path) {
    return path.origin < 0 ? std::vector<EntityId>{trigger.entity} : found[path.origin].entities;
  };
  auto follow = [&](const RelationPath& path) {
    const std::vector<EntityId> origin = origin_of(path);
    std::vector<EntityId> entities = origin;
    for (RelationStep step : path.steps) entities = FollowStep(graph_, entities, step, at, origin);
    return entities;
  };

  for (size_t i = 0; i < pattern.evidence.size(); ++i) {
    const Evidence& e = pattern.evidence[i];
    Found& f = found[i];
    std::vector<EntityId> reached = follow(e.on);
    if (!e.has_match) {
      // About the entities themselves: there are no events to look for.
      f.count = static_cast<uint32_t>(reached.size());
      f.entities = std::exchange(reached, {});
    }
    for (EntityId entity : reached) {
      index_.ForEach(entity, at - e.before_ns, at + e.after_ns, [&](const domain::Event& ev) {
        if (ev.id == trigger.id || !e.match.Matches(ev)) return true;
        ++f.count;
        if (f.events.size() < kMaxEventsPerEvidence) f.events.push_back(ev);
        if (std::find(f.entities.begin(), f.entities.end(), ev.entity) == f.entities.end()) {
          f.entities.push_back(ev.entity);
        }
        return true;
      });
    }
    std::sort(f.events.begin(), f.events.end(),
              [](const domain::Event& a, const domain::Event& b) { return a.time_ns < b.time_ns; });
    bool present = f.count >= e.min_count;
    bool veto = e.role == Evidence::Role::kContradicting && e.weight == 0;
    if ((e.role == Evidence::Role::kRequired && !present) || (veto && present)) return std::nullopt;
    if (e.role == Evidence::Role::kSupporting && present) result.confidence += e.weight;
    if (e.role == Evidence::Role::kContradicting && present) result.confidence -= e.weight;
    if (!present) f = Found{};
  }

  std::vector<EntityId> at_fault = follow(pattern.at_fault);
  if (at_fault.empty()) at_fault = origin_of(pattern.at_fault);
  if (at_fault.empty()) at_fault.push_back(trigger.entity);
  result.fault = at_fault.front();
  return result;
}

void PatternEngine::Fill(const Pattern& pattern, const domain::Event& trigger, const Assessment& a,
                         PatternMatch* match) const {
  const domain::EntityRegistry& registry = graph_.registry();
  const std::vector<Found>& found = a.found;
  auto evidence_index = [&](const std::string& id) -> int {
    for (size_t i = 0; i < pattern.evidence.size(); ++i) {
      if (pattern.evidence[i].id == id) return static_cast<int>(i);
    }
    return -1;
  };
  MessageTemplate::Resolver resolve = [&](const TemplateVariable& v) -> std::optional<std::string> {
    if (v.scope == "at_fault") return domain::ToString(registry.Get(a.fault));
    const domain::Event* event = &trigger;
    if (v.scope != "trigger") {
      int i = evidence_index(v.scope);
      if (i < 0) return std::nullopt;
      if (v.member == "count") return absl::StrCat(found[i].count);
      if (v.member == "entity" && !pattern.evidence[i].has_match && !found[i].entities.empty()) {
        return domain::ToString(registry.Get(found[i].entities.front()));
      }
      if (found[i].events.empty()) return std::nullopt;
      event = &found[i].events.front();
    }
    if (v.member == "entity") return domain::ToString(registry.Get(event->entity));
    std::optional<EventField> field = ParseEventField(v.member);
    if (!field.has_value()) return std::nullopt;
    std::optional<FieldValue> value = ReadField(*event, *field);
    if (!value.has_value()) return std::nullopt;
    return FieldText(*value);
  };

  match->base_confidence = pattern.confidence;
  match->confidence = std::clamp(a.confidence, 0.0, 1.0);
  match->evidence.clear();
  for (size_t i = 0; i < pattern.evidence.size(); ++i) {
    const Evidence& e = pattern.evidence[i];
    if (found[i].count == 0) continue;
    MatchEvidence item;
    item.id = e.id;
    item.contradicting = e.role == Evidence::Role::kContradicting;
    if (e.role != Evidence::Role::kRequired)
      item.weight = item.contradicting ? -e.weight : e.weight;
    item.relation = e.on.text;
    item.count = found[i].count;
    item.events = found[i].events;
    match->evidence.push_back(std::move(item));
  }
  match->root_cause = pattern.root_cause.Render(resolve);
  match->immediate = RenderAll(pattern.immediate, resolve);
  match->short_term = RenderAll(pattern.short_term, resolve);
  match->investigate = RenderAll(pattern.investigate, resolve);
}

void PatternEngine::Evaluate(const Pending& pending) {
  if (pending.look == Look::kSecond) {
    LookAgain(pending);
    return;
  }
  std::optional<Assessment> found = Assess(patterns_[pending.pattern], pending.trigger);
  if (!found.has_value()) {
    // The required evidence's windows have closed: a second look cannot find it either.
    ++counts_.rejected;
    if (pending.look == Look::kFirst) {
      first_looks_[{pending.pattern, pending.trigger.id}] = {kNoMatch, false};
    }
    return;
  }
  size_t before = matches_.size();
  size_t index = Conclude(pending, *found);
  if (pending.look == Look::kFirst) {
    first_looks_[{pending.pattern, pending.trigger.id}] = {index, matches_.size() > before};
  }
}

size_t PatternEngine::Conclude(const Pending& pending, const Assessment& found) {
  const Pattern& pattern = patterns_[pending.pattern];
  const domain::Event& trigger = pending.trigger;
  const int64_t at = trigger.time_ns;
  auto key = std::make_pair(pending.pattern, found.fault.value);
  if (auto it = latest_.find(key); it != latest_.end()) {
    PatternMatch& earlier = matches_[it->second];
    if (!earlier.retracted && at - earlier.last_trigger_ns <= pattern.dedup_ns &&
        at >= earlier.trigger.time_ns) {
      ++earlier.occurrences;
      earlier.last_trigger_ns = std::max(earlier.last_trigger_ns, at);
      std::vector<EntityId>& hit = earlier.trigger_entities;
      if (hit.size() < kMaxTriggerEntities &&
          std::find(hit.begin(), hit.end(), trigger.entity) == hit.end()) {
        hit.push_back(trigger.entity);
      }
      ++counts_.joined;
      return it->second;
    }
  }

  PatternMatch match;
  match.pattern = pattern.name;
  match.category = pattern.category;
  match.layer = pattern.layer;
  match.severity = pattern.severity;
  match.at_fault = found.fault;
  match.trigger = trigger;
  match.last_trigger_ns = at;
  match.trigger_entities.push_back(trigger.entity);
  Fill(pattern, trigger, found, &match);
  match.detection_ns = clock_.NowNanos() - pending.observed_wall_ns;
  match.concluded_ns = std::max(newest_ns_, pending.due_ns);
  ++counts_.matches;
  latest_[key] = matches_.size();
  matches_.push_back(std::move(match));
  if (sink_) sink_(matches_.back());
  return matches_.size() - 1;
}

void PatternEngine::LookAgain(const Pending& pending) {
  const Pattern& pattern = patterns_[pending.pattern];
  std::optional<FirstLook> first;
  if (auto it = first_looks_.find({pending.pattern, pending.trigger.id});
      it != first_looks_.end()) {
    first = it->second;
    first_looks_.erase(it);
  }
  if (!first.has_value() || first->match == kNoMatch) return;
  // A trigger that joined a standing match adds nothing to it by a second look.
  if (!first->made && !matches_[first->match].retracted) return;
  std::optional<Assessment> found = Assess(pattern, pending.trigger);
  if (first->made) {
    PatternMatch& match = matches_[first->match];
    if (!found.has_value()) {
      match.retracted = true;
      ++counts_.retracted;
      ++counts_.rejected;
      auto key = std::make_pair(pending.pattern, match.at_fault.value);
      if (auto it = latest_.find(key); it != latest_.end() && it->second == first->match) {
        latest_.erase(it);
      }
    } else {
      Fill(pattern, match.trigger, *found, &match);
    }
    if (sink_) sink_(match);
    return;
  }
  // It joined a match that has since been retracted: it may stand on its own.
  if (found.has_value()) Conclude(pending, *found);
}

}  // namespace tapio::intelligence
