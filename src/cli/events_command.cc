#include "cli/events_command.h"

#include <cstdio>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli/server_connection.h"
#include "domain/event_proto.h"
#include "domain/time.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "intelligence/report/event_summary.h"
#include "tapio/v1/event_service.grpc.pb.h"

namespace tapio::cli {
namespace {

constexpr absl::Duration kCallTimeout = absl::Seconds(30);

// "1h" back from now, or an RFC 3339 time; 0 for none.
absl::StatusOr<int64_t> Since(const std::string& text) {
  if (text.empty()) return 0;
  absl::Duration ago;
  if (absl::ParseDuration(text, &ago)) return absl::ToUnixNanos(absl::Now() - ago);
  return domain::ParseRfc3339Nanos(text);
}

}  // namespace

CLI::App* EventsCommand::Register(CLI::App& app) {
  CLI::App* events =
      app.add_subcommand("events", "List the events a server has stored, or follow them");
  connection_.AddFlags(events);
  events->add_option("--entity", entity_, "KIND/NAMESPACE/NAME, or KIND/NAME");
  events->add_option("--type", type_, "Only events of this type (kernel.oom_kill, …)");
  events->add_option("--since", since_, "How far back (1h, 30m) or from when (RFC 3339)");
  events->add_option("--limit", limit_, "At most this many events")->capture_default_str();
  events->add_flag("--follow", follow_,
                   "Keep printing events as they are stored (after those of --since, if given)");
  events->add_option("--output", output_, "text or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  return events;
}

void EventsCommand::Print(const v1::UnifiedEvent& e, domain::EntityRegistry& registry) const {
  if (output_ == "json") {
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(e, &json);
    std::printf("%s\n", json.c_str());
    return;
  }
  absl::StatusOr<domain::Event> event = domain::FromProto(e, registry);
  std::string entity = absl::StrCat(
      e.entity().kind(), "/", e.entity().namespace_().empty() ? "" : e.entity().namespace_() + "/",
      e.entity().name());
  std::printf(
      "%s  %s  %s\n", domain::FormatRfc3339Nanos(static_cast<int64_t>(e.time_unix_nano())).c_str(),
      entity.c_str(), event.ok() ? intelligence::EventSummary(*event).c_str() : e.type().c_str());
}

int EventsCommand::Run() {
  absl::Status opened = connection_.Open();
  absl::StatusOr<int64_t> since = Since(since_);
  if (!opened.ok() || !since.ok()) {
    std::fprintf(stderr, "tapio events: %s\n",
                 std::string((opened.ok() ? since.status() : opened).message()).c_str());
    return 2;
  }
  v1::EventQuery query;
  if (!entity_.empty()) {
    std::vector<std::string> parts = absl::StrSplit(entity_, '/');
    if (parts.size() < 2 || parts.size() > 3) {
      std::fprintf(stderr, "tapio events: --entity %s: name it KIND/NAMESPACE/NAME or KIND/NAME\n",
                   entity_.c_str());
      return 2;
    }
    std::string kind = parts[0];
    if (!kind.empty())
      kind[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(kind[0])));
    query.set_kind(kind);
    if (parts.size() == 3) query.set_namespace_(parts[1]);
    query.set_name(parts.back());
  }
  query.set_type(type_);
  query.set_since_unix_nano(*since);
  auto stub = v1::EventService::NewStub(connection_.channel());
  domain::EntityRegistry registry;

  // A follow starts its tail before it lists what is stored, so that nothing falls between.
  std::unique_ptr<grpc::ClientContext> tail_context;
  std::unique_ptr<grpc::ClientReader<v1::EventTailItem>> tail;
  if (follow_) {
    v1::EventTailRequest request;
    request.set_kind(query.kind());
    request.set_namespace_(query.namespace_());
    request.set_name(query.name());
    request.set_type(query.type());
    tail_context = connection_.Context(absl::InfiniteDuration());
    tail = stub->Tail(tail_context.get(), request);
    tail->WaitForInitialMetadata();
  }
  absl::flat_hash_set<uint64_t> listed;
  if (!follow_ || !since_.empty()) {
    int printed = 0;
    do {
      query.set_limit(static_cast<uint32_t>(std::min(limit_ - printed, 1000)));
      v1::EventPage page;
      grpc::Status status = stub->Query(connection_.Context(kCallTimeout).get(), query, &page);
      if (!status.ok()) {
        std::fprintf(stderr, "tapio events: %s: %s\n", connection_.server().c_str(),
                     status.error_message().c_str());
        return 1;
      }
      for (const v1::UnifiedEvent& e : page.events()) {
        Print(e, registry);
        if (follow_) listed.insert(e.id());
        ++printed;
      }
      query.set_page_token(page.next_page_token());
    } while (!query.page_token().empty() && printed < limit_);
  }
  if (!follow_) return 0;
  std::fprintf(stderr, "tapio events: following %s\n", connection_.server().c_str());
  std::fflush(stdout);
  std::fflush(stderr);
  v1::EventTailItem item;
  while (tail->Read(&item)) {
    if (item.missed() > 0) {
      std::fprintf(stderr,
                   "tapio events: %llu event(s) stored while this reader fell behind are not "
                   "shown; tapio events --since finds them\n",
                   static_cast<unsigned long long>(item.missed()));
      std::fflush(stderr);
      continue;
    }
    if (listed.contains(item.event().id())) continue;
    Print(item.event(), registry);
    std::fflush(stdout);
  }
  grpc::Status status = tail->Finish();
  if (!status.ok()) {
    std::fprintf(stderr, "tapio events: %s: %s\n", connection_.server().c_str(),
                 status.error_message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace tapio::cli
