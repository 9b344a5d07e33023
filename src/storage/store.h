// Where Tapio keeps what it has seen and concluded: events (idempotent by event id, so a
// re-sent batch is stored once), their raw source records beside them, and incidents. One
// interface, with SQLite as the embedded default and PostgreSQL for servers sharing a store.
// Implementations are thread-safe.
#ifndef TAPIO_STORAGE_STORE_H_
#define TAPIO_STORAGE_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "tapio/v1/event.pb.h"
#include "tapio/v1/report.pb.h"

namespace tapio::storage {

struct EventQuery {
  // Empty fields match anything.
  std::string kind;
  std::string namespace_name;
  std::string name;
  std::string type;
  // The trace id in lowercase hex, as OTLP/JSON writes it.
  std::string trace_id;
  // [since, until) in Unix nanoseconds; 0 leaves that end open.
  int64_t since_ns = 0;
  int64_t until_ns = 0;
  size_t limit = 100;
  // From the previous page's next_page_token; empty for the first page.
  std::string page_token;
};

struct EventPage {
  // In time order (then by id).
  std::vector<tapio::v1::UnifiedEvent> events;
  // Empty on the last page.
  std::string next_page_token;
};

// Events in the order they were stored, each with its raw record when one is kept.
struct ArrivalPage {
  std::vector<tapio::v1::UnifiedEvent> events;
  // Where the next page starts; pass it back as `after`.
  uint64_t next = 0;
  // No event was stored after this page.
  bool last = true;
};

struct RetentionResult {
  uint64_t events_removed = 0;
  uint64_t raw_records_removed = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Stores the events in one transaction; an event whose id is already stored is skipped.
  // Returns the indexes in `events` of those that were new, in order. The raw record of an
  // event is kept apart from it.
  virtual absl::StatusOr<std::vector<size_t>> Append(
      absl::Span<const tapio::v1::UnifiedEvent> events) = 0;

  // Events matching the query, a page at a time. Fails with InvalidArgument for a page token
  // this store did not make.
  virtual absl::StatusOr<EventPage> Events(const EventQuery& query) = 0;

  // The raw record stored with the event; NotFound when there is none.
  virtual absl::StatusOr<std::string> RawRecord(uint64_t event_id) = 0;

  // At most `limit` events stored after position `after` (0: from the first), in the order
  // they were stored, with their raw records: what a restarting server replays to rebuild its
  // topology and incidents.
  virtual absl::StatusOr<ArrivalPage> EventsInArrivalOrder(uint64_t after, size_t limit) = 0;

  virtual absl::StatusOr<uint64_t> EventCount() = 0;

  // Stores the incident, replacing the one with its id.
  virtual absl::Status PutIncident(const tapio::v1::Incident& incident) = 0;
  // Incidents still open, in the order opened: what a restarted server starts from.
  virtual absl::StatusOr<std::vector<tapio::v1::Incident>> OpenIncidents() = 0;

  // Removes events (and their raw records) older than `before_ns`, then raw records oldest
  // first until they take at most `max_raw_bytes`.
  virtual absl::StatusOr<RetentionResult> Retain(int64_t before_ns, uint64_t max_raw_bytes) = 0;
};

}  // namespace tapio::storage

#endif  // TAPIO_STORAGE_STORE_H_
