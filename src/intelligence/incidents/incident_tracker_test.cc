#include "intelligence/incidents/incident_tracker.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "intelligence/topology/testing/test_objects.h"

namespace tapio::intelligence {
namespace {

using domain::EntityId;
using domain::Intern;
using domain::KubeKind;
using domain::KubeObject;
using ::testing::ElementsAre;
using testing::Object;
using testing::PodObject;

constexpr int64_t kT0 = 1'772'360'100'000'000'000;  // 2026-03-01T10:15:00Z
constexpr int64_t kMinute = 60'000'000'000;

class IncidentTrackerTest : public ::testing::Test {
 protected:
  IncidentTrackerTest() : graph_(Intern("c"), registry_) {
    Apply(Object(KubeKind::kNode, "", "node-1"));
    Apply(Object(KubeKind::kDeployment, "shop", "api"));
    Apply(PodObject("shop", "api-0", "node-1", "api", ""));
    Apply(PodObject("shop", "api-1", "node-1", "api", ""));
    Apply(PodObject("billing", "ledger-0", "", "", ""));
  }

  void Apply(KubeObject object) {
    domain::ObjectChange change;
    change.time_ns = kT0 - 60 * kMinute;
    change.object = std::move(object);
    ASSERT_TRUE(graph_.Apply(change).ok());
  }

  EntityId Id(KubeKind kind, absl::string_view ns, absl::string_view name) {
    return graph_.Find(kind, ns, name).value_or(EntityId{});
  }

  static PatternMatch Match(absl::string_view category, EntityId at_fault, EntityId hit,
                            int64_t at) {
    PatternMatch m;
    m.pattern = std::string(category);
    m.category = std::string(category);
    m.at_fault = at_fault;
    m.trigger.entity = hit;
    m.trigger.time_ns = at;
    m.last_trigger_ns = at;
    m.trigger_entities = {hit};
    return m;
  }

  std::vector<uint64_t> Ids() const {
    std::vector<uint64_t> ids;
    for (const Incident& i : tracker_.incidents()) ids.push_back(i.id);
    return ids;
  }

