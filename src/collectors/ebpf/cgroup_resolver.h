// Names the cgroup behind a kernel cgroup id, and the pod and container that own it. A
// cgroup's id is the inode number of its directory in the cgroup filesystem, so the resolver
// walks the hierarchy's mount reading inode numbers, keeps what it found, and walks again
// when asked about an id it has not seen (at most `max_walks_per_second` times a second, so a
// storm of unknown ids costs bounded work). Ids are per hierarchy: the unified (v2) one, and
// the one holding the memory controller (the same mount on a pure v2 host, the v1 "memory"
// mount on a hybrid one).
//
// Thread-safe: one mutex, held during a walk.
#ifndef TAPIO_COLLECTORS_EBPF_CGROUP_RESOLVER_H_
#define TAPIO_COLLECTORS_EBPF_CGROUP_RESOLVER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "collectors/cgroup/cgroup_path.h"
#include "domain/clock.h"
#include "domain/symbol_table.h"

namespace tapio::collectors::ebpf {

enum class CgroupHierarchy : uint8_t { kUnified, kMemory };

struct ResolvedCgroup {
  // Relative to the hierarchy's root, "/" for the root itself ("/kubepods/burstable/pod…").
  domain::Symbol path;
  // False when the path belongs to no pod; the fields below are then empty.
  bool in_pod = false;
  domain::Symbol pod_uid;
  domain::Symbol container_id;
  domain::Symbol monitored_container_id;
  cgroup::QosClass qos = cgroup::QosClass::kGuaranteed;
  cgroup::ContainerRuntime runtime = cgroup::ContainerRuntime::kUnknown;
  cgroup::CgroupRole role = cgroup::CgroupRole::kPod;
};

class CgroupResolver {
 public:
  struct Options {
    // Mount point of the cgroup2 filesystem; empty when there is none.
    std::string unified_root;
    // Mount point of the hierarchy holding the memory controller; empty when none.
    std::string memory_root;
    // Resolved ids kept; the cache is emptied when it would grow past this.
    size_t max_cached = 65536;
    // Directories one walk records at most; the rest of a larger tree is not seen.
    size_t max_walk_entries = 200000;
    int max_walks_per_second = 10;
  };

  struct Counts {
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t walks = 0;
    // Asked about an id no walk found, or found none because walking was rate-limited.
    uint64_t not_found = 0;
  };

  // Options naming the cgroup mounts listed in `mountinfo` (the text of
  // /proc/self/mountinfo). Never fails: a host without cgroups gets empty roots.
  static Options DetectMounts(absl::string_view mountinfo);
  // DetectMounts of this process's /proc/self/mountinfo.
  static Options DetectMounts();

  // `clock` paces the walks and must outlive the resolver.
  CgroupResolver(Options options, const domain::Clock& clock);
  CgroupResolver(const CgroupResolver&) = delete;
  CgroupResolver& operator=(const CgroupResolver&) = delete;

  // Returns the cgroup with id `id` in `hierarchy`. Fails with NotFound when the hierarchy
  // is not mounted, no directory has that id (the cgroup was removed before it was seen), or
  // the id is new and walking is rate-limited for now.
  absl::StatusOr<ResolvedCgroup> Resolve(CgroupHierarchy hierarchy, uint64_t id)
      ABSL_LOCKS_EXCLUDED(mu_);

  Counts counts() const ABSL_LOCKS_EXCLUDED(mu_);
  const Options& options() const { return options_; }

 private:
  struct Key {
    CgroupHierarchy hierarchy;
    uint64_t id;
    friend bool operator==(const Key&, const Key&) = default;
    template <typename H>
    friend H AbslHashValue(H h, const Key& key) {
      return H::combine(std::move(h), key.hierarchy, key.id);
    }
  };

  const std::string& RootOf(CgroupHierarchy hierarchy) const;
  bool TakeWalkToken() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Walk(CgroupHierarchy hierarchy) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  ResolvedCgroup Remember(const Key& key, absl::string_view path)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  const domain::Clock& clock_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<Key, ResolvedCgroup> cache_ ABSL_GUARDED_BY(mu_);
  // What the last walk of each hierarchy saw (id to path), as paths not yet interned.
  std::array<absl::flat_hash_map<uint64_t, std::string>, 2> walked_ ABSL_GUARDED_BY(mu_);
  double walk_tokens_ ABSL_GUARDED_BY(mu_);
  int64_t tokens_at_ns_ ABSL_GUARDED_BY(mu_);
  Counts counts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tapio::collectors::ebpf

#endif  // TAPIO_COLLECTORS_EBPF_CGROUP_RESOLVER_H_
