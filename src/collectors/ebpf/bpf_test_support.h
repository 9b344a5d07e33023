// Test support for the privileged kernel tests: skipping (or, in CI, failing) where the
// programs cannot load, cgroups made for one test and removed after it, and polling a
// collector until an awaited event arrives. Test-only; not thread-safe.
#ifndef TAPIO_COLLECTORS_EBPF_BPF_TEST_SUPPORT_H_
#define TAPIO_COLLECTORS_EBPF_BPF_TEST_SUPPORT_H_

#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "collectors/ebpf/bpf_support.h"
#include "collectors/ebpf/cgroup_resolver.h"
#include "collectors/ebpf/kernel_collector.h"
#include "domain/event.h"
#include "gtest/gtest.h"
#include "tests/support/ci.h"

namespace tapio::collectors::ebpf::bpf_testing {

// Skips the test with the one-line reason when BPF cannot load here; fails it in CI, where
// the kernel tests must run.
#define TAPIO_REQUIRE_BPF()                                                     \
  do {                                                                          \
    if (absl::Status tapio_bpf_ = ::tapio::collectors::ebpf::CheckBpfSupport(); \
        !tapio_bpf_.ok()) {                                                     \
      if (::tapio::testing::InCi()) {                                           \
        FAIL() << "CI=true but BPF cannot load: " << tapio_bpf_.message();      \
      }                                                                         \
      GTEST_SKIP() << "BPF cannot load here: " << tapio_bpf_.message();         \
    }                                                                           \
  } while (false)

inline absl::Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream file(path);
  file << text;
  file.flush();
  if (!file) return absl::InternalError(absl::StrCat("writing '", text, "' to ", path));
  return absl::OkStatus();
}

// A cgroup directory made for one test, with a name no other test or run uses, removed
// (after its processes are gone) when destroyed.
class TestCgroup {
 public:
  // A cgroup in the unified (v2) hierarchy. Fails with FailedPrecondition when there is none.
  static absl::StatusOr<std::unique_ptr<TestCgroup>> Unified(absl::string_view purpose) {
    CgroupResolver::Options mounts = CgroupResolver::DetectMounts();
    if (mounts.unified_root.empty()) {
      return absl::FailedPreconditionError("no cgroup2 mount");
    }
    return Make(mounts.unified_root, purpose);
  }

  // A cgroup with the memory controller limited to `limit_bytes` and no swap: a v2 cgroup
  // (memory.max, memory.swap.max) where the memory controller is on the unified hierarchy,
  // a v1 memory cgroup (memory.limit_in_bytes, memory.memsw.limit_in_bytes) on a hybrid host.
  static absl::StatusOr<std::unique_ptr<TestCgroup>> Memory(absl::string_view purpose,
                                                            uint64_t limit_bytes) {
    CgroupResolver::Options mounts = CgroupResolver::DetectMounts();
    if (mounts.memory_root.empty()) {
      return absl::FailedPreconditionError("no memory cgroup controller mounted");
    }
    bool v2 = mounts.memory_root == mounts.unified_root;
    if (v2) {
      // The parent must hand the controller down; harmless when it already does.
      WriteFile(mounts.memory_root + "/cgroup.subtree_control", "+memory").IgnoreError();
    }
    absl::StatusOr<std::unique_ptr<TestCgroup>> made = Make(mounts.memory_root, purpose);
    if (!made.ok()) return made.status();
    TestCgroup& cgroup = **made;
    std::string limit = absl::StrCat(limit_bytes);
    if (v2) {
      if (absl::Status s = cgroup.Write("memory.max", limit); !s.ok()) return s;
      cgroup.Write("memory.swap.max", "0").IgnoreError();  // absent without swap accounting
    } else {
      if (absl::Status s = cgroup.Write("memory.limit_in_bytes", limit); !s.ok()) return s;
      cgroup.Write("memory.memsw.limit_in_bytes", limit).IgnoreError();
    }
    return made;
  }

