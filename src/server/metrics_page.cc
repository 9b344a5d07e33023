#include "server/metrics_page.h"

#include <cstdint>

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
}

}  // namespace

std::string MetricsPage(const IngestCounts& ingest,
                        const std::vector<v1::CollectorStatus>& collectors,
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
