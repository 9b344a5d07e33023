#include "intelligence/topology/network_policy.h"

namespace tapio::intelligence {
namespace {

bool NamespaceMatches(const domain::LabelSelector& selector, const PolicyPeer& peer) {
  static const domain::Symbol kNameLabel = domain::Intern("kubernetes.io/metadata.name");
  if (domain::LabelValue(peer.namespace_labels, kNameLabel).has_value()) {
    return selector.Matches(peer.namespace_labels);
  }
  domain::Labels labels = peer.namespace_labels;
  labels.emplace_back(kNameLabel, peer.namespace_name);
  return selector.Matches(labels);
}

bool PeerMatches(const domain::NetworkPolicyPeer& rule_peer, domain::Symbol policy_namespace,
                 const PolicyPeer& peer) {
  if (rule_peer.ip_block) return false;
  if (!rule_peer.pod_selector.has_value() && !rule_peer.namespace_selector.has_value()) {
    return false;
  }
  if (rule_peer.namespace_selector.has_value()) {
    if (!NamespaceMatches(*rule_peer.namespace_selector, peer)) return false;
  } else if (peer.namespace_name != policy_namespace) {
    return false;
  }
  return !rule_peer.pod_selector.has_value() || rule_peer.pod_selector->Matches(peer.labels);
}

}  // namespace

bool Isolates(const domain::NetworkPolicyObject& policy, PolicyDirection direction) {
  return direction == PolicyDirection::kIngress ? policy.ingress : policy.egress;
}

bool Admits(const domain::NetworkPolicyObject& policy, domain::Symbol policy_namespace,
            PolicyDirection direction, const PolicyPeer& peer) {
  const std::vector<domain::NetworkPolicyRule>& rules =
      direction == PolicyDirection::kIngress ? policy.ingress_rules : policy.egress_rules;
  for (const domain::NetworkPolicyRule& rule : rules) {
    if (rule.peers.empty()) return true;
    for (const domain::NetworkPolicyPeer& rule_peer : rule.peers) {
      if (PeerMatches(rule_peer, policy_namespace, peer)) return true;
    }
  }
  return false;
}

}  // namespace tapio::intelligence
