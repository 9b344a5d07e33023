#include "domain/string_list.h"

#include <algorithm>
#include <cstdint>
#include <string>

namespace tapio::domain {
namespace {

void AppendItem(std::string& out, absl::string_view item) {
  uint64_t length = item.size();
  do {
    uint8_t byte = length & 0x7f;
    length >>= 7;
    out.push_back(static_cast<char>(byte | (length != 0 ? 0x80 : 0)));
  } while (length != 0);
  out.append(item.data(), item.size());
}

// Reads the items of a canonical text; the text was written by AppendItem, so it is well formed.
std::vector<absl::string_view> Split(absl::string_view text) {
  std::vector<absl::string_view> items;
  size_t pos = 0;
  while (pos < text.size()) {
    uint64_t length = 0;
    int shift = 0;
    uint8_t byte;
    do {
      byte = static_cast<uint8_t>(text[pos++]);
      length |= static_cast<uint64_t>(byte & 0x7f) << shift;
      shift += 7;
    } while ((byte & 0x80) != 0);
    items.push_back(text.substr(pos, length));
    pos += length;
  }
  return items;
}

}  // namespace

Symbol InternStringList(absl::Span<const absl::string_view> items) {
  if (items.empty()) return Symbol{};
  std::string text;
  for (absl::string_view item : items) AppendItem(text, item);
  return Intern(text);
}

std::vector<absl::string_view> StringListItems(Symbol list) { return Split(Resolve(list)); }

Symbol InternLabels(std::vector<std::pair<absl::string_view, absl::string_view>> labels) {
  if (labels.empty()) return Symbol{};
  std::sort(labels.begin(), labels.end());
  std::string text;
  for (const auto& [key, value] : labels) {
    AppendItem(text, key);
    AppendItem(text, value);
  }
  return Intern(text);
}

std::vector<std::pair<absl::string_view, absl::string_view>> LabelItems(Symbol labels) {
  std::vector<absl::string_view> items = Split(Resolve(labels));
  std::vector<std::pair<absl::string_view, absl::string_view>> pairs;
  pairs.reserve(items.size() / 2);
  for (size_t i = 0; i + 1 < items.size(); i += 2) pairs.emplace_back(items[i], items[i + 1]);
  return pairs;
}

std::optional<absl::string_view> FindLabel(Symbol labels, absl::string_view key) {
  for (const auto& [k, v] : LabelItems(labels)) {
    if (k == key) return v;
  }
  return std::nullopt;
}

}  // namespace tapio::domain
