// What a shard's full queue does with new events, and how far "drop lowest severity first"
// lets each severity fill a queue.
#ifndef TAPIO_PIPELINE_OVERFLOW_H_
#define TAPIO_PIPELINE_OVERFLOW_H_

#include <cstddef>

#include "domain/event.h"

namespace tapio::pipeline {

enum class Overflow {
  // The producer waits for room (the source slows down; nothing is dropped).
  kBlock,
  // The producer never waits: as a queue fills, events are dropped lowest severity first.
  kDropLowestSeverity,
};

// Under kDropLowestSeverity, an event is admitted only while its shard's queue holds fewer
// than this many events: debug up to half the capacity, info (and unspecified) to three
// quarters, warning to nine tenths, error and critical to the full capacity.
inline size_t AdmissionLimit(domain::Severity severity, size_t capacity) {
  switch (severity) {
    case domain::Severity::kDebug:
      return capacity / 2;
    case domain::Severity::kUnspecified:
    case domain::Severity::kInfo:
      return capacity / 4 * 3;
    case domain::Severity::kWarning:
      return capacity / 10 * 9;
    case domain::Severity::kError:
    case domain::Severity::kCritical:
      return capacity;
  }
  return capacity;
}

}  // namespace tapio::pipeline

#endif  // TAPIO_PIPELINE_OVERFLOW_H_
