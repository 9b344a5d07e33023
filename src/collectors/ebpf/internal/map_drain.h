// Takes every entry out of a BPF hash map that the kernel keeps adding to: lists the keys
// first (deleting while walking would restart the walk), then takes each out with its value.
// An update between an entry's read and its removal is lost: the kernel offers no atomic swap
// of a hash map, and the window is one syscall.
#ifndef TAPIO_COLLECTORS_EBPF_INTERNAL_MAP_DRAIN_H_
#define TAPIO_COLLECTORS_EBPF_INTERNAL_MAP_DRAIN_H_

#include <bpf/bpf.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace tapio::collectors::ebpf::internal {

// Calls `take(key, value)` for each entry of the map at `fd`, at most keys->capacity() of them
// (reserve it to the map's size once). Fails with Internal, naming `what`, when the kernel
// refuses to list the map.
template <typename Key, typename Value, typename Take>
absl::Status DrainMap(int fd, std::vector<Key>* keys, absl::string_view what, Take take) {
  keys->clear();
  Key key;
  const void* previous = nullptr;
  while (keys->size() < keys->capacity() && bpf_map_get_next_key(fd, previous, &key) == 0) {
    keys->push_back(key);
    previous = &keys->back();
  }
  if (errno != ENOENT && keys->size() < keys->capacity()) {
    return absl::InternalError(absl::StrCat("flushing ", what, ": ", std::strerror(errno)));
  }
  for (const Key& k : *keys) {
    Value value;
    // Gone already (another drain): nothing to report.
    if (bpf_map_lookup_and_delete_elem(fd, &k, &value) != 0) continue;
    take(k, value);
  }
  return absl::OkStatus();
}

}  // namespace tapio::collectors::ebpf::internal

#endif  // TAPIO_COLLECTORS_EBPF_INTERNAL_MAP_DRAIN_H_
