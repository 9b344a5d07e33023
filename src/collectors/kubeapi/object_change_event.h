// An object change on the wire: a collector that watches (or replays) the Kubernetes API
// hands each change to a server as a UnifiedEvent of type "k8s.object_change" whose raw
// field is the object's JSON and whose kubernetes.reason is ADDED, MODIFIED or DELETED. The
// server decodes it with the same decoder as its own watch, so topology travels the same
// stream, and is stored the same way, as every other event.
#ifndef TAPIO_COLLECTORS_KUBEAPI_OBJECT_CHANGE_EVENT_H_
#define TAPIO_COLLECTORS_KUBEAPI_OBJECT_CHANGE_EVENT_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "collectors/kubeapi/object_decoder.h"
#include "domain/kube_object.h"
#include "tapio/v1/event.pb.h"

namespace tapio::collectors::kubeapi {

inline constexpr char kObjectChangeType[] = "k8s.object_change";

// The change as an event of `cluster` with id `id`.
// REQUIRES: `change.raw` holds the object's JSON (a reader with keep_raw on; Secrets have
// none and are not sent).
tapio::v1::UnifiedEvent ObjectChangeEvent(const domain::ObjectChange& change,
                                          absl::string_view cluster, uint64_t id);

bool IsObjectChangeEvent(const tapio::v1::UnifiedEvent& event);

// The change an object-change event carries. Fails with InvalidArgument naming the event id
// and what is wrong: an unknown change type, or the decoder's complaint about the JSON.
absl::StatusOr<domain::ObjectChange> ObjectChangeFromEvent(const tapio::v1::UnifiedEvent& event,
                                                           ObjectDecoder& decoder);

}  // namespace tapio::collectors::kubeapi

#endif  // TAPIO_COLLECTORS_KUBEAPI_OBJECT_CHANGE_EVENT_H_
