#include "collectors/kmsg/kernel_line.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "collectors/kmsg/internal/oom_line.h"
#include "collectors/kmsg/internal/scan.h"

namespace tapio::collectors::kmsg {
namespace {

using internal::ParseU32;

constexpr size_t kMaxComm = 64;
// IFNAMSIZ is 16 with its NUL.
constexpr size_t kMaxInterface = 15;
constexpr size_t kMaxDevice = 64;

absl::Status Malformed(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("malformed ", what, " line"));
}

// Splits "<comm>:<pid>"; a comm may itself hold ':' ("kworker/u8:2").
bool ParseCommPid(absl::string_view text, KernelLine* line) {
  size_t colon = text.rfind(':');
  if (colon == absl::string_view::npos || colon == 0 || colon > kMaxComm) return false;
  line->comm = text.substr(0, colon);
  return ParseU32(text.substr(colon + 1), &line->pid);
}

// kernel/hung_task.c: "INFO: task %s:%d blocked for more than %ld seconds."
absl::StatusOr<bool> MatchHungTask(absl::string_view message, KernelLine* line) {
  constexpr absl::string_view kBlocked = " blocked for more than ";
  if (!absl::ConsumePrefix(&message, "INFO: task ")) return false;
  size_t at = message.find(kBlocked);
  if (at == absl::string_view::npos) return false;
  absl::string_view seconds = message.substr(at + kBlocked.size());
  if (!ParseCommPid(message.substr(0, at), line) || !absl::ConsumeSuffix(&seconds, " seconds.") ||
      !ParseU32(seconds, &line->seconds)) {
    return Malformed("hung task");
  }
  line->kind = LineKind::kHungTask;
  return true;
}

// kernel/watchdog.c: "BUG: soft lockup - CPU#%d stuck for %us! [%s:%d]", behind the
// "watchdog: " (4.15 on) or "NMI watchdog: " (before) prefix.
absl::StatusOr<bool> MatchSoftLockup(absl::string_view message, KernelLine* line) {
  constexpr absl::string_view kBug = "BUG: soft lockup - CPU#";
  size_t at = message.find(kBug);
  if (at == absl::string_view::npos) return false;
  if (at != 0 && !absl::EndsWith(message.substr(0, at), "watchdog: ")) return false;
  absl::string_view rest = message.substr(at + kBug.size());
  size_t stuck = rest.find(" stuck for ");
  size_t bang = rest.find("s! [");
  if (stuck == absl::string_view::npos || bang == absl::string_view::npos || bang < stuck ||
      !ParseU32(rest.substr(0, stuck), &line->cpu) ||
      !ParseU32(rest.substr(stuck + 11, bang - stuck - 11), &line->seconds)) {
    return Malformed("soft lockup");
  }
  absl::string_view task = rest.substr(bang + 4);
  if (!absl::ConsumeSuffix(&task, "]") || !ParseCommPid(task, line)) {
    return Malformed("soft lockup");
  }
  line->kind = LineKind::kSoftLockup;
  return true;
}

bool IsInterfaceName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxInterface) return false;
  for (char c : name) {
    if (c == '/' || c == ':' || c == '(' || c == ')' ||
        absl::ascii_isspace(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

// netdev_info() prefixes "<driver> <bus id> <ifname>: " (or "<ifname>: " without a parent
// device): e1000e/ixgbe/i40e/bnxt "NIC Link is Down", igb "igb: <ifname> NIC Link is Down",
// phylib and r8169 "Link is Down", tg3 "Link is down", mlx5 "Link down".
// "IPv6: ADDRCONF(NETDEV_CHANGE): ..." and bridge port state changes do not match.
bool MatchLinkDown(absl::string_view message, KernelLine* line) {
  absl::string_view text = absl::StripTrailingAsciiWhitespace(message);
  size_t colon = text.find(": ");
  if (colon == absl::string_view::npos) return false;
  absl::string_view prefix = text.substr(0, colon);
  absl::string_view rest = text.substr(colon + 2);
  if (!(rest == "Link is Down" || rest == "Link is down" || rest == "Link down" ||
        absl::EndsWith(rest, "NIC Link is Down"))) {
    return false;
  }
  size_t last_space = prefix.rfind(' ');
  absl::string_view name =
      last_space == absl::string_view::npos ? prefix : prefix.substr(last_space + 1);
  if (last_space != absl::string_view::npos) {
    absl::string_view device = prefix.substr(0, last_space);
    size_t space = device.find(' ');
    if (space == absl::string_view::npos ||
        device.find(' ', space + 1) != absl::string_view::npos) {
      return false;
    }
  }
  if (!IsInterfaceName(name)) return false;
  line->kind = LineKind::kLinkDown;
  line->subject = name;
  return true;
}

// Takes "<device><end>..." and returns the device.
bool TakeDevice(absl::string_view text, char end, absl::string_view* device) {
  size_t at = text.find(end);
  if (at == absl::string_view::npos || at == 0 || at > kMaxDevice) return false;
  *device = text.substr(0, at);
  return true;
}

// The names blk_errors[] gives a failed request: "I/O", "critical medium", "timeout", ...
bool IsBlockErrorName(absl::string_view name) {
  if (name.empty() || name.size() > 32) return false;
  for (char c : name) {
    if (!(absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == ' ' || c == '/')) {
      return false;
    }
  }
  return true;
}

bool MatchFsError(absl::string_view message, KernelLine* line) {
  absl::string_view device;
  absl::string_view rest = message;
  if (rest.size() > 7 && absl::StartsWith(rest, "EXT") && absl::ascii_isdigit(rest[3]) &&
      rest.substr(4, 4) == "-fs ") {
    rest.remove_prefix(8);
    if (absl::ConsumePrefix(&rest, "error (device ")) {
      if (!TakeDevice(rest, ')', &device)) return false;
    } else if (absl::ConsumePrefix(&rest, "(")) {
      if (!TakeDevice(rest, ')', &device) ||
          !absl::StrContains(rest, "): Remounting filesystem read-only")) {
        return false;
      }
    } else {
      return false;
    }
  } else if (absl::ConsumePrefix(&rest, "XFS (")) {
    if (!TakeDevice(rest, ')', &device) ||
        !(absl::StrContains(rest, "Shutting down filesystem") ||
          absl::StrContains(rest, "Filesystem has been shut down"))) {
      return false;
    }
  } else if (absl::ConsumePrefix(&rest, "Buffer I/O error on dev")) {
    if (!(absl::ConsumePrefix(&rest, "ice ") || absl::ConsumePrefix(&rest, " ")) ||
        !TakeDevice(rest, ',', &device)) {
      return false;
    }
  } else {
    if (!absl::ConsumePrefix(&rest, "blk_update_request: ")) {
      absl::ConsumePrefix(&rest, "print_req_error: ");
    }
    size_t at = rest.find(" error, dev ");
    if (at == absl::string_view::npos || !IsBlockErrorName(rest.substr(0, at))) return false;
    rest.remove_prefix(at + 12);
    if (!TakeDevice(rest, ',', &device) || !absl::StrContains(rest, ", sector ")) return false;
    // VMware guests report their phantom floppy drive at every boot.
    if (absl::StartsWith(device, "fd")) return false;
  }
  line->kind = LineKind::kFsError;
  line->subject = device;
  return true;
}

// net/core/neighbour.c: "neighbour: %s: neighbor table overflow!" (older kernels print
// "Neighbour table overflow.").
bool MatchNeighbourOverflow(absl::string_view message, KernelLine* line) {
  absl::string_view rest = message;
  if (rest == "Neighbour table overflow.") {
    line->kind = LineKind::kNeighbourOverflow;
    return true;
  }
  absl::ConsumePrefix(&rest, "neighbour: ");
  if (!absl::ConsumeSuffix(&rest, ": neighbor table overflow!") || rest.empty() ||
      rest.find(' ') != absl::string_view::npos) {
    return false;
  }
  line->kind = LineKind::kNeighbourOverflow;
  line->subject = rest;
  return true;
}

}  // namespace

absl::StatusOr<KernelLine> ClassifyKernelLine(absl::string_view message) {
  KernelLine line;
  if (message.empty() || message.front() == ' ' || message.front() == '\t') return line;
  absl::StatusOr<KernelLine> oom = internal::ParseOomLine(message);
  if (!oom.ok() || oom->kind != LineKind::kOther) return oom;
  absl::StatusOr<bool> matched = MatchHungTask(message, &line);
  if (!matched.ok()) return matched.status();
  if (*matched) return line;
  matched = MatchSoftLockup(message, &line);
  if (!matched.ok()) return matched.status();
  if (*matched) return line;
  if (MatchLinkDown(message, &line) || MatchFsError(message, &line) ||
      MatchNeighbourOverflow(message, &line)) {
    return line;
  }
  return KernelLine{};
}

}  // namespace tapio::collectors::kmsg
