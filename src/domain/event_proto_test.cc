#include "domain/event_proto.h"

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "domain/event_wire.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace tapio::domain {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;
namespace v1 = ::tapio::v1;

v1::UnifiedEvent BaseEvent() {
  v1::UnifiedEvent e;
  e.set_id(0x00abcdef00000042);
  e.set_time_unix_nano(1795365174950678000);
  e.set_observed_time_unix_nano(1795365174951000000);
  e.set_source(v1::SOURCE_KUBERNETES);
  e.set_type("k8s.container_terminated");
  e.set_severity(v1::SEVERITY_ERROR);
  v1::EntityRef* entity = e.mutable_entity();
  entity->set_cluster("prod-eu");
  entity->set_kind("Pod");
  entity->set_namespace_("shop");
  entity->set_name("checkout-7d9f8c6b4-x2x9q");
  entity->set_uid("3f1c9a2e-7b4d-4e8a-9c61-0d2b5e8f4a17");
  e.mutable_trace()->set_trace_id(
      std::string("\x5b\x8e\xff\x66\xf7\x98\x03\x81\x98\xcb\x1f\x98\x0e\xd3\xa5\x23", 16));
  e.mutable_trace()->set_span_id(std::string("\xeb\xe8\x7a\x4f\x2b\x33\x10\x01", 8));
  e.mutable_trace()->set_parent_span_id(std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  (*e.mutable_labels())["node"] = "ip-10-0-3-41";
  (*e.mutable_labels())["collector"] = "kubeapi";
  e.add_correlation_ids("event-uid-1");
  e.add_correlation_ids("request=7f3a");
  return e;
}

std::vector<v1::UnifiedEvent> OneEventOfEachPayload() {
  std::vector<v1::UnifiedEvent> events;
  v1::UnifiedEvent kernel = BaseEvent();
  kernel.set_source(v1::SOURCE_KMSG);
  kernel.set_type("kernel.oom_kill");
  v1::KernelPayload* k = kernel.mutable_kernel();
  k->set_pid(6755);
  k->set_tgid(6755);
  k->set_comm("java");
  k->set_cgroup_id(81234);
  k->set_cgroup_path("/kubepods/burstable/pod3f1c9a2e-7b4d-4e8a-9c61-0d2b5e8f4a17/abc");
  k->set_container_id("abc");
  k->set_pod_uid("3f1c9a2e-7b4d-4e8a-9c61-0d2b5e8f4a17");
  k->set_signal(9);
  k->set_exit_code(137);
  k->set_total_vm_kb(2519776);
  k->set_anon_rss_kb(64708);
  k->set_file_rss_kb(20);
  k->set_shmem_rss_kb(4);
  k->set_pgtables_kb(332);
  k->set_memcg_usage_kb(65536);
  k->set_memcg_limit_kb(65536);
  k->set_oom_score_adj(-997);
  k->set_message("Memory cgroup out of memory: Killed process 6755 (java)");
  events.push_back(kernel);

  v1::UnifiedEvent network = BaseEvent();
  network.set_source(v1::SOURCE_KERNEL);
  network.set_type("net.connection_refused");
  v1::NetworkPayload* n = network.mutable_network();
  n->set_family(10);
  n->set_protocol(6);
  n->set_saddr(std::string(15, '\0') + "\x01");
  n->set_daddr(std::string("\xfd\x00", 2) + std::string(13, '\x11') + "\x02");
  n->set_sport(43122);
  n->set_dport(5432);
  n->set_old_state(2);
  n->set_new_state(7);
  n->set_error(111);
  n->set_netns(4026531840);
  n->set_count(3);
  n->set_pid(1873);
  n->set_comm("checkout");
  n->set_cgroup_id(99);
  n->set_cgroup_path("/kubepods/burstable/pod8e2d4f61-0a3b-4c7d-9e15-2f6a8b4c0d93/5d8c6f0a");
  n->set_container_id("5d8c6f0a");
  n->set_pod_uid("8e2d4f61-0a3b-4c7d-9e15-2f6a8b4c0d93");
  events.push_back(network);

  v1::UnifiedEvent k8s = BaseEvent();
  v1::KubernetesPayload* kp = k8s.mutable_kubernetes();
  kp->set_reason("OOMKilled");
  kp->set_message("Container app exceeded its memory limit");
  kp->set_count(4);
  kp->set_first_time_unix_nano(1795365100000000000);
  kp->set_last_time_unix_nano(1795365174000000000);
  kp->set_container("app");
  kp->set_exit_code(137);
  kp->set_signal(9);
  kp->set_restart_count(5);
  kp->set_field("status.containerStatuses[app].state");
  kp->set_from("running");
  kp->set_to("terminated");
  kp->set_component("kubelet");
  events.push_back(k8s);

  v1::UnifiedEvent service = BaseEvent();
  service.set_source(v1::SOURCE_JOURNAL);
  service.set_type("node.unit_log");
  v1::ServicePayload* s = service.mutable_service();
  s->set_unit("kubelet.service");
  s->set_state("active");
  s->set_sub_state("running");
  s->set_priority(3);
  s->set_pid(1873);
  s->set_message("\"Container runtime not ready\" runtimeReady=false");
  s->set_source_location("kubelet.go:2848");
  s->set_exit_status(1);
  events.push_back(service);

  v1::UnifiedEvent app = BaseEvent();
  app.set_source(v1::SOURCE_OTLP);
  app.set_type("app.error_span");
  v1::ApplicationPayload* a = app.mutable_application();
  a->set_service("frontend");
  a->set_span_name("POST /checkout");
  a->set_span_kind(3);
  a->set_status_code(2);
  a->set_status_message("upstream connect error");
  a->set_http_status(503);
  a->set_peer_service("checkout");
  a->set_duration_nano(1200000);
  a->set_log_line("connection refused");
  events.push_back(app);

  v1::UnifiedEvent bare = BaseEvent();
  bare.clear_trace();
  bare.clear_labels();
  bare.clear_correlation_ids();
  events.push_back(bare);
  return events;
}

TEST(EventProtoTest, DomainRoundTripKeepsEveryField) {
  EntityRegistry registry;
  for (const v1::UnifiedEvent& wire : OneEventOfEachPayload()) {
    absl::StatusOr<Event> event = FromProto(wire, registry);
    ASSERT_TRUE(event.ok()) << event.status();
    v1::UnifiedEvent back = ToProto(*event, registry);
    std::string diff;
    MessageDifferencer differencer;
    differencer.ReportDifferencesToString(&diff);
    EXPECT_TRUE(differencer.Compare(wire, back)) << diff;
  }
}

// The agent encodes events with AppendWire: the bytes must parse to what ToProto builds.
TEST(EventProtoTest, AppendWireEncodesWhatToProtoBuilds) {
  EntityRegistry registry;
  for (const v1::UnifiedEvent& wire : OneEventOfEachPayload()) {
    absl::StatusOr<Event> event = FromProto(wire, registry);
    ASSERT_TRUE(event.ok()) << event.status();
    std::string bytes = "prefix";
    AppendWire(*event, registry, &bytes);
    ASSERT_EQ(bytes.substr(0, 6), "prefix") << "appends, keeping what was there";
    v1::UnifiedEvent parsed;
    ASSERT_TRUE(parsed.ParseFromString(bytes.substr(6)));
    std::string diff;
    MessageDifferencer differencer;
    differencer.ReportDifferencesToString(&diff);
    EXPECT_TRUE(differencer.Compare(ToProto(*event, registry), parsed)) << diff;
    EXPECT_EQ(bytes.size() - 6, ToProto(*event, registry).ByteSizeLong());
  }
}

// So that the round trips above cover a field added later, the samples set every field of
// every message an event holds (except the raw record, which the domain event does not keep).
TEST(EventProtoTest, TheSamplesSetEveryField) {
  std::set<std::string> set;
  std::function<void(const google::protobuf::Message&)> walk =
      [&](const google::protobuf::Message& m) {
        std::vector<const google::protobuf::FieldDescriptor*> fields;
        m.GetReflection()->ListFields(m, &fields);
        for (const google::protobuf::FieldDescriptor* field : fields) {
          set.insert(field->full_name());
          if (field->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE &&
              !field->is_repeated()) {
            walk(m.GetReflection()->GetMessage(m, field));
          }
        }
      };
  for (const v1::UnifiedEvent& wire : OneEventOfEachPayload()) walk(wire);
  std::function<void(const google::protobuf::Descriptor*)> expect =
      [&](const google::protobuf::Descriptor* d) {
        for (int i = 0; i < d->field_count(); ++i) {
          const google::protobuf::FieldDescriptor* field = d->field(i);
          if (field->full_name() == "tapio.v1.UnifiedEvent.raw") continue;
          EXPECT_TRUE(set.count(field->full_name())) << field->full_name() << " is never set";
          if (field->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE &&
              !field->is_map()) {
            expect(field->message_type());
          }
        }
      };
  expect(v1::UnifiedEvent::descriptor());
}

TEST(EventProtoTest, JsonMappingRoundTrips) {
  for (const v1::UnifiedEvent& wire : OneEventOfEachPayload()) {
    std::string json;
    ASSERT_TRUE(google::protobuf::util::MessageToJsonString(wire, &json).ok());
    v1::UnifiedEvent parsed;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok()) << json;
    EXPECT_TRUE(MessageDifferencer::Equals(wire, parsed)) << json;
  }
}

