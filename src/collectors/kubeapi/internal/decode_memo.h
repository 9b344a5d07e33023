// What decoding one version of an object made of each scalar it read: the value's raw JSON
// token, which reader read it, and the result (a Symbol, a time, a quantity). Decoding the
// object's next version compares each token with the one at the same position, in decoding
// order, and takes the result when both match, without unescaping, parsing or interning again.
// A field added or removed shifts the later positions, which then miss and are decoded as
// usual: the memo saves work and never changes a result.
#ifndef TAPIO_COLLECTORS_KUBEAPI_INTERNAL_DECODE_MEMO_H_
#define TAPIO_COLLECTORS_KUBEAPI_INTERNAL_DECODE_MEMO_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace tapio::collectors::kubeapi::internal {

class DecodeMemo {
 public:
  // Tokens longer than this are not kept: their position always misses.
  static constexpr size_t kMaxToken = 255;

  // Reads the position at byte `*offset` and moves `*offset` past it: its result, when
  // `reader` read exactly `token` there.
  std::optional<uint64_t> Read(size_t* offset, char reader, std::string_view token) const;
  // Keeps the result of the next position. `reader` names what made it (not '\0').
  void Append(char reader, std::string_view token, uint64_t result);
  // Makes this memo the positions of `other` before byte `offset` (none when `other` is null).
  void AssignPrefix(const DecodeMemo* other, size_t offset);

  size_t bytes() const { return records_.size(); }
  // Asks the CPU to fetch the records now: a decode reads them all, one by one.
  void Prefetch() const {
    for (size_t at = 0; at < records_.size(); at += 64) __builtin_prefetch(records_.data() + at);
  }
  void Clear() { records_.clear(); }
  void Swap(DecodeMemo& other) noexcept { records_.swap(other.records_); }
  // Gives back what the records do not use: for a memo about to be kept a long time.
  void ShrinkToFit() { records_.shrink_to_fit(); }
  size_t memory_bytes() const { return records_.capacity(); }

 private:
  // Each position is a reader byte, a token size byte, the token and 8 bytes of result.
  std::vector<char> records_;
};

}  // namespace tapio::collectors::kubeapi::internal

#endif  // TAPIO_COLLECTORS_KUBEAPI_INTERNAL_DECODE_MEMO_H_
