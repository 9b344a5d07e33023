#include "intelligence/patterns/event_field.h"

#include <array>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "domain/string_list.h"

namespace tapio::intelligence {
namespace {

using domain::Resolve;

constexpr std::array<std::pair<const char*, EventFieldId>, 29> kNames = {{
    {"type", EventFieldId::kType},
    {"source", EventFieldId::kSource},
    {"severity", EventFieldId::kSeverity},
    {"reason", EventFieldId::kReason},
    {"message", EventFieldId::kMessage},
    {"container", EventFieldId::kContainer},
    {"exit_code", EventFieldId::kExitCode},
    {"signal", EventFieldId::kSignal},
    {"restart_count", EventFieldId::kRestartCount},
    {"count", EventFieldId::kCount},
    {"field", EventFieldId::kField},
    {"from", EventFieldId::kFrom},
    {"to", EventFieldId::kTo},
    {"component", EventFieldId::kComponent},
    {"comm", EventFieldId::kComm},
    {"pid", EventFieldId::kPid},
    {"memcg_limit_kb", EventFieldId::kMemcgLimitKb},
    {"memcg_usage_kb", EventFieldId::kMemcgUsageKb},
    {"anon_rss_kb", EventFieldId::kAnonRssKb},
    {"unit", EventFieldId::kUnit},
    {"state", EventFieldId::kState},
    {"sub_state", EventFieldId::kSubState},
    {"exit_status", EventFieldId::kExitStatus},
    {"service", EventFieldId::kService},
    {"span_name", EventFieldId::kSpanName},
    {"status_message", EventFieldId::kStatusMessage},
    {"http_status", EventFieldId::kHttpStatus},
    {"peer_service", EventFieldId::kPeerService},
    {"log_line", EventFieldId::kLogLine},
}};

std::optional<FieldValue> Text(domain::Symbol symbol) {
  if (symbol.empty()) return std::nullopt;
  return FieldValue{Resolve(symbol), std::nullopt};
}

std::optional<FieldValue> Text(absl::string_view text) {
  if (text.empty()) return std::nullopt;
  return FieldValue{text, std::nullopt};
}

FieldValue Number(int64_t number) { return FieldValue{{}, number}; }

std::optional<FieldValue> Kubernetes(const domain::KubernetesPayload& p, EventFieldId id) {
  switch (id) {
    case EventFieldId::kReason:
      return Text(p.reason);
    case EventFieldId::kMessage:
      return Text(p.message);
    case EventFieldId::kContainer:
      return Text(p.container);
    case EventFieldId::kExitCode:
      return Number(p.exit_code);
    case EventFieldId::kSignal:
      return Number(p.signal);
    case EventFieldId::kRestartCount:
      return Number(p.restart_count);
    case EventFieldId::kCount:
      return Number(p.count);
    case EventFieldId::kField:
      return Text(p.field);
    case EventFieldId::kFrom:
      return Text(p.from);
    case EventFieldId::kTo:
      return Text(p.to);
    case EventFieldId::kComponent:
      return Text(p.component);
    default:
      return std::nullopt;
  }
}

std::optional<FieldValue> Kernel(const domain::KernelPayload& p, EventFieldId id) {
  switch (id) {
    case EventFieldId::kMessage:
      return Text(p.message);
    case EventFieldId::kComm:
      return Text(p.comm.view());
    case EventFieldId::kPid:
      return Number(p.pid);
    case EventFieldId::kSignal:
      return Number(p.signal);
    case EventFieldId::kExitCode:
      return Number(p.exit_code);
    case EventFieldId::kMemcgLimitKb:
      return Number(static_cast<int64_t>(p.memcg_limit_kb));
    case EventFieldId::kMemcgUsageKb:
      return Number(static_cast<int64_t>(p.memcg_usage_kb));
    case EventFieldId::kAnonRssKb:
      return Number(static_cast<int64_t>(p.anon_rss_kb));
    default:
      return std::nullopt;
  }
}

std::optional<FieldValue> Network(const domain::NetworkPayload& p, EventFieldId id) {
  switch (id) {
    case EventFieldId::kComm:
      return Text(p.comm.view());
    case EventFieldId::kPid:
      return Number(p.pid);
    case EventFieldId::kCount:
      return Number(p.count);
    default:
      return std::nullopt;
  }
}

std::optional<FieldValue> Service(const domain::ServicePayload& p, EventFieldId id) {
  switch (id) {
    case EventFieldId::kUnit:
      return Text(p.unit);
    case EventFieldId::kState:
      return Text(p.state);
    case EventFieldId::kSubState:
      return Text(p.sub_state);
    case EventFieldId::kMessage:
      return Text(p.message);
    case EventFieldId::kPid:
      return Number(p.pid);
    case EventFieldId::kExitStatus:
      return Number(p.exit_status);
    default:
      return std::nullopt;
  }
}

std::optional<FieldValue> Application(const domain::ApplicationPayload& p, EventFieldId id) {
  switch (id) {
    case EventFieldId::kService:
      return Text(p.service);
    case EventFieldId::kSpanName:
      return Text(p.span_name);
    case EventFieldId::kStatusMessage:
      return Text(p.status_message);
    case EventFieldId::kHttpStatus:
      return Number(p.http_status);
    case EventFieldId::kPeerService:
      return Text(p.peer_service);
    case EventFieldId::kLogLine:
      return Text(p.log_line);
    case EventFieldId::kMessage:
      return !p.status_message.empty() ? Text(p.status_message) : Text(p.log_line);
    default:
      return std::nullopt;
  }
}

}  // namespace

std::optional<EventField> ParseEventField(absl::string_view name) {
  if (absl::StartsWith(name, "label.") && name.size() > 6) {
    return EventField{EventFieldId::kLabel, std::string(name.substr(6))};
  }
  for (const auto& [text, id] : kNames) {
    if (name == text) return EventField{id, ""};
  }
  return std::nullopt;
}

std::vector<std::string> EventFieldNames() {
  std::vector<std::string> names;
  for (const auto& entry : kNames) names.emplace_back(entry.first);
  names.emplace_back("label.<key>");
  return names;
}

bool IsNumericField(EventFieldId id) {
  switch (id) {
    case EventFieldId::kExitCode:
    case EventFieldId::kSignal:
    case EventFieldId::kRestartCount:
    case EventFieldId::kCount:
    case EventFieldId::kPid:
    case EventFieldId::kMemcgLimitKb:
    case EventFieldId::kMemcgUsageKb:
    case EventFieldId::kAnonRssKb:
    case EventFieldId::kExitStatus:
    case EventFieldId::kHttpStatus:
      return true;
    default:
      return false;
  }
}

std::optional<FieldValue> ReadField(const domain::Event& event, const EventField& field) {
  switch (field.id) {
    case EventFieldId::kType:
      return Text(event.type);
    case EventFieldId::kSource:
      return Text(domain::SourceName(event.source));
    case EventFieldId::kSeverity:
      return Text(domain::SeverityName(event.severity));
    case EventFieldId::kLabel: {
      std::optional<absl::string_view> value = domain::FindLabel(event.labels, field.label);
      if (!value.has_value()) return std::nullopt;
      return Text(*value);
    }
    default:
      break;
  }
  return std::visit(
      [&](const auto& payload) -> std::optional<FieldValue> {
        using T = std::decay_t<decltype(payload)>;
        if constexpr (std::is_same_v<T, domain::KubernetesPayload>) {
          return Kubernetes(payload, field.id);
        } else if constexpr (std::is_same_v<T, domain::KernelPayload>) {
          return Kernel(payload, field.id);
        } else if constexpr (std::is_same_v<T, domain::NetworkPayload>) {
          return Network(payload, field.id);
        } else if constexpr (std::is_same_v<T, domain::ServicePayload>) {
          return Service(payload, field.id);
        } else if constexpr (std::is_same_v<T, domain::ApplicationPayload>) {
          return Application(payload, field.id);
        } else {
          return std::nullopt;
        }
      },
      event.payload);
}

std::string FieldText(const FieldValue& value) {
  if (value.number.has_value()) return absl::StrCat(*value.number);
  return std::string(value.text);
}

}  // namespace tapio::intelligence
