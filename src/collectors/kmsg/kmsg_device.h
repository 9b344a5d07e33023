// Reads the running kernel's log live from /dev/kmsg — one record per read(), as the kernel
// hands them out — through a KmsgParser: the kernel collector's fallback when eBPF cannot
// load. Records the kernel overwrote before they were read are counted, not guessed at. Not
// thread-safe: one reader per parser.
#ifndef TAPIO_COLLECTORS_KMSG_KMSG_DEVICE_H_
#define TAPIO_COLLECTORS_KMSG_KMSG_DEVICE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collectors/kmsg/kmsg_parser.h"
#include "domain/event.h"

namespace tapio::collectors::kmsg {

// Unix nanoseconds at boot as /dev/kmsg counts it (the monotonic clock since boot): what
// KmsgParser::Options::boot_time_ns wants for live records.
int64_t KmsgBootTimeNanos();

class KmsgDevice {
 public:
  struct Options {
    std::string path = "/dev/kmsg";
    // Read the kernel's whole buffer first; otherwise only what it logs from now on.
    bool from_start = false;
  };

  struct Counts {
    uint64_t records = 0;
    // Records lost because the kernel's buffer wrapped before they were read.
    uint64_t lost = 0;
  };

  // Opens the device. Fails with NotFound when it does not exist and PermissionDenied when
  // reading the kernel log is not allowed (CAP_SYSLOG, or dmesg_restrict), naming the path.
  // `parser` must outlive the reader.
  static absl::StatusOr<std::unique_ptr<KmsgDevice>> Open(Options options, KmsgParser& parser);

  KmsgDevice(const KmsgDevice&) = delete;
  KmsgDevice& operator=(const KmsgDevice&) = delete;
  ~KmsgDevice();

  // Waits up to `timeout` for records, feeds every record available to the parser and
  // appends the events they complete. A record the parser rejects is counted there and the
  // stream goes on. Fails with DataLoss naming the path when reading fails otherwise.
  absl::Status Poll(absl::Duration timeout, std::vector<domain::Event>* out);

  Counts counts() const { return counts_; }
  int fd() const { return fd_; }

 private:
  KmsgDevice(std::string path, int fd, KmsgParser& parser);

  std::string path_;
  int fd_;
  KmsgParser& parser_;
  std::vector<char> buffer_;
  Counts counts_;
};

}  // namespace tapio::collectors::kmsg

#endif  // TAPIO_COLLECTORS_KMSG_KMSG_DEVICE_H_
