#include "server/analysis_rebuild.h"

namespace tapio::server {
namespace {

// Events read from the store at a time.
constexpr size_t kPage = 5000;

}  // namespace

absl::StatusOr<uint64_t> RebuildFromStore(storage::Store& store, LiveAnalysis& analysis,
                                          KnownObjects* known) {
  uint64_t replayed = 0;
  uint64_t after = 0;
  while (true) {
    absl::StatusOr<storage::ArrivalPage> page = store.EventsInArrivalOrder(after, kPage);
    if (!page.ok()) return page.status();
    analysis.Observe(page->events);
    if (known != nullptr) {
      for (const v1::UnifiedEvent& e : page->events) known->Add(e);
    }
    replayed += page->events.size();
    after = page->next;
    if (page->last) return replayed;
  }
}

}  // namespace tapio::server
