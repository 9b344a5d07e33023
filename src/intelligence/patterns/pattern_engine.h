// Runs the pattern library over a stream of events. Each event is filed in a per-entity
// index; an event that a pattern's trigger matches (found through an index by event type,
// never by trying every pattern) is evaluated once its required evidence window has closed
// in stream time — the newest event time seen, less an allowance for late events — by
// following the pattern's relation paths through the topology as it stood at the trigger and
// looking only at those entities' events in the window. A match is made then, as early as
// the evidence allows; once the longest window has closed too, the engine looks again: later
// supporting or weighted contradicting evidence updates the match in place, and a vetoing
// contradiction retracts it. Not thread-safe: one engine per stream, fed in roughly time
// order.
#ifndef TAPIO_INTELLIGENCE_PATTERNS_PATTERN_ENGINE_H_
#define TAPIO_INTELLIGENCE_PATTERNS_PATTERN_ENGINE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "domain/clock.h"
#include "domain/event.h"
#include "intelligence/patterns/event_index.h"
#include "intelligence/patterns/pattern.h"
#include "intelligence/patterns/pattern_match.h"
#include "intelligence/topology/topology_graph.h"

namespace tapio::intelligence {

struct PatternEngineOptions {
  // How far behind the newest event time an event may still arrive and be seen as evidence.
  int64_t lateness_ns = int64_t{30} * 1000000000;
  // How long events are kept for evidence.
  int64_t horizon_ns = int64_t{6} * 3600 * 1000000000;
};

struct PatternEngineCounts {
  uint64_t events = 0;
  uint64_t triggers = 0;
  uint64_t matches = 0;
  // Triggers that joined an earlier match of the same cause.
  uint64_t joined = 0;
  // Triggers that lacked required evidence or met contradicting evidence.
  uint64_t rejected = 0;
  // Matches withdrawn when contradicting evidence arrived after they were made.
  uint64_t retracted = 0;
};

class PatternEngine {
 public:
  // Called for each new match as it is made, and again when the second look changes it.
  using MatchSink = std::function<void(const PatternMatch&)>;

  // `graph` and `clock` must outlive the engine; `clock` times detection.
  PatternEngine(std::vector<Pattern> patterns, const TopologyGraph& graph,
                const domain::Clock& clock, PatternEngineOptions options = {});

  void set_sink(MatchSink sink) { sink_ = std::move(sink); }

  // Files the event and evaluates every trigger whose window has closed.
  void Observe(const domain::Event& event);
  // Moves stream time on to `stream_ns` without an event, evaluating what is then due: for a
  // live stream gone quiet, whose clock keeps going.
  void AdvanceTo(int64_t stream_ns);
  // The newest event time seen, or as far as AdvanceTo moved it.
  int64_t stream_time() const { return newest_ns_; }
  // Evaluates every pending trigger now (the end of a replay, or shutdown).
  void Flush();

  // Every match made so far, in the order made; the vector grows as matches are made.
  const std::vector<PatternMatch>& matches() const { return matches_; }
  const std::vector<Pattern>& patterns() const { return patterns_; }
  const PatternEngineCounts& counts() const { return counts_; }

 private:
  enum class Look : uint8_t {
    // The only look: every window closes at once.
    kOnly,
    // The required evidence is in; later evidence may still change the match.
    kFirst,
    // Every window has closed.
    kSecond,
  };

  struct Pending {
    int64_t due_ns;
    uint32_t pattern;
    Look look;
    domain::Event trigger;
    int64_t observed_wall_ns;
    bool operator>(const Pending& other) const { return due_ns > other.due_ns; }
  };

  // The evidence found for one trigger, and the confidence it gives; nullopt when the
  // pattern does not match.
  struct Assessment;
  std::optional<Assessment> Assess(const Pattern& pattern, const domain::Event& trigger);
  void Fill(const Pattern& pattern, const domain::Event& trigger, const Assessment& found,
            PatternMatch* match) const;

  void EvaluateDue(int64_t watermark_ns);
  void Evaluate(const Pending& pending);
  // Joins the trigger to an earlier match of the same cause or makes a new match; returns
  // the match's index.
  size_t Conclude(const Pending& pending, const Assessment& found);
  void LookAgain(const Pending& pending);

  std::vector<Pattern> patterns_;
  const TopologyGraph& graph_;
  const domain::Clock& clock_;
  PatternEngineOptions options_;
  MatchSink sink_;
  EventIndex index_;
  // Event type → (pattern, trigger) pairs whose trigger names that type.
  absl::flat_hash_map<domain::Symbol, std::vector<std::pair<uint32_t, uint32_t>>> by_type_;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<Pending>> pending_;
  int64_t newest_ns_ = 0;
  std::vector<PatternMatch> matches_;
  // (pattern, entity at fault) → index in matches_ of its latest match.
  absl::flat_hash_map<std::pair<uint32_t, uint32_t>, size_t> latest_;
  // (pattern, trigger event id) → the match its first look made or joined (SIZE_MAX for
  // none), until the second look.
  struct FirstLook {
    size_t match;
    bool made;
  };
  absl::flat_hash_map<std::pair<uint32_t, uint64_t>, FirstLook> first_looks_;
  PatternEngineCounts counts_;
};

}  // namespace tapio::intelligence

#endif  // TAPIO_INTELLIGENCE_PATTERNS_PATTERN_ENGINE_H_
