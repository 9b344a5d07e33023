#include "intelligence/report/event_summary.h"

#include "absl/strings/str_cat.h"

namespace tapio::intelligence {
namespace {

constexpr size_t kMessageChars = 160;
constexpr uint8_t kIpv4 = 2;  // AF_INET

void AppendMessage(domain::Symbol message, std::string* text) {
  if (!message.empty()) {
    absl::StrAppend(text, ": ", domain::Resolve(message).substr(0, kMessageChars));
  }
}

}  // namespace

absl::string_view LayerName(domain::Source source) {
  switch (source) {
    case domain::Source::kKernel:
    case domain::Source::kKmsg:
      return "KERNEL";
    case domain::Source::kJournal:
      return "NODE";
    case domain::Source::kCni:
      return "NET";
    case domain::Source::kOtlp:
      return "APP";
    default:
      return "K8S";
  }
}

std::string EventSummary(const domain::Event& event) {
  std::string text(domain::Resolve(event.type));
  if (const auto* kernel = std::get_if<domain::KernelPayload>(&event.payload)) {
    if (kernel->pid != 0) {
      absl::StrAppend(&text, " ", kernel->comm.view(), " (pid ", kernel->pid, ")");
    }
    if (!kernel->pod_uid.empty()) absl::StrAppend(&text, " pod ", domain::Resolve(kernel->pod_uid));
    if (kernel->memcg_limit_kb != 0) {
      absl::StrAppend(&text, " limit ", kernel->memcg_limit_kb / 1024, " MiB");
    }
    if (kernel->signal != 0) absl::StrAppend(&text, " signal ", kernel->signal);
    AppendMessage(kernel->message, &text);
  } else if (const auto* k = std::get_if<domain::KubernetesPayload>(&event.payload)) {
    if (!k->container.empty()) absl::StrAppend(&text, " [", domain::Resolve(k->container), "]");
    if (!k->reason.empty()) absl::StrAppend(&text, " ", domain::Resolve(k->reason));
    if (!k->from.empty()) absl::StrAppend(&text, " ", domain::Resolve(k->from), " ->");
    if (!k->to.empty()) {
      absl::StrAppend(&text, k->from.empty() ? " -> " : " ", domain::Resolve(k->to));
    }
    if (k->exit_code != 0) absl::StrAppend(&text, " exit ", k->exit_code);
    if (k->count > 1) absl::StrAppend(&text, " x", k->count);
    AppendMessage(k->message, &text);
  } else if (const auto* n = std::get_if<domain::NetworkPayload>(&event.payload)) {
    if (n->pid != 0) absl::StrAppend(&text, " ", n->comm.view(), " (pid ", n->pid, ")");
    if (n->family == kIpv4) {
      absl::StrAppend(&text, " ", n->saddr[0], ".", n->saddr[1], ".", n->saddr[2], ".", n->saddr[3],
                      ":", n->sport, " -> ", n->daddr[0], ".", n->daddr[1], ".", n->daddr[2], ".",
                      n->daddr[3], ":", n->dport);
    } else if (n->dport != 0) {
      absl::StrAppend(&text, " port ", n->sport, " -> ", n->dport);
    }
    if (n->count > 1) absl::StrAppend(&text, " x", n->count);
  } else if (const auto* s = std::get_if<domain::ServicePayload>(&event.payload)) {
    if (!s->unit.empty()) absl::StrAppend(&text, " ", domain::Resolve(s->unit));
    AppendMessage(s->message, &text);
  } else if (const auto* a = std::get_if<domain::ApplicationPayload>(&event.payload)) {
    if (!a->service.empty()) absl::StrAppend(&text, " ", domain::Resolve(a->service));
    if (!a->peer_service.empty()) absl::StrAppend(&text, " -> ", domain::Resolve(a->peer_service));
    if (a->http_status != 0) absl::StrAppend(&text, " HTTP ", a->http_status);
    AppendMessage(a->status_message.empty() ? a->log_line : a->status_message, &text);
  }
  return text;
}

}  // namespace tapio::intelligence
