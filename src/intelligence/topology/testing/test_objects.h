// Test support: Kubernetes objects made in one line — a uid of "Kind/namespace/name", a pod
// on a node with an owning Deployment and an app label, a Service selecting an app — for
// tests that build a topology graph by hand. Header-only; test code only.
#ifndef TAPIO_INTELLIGENCE_TOPOLOGY_TESTING_TEST_OBJECTS_H_
#define TAPIO_INTELLIGENCE_TOPOLOGY_TESTING_TEST_OBJECTS_H_

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "domain/kube_object.h"
#include "domain/symbol_table.h"

namespace tapio::intelligence::testing {

inline domain::KubeObject Object(domain::KubeKind kind, absl::string_view ns,
                                 absl::string_view name) {
  domain::KubeObject o;
  o.kind = kind;
  o.meta.namespace_name = domain::Intern(ns);
  o.meta.name = domain::Intern(name);
  o.meta.uid = domain::Intern(absl::StrCat(domain::KubeKindName(kind), "/", ns, "/", name));
  return o;
}

// A pod on `node`, owned by Deployment `owner` unless it is empty, labelled app=`app` unless
// that is empty.
inline domain::KubeObject PodObject(absl::string_view ns, absl::string_view name,
                                    absl::string_view node, absl::string_view owner,
                                    absl::string_view app) {
  domain::KubeObject pod = Object(domain::KubeKind::kPod, ns, name);
  if (!owner.empty()) {
    pod.meta.owners.push_back({domain::Intern("Deployment"), domain::Intern(owner),
                               domain::Intern(absl::StrCat("Deployment/", ns, "/", owner)), true});
  }
  if (!app.empty()) pod.meta.labels = {{domain::Intern("app"), domain::Intern(app)}};
  domain::PodObject spec;
  spec.node_name = domain::Intern(node);
  pod.spec = spec;
  return pod;
}

inline domain::KubeObject ServiceObject(absl::string_view ns, absl::string_view app) {
  domain::KubeObject service = Object(domain::KubeKind::kService, ns, app);
  domain::ServiceObject spec;
  spec.selector = {{domain::Intern("app"), domain::Intern(app)}};
  service.spec = spec;
  return service;
}

}  // namespace tapio::intelligence::testing

#endif  // TAPIO_INTELLIGENCE_TOPOLOGY_TESTING_TEST_OBJECTS_H_
