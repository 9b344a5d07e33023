#include "collectors/kubeapi/transition_detector.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "collectors/kubeapi/fact_key.h"
#include "domain/string_list.h"

namespace tapio::collectors::kubeapi {
namespace {

using domain::Condition;
using domain::ContainerState;
using domain::ContainerStatus;
using domain::Intern;
using domain::KubeKind;
using domain::KubeObject;
using domain::Resolve;
using domain::Severity;
using domain::Symbol;
using Phase = domain::ContainerState::Phase;

constexpr int64_t kSlowCreationNs = int64_t{5} * 60 * 1'000'000'000;

// Waiting reasons that are a normal part of starting a container.
bool IsNormalWaiting(absl::string_view reason) {
  return reason.empty() || reason == "ContainerCreating" || reason == "PodInitializing";
}

const ContainerStatus* FindStatus(const KubeObject* object, const ContainerStatus& like) {
  if (object == nullptr || object->pod() == nullptr) return nullptr;
  for (const ContainerStatus& status : object->pod()->statuses) {
    if (status.name == like.name && status.init == like.init) return &status;
  }
  return nullptr;
}

const Condition* FindConditionIn(const KubeObject* object, absl::string_view type) {
  if (object == nullptr) return nullptr;
  if (const auto* pod = object->pod()) return domain::FindCondition(pod->conditions, type);
  if (const auto* node = object->node()) return domain::FindCondition(node->conditions, type);
  if (const auto* w = object->workload()) return domain::FindCondition(w->conditions, type);
  return nullptr;
}

bool SameTermination(const ContainerState& a, const ContainerState& b) {
  return a.phase == Phase::kTerminated && b.phase == Phase::kTerminated &&
         a.finished_ns == b.finished_ns && a.container_id == b.container_id && a.reason == b.reason;
}

// Builds the events of one change, all about one entity.
struct Emitter {
  domain::EventIdGenerator& ids;
  const domain::ObjectChange& change;
  domain::EntityId entity;
  std::vector<domain::Event>* out;

