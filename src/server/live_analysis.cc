#include "server/live_analysis.h"

#include <cstdio>

#include "collectors/kubeapi/object_change_event.h"
#include "domain/event_proto.h"
#include "google/protobuf/util/message_differencer.h"
#include "intelligence/report/asked_entity.h"
#include "intelligence/report/report_builder.h"

namespace tapio::server {
namespace {

v1::Insight MakeInsight(uint64_t sequence, v1::Insight::Change change,
                        const v1::Incident& incident) {
  v1::Insight insight;
  insight.set_sequence(sequence);
  insight.set_change(change);
  *insight.mutable_incident() = incident;
  return insight;
}

}  // namespace

v1::UnifiedEvent ReplayEnd(uint64_t id, uint64_t time_ns, uint64_t observed_ns,
                           const std::string& collector) {
  v1::UnifiedEvent end;
  end.set_id(id);
  end.set_time_unix_nano(time_ns);
  end.set_observed_time_unix_nano(observed_ns);
  end.set_source(v1::SOURCE_TAPIO);
  end.set_type(kReplayEndType);
  end.set_severity(v1::SEVERITY_INFO);
  end.mutable_entity()->set_kind("Collector");
  end.mutable_entity()->set_name(collector);
  return end;
}

LiveAnalysis::LiveAnalysis(std::vector<intelligence::Pattern> patterns, Options options,
                           const domain::Clock& clock)
    : options_(std::move(options)),
      clock_(clock),
      replay_end_type_(domain::Intern(kReplayEndType)),
      graph_(domain::Intern(options_.cluster), registry_),
      intake_(registry_, graph_),
      engine_(std::move(patterns), graph_, clock),
      tracker_(graph_, options_.incidents) {
  engine_.set_sink([this](const intelligence::PatternMatch&) { matches_changed_ = true; });
}

void LiveAnalysis::Observe(absl::Span<const v1::UnifiedEvent> events) {
  std::vector<domain::Event> decoded(events.size());
  size_t kept = 0;
  {
    absl::MutexLock lock(&mu_);
    for (size_t i = 0; i < events.size(); ++i) {
      absl::StatusOr<domain::Event> event = domain::FromProto(events[i], registry_);
      if (event.ok()) decoded[kept] = *std::move(event);
      if (IntakeOne(events[i], event.ok() ? &decoded[kept] : nullptr)) ++kept;
    }
  }
  Correlate(absl::MakeConstSpan(decoded).first(kept));
}

size_t LiveAnalysis::Intake(absl::Span<const v1::UnifiedEvent> events,
                            absl::Span<domain::Event> decoded) {
  absl::MutexLock lock(&mu_);
  size_t kept = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    if (!IntakeOne(events[i], &decoded[i])) continue;
    if (kept != i) decoded[kept] = decoded[i];
    ++kept;
  }
  return kept;
}

bool LiveAnalysis::IntakeOne(const v1::UnifiedEvent& wire, domain::Event* decoded) {
  if (collectors::kubeapi::IsObjectChangeEvent(wire)) {
    ++counts_.object_changes;
    absl::StatusOr<domain::ObjectChange> change =
        collectors::kubeapi::ObjectChangeFromEvent(wire, decoder_);
    if (!change.ok()) {
      ++counts_.objects_refused;
      std::fprintf(stderr, "tapio serve: %s\n", std::string(change.status().message()).c_str());
      return false;
    }
    intake_.Apply(*change);
    return false;
  }
  if (decoded == nullptr) return false;
  if (decoded->type != replay_end_type_) intake_.Prepare(*decoded);
  return true;
}

void LiveAnalysis::Correlate(absl::Span<const domain::Event> events) {
  absl::MutexLock lock(&mu_);
  for (const domain::Event& event : events) {
    if (event.type == replay_end_type_) {
      engine_.Flush();
      continue;
    }
    ++counts_.events;
    engine_.Observe(event);
  }
  arrival_wall_ns_ = clock_.NowNanos();
  arrival_stream_ns_ = engine_.stream_time();
  Publish();
}

void LiveAnalysis::Flush() {
  absl::MutexLock lock(&mu_);
  engine_.Flush();
  Publish();
}

