#include "collectors/kubeapi/internal/decode_memo.h"

#include <cstring>

namespace tapio::collectors::kubeapi::internal {

std::optional<uint64_t> DecodeMemo::Read(size_t* offset, char reader,
                                         std::string_view token) const {
  size_t at = *offset;
  if (at >= records_.size()) return std::nullopt;
  const char* record = records_.data() + at;
  size_t size = static_cast<unsigned char>(record[1]);
  *offset = at + 2 + size + sizeof(uint64_t);
  if (record[0] != reader || size != token.size() ||
      std::memcmp(record + 2, token.data(), size) != 0) {
    return std::nullopt;
  }
  uint64_t result;
  std::memcpy(&result, record + 2 + size, sizeof(result));
  return result;
}

void DecodeMemo::Append(char reader, std::string_view token, uint64_t result) {
  bool kept = token.size() <= kMaxToken;
  // No reader is '\0': a token too long to keep leaves a position nothing matches.
  records_.push_back(kept ? reader : '\0');
  records_.push_back(static_cast<char>(kept ? token.size() : 0));
  if (kept) records_.insert(records_.end(), token.begin(), token.end());
  char bytes[sizeof(result)];
  std::memcpy(bytes, &result, sizeof(result));
  records_.insert(records_.end(), bytes, bytes + sizeof(result));
}

void DecodeMemo::AssignPrefix(const DecodeMemo* other, size_t offset) {
  if (other == nullptr) {
    records_.clear();
  } else {
    // This decode will have about as many positions as the other: reserving for them keeps
    // the memo from growing by doubling, with up to half of it unused.
    records_.reserve(other->records_.size() + 64);
    records_.assign(other->records_.begin(), other->records_.begin() + offset);
  }
}

}  // namespace tapio::collectors::kubeapi::internal
