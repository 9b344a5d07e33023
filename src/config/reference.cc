// The Markdown reference generated from the schema.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "config/schema.h"

namespace tapio::config {
namespace {

std::string Code(absl::string_view text) { return absl::StrCat("`", text, "`"); }

std::string CodeList(const std::vector<std::string>& items) {
  return absl::StrJoin(items, ", ", [](std::string* out, const std::string& item) {
    absl::StrAppend(out, Code(item));
  });
}

std::string TypeOf(const Key& key) {
  switch (key.type) {
    case ValueType::kInteger:
      return "integer";
    case ValueType::kDuration:
      return "duration";
    case ValueType::kString:
      return "string";
    case ValueType::kEnum:
      return "enum";
  }
  return "";
}

std::string AllowedOf(const Key& key) {
  std::string allowed;
  switch (key.type) {
    case ValueType::kInteger:
      allowed = absl::StrCat(key.min, " to ", key.max);
      break;
    case ValueType::kDuration:
      allowed = absl::StrCat(absl::FormatDuration(key.min_duration), " to ",
                             absl::FormatDuration(key.max_duration));
      break;
    case ValueType::kString:
      allowed = key.max > 0 ? absl::StrCat("up to ", key.max, " bytes") : "any text";
      break;
    case ValueType::kEnum:
      allowed = CodeList(key.words);
      break;
  }
  for (const std::string& segment : key.segments) {
    if (!segment.empty() && segment.front() == '<') {
      absl::StrAppend(&allowed, "; ", Code(segment), " is ", key.names_are, ": ",
                      CodeList(key.names));
    }
  }
  return allowed;
}

std::string Cell(absl::string_view text) { return absl::StrReplaceAll(text, {{"|", "\\|"}}); }

}  // namespace

std::string ConfigReferenceMarkdown() {
  std::string out =
      "| key | type | default | allowed | meaning |\n"
      "|---|---|---|---|---|\n";
  for (const Key& key : Schema()) {
    std::string default_cell = "—";
    if (key.default_text.has_value()) {
      default_cell = key.default_text->empty() ? "`\"\"`" : Code(*key.default_text);
    }
    absl::StrAppend(&out, "| ", Code(key.path), " | ", TypeOf(key), " | ", default_cell, " | ",
                    Cell(AllowedOf(key)), " | ", Cell(key.doc), " |\n");
  }
  return out;
}

}  // namespace tapio::config
