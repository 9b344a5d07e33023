// Interned strings: every repeated string on the hot path (kinds, names, reasons, messages)
// becomes a 32-bit Symbol, so events copy and compare integers instead of strings.
// Thread-safe. Symbols are never freed; the table lives as long as the process.
#ifndef TAPIO_DOMAIN_SYMBOL_TABLE_H_
#define TAPIO_DOMAIN_SYMBOL_TABLE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "domain/append_only_array.h"

namespace tapio::domain {

// A handle to an interned string. The default Symbol is the empty string.
struct Symbol {
  uint32_t value = 0;

  bool empty() const { return value == 0; }
  friend bool operator==(Symbol a, Symbol b) = default;
  template <typename H>
  friend H AbslHashValue(H h, Symbol s) {
    return H::combine(std::move(h), s.value);
  }
};

class SymbolTable {
 public:
  SymbolTable();
  SymbolTable(const SymbolTable&) = delete;
  SymbolTable& operator=(const SymbolTable&) = delete;
  ~SymbolTable();

  // The process-wide table that domain events refer to.
  static SymbolTable& Global();

  // Returns the symbol for `text`, adding it when new. The empty string is Symbol{}.
  Symbol Intern(absl::string_view text);
  // The same, for a caller that has already computed absl::HashOf(text).
  Symbol Intern(absl::string_view text, size_t hash);

  // Returns the symbol for `text` when it was interned before, without adding it.
  std::optional<Symbol> Find(absl::string_view text) const;

  // Returns the text of `symbol`, valid for the table's lifetime.
  // REQUIRES: `symbol` came from this table.
  absl::string_view Resolve(Symbol symbol) const;

  // Number of distinct non-empty strings, and the bytes their text occupies.
  size_t size() const;
  size_t text_bytes() const;

 private:
  static constexpr uint32_t kShardBits = 4;
  static constexpr uint32_t kShards = 1u << kShardBits;

  // A text with its hash, computed once per lookup. The map compares hashes before texts, so a
  // probe reads a stored text only when it is very likely the one sought.
  struct Key {
    size_t hash;
    absl::string_view text;
  };
  struct KeyHash {
    size_t operator()(const Key& key) const { return key.hash; }
  };
  struct KeyEq {
    bool operator()(const Key& a, const Key& b) const {
      return a.hash == b.hash && a.text == b.text;
    }
  };

  struct Shard {
    mutable absl::Mutex mu;
    absl::flat_hash_map<Key, uint32_t, KeyHash, KeyEq> index ABSL_GUARDED_BY(mu);
    std::vector<std::unique_ptr<char[]>> chunks ABSL_GUARDED_BY(mu);
    size_t chunk_used ABSL_GUARDED_BY(mu) = 0;
    size_t text_bytes ABSL_GUARDED_BY(mu) = 0;
    AppendOnlyArray<absl::string_view> texts;
  };

  // The top bits: the map uses the low ones, which must vary within a shard.
  static size_t ShardOf(size_t hash) { return hash >> (sizeof(size_t) * 8 - kShardBits); }
  static absl::string_view Store(Shard& shard, absl::string_view text)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);

  std::array<Shard, kShards> shards_;
};

// Shorthands for the global table. Intern looks in a small cache of the strings this thread
// interned lately before it goes to the shared table.
Symbol Intern(absl::string_view text);
inline absl::string_view Resolve(Symbol symbol) { return SymbolTable::Global().Resolve(symbol); }

}  // namespace tapio::domain

#endif  // TAPIO_DOMAIN_SYMBOL_TABLE_H_
