#include "collectors/journal/journal_message.h"

#include <optional>

#include "domain/event.h"
#include "gtest/gtest.h"

namespace tapio::collectors::journal {
namespace {

using domain::Severity;

// From ../shared/realdata/journal/node-runtime-down.journalctl-json.jsonl.
constexpr char kKubeletError[] =
    "E1122 16:20:05.551902    1873 kubelet.go:2373] \"Skipping pod synchronization\" "
    "err=\"[container runtime is down, PLEG is not healthy: pleg was last seen active 3m0.412s "
    "ago; threshold is 3m0s]\"";
constexpr char kContainerdError[] =
    "time=\"2026-11-22T16:20:03.220117Z\" level=error msg=\"failed to handle container TaskExit "
    "event\" error=\"failed to stop container: context deadline exceeded\"";

TEST(KlogLineTest, SplitsLevelLocationAndText) {
  std::optional<KlogLine> line = ParseKlogLine(kKubeletError);
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->level, 'E');
  EXPECT_EQ(line->severity, Severity::kError);
  EXPECT_EQ(line->source_location, "kubelet.go:2373");
  EXPECT_EQ(line->thread_id, 1873u);
  EXPECT_EQ(line->text.substr(0, 30), "\"Skipping pod synchronization\"");
}

TEST(KlogLineTest, EveryLevel) {
  EXPECT_EQ(ParseKlogLine("I0301 10:15:02.123456 1 a.go:1] x")->severity, Severity::kInfo);
  EXPECT_EQ(ParseKlogLine("W0301 10:15:02.123456 1 a.go:1] x")->severity, Severity::kWarning);
  EXPECT_EQ(ParseKlogLine("F0301 10:15:02.123456 1 a.go:1] x")->severity, Severity::kCritical);
  std::optional<KlogLine> empty = ParseKlogLine("E0301 10:15:02.123456 7 pod_workers.go:1298]");
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(empty->source_location, "pod_workers.go:1298");
  EXPECT_EQ(empty->text, "");
}

TEST(KlogLineTest, RefusesWhatIsNotKlog) {
  EXPECT_FALSE(ParseKlogLine(kContainerdError).has_value());
  EXPECT_FALSE(ParseKlogLine("").has_value());
  EXPECT_FALSE(ParseKlogLine("Error: something broke").has_value());
  EXPECT_FALSE(ParseKlogLine("X0301 10:15:02.123456 1 a.go:1] x").has_value());
  EXPECT_FALSE(ParseKlogLine("E0301 10:15:02.123456 1 a.go] x").has_value());
  EXPECT_FALSE(ParseKlogLine("E0301 10:15:02.123456 1 a.go:] x").has_value());
  EXPECT_FALSE(ParseKlogLine("E0301 10:15:02.123456 1 a.go:12").has_value());
  EXPECT_FALSE(ParseKlogLine("E0301 10:15:02.123456 1 a b.go:12] x").has_value());
  EXPECT_FALSE(ParseKlogLine("E0301 10:15:02. 1 a.go:12] x").has_value());
  EXPECT_FALSE(ParseKlogLine("E0301 10:15").has_value());
}

TEST(LogrusSeverityTest, ReadsLevel) {
  EXPECT_EQ(LogrusSeverity(kContainerdError), Severity::kError);
  EXPECT_EQ(LogrusSeverity("time=\"x\" level=info msg=\"loading plugin\""), Severity::kInfo);
  EXPECT_EQ(LogrusSeverity("time=\"x\" level=warning msg=\"y\""), Severity::kWarning);
  EXPECT_EQ(LogrusSeverity("level=fatal msg=\"y\""), Severity::kCritical);
  EXPECT_EQ(LogrusSeverity("time=\"x\" level=debug"), Severity::kDebug);
  EXPECT_FALSE(LogrusSeverity("time=\"x\" level=loud msg=\"y\"").has_value());
  EXPECT_FALSE(LogrusSeverity("the level=error is in the middle").has_value());
}

TEST(UnitLineTest, MainProcessExited) {
  // From the real fixture.
  std::optional<UnitLine> killed =
      ParseUnitLine("containerd.service: Main process exited, code=killed, status=9/KILL");
  ASSERT_TRUE(killed.has_value());
  EXPECT_EQ(killed->change, UnitChange::kProcessExited);
  EXPECT_EQ(killed->unit, "containerd.service");
  EXPECT_EQ(killed->code, "killed");
  EXPECT_EQ(killed->status, 9);
  EXPECT_EQ(killed->status_text, "9/KILL");

  std::optional<UnitLine> exited =
      ParseUnitLine("kubelet.service: Main process exited, code=exited, status=1/FAILURE");
  ASSERT_TRUE(exited.has_value());
  EXPECT_EQ(exited->unit, "kubelet.service");
  EXPECT_EQ(exited->code, "exited");
  EXPECT_EQ(exited->status, 1);
  EXPECT_EQ(exited->status_text, "1/FAILURE");
}

TEST(UnitLineTest, FailedRestartingStartedStopped) {
  std::optional<UnitLine> failed =
      ParseUnitLine("containerd.service: Failed with result 'signal'.");
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->change, UnitChange::kFailed);
  EXPECT_EQ(failed->unit, "containerd.service");
  EXPECT_EQ(failed->result, "signal");

