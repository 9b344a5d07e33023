// A growable array whose elements never move: appends take a lock held by the owner, reads
// of already-published indices are lock-free. The storage under interning and the entity
// registry, where readers vastly outnumber writers.
#ifndef TAPIO_DOMAIN_APPEND_ONLY_ARRAY_H_
#define TAPIO_DOMAIN_APPEND_ONLY_ARRAY_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace tapio::domain {

// Holds up to kBlockSize * kMaxBlocks elements in fixed-size blocks allocated on demand.
// Thread-safety: Append() must be serialized by the caller; Get(i) is safe from any thread
// for any i whose Append() happened-before the call (e.g. the index was handed over through
// a queue or a mutex).
template <typename T, size_t kBlockSize = 4096, size_t kMaxBlocks = 16384>
class AppendOnlyArray {
 public:
  AppendOnlyArray() = default;
  AppendOnlyArray(const AppendOnlyArray&) = delete;
  AppendOnlyArray& operator=(const AppendOnlyArray&) = delete;
  ~AppendOnlyArray() {
    for (auto& block : blocks_) delete[] block.load(std::memory_order_relaxed);
  }

  static constexpr size_t capacity() { return kBlockSize * kMaxBlocks; }

  // Appends `value` and returns its index, or capacity() when the array is full.
  size_t Append(T value) {
    size_t index = size_.load(std::memory_order_relaxed);
    if (index >= capacity()) return capacity();
    size_t block = index / kBlockSize;
    T* slots = blocks_[block].load(std::memory_order_relaxed);
    if (slots == nullptr) {
      slots = new T[kBlockSize]();
      // Release: a reader that sees the block pointer also sees its initialised slots.
      blocks_[block].store(slots, std::memory_order_release);
    }
    slots[index % kBlockSize] = std::move(value);
    // Release: publishes the slot before the new size.
    size_.store(index + 1, std::memory_order_release);
    return index;
  }

  // REQUIRES: index < size().
  const T& Get(size_t index) const {
    return blocks_[index / kBlockSize].load(std::memory_order_acquire)[index % kBlockSize];
  }

  size_t size() const { return size_.load(std::memory_order_acquire); }

 private:
  std::array<std::atomic<T*>, kMaxBlocks> blocks_{};
  std::atomic<size_t> size_{0};
};

}  // namespace tapio::domain

#endif  // TAPIO_DOMAIN_APPEND_ONLY_ARRAY_H_
