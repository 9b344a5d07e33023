#include "server/known_objects.h"

#include <utility>

#include "collectors/kubeapi/object_change_event.h"

namespace tapio::server {

void KnownObjects::Add(const tapio::v1::UnifiedEvent& event) {
  if (!collectors::kubeapi::IsObjectChangeEvent(event)) return;
  absl::StatusOr<domain::ObjectChange> change =
      collectors::kubeapi::ObjectChangeFromEvent(event, decoder_);
  if (!change.ok() || change->object.meta.uid.empty()) return;
  const domain::Symbol uid = change->object.meta.uid;
  if (change->type == domain::ObjectChange::Type::kDeleted) {
    newest_.erase(uid);
    return;
  }
  change->raw.clear();
  newest_.insert_or_assign(uid, *std::move(change));
}

std::vector<domain::ObjectChange> KnownObjects::Take() {
  std::vector<domain::ObjectChange> objects;
  objects.reserve(newest_.size());
  for (auto& [uid, change] : newest_) objects.push_back(std::move(change));
  newest_.clear();
  return objects;
}

}  // namespace tapio::server
