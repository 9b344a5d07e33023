// The RBAC manifest must grant exactly the verbs the watch client uses on exactly the
// resources it watches: a resource missing here would fail with 403 in a real cluster, and
// an extra verb would be more privilege than Tapio needs.
#include <set>
#include <string>

#include "collectors/kubeapi/resource_watch.h"
#include "gtest/gtest.h"
#include "yaml-cpp/yaml.h"

namespace tapio {
namespace {

// "/apis/apps/v1/deployments" → "apps"; "/api/v1/pods" → "".
std::string GroupOf(const std::string& path) {
  if (path.rfind("/api/", 0) == 0) return "";
  size_t start = sizeof("/apis/") - 1;
  return path.substr(start, path.find('/', start) - start);
}

std::string ResourceOf(const std::string& path) { return path.substr(path.rfind('/') + 1); }

TEST(RbacManifestTest, GrantsListAndWatchOnEveryWatchedResourceAndNothingElse) {
  std::set<std::string> granted;
  for (const YAML::Node& document : YAML::LoadAllFromFile("deploy/kubernetes/rbac.yaml")) {
    if (document["kind"].as<std::string>() != "ClusterRole") continue;
    for (const YAML::Node& rule : document["rules"]) {
      std::set<std::string> verbs;
      for (const YAML::Node& verb : rule["verbs"]) verbs.insert(verb.as<std::string>());
      EXPECT_EQ(verbs, (std::set<std::string>{"list", "watch"}));
      for (const YAML::Node& group : rule["apiGroups"]) {
        for (const YAML::Node& resource : rule["resources"]) {
          granted.insert(group.as<std::string>() + "/" + resource.as<std::string>());
        }
      }
    }
  }
  std::set<std::string> needed;
  for (const auto& type : collectors::kubeapi::WatchedResources()) {
    needed.insert(GroupOf(type.path) + "/" + ResourceOf(type.path));
  }
  EXPECT_EQ(granted, needed);
}

}  // namespace
}  // namespace tapio
