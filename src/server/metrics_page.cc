#include "server/metrics_page.h"

#include <array>
#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"

namespace tapio::server {
namespace {

void Family(std::string* out, absl::string_view name, absl::string_view type,
            absl::string_view help) {
  absl::StrAppend(out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
}

void Sample(std::string* out, absl::string_view name, absl::string_view labels, uint64_t value) {
  absl::StrAppend(out, name, labels.empty() ? "" : absl::StrCat("{", labels, "}"), " ", value,
                  "\n");
}

// A label's value as the text format writes it: backslash, quote and newline escaped.
std::string LabelValue(absl::string_view value) {
  return absl::StrReplaceAll(value, {{"\\", "\\\\"}, {"\"", "\\\""}, {"\n", "\\n"}});
}

// What each agent's kernel collector reported in its last heartbeat.
void AppendKernelFigures(std::string* out, const std::vector<v1::CollectorStatus>& collectors) {
  struct Figure {
    const char* name;
    const char* help;
    uint64_t (v1::KernelFigures::*value)() const;
  };
  const Figure figures[] = {
      {"tapio_collector_kernel_records_total", "Records each agent read from the kernel.",
       &v1::KernelFigures::records},
      {"tapio_collector_kernel_lost_total",
       "Records the kernel lost before the agent read them (a full BPF ring buffer, or the "
       "kernel log overwritten), as the kernel counts them.",
       &v1::KernelFigures::lost},
      {"tapio_collector_kernel_malformed_total", "Kernel records the agent could not decode.",
       &v1::KernelFigures::malformed},
      {"tapio_collector_kernel_unresolved_cgroups_total",
       "Kernel records whose cgroup id named no cgroup.", &v1::KernelFigures::unresolved_cgroups},
  };
  for (const Figure& figure : figures) {
    Family(out, figure.name, "counter", figure.help);
    for (const v1::CollectorStatus& c : collectors) {
      if (!c.has_kernel()) continue;
      Sample(out, figure.name, absl::StrCat("collector=\"", LabelValue(c.id()), "\""),
             (c.kernel().*figure.value)());
    }
  }
  Family(out, "tapio_collector_kernel_table_full_total", "counter",
         "Kernel events each agent's programs could not count or name because a table was full.");
  for (const v1::CollectorStatus& c : collectors) {
    if (!c.has_kernel()) continue;
    const std::string id = absl::StrCat("collector=\"", LabelValue(c.id()), "\"");
    Sample(out, "tapio_collector_kernel_table_full_total", absl::StrCat(id, ",table=\"flow\""),
           c.kernel().flow_table_full());
    Sample(out, "tapio_collector_kernel_table_full_total", absl::StrCat(id, ",table=\"dns\""),
           c.kernel().dns_table_full());
    Sample(out, "tapio_collector_kernel_table_full_total", absl::StrCat(id, ",table=\"owner\""),
           c.kernel().owner_table_full());
  }
}

void AppendCollectors(std::string* out, const std::vector<v1::CollectorStatus>& collectors) {
  Family(out, "tapio_collector_events_total", "counter",
         "Events each collector sent, by what became of them.");
  for (const v1::CollectorStatus& c : collectors) {
    const std::string id = absl::StrCat("collector=\"", LabelValue(c.id()), "\"");
    Sample(out, "tapio_collector_events_total", absl::StrCat(id, ",outcome=\"stored\""),
           c.events_stored());
    Sample(out, "tapio_collector_events_total", absl::StrCat(id, ",outcome=\"duplicate\""),
           c.events_duplicate());
    Sample(out, "tapio_collector_events_total", absl::StrCat(id, ",outcome=\"rejected\""),
           c.events_rejected());
  }
  Family(out, "tapio_collector_streams", "gauge", "Streams open from each collector.");
  for (const v1::CollectorStatus& c : collectors) {
    Sample(out, "tapio_collector_streams", absl::StrCat("collector=\"", LabelValue(c.id()), "\""),
           c.streams());
  }
  Family(out, "tapio_collector_silent", "gauge",
         "1 for a registered collector that has missed three heartbeats.");
  for (const v1::CollectorStatus& c : collectors) {
    Sample(out, "tapio_collector_silent", absl::StrCat("collector=\"", LabelValue(c.id()), "\""),
           c.silent() ? 1 : 0);
  }
  Family(out, "tapio_collector_agent_events_dropped_total", "counter",
         "Events each collector's agent reported dropping, as of its last heartbeat.");
  for (const v1::CollectorStatus& c : collectors) {
    Sample(out, "tapio_collector_agent_events_dropped_total",
           absl::StrCat("collector=\"", LabelValue(c.id()), "\""), c.events_dropped());
  }
  AppendKernelFigures(out, collectors);
}

// Bucket bounds of the pipeline's histograms, in seconds: its latencies are microseconds to
// seconds.
constexpr std::array<double, 14> kPipelineBounds = {1e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3,
                                                    5e-3, 1e-2, 5e-2, 0.1,    0.5,  1,    5};

// `h` as the series of the histogram family `name`; a bucket counts the values whose
// log-linear bucket lies wholly under its bound.
void AppendHistogram(std::string* out, absl::string_view name, absl::string_view labels,
                     const pipeline::HistogramSnapshot& h) {
  const std::string bucket = absl::StrCat(name, "_bucket");
  const std::string prefix = labels.empty() ? "" : absl::StrCat(labels, ",");
  for (double bound : kPipelineBounds) {
    Sample(out, bucket, absl::StrCat(prefix, "le=\"", bound, "\""),
           h.CountAtMost(static_cast<uint64_t>(bound * 1e9)));
  }
  Sample(out, bucket, absl::StrCat(prefix, "le=\"+Inf\""), h.total);
  absl::StrAppend(out, name, "_sum", labels.empty() ? "" : absl::StrCat("{", labels, "}"), " ",
                  static_cast<double>(h.sum_ns) / 1e9, "\n");
  Sample(out, absl::StrCat(name, "_count"), labels, h.total);
}

void AppendPipeline(std::string* out, const pipeline::MetricsSnapshot& p) {
  Family(out, "tapio_pipeline_events_total", "counter",
         "Events handed to the analysis pipeline, by source and by what became of them.");
  for (int s = 0; s < domain::kSourceCount; ++s) {
    const pipeline::SourceCounts& c = p.sources[static_cast<size_t>(s)];
    if (c.offered == 0) continue;
    const std::string source =
        absl::StrCat("source=\"", domain::SourceName(static_cast<domain::Source>(s)), "\"");
    for (auto [outcome, value] : {std::pair<const char*, uint64_t>{"delivered", c.delivered},
                                  {"rejected", c.rejected},
                                  {"dropped", c.dropped},
                                  {"refused", c.refused},
                                  {"abandoned", c.abandoned}}) {
      Sample(out, "tapio_pipeline_events_total", absl::StrCat(source, ",outcome=\"", outcome, "\""),
             value);
    }
  }
  size_t depth = 0;
  for (size_t d : p.queue_depth) depth += d;
  Family(out, "tapio_pipeline_queue_depth", "gauge", "Events waiting in the pipeline's queue.");
  Sample(out, "tapio_pipeline_queue_depth", "", depth);
  Family(out, "tapio_pipeline_queue_capacity", "gauge", "Events the pipeline's queue holds.");
  Sample(out, "tapio_pipeline_queue_capacity", "", p.queue_capacity * p.queue_depth.size());
  Family(out, "tapio_pipeline_batches_total", "counter", "Batches the pipeline's worker took.");
  Sample(out, "tapio_pipeline_batches_total", "", p.batches);
  Family(out, "tapio_pipeline_stage_duration_seconds", "histogram",
         "How long each stage took over one batch.");
  for (const pipeline::StageLatency& stage : p.stages) {
    AppendHistogram(out, "tapio_pipeline_stage_duration_seconds",
                    absl::StrCat("stage=\"", LabelValue(stage.stage), "\""), stage.per_batch);
  }
  Family(out, "tapio_pipeline_latency_seconds", "histogram",
         "How long each event waited from entering the pipeline to reaching the analysis.");
  AppendHistogram(out, "tapio_pipeline_latency_seconds", "", p.enqueue_to_sink);
}

}  // namespace

std::string MetricsPage(const IngestCounts& ingest,
                        const std::vector<v1::CollectorStatus>& collectors,
                        const pipeline::MetricsSnapshot& pipeline,
                        const LiveAnalysisCounts& analysis, const RetentionCounts& retention,
                        const ApiMetrics& api) {
  std::string out;
  Family(&out, "tapio_ingest_batches_total", "counter", "Batches collectors sent.");
  Sample(&out, "tapio_ingest_batches_total", "", ingest.batches.load());
  Family(&out, "tapio_ingest_batches_throttled_total", "counter",
         "Batches refused because their collector was over its rate.");
  Sample(&out, "tapio_ingest_batches_throttled_total", "", ingest.batches_throttled.load());
  Family(&out, "tapio_ingest_events_total", "counter",
         "Events collectors sent, by what became of them.");
  Sample(&out, "tapio_ingest_events_total", "outcome=\"stored\"", ingest.events_stored.load());
  Sample(&out, "tapio_ingest_events_total", "outcome=\"duplicate\"",
         ingest.events_duplicate.load());
  Sample(&out, "tapio_ingest_events_total", "outcome=\"rejected\"", ingest.events_rejected.load());
  AppendCollectors(&out, collectors);
  Family(&out, "tapio_store_append_duration_seconds", "histogram",
         "How long the store took to append the batches checked at once.");
  {
    absl::MutexLock lock(&ingest.appends_mu);
    ingest.appends.AppendSeries(&out, "tapio_store_append_duration_seconds", "");
  }
  Family(&out, "tapio_store_retention_passes_total", "counter",
         "Retention passes over the store, by outcome.");
  Sample(&out, "tapio_store_retention_passes_total", "outcome=\"done\"",
         retention.passes.load() - retention.failed_passes.load());
  Sample(&out, "tapio_store_retention_passes_total", "outcome=\"failed\"",
         retention.failed_passes.load());
  Family(&out, "tapio_store_retention_removed_total", "counter",
         "What retention removed from the store.");
  Sample(&out, "tapio_store_retention_removed_total", "what=\"events\"",
         retention.events_removed.load());
  Sample(&out, "tapio_store_retention_removed_total", "what=\"raw_records\"",
         retention.raw_records_removed.load());
  AppendPipeline(&out, pipeline);
  Family(&out, "tapio_analysis_events_total", "counter", "Events the live analysis has seen.");
  Sample(&out, "tapio_analysis_events_total", "", analysis.events);
  Family(&out, "tapio_analysis_object_changes_total", "counter",
         "Kubernetes object changes applied to the topology graph, and those refused.");
  Sample(&out, "tapio_analysis_object_changes_total", "outcome=\"applied\"",
         analysis.object_changes - analysis.objects_refused);
  Sample(&out, "tapio_analysis_object_changes_total", "outcome=\"refused\"",
         analysis.objects_refused);
  Family(&out, "tapio_analysis_matches_total", "counter", "Pattern matches made.");
  Sample(&out, "tapio_analysis_matches_total", "", analysis.matches);
  Family(&out, "tapio_analysis_insights_total", "counter", "Insights published.");
  Sample(&out, "tapio_analysis_insights_total", "", analysis.insights);
  Family(&out, "tapio_incidents", "gauge", "Incidents held, by state.");
  Sample(&out, "tapio_incidents", "state=\"open\"", analysis.incidents_open);
  Sample(&out, "tapio_incidents", "state=\"resolved\"", analysis.incidents_resolved);
  api.AppendPrometheus(&out);
  return out;
}

}  // namespace tapio::server