  ~TestCgroup() { rmdir(path_.c_str()); }

  absl::Status Write(const std::string& file, const std::string& text) {
    return WriteFile(path_ + "/" + file, text);
  }
  absl::Status AddProcess(pid_t pid) { return Write("cgroup.procs", absl::StrCat(pid)); }

  // Absolute, under the mount ("/sys/fs/cgroup/memory/tapio-test-…").
  const std::string& path() const { return path_; }
  // Relative to the hierarchy's root, as the kernel and the resolver name it.
  const std::string& relative_path() const { return relative_; }
  uint64_t id() const {
    struct stat st;
    return stat(path_.c_str(), &st) == 0 ? st.st_ino : 0;
  }

 private:
  TestCgroup(std::string path, std::string relative)
      : path_(std::move(path)), relative_(std::move(relative)) {}

  static absl::StatusOr<std::unique_ptr<TestCgroup>> Make(const std::string& root,
                                                          absl::string_view purpose) {
    static int serial = 0;
    std::string relative = absl::StrCat("/tapio-test-", purpose, "-", getpid(), "-", ++serial);
    std::string path = root + relative;
    if (mkdir(path.c_str(), 0755) != 0) {
      return absl::InternalError(absl::StrCat("mkdir ", path, ": ", std::strerror(errno)));
    }
    return std::unique_ptr<TestCgroup>(new TestCgroup(path, relative));
  }

  std::string path_;
  std::string relative_;
};

// A forked child that waits until released; killed and reaped when destroyed if still there.
class Child {
 public:
  // Forks; the child names itself `name` (its comm), then blocks until Release(), then runs
  // `body` and exits with its result. Returns once the child has taken its name.
  Child(const char* name, std::function<int()> body) {
    int go[2];
    int ready[2];
    if (pipe(go) != 0) return;
    if (pipe(ready) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      close(go[1]);
      close(ready[0]);
      prctl(PR_SET_NAME, name);
      char byte = 'r';
      if (write(ready[1], &byte, 1) != 1) _exit(121);
      if (read(go[0], &byte, 1) != 1) _exit(120);
      _exit(body());
    }
    close(go[0]);
    close(ready[1]);
    char byte;
    if (pid_ > 0 && read(ready[0], &byte, 1) != 1) ADD_FAILURE() << "child " << pid_ << " died";
    close(ready[0]);
    release_fd_ = go[1];
  }
  ~Child() {
    if (release_fd_ >= 0) close(release_fd_);
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      Wait();
    }
  }

  pid_t pid() const { return pid_; }
  void Release() {
    if (write(release_fd_, "x", 1) != 1) ADD_FAILURE() << "releasing child " << pid_;
  }
  // Reaps the child; returns its wait status.
  int Wait() {
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int release_fd_ = -1;
  bool reaped_ = false;
};

// Polls `collector` (flushing the retransmit counts too when `flush`) until an event
// satisfies `done` or `timeout` passes. Returns every event seen.
inline std::vector<domain::Event> PollUntil(KernelCollector& collector, absl::Duration timeout,
                                            const std::function<bool(const domain::Event&)>& done,
                                            bool flush = false) {
  std::vector<domain::Event> seen;
  absl::Time deadline = absl::Now() + timeout;
  while (true) {
    size_t before = seen.size();
    absl::Duration left = std::max(absl::ZeroDuration(), deadline - absl::Now());
    absl::Status status = collector.Poll(std::min(left, absl::Milliseconds(20)), &seen);
    EXPECT_TRUE(status.ok()) << status;
    if (flush) {
      status = collector.Flush(&seen);
      EXPECT_TRUE(status.ok()) << status;
    }
    if (std::any_of(seen.begin() + before, seen.end(), done)) return seen;
    if (absl::Now() >= deadline || !status.ok()) return seen;
  }
}

}  // namespace tapio::collectors::ebpf::bpf_testing

#endif  // TAPIO_COLLECTORS_EBPF_BPF_TEST_SUPPORT_H_