  domain::EntityRegistry registry_;
  TopologyGraph graph_;
  IncidentTracker tracker_{graph_};
  std::vector<PatternMatch> matches_;
};

TEST_F(IncidentTrackerTest, PatternsNamingOneCauseMakeOneIncident) {
  EntityId node = Id(KubeKind::kNode, "", "node-1");
  EntityId api0 = Id(KubeKind::kPod, "shop", "api-0");
  matches_.push_back(Match("node-memory-pressure", node, api0, kT0));
  matches_.push_back(
      Match("memory-limit", Id(KubeKind::kDeployment, "shop", "api"), api0, kT0 + kMinute));
  tracker_.Update(matches_, kT0 + 2 * kMinute);
  ASSERT_EQ(tracker_.incidents().size(), 1u);
  const Incident& incident = tracker_.incidents()[0];
  EXPECT_THAT(incident.matches, ElementsAre(0, 1));
  EXPECT_TRUE(incident.open());
  EXPECT_EQ(incident.opened_ns, kT0);
  EXPECT_EQ(incident.updated_ns, kT0 + kMinute);
}

TEST_F(IncidentTrackerTest, PodsOfOneWorkloadFailingShareAnIncidentAndOthersDoNot) {
  EntityId api = Id(KubeKind::kDeployment, "shop", "api");
  matches_.push_back(Match("app-crash", Id(KubeKind::kPod, "shop", "api-0"),
                           Id(KubeKind::kPod, "shop", "api-0"), kT0));
  matches_.push_back(Match("app-crash", Id(KubeKind::kPod, "shop", "api-1"),
                           Id(KubeKind::kPod, "shop", "api-1"), kT0 + kMinute));
  EntityId ledger = Id(KubeKind::kPod, "billing", "ledger-0");
  matches_.push_back(Match("volume", ledger, ledger, kT0 + kMinute));
  tracker_.Update(matches_, kT0 + 2 * kMinute);
  ASSERT_EQ(tracker_.incidents().size(), 2u);
  EXPECT_THAT(tracker_.incidents()[0].matches, ElementsAre(0, 1));
  EXPECT_TRUE(tracker_.incidents()[0].touched.contains(api));
  EXPECT_THAT(tracker_.incidents()[1].matches, ElementsAre(2));
}

TEST_F(IncidentTrackerTest, AMatchLinkingTwoIncidentsMergesThemUnderTheOlder) {
  EntityId node = Id(KubeKind::kNode, "", "node-1");
  EntityId ledger = Id(KubeKind::kPod, "billing", "ledger-0");
  EntityId api0 = Id(KubeKind::kPod, "shop", "api-0");
  matches_.push_back(Match("node-memory-pressure", node, node, kT0));
  matches_.push_back(Match("volume", ledger, ledger, kT0 + kMinute));
  tracker_.Update(matches_, kT0 + kMinute);
  ASSERT_THAT(Ids(), ElementsAre(1, 2));
  PatternMatch link = Match("downstream-failure", ledger, api0, kT0 + 2 * kMinute);
  link.evidence.push_back({"callee", 0, false, "trigger.callees", 1, {matches_[0].trigger}});
  matches_.push_back(link);
  tracker_.Update(matches_, kT0 + 2 * kMinute);
  EXPECT_THAT(Ids(), ElementsAre(1));
  EXPECT_THAT(tracker_.incidents()[0].matches, ElementsAre(0, 2, 1));
}

TEST_F(IncidentTrackerTest, ControlPlaneFailuresSeenFromDifferentPlacesAreOneIncident) {
  EntityId node = Id(KubeKind::kNode, "", "node-1");
  EntityId ledger = Id(KubeKind::kPod, "billing", "ledger-0");
  matches_.push_back(Match("etcd", node, node, kT0));
  matches_.push_back(Match("etcd", ledger, ledger, kT0 + kMinute));
  for (PatternMatch& m : matches_) m.layer = "control-plane";
  EntityId api0 = Id(KubeKind::kPod, "shop", "api-0");
  matches_.push_back(Match("app-crash", api0, api0, kT0 + kMinute));
  tracker_.Update(matches_, kT0 + 2 * kMinute);
  ASSERT_EQ(tracker_.incidents().size(), 2u);
  EXPECT_THAT(tracker_.incidents()[0].matches, ElementsAre(0, 1));
  EXPECT_THAT(tracker_.incidents()[1].matches, ElementsAre(2));
}

TEST_F(IncidentTrackerTest, AnIncidentResolvesWhenQuietAndALaterFailureOpensAnother) {
  EntityId api0 = Id(KubeKind::kPod, "shop", "api-0");
  matches_.push_back(Match("app-crash", api0, api0, kT0));
  tracker_.Update(matches_, kT0 + 10 * kMinute);
  EXPECT_TRUE(tracker_.incidents()[0].open()) << "10 minutes quiet is not yet resolved";

  matches_[0].last_trigger_ns = kT0 + 8 * kMinute;
  tracker_.Update(matches_, kT0 + 20 * kMinute);
  EXPECT_TRUE(tracker_.incidents()[0].open()) << "a later trigger joined the match";

  tracker_.Update(matches_, kT0 + 23 * kMinute);
  ASSERT_FALSE(tracker_.incidents()[0].open());
  EXPECT_EQ(tracker_.incidents()[0].resolved_ns, kT0 + 23 * kMinute);

  matches_.push_back(Match("app-crash", api0, api0, kT0 + 40 * kMinute));
  tracker_.Update(matches_, kT0 + 41 * kMinute);
  EXPECT_THAT(Ids(), ElementsAre(1, 2));
  EXPECT_TRUE(tracker_.incidents()[1].open());
}

}  // namespace
}  // namespace tapio::intelligence
