#include "collectors/ebpf/cgroup_resolver.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace tapio::collectors::ebpf {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;

int Index(CgroupHierarchy hierarchy) { return hierarchy == CgroupHierarchy::kUnified ? 0 : 1; }

// Records every directory under `root` as inode -> path relative to `root`, until `limit`.
void WalkTree(const std::string& root, size_t limit,
              absl::flat_hash_map<uint64_t, std::string>* out) {
  struct stat root_stat;
  if (stat(root.c_str(), &root_stat) != 0) return;
  out->emplace(root_stat.st_ino, "/");
  std::vector<std::string> pending = {""};
  while (!pending.empty() && out->size() < limit) {
    std::string relative = std::move(pending.back());
    pending.pop_back();
    std::string full = root + relative;
    DIR* dir = opendir(full.c_str());
    // A cgroup removed while we walk is simply not seen.
    if (dir == nullptr) continue;
    while (dirent* entry = readdir(dir)) {
      if (entry->d_type != DT_DIR) continue;
      absl::string_view name = entry->d_name;
      if (name == "." || name == "..") continue;
      std::string child = absl::StrCat(relative, "/", name);
      // kernfs reports the node id as d_ino: no stat per directory.
      out->emplace(entry->d_ino, child);
      pending.push_back(std::move(child));
      if (out->size() >= limit) break;
    }
    closedir(dir);
  }
}

}  // namespace

CgroupResolver::Options CgroupResolver::DetectMounts(absl::string_view mountinfo) {
  Options options;
  std::string v1_memory;
  for (absl::string_view line : absl::StrSplit(mountinfo, '\n')) {
    // "36 25 0:31 / /sys/fs/cgroup/memory rw,relatime shared:15 - cgroup cgroup rw,memory"
    std::vector<absl::string_view> halves = absl::StrSplit(line, absl::MaxSplits(" - ", 1));
    if (halves.size() != 2) continue;
    std::vector<absl::string_view> mount = absl::StrSplit(halves[0], ' ');
    std::vector<absl::string_view> fs = absl::StrSplit(halves[1], ' ');
    if (mount.size() < 5 || fs.size() < 3) continue;
    absl::string_view point = mount[4];
    if (fs[0] == "cgroup2" && options.unified_root.empty()) {
      options.unified_root = std::string(point);
    } else if (fs[0] == "cgroup" && v1_memory.empty()) {
      for (absl::string_view option : absl::StrSplit(fs[2], ',')) {
        if (option == "memory") v1_memory = std::string(point);
      }
    }
  }
  options.memory_root = v1_memory.empty() ? options.unified_root : v1_memory;
  return options;
}

CgroupResolver::Options CgroupResolver::DetectMounts() {
  std::ifstream file("/proc/self/mountinfo");
  std::stringstream text;
  text << file.rdbuf();
  return DetectMounts(text.str());
}

CgroupResolver::CgroupResolver(Options options, const domain::Clock& clock)
    : options_(std::move(options)),
      clock_(clock),
      walk_tokens_(options_.max_walks_per_second),
      tokens_at_ns_(clock.NowNanos()) {}

const std::string& CgroupResolver::RootOf(CgroupHierarchy hierarchy) const {
  return hierarchy == CgroupHierarchy::kUnified ? options_.unified_root : options_.memory_root;
}

absl::StatusOr<ResolvedCgroup> CgroupResolver::Resolve(CgroupHierarchy hierarchy, uint64_t id) {
  absl::MutexLock lock(&mu_);
  Key key{hierarchy, id};
  if (auto it = cache_.find(key); it != cache_.end()) {
    ++counts_.hits;
    return it->second;
  }
  ++counts_.misses;
  if (RootOf(hierarchy).empty()) {
    ++counts_.not_found;
    return absl::NotFoundError(absl::StrCat("cgroup ", id, ": hierarchy not mounted"));
  }
  auto& walked = walked_[Index(hierarchy)];
  auto found = walked.find(id);
  if (found == walked.end() && TakeWalkToken()) {
    Walk(hierarchy);
    found = walked.find(id);
  }
  if (found == walked.end()) {
    ++counts_.not_found;
    return absl::NotFoundError(
        absl::StrCat("cgroup ", id, ": no such cgroup under ", RootOf(hierarchy)));
  }
  return Remember(key, found->second);
}

CgroupResolver::Counts CgroupResolver::counts() const {
  absl::MutexLock lock(&mu_);
  return counts_;
}

bool CgroupResolver::TakeWalkToken() {
  int64_t now = clock_.NowNanos();
  double rate = options_.max_walks_per_second;
  double elapsed = static_cast<double>(std::max<int64_t>(0, now - tokens_at_ns_)) / kNanosPerSecond;
  walk_tokens_ = std::min(rate, walk_tokens_ + elapsed * rate);
  tokens_at_ns_ = now;
  if (walk_tokens_ < 1) return false;
  walk_tokens_ -= 1;
  return true;
}

void CgroupResolver::Walk(CgroupHierarchy hierarchy) {
  ++counts_.walks;
  auto& walked = walked_[Index(hierarchy)];
  walked.clear();
  WalkTree(RootOf(hierarchy), options_.max_walk_entries, &walked);
}

ResolvedCgroup CgroupResolver::Remember(const Key& key, absl::string_view path) {
  ResolvedCgroup resolved;
  resolved.path = domain::Intern(path);
  absl::StatusOr<cgroup::PodCgroup> pod = cgroup::ParseCgroupPath(path);
  if (pod.ok()) {
    resolved.in_pod = true;
    resolved.pod_uid = domain::Intern(pod->pod_uid);
    resolved.container_id = domain::Intern(pod->container_id);
    resolved.monitored_container_id = domain::Intern(pod->monitored_container_id);
    resolved.qos = pod->qos;
    resolved.runtime = pod->runtime;
    resolved.role = pod->role;
  }
  if (cache_.size() >= options_.max_cached) cache_.clear();
  cache_.emplace(key, resolved);
  return resolved;
}

}  // namespace tapio::collectors::ebpf
