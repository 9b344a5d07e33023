#include "cli/kernel_source.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "collectors/kmsg/kmsg_device.h"
#include "collectors/kmsg/kmsg_parser.h"
#include "domain/clock.h"
#ifdef TAPIO_HAVE_EBPF
#include "collectors/ebpf/bpf_support.h"
#include "collectors/ebpf/kernel_collector.h"
#endif

namespace tapio::cli {
namespace {

class KmsgSource : public KernelSource {
 public:
  KmsgSource(std::unique_ptr<collectors::kmsg::KmsgParser> parser,
             std::unique_ptr<collectors::kmsg::KmsgDevice> device)
      : parser_(std::move(parser)), device_(std::move(device)) {}
  absl::Status Poll(absl::Duration timeout, std::vector<domain::Event>* out) override {
    return device_->Poll(timeout, out);
  }
  std::string Counters() const override {
    collectors::kmsg::KmsgParser::Counts c = parser_->counts();
    return absl::StrCat("records ", device_->counts().records, ", lost to the kernel's buffer ",
                        device_->counts().lost, ", rejected ", c.rejected, ", passed over ",
                        c.ignored);
  }
  v1::KernelFigures Figures() const override {
    v1::KernelFigures f;
    f.set_records(device_->counts().records);
    f.set_lost(device_->counts().lost);
    f.set_malformed(parser_->counts().rejected);
    return f;
  }

 private:
  std::unique_ptr<collectors::kmsg::KmsgParser> parser_;
  std::unique_ptr<collectors::kmsg::KmsgDevice> device_;
};

#ifdef TAPIO_HAVE_EBPF
class EbpfSource : public KernelSource {
 public:
  explicit EbpfSource(std::unique_ptr<collectors::ebpf::KernelCollector> collector)
      : collector_(std::move(collector)) {}
  absl::Status Poll(absl::Duration timeout, std::vector<domain::Event>* out) override {
    return collector_->Poll(timeout, out);
  }
  std::string Counters() const override {
    absl::StatusOr<collectors::ebpf::KernelCollector::Counts> c = collector_->ReadCounts();
    if (!c.ok()) return std::string(c.status().message());
    return absl::StrCat("records ", c->records, ", ring buffer drops ", c->ring_buffer_drops,
                        ", flow table full ", c->flow_table_full, ", DNS table full ",
                        c->dns_table_full, ", owner table full ", c->owner_table_full,
                        ", malformed ", c->malformed, ", unresolved cgroups ",
                        c->unresolved_cgroups);
  }
  v1::KernelFigures Figures() const override {
    v1::KernelFigures f;
    absl::StatusOr<collectors::ebpf::KernelCollector::Counts> c = collector_->ReadCounts();
    if (!c.ok()) return f;
    f.set_records(c->records);
    f.set_lost(c->ring_buffer_drops);
    f.set_flow_table_full(c->flow_table_full);
    f.set_dns_table_full(c->dns_table_full);
    f.set_owner_table_full(c->owner_table_full);
    f.set_malformed(c->malformed);
    f.set_unresolved_cgroups(c->unresolved_cgroups);
    return f;
  }

 private:
  std::unique_ptr<collectors::ebpf::KernelCollector> collector_;
};
#endif

absl::StatusOr<StartedKernel> StartKmsg(const std::string& path, const std::string& cluster,
                                        const std::string& node, const std::string& why,
                                        domain::EntityRegistry& registry,
                                        domain::EventIdGenerator& ids) {
  collectors::kmsg::KmsgParser::Options options;
  options.cluster = cluster;
  options.node = node;
  options.source_name = path;
  options.boot_time_ns = collectors::kmsg::KmsgBootTimeNanos();
  absl::StatusOr<std::unique_ptr<collectors::kmsg::KmsgParser>> parser =
      collectors::kmsg::KmsgParser::Create(options, registry, ids, domain::Clock::Real());
  if (!parser.ok()) return parser.status();
  absl::StatusOr<std::unique_ptr<collectors::kmsg::KmsgDevice>> device =
      collectors::kmsg::KmsgDevice::Open({path, false}, **parser);
  if (!device.ok()) return device.status();
  return StartedKernel{std::make_unique<KmsgSource>(*std::move(parser), *std::move(device)),
                       absl::StrCat("kernel log from ", path, why)};
}

}  // namespace

absl::StatusOr<StartedKernel> StartKernel(const std::string& mode, const std::string& kmsg,
                                          const std::string& cluster, const std::string& node,
                                          domain::EntityRegistry& registry,
                                          domain::EventIdGenerator& ids) {
  if (mode == "kmsg") return StartKmsg(kmsg, cluster, node, " (asked for)", registry, ids);
#ifdef TAPIO_HAVE_EBPF
  absl::Status support = collectors::ebpf::CheckBpfSupport();
  if (support.ok()) {
    collectors::ebpf::KernelCollector::Options options;
    options.cluster = cluster;
    options.node = node;
    options.skip_unavailable = mode == "auto";
    absl::StatusOr<std::unique_ptr<collectors::ebpf::KernelCollector>> collector =
        collectors::ebpf::KernelCollector::Create(options, registry, ids, domain::Clock::Real());
    if (collector.ok()) {
      std::vector<std::string> off;
      for (const absl::Status& s : (*collector)->disabled()) off.emplace_back(s.message());
      std::string line =
          "eBPF (OOM kills, failed process exits, TCP refusals, resets and "
          "retransmits, failed DNS answers)";
      if (!off.empty()) absl::StrAppend(&line, "; left out: ", absl::StrJoin(off, "; "));
      return StartedKernel{std::make_unique<EbpfSource>(*std::move(collector)), line};
    }
    support = collector.status();
  }
  if (mode == "ebpf") return support;
  absl::StatusOr<StartedKernel> fallback =
      StartKmsg(kmsg, cluster, node,
                absl::StrCat(", because eBPF cannot run here: ", support.message()), registry, ids);
  if (!fallback.ok()) {
    return absl::Status(
        fallback.status().code(),
        absl::StrCat("eBPF cannot run here (", support.message(),
                     "), nor can the kernel log be read (", fallback.status().message(), ")"));
  }
  return fallback;
#else
  if (mode == "ebpf") {
    return absl::FailedPreconditionError("this tapio was built without eBPF (-DTAPIO_EBPF=OFF)");
  }
  return StartKmsg(kmsg, cluster, node, ", because this tapio was built without eBPF", registry,
                   ids);
#endif
}

}  // namespace tapio::cli
