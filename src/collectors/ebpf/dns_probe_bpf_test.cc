// Privileged: loads bpf/dns.bpf.c into this kernel and answers real DNS queries over loopback
// with the response codes a failing server sends.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "collectors/ebpf/bpf_test_support.h"
#include "collectors/ebpf/cgroup_resolver.h"
#include "collectors/ebpf/kernel_collector.h"
#include "domain/clock.h"
#include "domain/entity.h"
#include "domain/event_id.h"
#include "domain/string_list.h"
#include "domain/symbol_table.h"
#include "gtest/gtest.h"

namespace tapio::collectors::ebpf {
namespace {

// A DNS server's address no resolver of this host is likely to hold: all of 127/8 is loopback.
constexpr char kServer[] = "127.53.0.1";
constexpr uint8_t kNoError = 0;
constexpr uint8_t kServFail = 2;
constexpr uint8_t kNxDomain = 3;
constexpr uint8_t kRefused = 5;

class Socket {
 public:
  explicit Socket(const char* address, uint16_t port) : fd_(socket(AF_INET, SOCK_DGRAM, 0)) {
    sockaddr_in at = {};
    at.sin_family = AF_INET;
    at.sin_port = htons(port);
    inet_pton(AF_INET, address, &at.sin_addr);
    timeval timeout = {2, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    bound_ = bind(fd_, reinterpret_cast<sockaddr*>(&at), sizeof(at)) == 0;
  }
  ~Socket() { close(fd_); }
  bool bound() const { return bound_; }
  int fd() const { return fd_; }

 private:
  int fd_;
  bool bound_;
};

// A query for "db.shop.svc.cluster.local", type A, class IN.
std::vector<uint8_t> Query(uint16_t id) {
  std::vector<uint8_t> message = {
      static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
  for (const char* label : {"db", "shop", "svc", "cluster", "local"}) {
    message.push_back(static_cast<uint8_t>(std::strlen(label)));
    message.insert(message.end(), label, label + std::strlen(label));
  }
  message.insert(message.end(), {0, 0, 1, 0, 1});
  return message;
}

// Sends a query from `client` to `server`, which answers it with `rcode` (a response when
// `response`, else a message that only looks like one); true when the client got it.
bool Exchange(const Socket& client, const Socket& server, uint16_t id, uint8_t rcode,
              bool response = true) {
  sockaddr_in to = {};
  to.sin_family = AF_INET;
  to.sin_port = htons(53);
  inet_pton(AF_INET, kServer, &to.sin_addr);
  std::vector<uint8_t> query = Query(id);
  if (sendto(client.fd(), query.data(), query.size(), 0, reinterpret_cast<sockaddr*>(&to),
             sizeof(to)) < 0) {
    return false;
  }
  uint8_t got[512];
  sockaddr_in from = {};
  socklen_t from_size = sizeof(from);
  ssize_t size =
      recvfrom(server.fd(), got, sizeof(got), 0, reinterpret_cast<sockaddr*>(&from), &from_size);
  if (size < 12) return false;
  got[2] = static_cast<uint8_t>(response ? got[2] | 0x80 : got[2] & 0x7f);
  got[3] = static_cast<uint8_t>((got[3] & 0xf0) | rcode);
  if (sendto(server.fd(), got, static_cast<size_t>(size), 0, reinterpret_cast<sockaddr*>(&from),
             from_size) < 0) {
    return false;
  }
  return recv(client.fd(), got, sizeof(got), 0) == size;
}

// The id of this process's cgroup in the v2 hierarchy: the inode of its directory.
uint64_t OwnCgroupId() {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("0::", 0) != 0) continue;
    struct stat st;
    std::string dir = CgroupResolver::DetectMounts().unified_root + line.substr(3);
    return stat(dir.c_str(), &st) == 0 ? st.st_ino : 0;
  }
  return 0;
}

TEST(DnsProbeBpfTest, CountsFailedAnswersPerCgroupAndCodeAndNothingElse) {
  TAPIO_REQUIRE_BPF();
  domain::EntityRegistry registry;
  domain::EventIdGenerator ids{7};
  KernelCollector::Options options;
  options.node = "node-1";
  options.oom = false;
  options.process_exit = false;
  options.tcp = false;
  absl::StatusOr<std::unique_ptr<KernelCollector>> collector =
      KernelCollector::Create(options, registry, ids, domain::Clock::Real());
  ASSERT_TRUE(collector.ok()) << collector.status();
  Socket server(kServer, 53);
  ASSERT_TRUE(server.bound()) << kServer << ":53: " << std::strerror(errno);
  Socket client("127.0.0.1", 0);
  ASSERT_TRUE(client.bound());

  ASSERT_TRUE(Exchange(client, server, 1, kNxDomain));
  ASSERT_TRUE(Exchange(client, server, 2, kNxDomain));
  ASSERT_TRUE(Exchange(client, server, 3, kServFail));
  ASSERT_TRUE(Exchange(client, server, 4, kRefused));
  ASSERT_TRUE(Exchange(client, server, 5, kNoError));
  ASSERT_TRUE(Exchange(client, server, 6, kNxDomain, /*response=*/false));
  std::vector<domain::Event> events;
  ASSERT_TRUE((*collector)->Flush(&events).ok());

  std::map<std::string, uint32_t> counts;
  const uint64_t cgroup = OwnCgroupId();
  for (const domain::Event& event : events) {
    ASSERT_EQ(event.type, domain::Intern("net.dns_errors"));
    const auto& network = std::get<domain::NetworkPayload>(event.payload);
    EXPECT_EQ(network.sport, 53);
    EXPECT_EQ(network.cgroup_id, cgroup) << "the cgroup of the socket the answer reached";
    counts[std::string(domain::FindLabel(event.labels, "rcode").value_or("none"))] += network.count;
  }
  EXPECT_EQ(counts,
            (std::map<std::string, uint32_t>{{"NXDOMAIN", 2}, {"REFUSED", 1}, {"SERVFAIL", 1}}))
      << "NOERROR, and a query that carries a code, are not failed answers";
  std::vector<domain::Event> again;
  ASSERT_TRUE((*collector)->Flush(&again).ok());
  EXPECT_TRUE(again.empty()) << "a flush takes the counts out";
}

}  // namespace
}  // namespace tapio::collectors::ebpf
