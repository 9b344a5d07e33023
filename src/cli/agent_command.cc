#include "cli/agent_command.h"

#include <signal.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli/kernel_source.h"
#include "cli/token_file.h"
#include "domain/event_id.h"
#include "domain/event_proto.h"
#include "domain/event_wire.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "transport/collector_control.h"
#include "transport/event_shipper.h"

namespace tapio::cli {
namespace {

volatile std::sig_atomic_t stop_requested = 0;

void RequestStop(int) { stop_requested = 1; }

void OnStopSignals() {
  struct sigaction action = {};
  action.sa_handler = RequestStop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

std::string DefaultNode() {
  if (const char* name = std::getenv("NODE_NAME"); name != nullptr && *name != '\0') return name;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) return "";
  return host;
}

// How often the kernel collector is drained: how late an event may reach the agent when the
// kernel is quiet (a filling ring buffer wakes it sooner).
constexpr absl::Duration kPollEvery = absl::Milliseconds(50);

// How long a stopping agent waits for the server to acknowledge what it still holds.
constexpr absl::Duration kDrainOnStop = absl::Seconds(5);

// How often the polling thread reads the kernel's figures for the heartbeat.
constexpr absl::Duration kFiguresEvery = absl::Seconds(1);

// The kernel figures the polling thread read last, for the heartbeat thread.
class KernelFiguresSnapshot {
 public:
  void Set(v1::KernelFigures figures) {
    absl::MutexLock lock(&mu_);
    figures_ = std::move(figures);
  }
  v1::KernelFigures Get() const {
    absl::MutexLock lock(&mu_);
    return figures_;
  }

 private:
  mutable absl::Mutex mu_;
  v1::KernelFigures figures_ ABSL_GUARDED_BY(mu_);
};

// `options` holds the TLS files and spill directory from the flags.
absl::StatusOr<std::unique_ptr<transport::EventShipper>> StartShipper(
    transport::EventShipper::Options options, const std::string& server,
    const std::string& token_file, const std::string& node) {
  options.target = server;
  options.collector_id = absl::StrCat("agent/", node);
  absl::StatusOr<std::string> token = ReadToken(token_file);
  if (!token.ok()) return token.status();
  options.token = *token;
  return transport::EventShipper::Start(std::move(options));
}

// Registers with the server, reports the shipper's and the kernel's figures in heartbeats, and
// batches as the server asks.
absl::StatusOr<std::unique_ptr<transport::CollectorControl>> StartControl(
    const transport::EventShipper::Options& shipping, const std::string& server,
    const std::string& token_file, const std::string& node, const std::string& mode,
    transport::EventShipper& shipper, const KernelFiguresSnapshot& kernel) {
  transport::CollectorControl::Options options;
  options.target = server;
  absl::StatusOr<std::string> token = ReadToken(token_file);
  if (!token.ok()) return token.status();
  options.token = *token;
  options.ca_file = shipping.ca_file;
  options.cert_file = shipping.cert_file;
  options.key_file = shipping.key_file;
  options.registration.set_collector_id(absl::StrCat("agent/", node));
  options.registration.set_kind("agent");
  options.registration.set_node(node);
  options.registration.set_version(TAPIO_VERSION);
  options.registration.add_sources(absl::StrCat("kernel: ", mode));
  auto figures = [&shipper, &kernel] {
    transport::EventShipper::Counts c = shipper.counts();
    v1::CollectorHeartbeat beat;
    beat.set_events_seen(c.seen);
    beat.set_events_acked(c.acked);
    beat.set_events_dropped(c.dropped);
    beat.set_events_queued(c.queued);
    *beat.mutable_kernel() = kernel.Get();
    return beat;
  };
  auto on_config = [&shipper](const v1::CollectorConfig& config) {
    absl::Duration delay = absl::Nanoseconds(
        google::protobuf::util::TimeUtil::DurationToNanoseconds(config.batch_delay()));
    if (config.batch_events() > 0) shipper.SetBatching(config.batch_events(), delay);
    std::fprintf(stderr,
                 "tapio agent: the server's configuration %llu: batches of %u event(s) or %s, "
                 "a heartbeat every %s\n",
                 static_cast<unsigned long long>(config.generation()), config.batch_events(),
                 absl::FormatDuration(delay).c_str(),
                 google::protobuf::util::TimeUtil::ToString(config.heartbeat_interval()).c_str());
    std::fflush(stderr);
  };
  return transport::CollectorControl::Start(std::move(options), figures, on_config);
}

}  // namespace

CLI::App* AgentCommand::Register(CLI::App& app) {
  CLI::App* agent = app.add_subcommand(
      "agent", "Run the node agent: the kernel collector (eBPF, or the kernel log)");
  agent->add_flag("--stdout", stdout_, "Print one JSON event per line");
  agent->add_option("--server", server_, "Ship the events to this server (host:port)");
  agent->add_option("--token-file", token_file_, "A file holding the server's bearer token");
  agent->add_option("--ca-file", shipping_.ca_file,
                    "The CA certificate (PEM) of the server: use TLS");
  agent->add_option("--cert-file", shipping_.cert_file,
                    "This agent's certificate (PEM), if the server asks for one");
  agent->add_option("--key-file", shipping_.key_file, "The agent certificate's private key (PEM)");
  agent->add_option("--spill-dir", shipping_.queue.spill_dir,
                    "Where events wait on disk while the server is away for long");
  agent->add_option("--node", node_, "This node's name (default: $NODE_NAME, else the hostname)");
  agent->add_option("--cluster", cluster_, "The cluster's name");
  agent->add_option("--kernel", kernel_, "auto, ebpf or kmsg")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "ebpf", "kmsg"}));
  agent->add_option("--kmsg", kmsg_, "The kernel log device for the kmsg collector")
      ->capture_default_str();
  agent->add_option("--for", run_for_, "Stop after this long (such as 30s or 5m)");
  return agent;
}

