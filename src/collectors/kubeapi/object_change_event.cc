#include "collectors/kubeapi/object_change_event.h"

#include "absl/strings/str_cat.h"
#include "domain/symbol_table.h"

namespace tapio::collectors::kubeapi {
namespace {

using Type = domain::ObjectChange::Type;

const char* TypeName(Type type) {
  switch (type) {
    case Type::kAdded:
      return "ADDED";
    case Type::kModified:
      return "MODIFIED";
    case Type::kDeleted:
      return "DELETED";
  }
  return "MODIFIED";
}

}  // namespace

v1::UnifiedEvent ObjectChangeEvent(const domain::ObjectChange& change, absl::string_view cluster,
                                   uint64_t id) {
  v1::UnifiedEvent out;
  out.set_id(id);
  out.set_time_unix_nano(static_cast<uint64_t>(change.time_ns));
  out.set_observed_time_unix_nano(static_cast<uint64_t>(change.time_ns));
  out.set_source(v1::SOURCE_KUBERNETES);
  out.set_type(kObjectChangeType);
  out.set_severity(v1::SEVERITY_INFO);
  v1::EntityRef* entity = out.mutable_entity();
  entity->set_cluster(std::string(cluster));
  entity->set_kind(std::string(domain::KubeKindName(change.object.kind)));
  entity->set_namespace_(std::string(domain::Resolve(change.object.meta.namespace_name)));
  entity->set_name(std::string(domain::Resolve(change.object.meta.name)));
  entity->set_uid(std::string(domain::Resolve(change.object.meta.uid)));
  out.mutable_kubernetes()->set_reason(TypeName(change.type));
  out.set_raw(change.raw);
  return out;
}

bool IsObjectChangeEvent(const v1::UnifiedEvent& event) {
  return event.type() == kObjectChangeType;
}

absl::StatusOr<domain::ObjectChange> ObjectChangeFromEvent(const v1::UnifiedEvent& event,
                                                           ObjectDecoder& decoder) {
  domain::ObjectChange change;
  const std::string& reason = event.kubernetes().reason();
  if (reason == "ADDED") {
    change.type = Type::kAdded;
  } else if (reason == "MODIFIED") {
    change.type = Type::kModified;
  } else if (reason == "DELETED") {
    change.type = Type::kDeleted;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("object change ", absl::Hex(event.id()),
                                                   ": kubernetes.reason \"", reason.substr(0, 32),
                                                   "\" is not ADDED, MODIFIED or DELETED"));
  }
  absl::StatusOr<domain::KubeObject> object =
      decoder.DecodeObject(event.raw(), event.entity().kind());
  if (!object.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("object change ", absl::Hex(event.id()),
                                                   ": raw: ", object.status().message()));
  }
  change.time_ns = static_cast<int64_t>(event.time_unix_nano());
  change.object = *std::move(object);
  return change;
}

}  // namespace tapio::collectors::kubeapi
