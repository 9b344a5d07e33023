// What a restarting server does before it takes calls: it replays what its store holds, in the
// order it was stored, through the live analysis, so that the topology graph, the pattern
// engine's evidence and the incidents are as they were when it stopped.
#ifndef TAPIO_SERVER_ANALYSIS_REBUILD_H_
#define TAPIO_SERVER_ANALYSIS_REBUILD_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "server/known_objects.h"
#include "server/live_analysis.h"
#include "storage/store.h"

namespace tapio::server {

// How many stored events were replayed; each is also given to `known` when set. Fails when
// the store cannot be read.
absl::StatusOr<uint64_t> RebuildFromStore(storage::Store& store, LiveAnalysis& analysis,
                                          KnownObjects* known = nullptr);

}  // namespace tapio::server

#endif  // TAPIO_SERVER_ANALYSIS_REBUILD_H_