int AgentCommand::Run() {
  if (stdout_ == !server_.empty()) {
    std::fprintf(stderr, "tapio agent: say where the events go: --server HOST:PORT or --stdout\n");
    return 2;
  }
  absl::Duration run_for = absl::InfiniteDuration();
  if (!run_for_.empty() && !absl::ParseDuration(run_for_, &run_for)) {
    std::fprintf(stderr, "tapio agent: --for %s: not a duration (such as 30s or 5m)\n",
                 run_for_.c_str());
    return 2;
  }
  std::string node = node_.empty() ? DefaultNode() : node_;
  if (node.empty()) {
    std::fprintf(stderr, "tapio agent: no node name: pass --node or set NODE_NAME\n");
    return 2;
  }
  domain::EntityRegistry registry;
  domain::EventIdGenerator ids(static_cast<uint64_t>(getpid()));
  absl::StatusOr<StartedKernel> started =
      StartKernel(kernel_, kmsg_, cluster_, node, registry, ids);
  if (!started.ok()) {
    std::fprintf(stderr, "tapio agent: kernel collector: %s\n",
                 std::string(started.status().message()).c_str());
    return 1;
  }
  std::unique_ptr<transport::EventShipper> shipper;
  if (!server_.empty()) {
    absl::StatusOr<std::unique_ptr<transport::EventShipper>> made =
        StartShipper(shipping_, server_, token_file_, node);
    if (!made.ok()) {
      std::fprintf(stderr, "tapio agent: %s\n", std::string(made.status().message()).c_str());
      return 2;
    }
    shipper = *std::move(made);
  }
  std::fprintf(stderr, "tapio agent: node %s, kernel collector: %s\n", node.c_str(),
               started->mode.c_str());
  std::fflush(stderr);
  KernelFiguresSnapshot kernel_figures;
  kernel_figures.Set(started->source->Figures());
  absl::Time next_figures = absl::Now() + kFiguresEvery;
  std::unique_ptr<transport::CollectorControl> control;
  if (shipper != nullptr) {
    absl::StatusOr<std::unique_ptr<transport::CollectorControl>> made = StartControl(
        shipping_, server_, token_file_, node, started->mode, *shipper, kernel_figures);
    if (!made.ok()) {
      std::fprintf(stderr, "tapio agent: %s\n", std::string(made.status().message()).c_str());
      return 2;
    }
    control = *std::move(made);
  }
  OnStopSignals();
  const absl::Time deadline = absl::Now() + run_for;
  std::vector<domain::Event> events;
  uint64_t printed = 0;
  int exit_code = 0;
  while (stop_requested == 0 && absl::Now() < deadline) {
    events.clear();
    absl::Duration wait = std::min(kPollEvery, deadline - absl::Now());
    if (absl::Status s = started->source->Poll(wait, &events); !s.ok()) {
      std::fprintf(stderr, "tapio agent: kernel collector: %s\n", std::string(s.message()).c_str());
      exit_code = 1;
      break;
    }
    if (control != nullptr && absl::Now() >= next_figures) {
      kernel_figures.Set(started->source->Figures());
      next_figures = absl::Now() + kFiguresEvery;
    }
    if (shipper != nullptr) {
      shipper->Submit(events.size(), [&](size_t i, std::string* out) {
        domain::AppendWire(events[i], registry, out);
      });
      continue;
    }
    for (const domain::Event& e : events) {
      // A slow reader must not keep a stop waiting behind what is left to print.
      if (stop_requested != 0) break;
      std::string json;
      (void)google::protobuf::util::MessageToJsonString(domain::ToProto(e, registry), &json);
      std::fputs(json.c_str(), stdout);
      std::fputc('\n', stdout);
      ++printed;
    }
    if (!events.empty()) std::fflush(stdout);
  }
  if (shipper != nullptr) {
    shipper->Drain(kDrainOnStop);
    transport::EventShipper::Counts c = shipper->counts();
    std::fprintf(stderr,
                 "tapio agent: %llu event(s) seen, %llu acknowledged by %s, %llu dropped, %llu "
                 "waiting%s%s; %s\n",
                 static_cast<unsigned long long>(c.seen), static_cast<unsigned long long>(c.acked),
                 server_.c_str(), static_cast<unsigned long long>(c.dropped),
                 static_cast<unsigned long long>(c.queued),
                 c.last_error.empty() ? "" : "; last: ", c.last_error.c_str(),
                 started->source->Counters().c_str());
    return exit_code;
  }
  std::fprintf(stderr, "tapio agent: %llu event(s) printed; %s\n",
               static_cast<unsigned long long>(printed), started->source->Counters().c_str());
  return exit_code;
}

}  // namespace tapio::cli