TEST(EventProtoTest, JsonUsesTheDocumentedNames) {
  std::string json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(OneEventOfEachPayload()[0], &json).ok());
  EXPECT_THAT(json, HasSubstr("\"source\":\"SOURCE_KMSG\""));
  EXPECT_THAT(json, HasSubstr("\"timeUnixNano\":\"1795365174950678000\""));
  EXPECT_THAT(json, HasSubstr("\"kernel\":{"));
  EXPECT_THAT(json, HasSubstr("\"comm\":\"java\""));
}

TEST(EventProtoTest, SameEntityGetsSameIdAcrossEvents) {
  EntityRegistry registry;
  auto events = OneEventOfEachPayload();
  auto a = FromProto(events[0], registry);
  auto b = FromProto(events[2], registry);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->entity, b->entity);
  EXPECT_EQ(registry.size(), 1u);
}

struct BadCase {
  std::string name;
  std::function<void(v1::UnifiedEvent&)> mutate;
  std::string field;
};

TEST(EventProtoTest, RejectsBadFieldsNamingThem) {
  std::vector<BadCase> cases = {
      {"unknown source", [](auto& e) { e.set_source(static_cast<v1::Source>(42)); }, "source"},
      {"unknown severity", [](auto& e) { e.set_severity(static_cast<v1::Severity>(-3)); },
       "severity"},
      {"no type", [](auto& e) { e.clear_type(); }, "type"},
      {"no entity", [](auto& e) { e.clear_entity(); }, "entity"},
      {"time past int64", [](auto& e) { e.set_time_unix_nano(~uint64_t{0}); }, "time_unix_nano"},
      {"short trace id", [](auto& e) { e.mutable_trace()->set_trace_id("abc"); }, "trace.trace_id"},
      {"huge message",
       [](auto& e) { e.mutable_kubernetes()->set_message(std::string(10 << 20, 'x')); },
       "kubernetes.message"},
      {"huge name", [](auto& e) { e.mutable_entity()->set_name(std::string(5000, 'n')); },
       "entity.name"},
      {"long comm", [](auto& e) { e.mutable_kernel()->set_comm(std::string(17, 'c')); },
       "kernel.comm"},
      {"port out of range", [](auto& e) { e.mutable_network()->set_dport(70000); },
       "network.dport"},
      {"v4 address for v6",
       [](auto& e) {
         e.mutable_network()->set_family(10);
         e.mutable_network()->set_saddr("\x7f\x00\x00\x01");
       },
       "network.saddr"},
      {"unknown family", [](auto& e) { e.mutable_network()->set_family(99); }, "network.family"},
      {"priority above debug", [](auto& e) { e.mutable_service()->set_priority(8); },
       "service.priority"},
      {"too many labels",
       [](auto& e) {
         for (int i = 0; i < 100; ++i) (*e.mutable_labels())["k" + std::to_string(i)] = "v";
       },
       "labels"},
  };
  EntityRegistry registry;
  for (const BadCase& c : cases) {
    v1::UnifiedEvent wire = BaseEvent();
    c.mutate(wire);
    absl::StatusOr<Event> event = FromProto(wire, registry);
    ASSERT_FALSE(event.ok()) << c.name;
    EXPECT_EQ(event.status().code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_TRUE(absl::StartsWith(event.status().message(), c.field + ":"))
        << c.name << ": " << event.status().message();
  }
}

}  // namespace
}  // namespace tapio::domain
