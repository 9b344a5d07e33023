#include "intelligence/patterns/message_template.h"

#include <cstdint>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"

namespace tapio::intelligence {

absl::StatusOr<MessageTemplate> MessageTemplate::Parse(absl::string_view text,
                                                       const Checker& check) {
  MessageTemplate result;
  result.source_ = std::string(text);
  std::string literal;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      literal.push_back(c);
      i += 2;
      continue;
    }
    if (c == '}') return absl::InvalidArgumentError("a '}' without its '{' (write '}}' for one)");
    if (c != '{') {
      literal.push_back(c);
      ++i;
      continue;
    }
    size_t close = text.find('}', i + 1);
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("unclosed '{' at offset ", i));
    }
    absl::string_view body = text.substr(i + 1, close - i - 1);
    TemplateVariable variable;
    if (absl::ConsumeSuffix(&body, "|kib")) variable.kib = true;
    if (body.find('|') != absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("{", text.substr(i + 1, close - i - 1), "}: unknown filter (only |kib)"));
    }
    if (body.empty()) return absl::InvalidArgumentError("an empty '{}'");
    size_t dot = body.find('.');
    variable.scope = std::string(body.substr(0, dot));
    if (dot != absl::string_view::npos) variable.member = std::string(body.substr(dot + 1));
    absl::Status status = check(variable);
    if (!status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("{", body, "}: ", status.message()));
    }
    result.segments_.push_back({std::move(literal), std::nullopt});
    literal.clear();
    result.segments_.push_back({"", std::move(variable)});
    i = close + 1;
  }
  if (!literal.empty()) result.segments_.push_back({std::move(literal), std::nullopt});
  return result;
}

std::string MessageTemplate::Render(const Resolver& resolve) const {
  std::string out;
  for (const Segment& s : segments_) {
    if (!s.variable.has_value()) {
      out += s.literal;
      continue;
    }
    std::optional<std::string> value = resolve(*s.variable);
    int64_t kib = 0;
    if (value.has_value() && s.variable->kib && absl::SimpleAtoi(*value, &kib) && kib > 0) {
      value = FormatKib(kib);
    }
    out += value.has_value() && !value->empty() ? *value : "unknown";
  }
  return out;
}

std::string FormatKib(int64_t kib) {
  if (kib >= (int64_t{1} << 20)) return absl::StrFormat("%.1f GiB", kib / 1048576.0);
  if (kib >= 1024) return absl::StrFormat("%.0f MiB", kib / 1024.0);
  return absl::StrCat(kib, " KiB");
}

}  // namespace tapio::intelligence