void LiveAnalysis::Tick() {
  absl::MutexLock lock(&mu_);
  if (arrival_wall_ns_ == 0) return;
  engine_.AdvanceTo(arrival_stream_ns_ + (clock_.NowNanos() - arrival_wall_ns_));
  Publish();
}

intelligence::AnalysisView LiveAnalysis::View() const {
  return {registry_, graph_, engine_.matches(), tracker_.incidents(), engine_.stream_time()};
}

void LiveAnalysis::Publish() {
  size_t open_before = 0;
  for (const intelligence::Incident& i : tracker_.incidents()) open_before += i.open() ? 1 : 0;
  tracker_.Update(engine_.matches(), engine_.stream_time());
  size_t open_after = 0;
  for (const intelligence::Incident& i : tracker_.incidents()) open_after += i.open() ? 1 : 0;
  counts_.incidents_open = open_after;
  counts_.incidents_resolved = tracker_.incidents().size() - open_after;
  if (!matches_changed_ && open_after == open_before) return;
  matches_changed_ = false;
  counts_.matches = engine_.counts().matches;
  absl::flat_hash_map<uint64_t, const v1::Incident*> before;
  for (const v1::Incident& incident : published_) before[incident.id()] = &incident;
  std::vector<v1::Incident> now = intelligence::BuildIncidents(View());
  for (const v1::Incident& incident : now) {
    auto was = before.find(incident.id());
    v1::Insight::Change change = v1::Insight::CHANGE_UNSPECIFIED;
    if (was == before.end()) {
      change = v1::Insight::CHANGE_OPENED;
    } else if (was->second->state() == v1::Incident::STATE_OPEN &&
               incident.state() == v1::Incident::STATE_RESOLVED) {
      change = v1::Insight::CHANGE_RESOLVED;
    } else if (!google::protobuf::util::MessageDifferencer::Equals(*was->second, incident)) {
      change = v1::Insight::CHANGE_UPDATED;
    }
    if (change == v1::Insight::CHANGE_UNSPECIFIED) continue;
    insights_.push_back(MakeInsight(++sequence_, change, incident));
    ++counts_.insights;
    if (insights_.size() > options_.insight_backlog) insights_.pop_front();
  }
  published_ = std::move(now);
}

absl::StatusOr<v1::WhyReport> LiveAnalysis::Why(const std::string& entity, int64_t at_ns,
                                                int causes) {
  absl::ReaderMutexLock lock(&mu_);
  intelligence::AnalysisView view = View();
  absl::StatusOr<domain::EntityId> symptom = intelligence::FindAskedEntity(view, entity);
  if (!symptom.ok()) return symptom.status();
  return intelligence::BuildWhyReport(view, *symptom, at_ns != 0 ? at_ns : view.last_time_ns,
                                      causes);
}

std::vector<v1::Incident> LiveAnalysis::Incidents(bool open_only) {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<v1::Incident> result;
  for (const v1::Incident& incident : published_) {
    if (!open_only || incident.state() == v1::Incident::STATE_OPEN) result.push_back(incident);
  }
  return result;
}

absl::StatusOr<v1::Incident> LiveAnalysis::GetIncident(uint64_t id) {
  absl::ReaderMutexLock lock(&mu_);
  for (const v1::Incident& incident : published_) {
    if (incident.id() == id) return incident;
  }
  return absl::NotFoundError(absl::StrCat("no incident ", id, " is held"));
}

std::vector<v1::Insight> LiveAnalysis::Current(uint64_t* last_sequence) {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<v1::Insight> result;
  for (const v1::Incident& incident : published_) {
    result.push_back(MakeInsight(sequence_, v1::Insight::CHANGE_CURRENT, incident));
  }
  *last_sequence = sequence_;
  return result;
}

std::vector<v1::Insight> LiveAnalysis::InsightsAfter(uint64_t after, absl::Duration wait) {
  absl::MutexLock lock(&mu_);
  auto newer = [this, after]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return sequence_ > after; };
  mu_.AwaitWithTimeout(absl::Condition(&newer), wait);
  std::vector<v1::Insight> result;
  for (const v1::Insight& insight : insights_) {
    if (insight.sequence() > after) result.push_back(insight);
  }
  return result;
}

LiveAnalysisCounts LiveAnalysis::counts() const {
  absl::MutexLock lock(&mu_);
  return counts_;
}

}  // namespace tapio::server
