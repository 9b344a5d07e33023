#include "domain/symbol_table.h"

#include <cstring>
#include <memory>

#include "absl/hash/hash.h"

namespace tapio::domain {
namespace {

constexpr size_t kChunkBytes = 64 * 1024;

// One line of a thread's cache of interned strings: the text kept inline, so that a hit
// reads one cache line and takes no lock.
struct alignas(64) CachedSymbol {
  static constexpr size_t kMaxText = 59;
  uint32_t symbol = 0;
  uint8_t size = 0;
  char text[kMaxText];
};
// Direct-mapped; 128 KiB per thread that interns.
constexpr size_t kCachedSymbols = 2048;

}  // namespace

Symbol Intern(absl::string_view text) {
  if (text.empty() || text.size() > CachedSymbol::kMaxText) {
    return SymbolTable::Global().Intern(text);
  }
  thread_local std::unique_ptr<CachedSymbol[]> cache;
  if (cache == nullptr) cache = std::make_unique<CachedSymbol[]>(kCachedSymbols);
  size_t hash = absl::HashOf(text);
  CachedSymbol& line = cache[hash & (kCachedSymbols - 1)];
  if (line.size == text.size() && line.symbol != 0 &&
      std::memcmp(line.text, text.data(), text.size()) == 0) {
    return Symbol{line.symbol};
  }
  Symbol symbol = SymbolTable::Global().Intern(text, hash);
  line.symbol = symbol.value;
  line.size = static_cast<uint8_t>(text.size());
  std::memcpy(line.text, text.data(), text.size());
  return symbol;
}

SymbolTable::SymbolTable() = default;
SymbolTable::~SymbolTable() = default;

SymbolTable& SymbolTable::Global() {
  static SymbolTable* table = new SymbolTable();
  return *table;
}

absl::string_view SymbolTable::Store(Shard& shard, absl::string_view text) {
  char* dest;
  if (text.size() > kChunkBytes / 4) {
    // Large strings get a chunk of their own so they do not waste the shared one's tail.
    shard.chunks.insert(shard.chunks.begin(), std::make_unique<char[]>(text.size()));
    dest = shard.chunks.front().get();
  } else {
    if (shard.chunks.empty() || shard.chunk_used + text.size() > kChunkBytes) {
      shard.chunks.push_back(std::make_unique<char[]>(kChunkBytes));
      shard.chunk_used = 0;
    }
    dest = shard.chunks.back().get() + shard.chunk_used;
    shard.chunk_used += text.size();
  }
  std::memcpy(dest, text.data(), text.size());
  shard.text_bytes += text.size();
  return absl::string_view(dest, text.size());
}

Symbol SymbolTable::Intern(absl::string_view text) { return Intern(text, absl::HashOf(text)); }

Symbol SymbolTable::Intern(absl::string_view text, size_t hash) {
  if (text.empty()) return Symbol{};
  size_t shard_index = ShardOf(hash);
  Shard& shard = shards_[shard_index];
  {
    absl::ReaderMutexLock lock(&shard.mu);
    if (auto it = shard.index.find(Key{hash, text}); it != shard.index.end()) {
      return Symbol{it->second};
    }
  }
  absl::MutexLock lock(&shard.mu);
  if (auto it = shard.index.find(Key{hash, text}); it != shard.index.end()) {
    return Symbol{it->second};
  }
  absl::string_view stored = Store(shard, text);
  size_t local = shard.texts.Append(stored);
  // Symbol 0 is the empty string, so local indices start at 1 within each shard.
  uint32_t value = static_cast<uint32_t>(((local + 1) << kShardBits) | shard_index);
  shard.index.emplace(Key{hash, stored}, value);
  return Symbol{value};
}

std::optional<Symbol> SymbolTable::Find(absl::string_view text) const {
  if (text.empty()) return Symbol{};
  size_t hash = absl::HashOf(text);
  const Shard& shard = shards_[ShardOf(hash)];
  absl::ReaderMutexLock lock(&shard.mu);
  if (auto it = shard.index.find(Key{hash, text}); it != shard.index.end()) {
    return Symbol{it->second};
  }
  return std::nullopt;
}

absl::string_view SymbolTable::Resolve(Symbol symbol) const {
  if (symbol.empty()) return {};
  const Shard& shard = shards_[symbol.value & (kShards - 1)];
  return shard.texts.Get((symbol.value >> kShardBits) - 1);
}

size_t SymbolTable::size() const {
  size_t total = 0;
  for (const Shard& shard : shards_) total += shard.texts.size();
  return total;
}

size_t SymbolTable::text_bytes() const {
  size_t total = 0;
  for (const Shard& shard : shards_) {
    absl::ReaderMutexLock lock(&shard.mu);
    total += shard.text_bytes;
  }
  return total;
}

}  // namespace tapio::domain