  std::optional<UnitLine> restart =
      ParseUnitLine("kubelet.service: Scheduled restart job, restart counter is at 42.");
  ASSERT_TRUE(restart.has_value());
  EXPECT_EQ(restart->change, UnitChange::kRestarting);
  EXPECT_EQ(restart->restart_count, 42u);

  std::optional<UnitLine> started = ParseUnitLine("Started Kubernetes Kubelet.");
  ASSERT_TRUE(started.has_value());
  EXPECT_EQ(started->change, UnitChange::kStarted);
  EXPECT_EQ(started->unit, "");
  std::optional<UnitLine> named =
      ParseUnitLine("Started kubelet.service - kubelet: The Kubernetes Node Agent.");
  ASSERT_TRUE(named.has_value());
  EXPECT_EQ(named->unit, "kubelet.service");

  std::optional<UnitLine> stopped = ParseUnitLine("Stopped containerd container runtime.");
  ASSERT_TRUE(stopped.has_value());
  EXPECT_EQ(stopped->change, UnitChange::kStopped);
  std::optional<UnitLine> deactivated = ParseUnitLine("session-3.scope: Deactivated successfully.");
  ASSERT_TRUE(deactivated.has_value());
  EXPECT_EQ(deactivated->change, UnitChange::kStopped);
  EXPECT_EQ(deactivated->unit, "session-3.scope");
}

TEST(UnitLineTest, RefusesOtherLines) {
  EXPECT_FALSE(ParseUnitLine("Starting Kubernetes Kubelet...").has_value());
  EXPECT_FALSE(ParseUnitLine("kubelet.service: Main process exited, code=exited").has_value());
  EXPECT_FALSE(
      ParseUnitLine("kubelet.service: Main process exited, code=exited, status=x").has_value());
  EXPECT_FALSE(ParseUnitLine("kubelet: Failed with result 'exit-code'.").has_value());
  EXPECT_FALSE(ParseUnitLine("kubelet.service: Failed with result ''.").has_value());
  EXPECT_FALSE(ParseUnitLine("kubelet.service: Scheduled restart job, restart counter is at -1.")
                   .has_value());
  EXPECT_FALSE(ParseUnitLine("a b.service: Failed with result 'signal'.").has_value());
  EXPECT_FALSE(ParseUnitLine("").has_value());
}

TEST(UnitNameTest, Suffixes) {
  EXPECT_TRUE(LooksLikeUnitName("kubelet.service"));
  EXPECT_TRUE(LooksLikeUnitName("systemd-coredump@0-3732-0.service"));
  EXPECT_TRUE(LooksLikeUnitName("kubepods-burstable.slice"));
  EXPECT_FALSE(LooksLikeUnitName(".service"));
  EXPECT_FALSE(LooksLikeUnitName("kubelet"));
  EXPECT_FALSE(LooksLikeUnitName("a/b.service"));
}

}  // namespace
}  // namespace tapio::collectors::journal
