// Keys that link a Kubernetes Event to the object transition describing the same fact (a
// BackOff Event and a CrashLoopBackOff waiting state): both events carry the same key among
// their correlation ids, so both are kept and each can be found from the other.
#ifndef TAPIO_COLLECTORS_KUBEAPI_FACT_KEY_H_
#define TAPIO_COLLECTORS_KUBEAPI_FACT_KEY_H_

#include <string>

#include "absl/strings/string_view.h"
#include "domain/kube_object.h"
#include "domain/symbol_table.h"

namespace tapio::collectors::kubeapi {

std::string ContainerFactKey(absl::string_view pod_uid, absl::string_view container,
                             absl::string_view state, absl::string_view reason);
std::string PodFactKey(absl::string_view pod_uid, absl::string_view fact);
std::string NodeConditionFactKey(absl::string_view node, absl::string_view condition,
                                 absl::string_view status);
std::string JobFailedFactKey(absl::string_view job_uid);

// The key of the fact a Kubernetes Event reports, or "" when it reports none that a
// transition also shows.
std::string EventFactKey(const domain::EventObject& event);

// "spec.containers{app}" → "app"; empty when the path names no container.
domain::Symbol ContainerFromFieldPath(absl::string_view field_path);

}  // namespace tapio::collectors::kubeapi

#endif  // TAPIO_COLLECTORS_KUBEAPI_FACT_KEY_H_
