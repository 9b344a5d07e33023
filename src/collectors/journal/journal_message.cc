#include "collectors/journal/journal_message.h"

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace tapio::collectors::journal {
namespace {

using domain::Severity;

// systemd's own limit on a unit name (UNIT_NAME_MAX).
constexpr size_t kMaxUnitName = 256;
// Longer "file.go:line" texts are not klog's.
constexpr size_t kMaxSourceLocation = 256;

bool Digits(absl::string_view text, size_t from, size_t count) {
  if (from + count > text.size()) return false;
  for (size_t i = from; i < from + count; ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

// Consumes a run of ASCII digits from the front of `*text` and returns it.
absl::string_view TakeDigits(absl::string_view* text) {
  size_t n = 0;
  while (n < text->size() && absl::ascii_isdigit(static_cast<unsigned char>((*text)[n]))) ++n;
  absl::string_view digits = text->substr(0, n);
  text->remove_prefix(n);
  return digits;
}

std::optional<Severity> KlogSeverity(char level) {
  switch (level) {
    case 'I':
      return Severity::kInfo;
    case 'W':
      return Severity::kWarning;
    case 'E':
      return Severity::kError;
    case 'F':
      return Severity::kCritical;
    default:
      return std::nullopt;
  }
}

bool ValidSourceLocation(absl::string_view location) {
  if (location.empty() || location.size() > kMaxSourceLocation) return false;
  size_t colon = location.rfind(':');
  if (colon == 0 || colon == absl::string_view::npos || colon + 1 == location.size()) {
    return false;
  }
  if (!Digits(location, colon + 1, location.size() - colon - 1)) return false;
  for (char c : location) {
    if (static_cast<unsigned char>(c) <= ' ') return false;
  }
  return true;
}

// "<unit> - <description>" (systemd 253 and later) names the unit; an older "<description>"
// does not.
absl::string_view UnitBeforeDescription(absl::string_view text) {
  size_t dash = text.find(" - ");
  if (dash == absl::string_view::npos) return {};
  absl::string_view unit = text.substr(0, dash);
  return LooksLikeUnitName(unit) ? unit : absl::string_view();
}

std::optional<UnitLine> ParseProcessExited(absl::string_view rest, UnitLine line) {
  // "code=exited, status=1/FAILURE"
  if (!absl::ConsumePrefix(&rest, "code=")) return std::nullopt;
  size_t comma = rest.find(", status=");
  if (comma == 0 || comma == absl::string_view::npos) return std::nullopt;
  line.code = rest.substr(0, comma);
  rest.remove_prefix(comma + 9);
  absl::ConsumeSuffix(&rest, ".");
  line.status_text = rest;
  absl::string_view number = TakeDigits(&rest);
  if (number.empty() || !absl::SimpleAtoi(number, &line.status)) return std::nullopt;
  if (!rest.empty() && rest.front() != '/') return std::nullopt;
  line.change = UnitChange::kProcessExited;
  return line;
}

}  // namespace

bool LooksLikeUnitName(absl::string_view name) {
  static constexpr absl::string_view kSuffixes[] = {
      ".service", ".scope", ".socket", ".target", ".mount",  ".automount",
      ".swap",    ".timer", ".path",   ".slice",  ".device",
  };
  if (name.empty() || name.size() > kMaxUnitName) return false;
  for (char c : name) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '/') return false;
  }
  for (absl::string_view suffix : kSuffixes) {
    if (name.size() > suffix.size() && absl::EndsWith(name, suffix)) return true;
  }
  return false;
}

std::optional<KlogLine> ParseKlogLine(absl::string_view message) {
  // "E0301 10:15:02.123456    1234 kubelet.go:2855] text"
  if (message.size() < 6) return std::nullopt;
  std::optional<Severity> severity = KlogSeverity(message[0]);
  if (!severity.has_value() || !Digits(message, 1, 4) || message[5] != ' ') return std::nullopt;
  if (!Digits(message, 6, 2) || message.size() < 14 || message[8] != ':' ||
      !Digits(message, 9, 2) || message[11] != ':' || !Digits(message, 12, 2)) {
    return std::nullopt;
  }
  KlogLine line;
  line.level = message[0];
  line.severity = *severity;
  absl::string_view rest = message.substr(14);
  if (absl::ConsumePrefix(&rest, ".") && TakeDigits(&rest).empty()) return std::nullopt;
  if (rest.empty() || rest.front() != ' ') return std::nullopt;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  absl::string_view thread = TakeDigits(&rest);
  if (thread.empty() || !absl::SimpleAtoi(thread, &line.thread_id)) return std::nullopt;
  if (!absl::ConsumePrefix(&rest, " ")) return std::nullopt;
  size_t bracket = rest.find(']');
  if (bracket == absl::string_view::npos) return std::nullopt;
  line.source_location = rest.substr(0, bracket);
  if (!ValidSourceLocation(line.source_location)) return std::nullopt;
  rest.remove_prefix(bracket + 1);
  if (!rest.empty() && !absl::ConsumePrefix(&rest, " ")) return std::nullopt;
  line.text = rest;
  return line;
}

std::optional<Severity> LogrusSeverity(absl::string_view message) {
  if (!absl::StartsWith(message, "time=") && !absl::StartsWith(message, "level=")) {
    return std::nullopt;
  }
  size_t at = absl::StartsWith(message, "level=") ? 0 : message.find(" level=");
  if (at == absl::string_view::npos) return std::nullopt;
  absl::string_view level = message.substr(at + (at == 0 ? 6 : 7));
  level = level.substr(0, level.find(' '));
  if (level == "trace" || level == "debug") return Severity::kDebug;
  if (level == "info") return Severity::kInfo;
  if (level == "warning" || level == "warn") return Severity::kWarning;
  if (level == "error") return Severity::kError;
  if (level == "fatal" || level == "panic") return Severity::kCritical;
  return std::nullopt;
}

std::optional<UnitLine> ParseUnitLine(absl::string_view message) {
  UnitLine line;
  absl::string_view rest = message;
  if (absl::ConsumePrefix(&rest, "Started ") && absl::ConsumeSuffix(&rest, ".")) {
    line.change = UnitChange::kStarted;
    line.unit = UnitBeforeDescription(rest);
    return line;
  }
  rest = message;
  if (absl::ConsumePrefix(&rest, "Stopped ") && absl::ConsumeSuffix(&rest, ".")) {
    line.change = UnitChange::kStopped;
    line.unit = UnitBeforeDescription(rest);
    return line;
  }
  size_t colon = message.find(": ");
  if (colon == absl::string_view::npos) return std::nullopt;
  line.unit = message.substr(0, colon);
  if (!LooksLikeUnitName(line.unit)) return std::nullopt;
  rest = message.substr(colon + 2);
  if (absl::ConsumePrefix(&rest, "Main process exited, ")) {
    return ParseProcessExited(rest, line);
  }
  if (absl::ConsumePrefix(&rest, "Failed with result '") && absl::ConsumeSuffix(&rest, "'.") &&
      !rest.empty() && rest.find('\'') == absl::string_view::npos) {
    line.change = UnitChange::kFailed;
    line.result = rest;
    return line;
  }
  if (absl::ConsumePrefix(&rest, "Scheduled restart job, restart counter is at ") &&
      absl::ConsumeSuffix(&rest, ".") && absl::SimpleAtoi(rest, &line.restart_count) &&
      Digits(rest, 0, rest.size())) {
    line.change = UnitChange::kRestarting;
    return line;
  }
  if (rest == "Deactivated successfully.") {
    line.change = UnitChange::kStopped;
    return line;
  }
  return std::nullopt;
}

}  // namespace tapio::collectors::journal
