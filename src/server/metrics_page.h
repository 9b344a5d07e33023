// What `/metrics` shows, in the Prometheus text format (version 0.0.4): ingest (batches,
// events stored, duplicate, rejected), each collector's (events by outcome, open streams,
// silence, what its agent reported dropping), the store (append latency, retention), the
// analysis pipeline (events by source and outcome, queue depth, batches, latencies), the live
// analysis (events, object changes, matches, insights, incidents open and resolved) and every
// API's latency and results.
#ifndef TAPIO_SERVER_METRICS_PAGE_H_
#define TAPIO_SERVER_METRICS_PAGE_H_

#include <string>
#include <vector>

#include "pipeline/pipeline_metrics.h"
#include "server/api_metrics.h"
#include "server/collector_stream.h"
#include "server/live_analysis.h"
#include "server/store_retention.h"

namespace tapio::server {

std::string MetricsPage(const IngestCounts& ingest,
                        const std::vector<tapio::v1::CollectorStatus>& collectors,
                        const pipeline::MetricsSnapshot& pipeline,
                        const LiveAnalysisCounts& analysis, const RetentionCounts& retention,
                        const ApiMetrics& api);

}  // namespace tapio::server

#endif  // TAPIO_SERVER_METRICS_PAGE_H_
