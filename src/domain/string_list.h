// Lists of strings and string maps interned as one Symbol, so an event can carry its labels
// and correlation ids in eight bytes. The canonical text is length-prefixed, so any byte may
// appear in keys and values. Thread-safe (uses the global SymbolTable).
#ifndef TAPIO_DOMAIN_STRING_LIST_H_
#define TAPIO_DOMAIN_STRING_LIST_H_

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "domain/symbol_table.h"

namespace tapio::domain {

// Interns `items` in their order. An empty list is the empty Symbol.
Symbol InternStringList(absl::Span<const absl::string_view> items);

// Returns the items of a list made by InternStringList, viewing the interned text.
std::vector<absl::string_view> StringListItems(Symbol list);

// Interns key/value pairs sorted by key, so equal maps give equal symbols.
Symbol InternLabels(std::vector<std::pair<absl::string_view, absl::string_view>> labels);

// Returns the pairs of a map made by InternLabels, sorted by key.
std::vector<std::pair<absl::string_view, absl::string_view>> LabelItems(Symbol labels);

// Returns the value of `key`, or nullopt when absent.
std::optional<absl::string_view> FindLabel(Symbol labels, absl::string_view key);

}  // namespace tapio::domain

#endif  // TAPIO_DOMAIN_STRING_LIST_H_
