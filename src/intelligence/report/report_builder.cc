#include "intelligence/report/report_builder.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "domain/event_proto.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "intelligence/rca/diagnosis.h"
#include "intelligence/report/event_summary.h"

namespace tapio::intelligence {
namespace {

using domain::EntityId;
using google::protobuf::util::TimeUtil;

// Scores to three decimals: more would only print the noise of floating point.
double Rounded(double value) { return std::round(value * 1000) / 1000; }

void AddAll(const domain::EntityRegistry& registry, const std::vector<EntityId>& ids,
            google::protobuf::RepeatedPtrField<v1::EntityRef>* out, std::set<std::string>* ns) {
  for (EntityId id : ids) {
    domain::EntityRef ref = registry.Get(id);
    *out->Add() = domain::ToProto(ref);
    if (!ref.namespace_name.empty()) ns->insert(std::string(domain::Resolve(ref.namespace_name)));
  }
}

v1::Impact ImpactProto(const domain::EntityRegistry& registry, const Impact& impact) {
  v1::Impact out;
  std::set<std::string> namespaces;
  AddAll(registry, impact.pods, out.mutable_pods(), &namespaces);
  AddAll(registry, impact.workloads, out.mutable_workloads(), &namespaces);
  AddAll(registry, impact.services, out.mutable_services(), &namespaces);
  AddAll(registry, impact.callers, out.mutable_callers(), &namespaces);
  AddAll(registry, impact.at_risk, out.mutable_at_risk(), &namespaces);
  for (const std::string& ns : namespaces) out.add_namespaces(ns);
  return out;
}

v1::Cause CauseProto(const domain::EntityRegistry& registry, const Diagnosis& d, int rank) {
  v1::Cause out;
  out.set_rank(rank);
  out.set_category(d.cause.category);
  *out.mutable_entity() = domain::ToProto(registry.Get(d.cause.entity));
  out.set_relation(d.cause.relation);
  out.set_confidence(Rounded(d.cause.score));
  for (const ScoreFactor& f : d.cause.factors) {
    v1::ScoreFactor* factor = out.add_score();
    factor->set_name(f.name);
    factor->set_value(Rounded(f.value));
    factor->set_reason(f.reason);
  }
  out.set_explanation(d.cause.explanation);
  for (const std::string& p : d.patterns) out.add_patterns(p);
  out.set_root_cause(d.best->root_cause);
  out.set_severity(static_cast<v1::Severity>(d.severity.level));
  for (const std::string& r : d.severity.reasons) out.add_severity_reasons(r);
  *out.mutable_impact() = ImpactProto(registry, d.impact);
  for (const ChainLink& link : d.chain) {
    const domain::Event& e = *link.event;
    v1::ChainLink* l = out.add_chain();
    *l->mutable_time() = TimeUtil::NanosecondsToTimestamp(e.time_ns);
    l->set_layer(std::string(LayerName(e.source)));
    l->set_source(static_cast<v1::Source>(e.source));
    *l->mutable_entity() = domain::ToProto(registry.Get(e.entity));
    l->set_type(std::string(domain::Resolve(e.type)));
    l->set_summary(EventSummary(e));
    l->set_evidence(link.evidence);
    l->set_relation(link.relation);
    l->set_against(link.against);
  }
  v1::Actions* actions = out.mutable_actions();
  for (const std::string& a : d.best->immediate) actions->add_immediate(a);
  for (const std::string& a : d.best->short_term) actions->add_short_term(a);
  for (const std::string& a : d.best->investigate) actions->add_investigate(a);
  *out.mutable_first_event() = TimeUtil::NanosecondsToTimestamp(d.first_event_ns);
  *out.mutable_detected() = TimeUtil::NanosecondsToTimestamp(d.detected_ns);
  *out.mutable_time_to_detection() = TimeUtil::NanosecondsToDuration(d.time_to_detection_ns);
  return out;
}

}  // namespace

v1::WhyReport BuildWhyReport(const AnalysisView& analysis, EntityId symptom, int64_t at_ns,
                             int causes) {
  v1::WhyReport out;
  *out.mutable_symptom() = domain::ToProto(analysis.registry.Get(symptom));
  *out.mutable_at() = TimeUtil::NanosecondsToTimestamp(at_ns);
  std::vector<Diagnosis> diagnoses =
      Diagnose(analysis.graph, analysis.matches, {symptom, at_ns}, static_cast<size_t>(causes));
  for (size_t i = 0; i < diagnoses.size(); ++i) {
    *out.add_causes() = CauseProto(analysis.registry, diagnoses[i], static_cast<int>(i + 1));
  }
  if (diagnoses.empty()) {
    out.set_note(
        "No known failure pattern explains it from the records read. Node logs, journals or "
        "traces may hold what these records lack.");
  }
  return out;
}

std::vector<v1::Incident> BuildIncidents(const AnalysisView& analysis) {
  std::vector<v1::Incident> result;
  for (const Incident& incident : analysis.incidents) {
    // The incident's own matches, so that its cause is ranked among them alone.
    std::vector<PatternMatch> own;
    for (size_t i : incident.matches) {
      if (!analysis.matches[i].retracted) own.push_back(analysis.matches[i]);
    }
    // Every match it held was withdrawn: nothing stands to report.
    if (own.empty()) continue;
    const PatternMatch* first = &*std::min_element(
        own.begin(), own.end(),
        [](const auto& a, const auto& b) { return a.trigger.time_ns < b.trigger.time_ns; });
    EntityId symptom = first->trigger.entity;
    v1::Incident out;
    out.set_id(incident.id);
    out.set_state(incident.open() ? v1::Incident::STATE_OPEN : v1::Incident::STATE_RESOLVED);
    *out.mutable_opened() = TimeUtil::NanosecondsToTimestamp(incident.opened_ns);
    *out.mutable_updated() = TimeUtil::NanosecondsToTimestamp(incident.updated_ns);
    if (!incident.open()) {
      *out.mutable_resolved() = TimeUtil::NanosecondsToTimestamp(incident.resolved_ns);
    }
    *out.mutable_symptom() = domain::ToProto(analysis.registry.Get(symptom));
    out.set_matches(static_cast<uint32_t>(own.size()));
    std::vector<Diagnosis> diagnoses =
        Diagnose(analysis.graph, own, {symptom, incident.updated_ns}, 1);
    if (!diagnoses.empty()) *out.mutable_cause() = CauseProto(analysis.registry, diagnoses[0], 1);
    result.push_back(std::move(out));
  }
  return result;
}

std::string ReportJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

}  // namespace tapio::intelligence
