// How a NetworkPolicy judges a peer: whether its rules admit a pod into the pods it selects
// (ingress) or out of them (egress). It judges who may talk to whom, not on which port: a
// rule that admits a peer on some ports counts as admitting it, so a block by port can be
// missed but a block that is not there is never claimed. ipBlock peers admit no pod.
#ifndef TAPIO_INTELLIGENCE_TOPOLOGY_NETWORK_POLICY_H_
#define TAPIO_INTELLIGENCE_TOPOLOGY_NETWORK_POLICY_H_

#include <cstdint>

#include "domain/kube_object.h"

namespace tapio::intelligence {

enum class PolicyDirection : uint8_t { kIngress, kEgress };

// A pod on the other end of the traffic, with its namespace's labels.
struct PolicyPeer {
  const domain::Labels& labels;
  domain::Symbol namespace_name;
  const domain::Labels& namespace_labels;
};

// True when the policy isolates the pods it selects in `direction` (its policyTypes).
bool Isolates(const domain::NetworkPolicyObject& policy, PolicyDirection direction);

// True when a rule of `policy` (which lives in `policy_namespace`) for `direction` admits
// `peer`. Every namespace also carries kubernetes.io/metadata.name=<its name>, as the API
// server sets it, whether or not its labels are known.
bool Admits(const domain::NetworkPolicyObject& policy, domain::Symbol policy_namespace,
            PolicyDirection direction, const PolicyPeer& peer);

}  // namespace tapio::intelligence

#endif  // TAPIO_INTELLIGENCE_TOPOLOGY_NETWORK_POLICY_H_