  domain::KubernetesPayload& Emit(absl::string_view type, Severity severity, int64_t time_ns,
                                  absl::string_view fact = "") {
    domain::Event event;
    event.id = ids.Next();
    event.time_ns = time_ns > 0 ? time_ns : change.time_ns;
    event.observed_ns = change.time_ns;
    event.entity = entity;
    event.type = Intern(type);
    event.source = domain::Source::kKubernetes;
    event.severity = severity;
    if (!fact.empty()) {
      absl::string_view ids_list[] = {fact};
      event.correlation_ids = domain::InternStringList(ids_list);
    }
    event.payload = domain::KubernetesPayload{};
    out->push_back(event);
    return std::get<domain::KubernetesPayload>(out->back().payload);
  }
};

Symbol IdentityOf(const KubeObject& object) {
  if (!object.meta.uid.empty()) return object.meta.uid;
  return Intern(absl::StrCat(domain::KubeKindName(object.kind), "/",
                             Resolve(object.meta.namespace_name), "/", Resolve(object.meta.name)));
}

}  // namespace

TransitionDetector::TransitionDetector(Symbol cluster, domain::EntityRegistry& registry,
                                       domain::EventIdGenerator& ids)
    : cluster_(cluster), registry_(registry), ids_(ids) {}

std::vector<const KubeObject*> TransitionDetector::Known(KubeKind kind) const {
  std::vector<const KubeObject*> known;
  for (const auto& [key, object] : last_) {
    if (object.kind == kind) known.push_back(&object);
  }
  return known;
}

namespace {

void PodTransitions(const KubeObject* old, const KubeObject& now, absl::string_view uid,
                    Emitter& emit, absl::flat_hash_map<Symbol, bool>& slow);

}  // namespace

void TransitionDetector::Observe(const domain::ObjectChange& change,
                                 std::vector<domain::Event>* out) {
  const KubeObject& now = change.object;
  if (now.kind == KubeKind::kUnknown || now.meta.name.empty()) return;
  Symbol identity = IdentityOf(now);
  auto previous = last_.find(identity);
  const KubeObject* old = previous == last_.end() ? nullptr : &previous->second;
  // A uid reused by an object of another kind is a different object.
  if (old != nullptr && old->kind != now.kind) old = nullptr;

  if (now.kind == KubeKind::kEvent) {
    const domain::EventObject& e = *now.event();
    if (e.regarding_name.empty() || e.regarding_kind_name.empty()) return;
    if (change.type == domain::ObjectChange::Type::kDeleted) {
      last_.erase(identity);
      return;
    }
    uint32_t old_count = old != nullptr ? old->event()->count : 0;
    if (e.count <= old_count) return;
    domain::EntityRef ref{
        cluster_, e.regarding_kind_name,
        domain::IsClusterScoped(e.regarding_kind) ? Symbol{} : e.regarding_namespace,
        e.regarding_name, e.regarding_uid};
    // The kubelet and the node controller put the node's name where the uid belongs in the
    // Events they emit about a Node; taken as a uid it would make a second Node.
    if (e.regarding_kind == KubeKind::kNode && e.regarding_uid == e.regarding_name) {
      ref.uid = Symbol{};
    }
    absl::StatusOr<domain::EntityId> entity = registry_.Register(ref);
    if (!entity.ok()) return;
    Emitter emit{ids_, change, *entity, out};
    std::string fact = EventFactKey(e);
    domain::KubernetesPayload& p =
        emit.Emit(event_type::kKubernetesEvent,
                  Resolve(e.type) == "Warning" ? Severity::kWarning : Severity::kInfo,
                  old == nullptr ? e.first_ns : e.last_ns, fact);
    p.reason = e.reason;
    p.message = e.message;
    p.count = e.count;
    p.first_time_ns = e.first_ns;
    p.last_time_ns = e.last_ns;
    p.component = e.component;
    p.field = e.field_path;
    p.container = ContainerFromFieldPath(Resolve(e.field_path));
    last_[identity] = now;
    return;
  }

  domain::EntityRef ref{cluster_, Intern(domain::KubeKindName(now.kind)),
                        domain::IsClusterScoped(now.kind) ? Symbol{} : now.meta.namespace_name,
                        now.meta.name, now.meta.uid};
  absl::StatusOr<domain::EntityId> entity = registry_.Register(ref);
  if (!entity.ok()) return;
  Emitter emit{ids_, change, *entity, out};

  if (change.type == domain::ObjectChange::Type::kDeleted) {
    domain::KubernetesPayload& p =
        emit.Emit(event_type::kObjectDeleted, Severity::kInfo, change.time_ns);
    p.field = Intern("metadata.deletionTimestamp");
    last_.erase(identity);
    slow_creation_reported_.erase(identity);
    return;
  }
  if (old != nullptr && !old->meta.resource_version.empty() &&
      old->meta.resource_version == now.meta.resource_version) {
    return;
  }

  absl::string_view uid = Resolve(now.meta.uid);
  switch (now.kind) {
    case KubeKind::kPod:
      PodTransitions(old, now, uid, emit, slow_creation_reported_);
      break;
    case KubeKind::kNode: {
      const domain::NodeObject& node = *now.node();
      for (absl::string_view type :
           {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable"}) {
        const Condition* c = domain::FindCondition(node.conditions, type);
        if (c == nullptr) continue;
        const Condition* before = FindConditionIn(old, type);
        Symbol from = before != nullptr ? before->status : Symbol{};
        if (from == c->status) continue;
        bool healthy =
            type == "Ready" ? Resolve(c->status) == "True" : Resolve(c->status) == "False";
        if (old == nullptr && healthy) continue;
        domain::KubernetesPayload& p =
            emit.Emit(event_type::kNodeCondition, healthy ? Severity::kInfo : Severity::kError,
                      c->last_transition_ns,
                      NodeConditionFactKey(Resolve(now.meta.name), type, Resolve(c->status)));
        p.field = Intern(absl::StrCat("condition/", type));
        p.from = from;
        p.to = c->status;
        p.reason = c->reason;
        p.message = c->message;
      }
      bool was_cordoned = old != nullptr && old->node()->unschedulable;
      if (node.unschedulable != was_cordoned && (old != nullptr || node.unschedulable)) {
        domain::KubernetesPayload& p =
            emit.Emit(event_type::kNodeCordoned,
                      node.unschedulable ? Severity::kWarning : Severity::kInfo, change.time_ns);
        p.field = Intern("spec.unschedulable");
        p.from = Intern(was_cordoned ? "true" : "false");
        p.to = Intern(node.unschedulable ? "true" : "false");
      }
      auto taint_text = [](const domain::Taint& t) {
        return absl::StrCat(Resolve(t.key), t.value.empty() ? "" : "=", Resolve(t.value), ":",
                            Resolve(t.effect));
      };
      std::vector<std::string> before, after;
      if (old != nullptr) {
        for (const auto& t : old->node()->taints) before.push_back(taint_text(t));
      }
      for (const auto& t : node.taints) after.push_back(taint_text(t));
      for (const std::string& t : after) {
        if (std::find(before.begin(), before.end(), t) != before.end()) continue;
        domain::KubernetesPayload& p =
            emit.Emit(event_type::kNodeTaint, Severity::kWarning, change.time_ns);
        p.field = Intern("spec.taints");
        p.to = Intern(t);
      }
      for (const std::string& t : before) {
        if (std::find(after.begin(), after.end(), t) != after.end()) continue;
        domain::KubernetesPayload& p =
            emit.Emit(event_type::kNodeTaint, Severity::kInfo, change.time_ns);
        p.field = Intern("spec.taints");
        p.from = Intern(t);
      }
      break;
    }
    case KubeKind::kDeployment:
    case KubeKind::kReplicaSet:
    case KubeKind::kStatefulSet:
    case KubeKind::kDaemonSet: {
      const domain::WorkloadObject& w = *now.workload();
      if (now.kind == KubeKind::kDeployment && old != nullptr &&
          (old->meta.revision != now.meta.revision || old->meta.generation < now.meta.generation)) {
        domain::KubernetesPayload& p =
            emit.Emit(event_type::kRolloutStarted, Severity::kInfo, change.time_ns);
        p.field = Intern("metadata.annotations[deployment.kubernetes.io/revision]");
        p.from = old->meta.revision;
        p.to = now.meta.revision;
      }
      if (const Condition* progressing = domain::FindCondition(w.conditions, "Progressing")) {
        const Condition* before = FindConditionIn(old, "Progressing");
        if (before == nullptr || before->reason != progressing->reason ||
            before->status != progressing->status) {
          absl::string_view reason = Resolve(progressing->reason);
          const char* type = nullptr;
          Severity severity = Severity::kInfo;
          if (reason == "ProgressDeadlineExceeded") {
            type = event_type::kRolloutStalled;
            severity = Severity::kError;
          } else if (reason == "NewReplicaSetAvailable" && old != nullptr) {
            type = event_type::kRolloutComplete;
          } else if (reason == "ReplicaSetUpdated" || reason == "NewReplicaSetCreated") {
            type = event_type::kRolloutProgressing;
          }
          if (type != nullptr) {
            int64_t at = progressing->last_update_ns > 0 ? progressing->last_update_ns
                                                         : progressing->last_transition_ns;
            domain::KubernetesPayload& p = emit.Emit(type, severity, at);
            p.field = Intern("condition/Progressing");
            p.from = before != nullptr ? before->reason : Symbol{};
            p.to = progressing->reason;
            p.reason = progressing->reason;
            p.message = progressing->message;
          }
        }
      }
      auto unavailable = [](const KubeObject& o) {
        const domain::WorkloadObject& x = *o.workload();
        if (o.kind == KubeKind::kDeployment || o.kind == KubeKind::kDaemonSet) {
          return x.unavailable_replicas;
        }
        return std::max(0, x.replicas - x.ready_replicas);
      };
      int32_t was = old != nullptr ? unavailable(*old) : 0;
      int32_t is = unavailable(now);
      if (is != was && (is == 0 || was == 0)) {
        domain::KubernetesPayload& p =
            emit.Emit(event_type::kReplicasUnavailable,
                      is > 0 ? Severity::kWarning : Severity::kInfo, change.time_ns);
        p.field = Intern("status.unavailableReplicas");
        p.from = Intern(absl::StrCat(was));
        p.to = Intern(absl::StrCat(is));
        p.count = static_cast<uint32_t>(is);
      }
      break;
    }
    case KubeKind::kJob: {
      for (absl::string_view type : {"Failed", "Complete"}) {
        const Condition* c = domain::FindCondition(now.workload()->conditions, type);
        if (c == nullptr || Resolve(c->status) != "True") continue;
        const Condition* before = FindConditionIn(old, type);
        if (before != nullptr && Resolve(before->status) == "True") continue;
        bool failed = type == "Failed";
        domain::KubernetesPayload& p =
            emit.Emit(failed ? event_type::kJobFailed : event_type::kJobComplete,
                      failed ? Severity::kError : Severity::kInfo, c->last_transition_ns,
                      failed ? JobFailedFactKey(uid) : "");
        p.field = Intern(absl::StrCat("condition/", type));
        p.reason = c->reason;
        p.message = c->message;
        p.count = static_cast<uint32_t>(now.workload()->failed);
      }
      break;
    }
    case KubeKind::kPersistentVolumeClaim: {
      Symbol phase = now.volume()->phase;
      Symbol before = old != nullptr ? old->volume()->phase : Symbol{};
      absl::string_view text = Resolve(phase);
      if (phase != before && !phase.empty() && (old != nullptr || text != "Bound")) {
        domain::KubernetesPayload& p = emit.Emit(event_type::kClaimPhase,
                                                 text == "Lost"      ? Severity::kError
                                                 : text == "Pending" ? Severity::kWarning
                                                                     : Severity::kInfo,
                                                 change.time_ns);
        p.field = Intern("status.phase");
        p.from = before;
        p.to = phase;
      }
      break;
    }
    case KubeKind::kNetworkPolicy:
      // Status updates leave the generation alone; a new spec moves it.
      if (old == nullptr || old->meta.generation != now.meta.generation) {
        domain::KubernetesPayload& p = emit.Emit(
            event_type::kNetworkPolicyChanged, Severity::kInfo,
            old == nullptr && now.meta.created_ns > 0 ? now.meta.created_ns : change.time_ns);
        p.field = Intern("spec");
        p.reason = Intern(old == nullptr ? "Created" : "Changed");
        p.count = static_cast<uint32_t>(std::max<int64_t>(now.meta.generation, 0));
      }
      break;
    default:
      break;
  }
  last_[identity] = now;
}

namespace {

void ContainerTransitions(const KubeObject* old, const ContainerStatus& status,
                          int64_t pod_started_ns, absl::string_view uid, Symbol identity,
                          Emitter& emit, absl::flat_hash_map<Symbol, bool>& slow) {
  const ContainerStatus* before = FindStatus(old, status);
  absl::string_view name = Resolve(status.name);
  Symbol field = Intern(absl::StrCat(
      status.init ? "status.initContainerStatuses[" : "status.containerStatuses[", name, "]"));

  auto terminated = [&](const ContainerState& state) {
    bool failed = state.exit_code != 0 || Resolve(state.reason) == "OOMKilled" ||
                  (state.reason.empty() ? false : Resolve(state.reason) != "Completed");
    const char* type =
        status.init && failed ? event_type::kInitContainerFailed : event_type::kContainerTerminated;
    domain::KubernetesPayload& p =
        emit.Emit(type, failed ? Severity::kError : Severity::kInfo, state.finished_ns,
                  ContainerFactKey(uid, name, "terminated", Resolve(state.reason)));
    p.field = field;
    p.container = status.name;
    p.reason = state.reason;
    p.message = state.message;
    p.exit_code = state.exit_code;
    p.signal = state.signal;
    p.restart_count = status.restart_count;
    p.to = Intern("terminated");
  };

  // The current termination, then an earlier one now shown as lastState (a restart happened
  // between two observations), each reported once.
  bool reported_current = false;
  if (status.state.phase == Phase::kTerminated &&
      (before == nullptr || !SameTermination(before->state, status.state))) {
    terminated(status.state);
    reported_current = true;
  }
  if (status.last_state.phase == Phase::kTerminated &&
      !(before != nullptr && (SameTermination(before->last_state, status.last_state) ||
                              SameTermination(before->state, status.last_state))) &&
      !(reported_current && SameTermination(status.state, status.last_state))) {
    terminated(status.last_state);
  }

  uint32_t restarts_before = before != nullptr ? before->restart_count : 0;
  if (status.restart_count > restarts_before) {
    domain::KubernetesPayload& p = emit.Emit(event_type::kContainerRestarted, Severity::kWarning,
                                             status.last_state.finished_ns);
    p.field = field;
    p.container = status.name;
    p.from = Intern(absl::StrCat(restarts_before));
    p.to = Intern(absl::StrCat(status.restart_count));
    p.restart_count = status.restart_count;
    p.reason = status.last_state.reason;
    p.exit_code = status.last_state.exit_code;
  }

  if (status.state.phase == Phase::kWaiting) {
    absl::string_view reason = Resolve(status.state.reason);
    Symbol before_reason = before != nullptr && before->state.phase == Phase::kWaiting
                               ? before->state.reason
                               : Symbol{};
    if (!IsNormalWaiting(reason) && status.state.reason != before_reason) {
      domain::KubernetesPayload& p =
          emit.Emit(event_type::kContainerWaiting, Severity::kError, emit.change.time_ns,
                    ContainerFactKey(uid, name, "waiting", reason));
      p.field = field;
      p.container = status.name;
      p.reason = status.state.reason;
      p.message = status.state.message;
      p.restart_count = status.restart_count;
      p.from = before_reason;
      p.to = status.state.reason;
    }
    Symbol slow_key = Intern(absl::StrCat(Resolve(identity), "/", name));
    if (reason == "ContainerCreating" && pod_started_ns > 0 &&
        emit.change.time_ns - pod_started_ns > kSlowCreationNs && !slow[slow_key]) {
      slow[slow_key] = true;
      domain::KubernetesPayload& p =
          emit.Emit(event_type::kContainerCreatingSlow, Severity::kWarning, emit.change.time_ns);
      p.field = field;
      p.container = status.name;
      p.reason = status.state.reason;
    }
  }

  if (before != nullptr && before->ready != status.ready && !status.init) {
    domain::KubernetesPayload& p =
        emit.Emit(event_type::kContainerReady, status.ready ? Severity::kInfo : Severity::kWarning,
                  emit.change.time_ns);
    p.field = field;
    p.container = status.name;
    p.from = Intern(before->ready ? "true" : "false");
    p.to = Intern(status.ready ? "true" : "false");
  }
}

void PodTransitions(const KubeObject* old, const KubeObject& now, absl::string_view uid,
                    Emitter& emit, absl::flat_hash_map<Symbol, bool>& slow) {
  const domain::PodObject& pod = *now.pod();
  Symbol old_phase = old != nullptr ? old->pod()->phase : Symbol{};
  if (pod.phase != old_phase && !pod.phase.empty()) {
    absl::string_view phase = Resolve(pod.phase);
    domain::KubernetesPayload& p =
        emit.Emit(event_type::kPodPhase, phase == "Failed" ? Severity::kError : Severity::kInfo,
                  emit.change.time_ns);
    p.field = Intern("status.phase");
    p.from = old_phase;
    p.to = pod.phase;
    p.reason = pod.reason;
    p.message = pod.message;
  }
  Symbol old_reason = old != nullptr ? old->pod()->reason : Symbol{};
  if (Resolve(pod.reason) == "Evicted" && old_reason != pod.reason) {
    const Condition* disruption = domain::FindCondition(pod.conditions, "DisruptionTarget");
    const Condition* ready = domain::FindCondition(pod.conditions, "Ready");
    int64_t at = disruption != nullptr ? disruption->last_transition_ns
                 : ready != nullptr    ? ready->last_transition_ns
                                       : emit.change.time_ns;
    domain::KubernetesPayload& p =
        emit.Emit(event_type::kPodEvicted, Severity::kError, at, PodFactKey(uid, "evicted"));
    p.field = Intern("status.reason");
    p.reason = pod.reason;
    p.message = pod.message;
  }
  if (const Condition* ready = domain::FindCondition(pod.conditions, "Ready")) {
    const Condition* before = FindConditionIn(old, "Ready");
    if (before != nullptr && before->status != ready->status) {
      bool is_ready = Resolve(ready->status) == "True";
      domain::KubernetesPayload& p =
          emit.Emit(event_type::kPodReady, is_ready ? Severity::kInfo : Severity::kWarning,
                    ready->last_transition_ns);
      p.field = Intern("condition/Ready");
      p.from = before->status;
      p.to = ready->status;
      p.reason = ready->reason;
      p.message = ready->message;
    }
  }
  if (const Condition* scheduled = domain::FindCondition(pod.conditions, "PodScheduled")) {
    const Condition* before = FindConditionIn(old, "PodScheduled");
    bool unschedulable = Resolve(scheduled->status) == "False";
    if (unschedulable && (before == nullptr || before->status != scheduled->status ||
                          before->message != scheduled->message)) {
      domain::KubernetesPayload& p =
          emit.Emit(event_type::kPodUnschedulable, Severity::kError, scheduled->last_transition_ns,
                    PodFactKey(uid, "unschedulable"));
      p.field = Intern("condition/PodScheduled");
      p.reason = scheduled->reason;
      p.message = scheduled->message;
    }
  }
  int64_t started = pod.start_ns > 0 ? pod.start_ns : now.meta.created_ns;
  Symbol identity = IdentityOf(now);
  for (const ContainerStatus& status : pod.statuses) {
    ContainerTransitions(old, status, started, uid, identity, emit, slow);
  }
}

}  // namespace

}  // namespace tapio::collectors::kubeapi
