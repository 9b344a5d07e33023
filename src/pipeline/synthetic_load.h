// Pushes synthetic events through a real Pipeline into a sink that only counts, and measures
// what `tapio bench` reports: throughput, enqueue→sink latency, and the memory one queued
// event occupies. Runs its own producer threads; not re-entrant.
#ifndef TAPIO_PIPELINE_SYNTHETIC_LOAD_H_
#define TAPIO_PIPELINE_SYNTHETIC_LOAD_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "pipeline/pipeline_builder.h"

namespace tapio::pipeline {

struct SyntheticLoadOptions {
  uint64_t events = 5'000'000;
  int producers = 1;
  // Offered events per second over all producers; 0 offers as fast as the pipeline takes them.
  double rate = 0;
  // Events per Submit() call at most.
  size_t submit_batch = 64;
  // Distinct entities the events are spread over.
  int entities = 10'000;
};

struct SyntheticLoadReport {
  uint64_t events = 0;
  uint64_t delivered = 0;
  double seconds = 0;
  double events_per_sec = 0;
  double p50_us = 0;
  double p99_us = 0;
  // Queue memory per event slot: bytes the queues allocated over the events they can hold.
  double bytes_per_event = 0;
  int shards = 0;
  int producers = 0;
};

// Builds the pipeline from `builder` (whose sink is replaced, and whose sources all get the
// block policy so that every event is delivered), runs the load, stops the pipeline and
// reports. Fails with InvalidArgument for bad options or a bad builder.
absl::StatusOr<SyntheticLoadReport> RunSyntheticLoad(const SyntheticLoadOptions& options,
                                                     PipelineBuilder builder);

}  // namespace tapio::pipeline

#endif  // TAPIO_PIPELINE_SYNTHETIC_LOAD_H_
