#include "absl/strings/str_cat.h"
#include "collectors/kubeapi/internal/spec_decoders.h"

namespace tapio::collectors::kubeapi::internal {
namespace {

using Scope = JsonFields::Scope;
using Requirement = domain::LabelSelector::Requirement;

void DecodeRequirement(JsonFields& f, ondemand::value value, Requirement& r) {
  std::string op;
  f.ForEachField(value, [&](JsonKey key, ondemand::value v) {
    Scope scope(f, key);
    if (key == "key") {
      r.key = f.Symbol(v);
    } else if (key == "operator") {
      op = f.String(v);
      if (op == "In") {
        r.op = Requirement::Op::kIn;
      } else if (op == "NotIn") {
        r.op = Requirement::Op::kNotIn;
      } else if (op == "Exists") {
        r.op = Requirement::Op::kExists;
      } else if (op == "DoesNotExist") {
        r.op = Requirement::Op::kDoesNotExist;
      } else if (f.ok()) {
        f.Fail(
            absl::StrCat("unknown operator \"", op, "\"; one of In, NotIn, Exists, DoesNotExist"));
      }
    } else if (key == "values") {
      f.ForEachElement(v, [&](ondemand::value element) { r.values.push_back(f.Symbol(element)); });
    }
  });
}

void DecodePeers(JsonFields& f, ondemand::value value, domain::NetworkPolicyRule& rule) {
  f.ForEachElement(value, [&](ondemand::value element) {
    domain::NetworkPolicyPeer peer;
    f.ForEachField(element, [&](JsonKey key, ondemand::value v) {
      Scope scope(f, key);
      if (key == "podSelector") {
        peer.pod_selector = DecodeLabelSelector(f, v);
      } else if (key == "namespaceSelector") {
        peer.namespace_selector = DecodeLabelSelector(f, v);
      } else if (key == "ipBlock") {
        peer.ip_block = true;
      }
    });
    rule.peers.push_back(std::move(peer));
  });
}

void DecodeRules(JsonFields& f, ondemand::value value, absl::string_view peers_key,
                 std::vector<domain::NetworkPolicyRule>& rules) {
  f.ForEachElement(value, [&](ondemand::value element) {
    domain::NetworkPolicyRule rule;
    f.ForEachField(element, [&](JsonKey key, ondemand::value v) {
      Scope scope(f, key);
      if (key == peers_key) DecodePeers(f, v, rule);
    });
    rules.push_back(std::move(rule));
  });
}

}  // namespace

domain::LabelSelector DecodeLabelSelector(JsonFields& f, ondemand::value value) {
  domain::LabelSelector selector;
  f.ForEachField(value, [&](JsonKey key, ondemand::value v) {
    Scope scope(f, key);
    if (key == "matchLabels") {
      selector.match_labels = f.StringMap(v);
    } else if (key == "matchExpressions") {
      f.ForEachElement(v, [&](ondemand::value element) {
        DecodeRequirement(f, element, selector.expressions.emplace_back());
      });
    }
  });
  return selector;
}

void DecodeNetworkPolicySpec(JsonFields& f, ondemand::value value,
                             domain::NetworkPolicyObject& policy) {
  bool types_given = false;
  f.ForEachField(value, [&](JsonKey key, ondemand::value v) {
    Scope scope(f, key);
    if (key == "podSelector") {
      policy.pod_selector = DecodeLabelSelector(f, v);
    } else if (key == "ingress") {
      DecodeRules(f, v, "from", policy.ingress_rules);
    } else if (key == "egress") {
      DecodeRules(f, v, "to", policy.egress_rules);
    } else if (key == "policyTypes") {
      types_given = true;
      f.ForEachElement(v, [&](ondemand::value element) {
        std::string type = f.String(element);
        if (type == "Ingress") {
          policy.ingress = true;
        } else if (type == "Egress") {
          policy.egress = true;
        } else if (f.ok()) {
          f.Fail(absl::StrCat("unknown policy type \"", type, "\"; Ingress or Egress"));
        }
      });
    }
  });
  // Without policyTypes the API server's default: Ingress always, Egress when it has rules.
  if (!types_given) {
    policy.ingress = true;
    policy.egress = !policy.egress_rules.empty();
  }
}

}  // namespace tapio::collectors::kubeapi::internal
