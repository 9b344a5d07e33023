// Privileged: loads bpf/tcp.bpf.c into this kernel and makes real TCP trouble on 127.0.0.1.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "absl/time/time.h"
#include "collectors/ebpf/bpf_test_support.h"
#include "collectors/ebpf/kernel_collector.h"
#include "domain/clock.h"
#include "domain/entity.h"
#include "domain/event_id.h"
#include "domain/string_list.h"
#include "domain/symbol_table.h"
#include "gtest/gtest.h"

namespace tapio::collectors::ebpf {
namespace {

using bpf_testing::PollUntil;

constexpr uint8_t kTcpEstablished = 1;
constexpr uint8_t kTcpSynSent = 2;
constexpr uint8_t kTcpClose = 7;

// Closes on destruction.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& other) : fd_(other.fd_) { other.fd_ = -1; }
  Fd& operator=(Fd&& other) {
    Close();
    std::swap(fd_, other.fd_);
    return *this;
  }
  ~Fd() { Close(); }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

sockaddr_in Loopback(uint16_t port) {
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

uint16_t LocalPort(int fd) {
  sockaddr_in address = {};
  socklen_t length = sizeof(address);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return 0;
  return ntohs(address.sin_port);
}

// A TCP socket bound to 127.0.0.1 on a port the kernel picks.
Fd BoundSocket(int flags = 0) {
  Fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | flags, 0));
  sockaddr_in address = Loopback(0);
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) return Fd();
  return fd;
}

Fd Listener(int backlog) {
  Fd fd = BoundSocket();
  if (fd.get() < 0 || listen(fd.get(), backlog) != 0) return Fd();
  return fd;
}

int Connect(int fd, uint16_t port) {
  sockaddr_in address = Loopback(port);
  return connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
}

// Makes close() of `fd` reset the connection (SO_LINGER 0); false when the kernel refuses.
bool AbortOnClose(int fd) {
  linger abort_on_close = {1, 0};
  return setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof(abort_on_close)) == 0;
}

// A connection on 127.0.0.1 from a client socket to a listener, accepted.
struct Connection {
  Fd listener;
  Fd client;
  Fd server;
  uint16_t server_port = 0;
  uint16_t client_port = 0;
};

void OpenConnection(Connection* c) {
  c->listener = Listener(4);
  ASSERT_GE(c->listener.get(), 0);
  c->server_port = LocalPort(c->listener.get());
  c->client = BoundSocket();
  c->client_port = LocalPort(c->client.get());
  ASSERT_EQ(Connect(c->client.get(), c->server_port), 0) << std::strerror(errno);
  c->server = Fd(accept4(c->listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  ASSERT_GE(c->server.get(), 0);
}

uint32_t NetnsInode() {
  struct stat st;
  return stat("/proc/self/ns/net", &st) == 0 ? static_cast<uint32_t>(st.st_ino) : 0;
}

const domain::NetworkPayload* Network(const domain::Event& event, const char* type, uint16_t sport,
                                      uint16_t dport) {
  const auto* network = std::get_if<domain::NetworkPayload>(&event.payload);
  if (event.type != domain::Intern(type) || network == nullptr || network->sport != sport ||
      network->dport != dport) {
    return nullptr;
  }
  return network;
}

std::optional<domain::Event> Find(const std::vector<domain::Event>& events, const char* type,
                                  uint16_t sport, uint16_t dport,
                                  std::optional<absl::string_view> direction = std::nullopt) {
  for (const domain::Event& event : events) {
    if (Network(event, type, sport, dport) == nullptr) continue;
    if (direction && domain::FindLabel(event.labels, "direction") != *direction) continue;
    return event;
  }
  return std::nullopt;
}

class TcpProbeBpfTest : public ::testing::Test {
 protected:
  void Start(absl::Duration retransmit_interval = absl::Hours(1),
             uint32_t ring_bytes = kDefaultRingBytes, uint32_t owner_capacity = TAPIO_TCP_OWNERS) {
    KernelCollector::Options options;
    options.node = "node-1";
    options.oom = false;
    options.process_exit = false;
    options.retransmit_interval = retransmit_interval;
    options.ring_buffer_bytes = ring_bytes;
    options.tcp_owner_capacity = owner_capacity;
    absl::StatusOr<std::unique_ptr<KernelCollector>> collector =
        KernelCollector::Create(options, registry_, ids_, domain::Clock::Real());
    ASSERT_TRUE(collector.ok()) << collector.status();
    collector_ = std::move(*collector);
  }

  domain::EntityRegistry registry_;
  domain::EventIdGenerator ids_{7};
  std::unique_ptr<KernelCollector> collector_;
};

TEST_F(TcpProbeBpfTest, ReportsAConnectionRefusedWithItsPortsAndProcess) {
  TAPIO_REQUIRE_BPF();
  ASSERT_NO_FATAL_FAILURE(Start());
  // A port that was just free: bound, read, closed; nothing listens on it.
  uint16_t closed_port;
  {
    Fd probe = BoundSocket();
    closed_port = LocalPort(probe.get());
  }
  ASSERT_NE(closed_port, 0);
  Fd client = BoundSocket();
  uint16_t client_port = LocalPort(client.get());
  ASSERT_NE(client_port, 0);
  ASSERT_EQ(Connect(client.get(), closed_port), -1);
  ASSERT_EQ(errno, ECONNREFUSED);

  const char* type = "net.connection_refused";
  std::vector<domain::Event> events =
      PollUntil(*collector_, absl::Seconds(2), [&](const domain::Event& e) {
        return Network(e, type, client_port, closed_port) != nullptr;
      });
  std::optional<domain::Event> refused = Find(events, type, client_port, closed_port);
  ASSERT_TRUE(refused.has_value()) << "no refusal of " << client_port << " -> " << closed_port;
  const auto& payload = std::get<domain::NetworkPayload>(refused->payload);
  EXPECT_EQ(refused->source, domain::Source::kKernel);
  EXPECT_EQ(payload.family, AF_INET);
  EXPECT_EQ(payload.protocol, IPPROTO_TCP);
  uint8_t loopback[4] = {127, 0, 0, 1};
  EXPECT_EQ(std::memcmp(payload.saddr.data(), loopback, 4), 0);
  EXPECT_EQ(std::memcmp(payload.daddr.data(), loopback, 4), 0);
  EXPECT_EQ(payload.pid, static_cast<uint32_t>(getpid()));
  EXPECT_EQ(payload.error, ECONNREFUSED);
  EXPECT_EQ(payload.new_state, kTcpSynSent);
  EXPECT_EQ(payload.netns, NetnsInode());
  EXPECT_FALSE(payload.comm.view().empty());
}

TEST_F(TcpProbeBpfTest, ReportsAConnectionRefusedOverIpv6) {
  TAPIO_REQUIRE_BPF();
  ASSERT_NO_FATAL_FAILURE(Start());
  auto bound = [] {
    Fd fd(socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in6 address = {};
    address.sin6_family = AF_INET6;
    address.sin6_addr = in6addr_loopback;
    if (bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) return Fd();
    return fd;
  };
  auto port_of = [](int fd) {
    sockaddr_in6 address = {};
    socklen_t length = sizeof(address);
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    return ntohs(address.sin6_port);
  };
  uint16_t closed_port;
  {
    Fd probe = bound();
    if (probe.get() < 0) GTEST_SKIP() << "no IPv6 loopback";
    closed_port = port_of(probe.get());
  }
  Fd client = bound();
  uint16_t client_port = port_of(client.get());
  sockaddr_in6 server = {};
  server.sin6_family = AF_INET6;
  server.sin6_addr = in6addr_loopback;
  server.sin6_port = htons(closed_port);
  ASSERT_EQ(connect(client.get(), reinterpret_cast<sockaddr*>(&server), sizeof(server)), -1);
  ASSERT_EQ(errno, ECONNREFUSED);

  const char* type = "net.connection_refused";
  std::vector<domain::Event> events =
      PollUntil(*collector_, absl::Seconds(2), [&](const domain::Event& e) {
        return Network(e, type, client_port, closed_port) != nullptr;
      });
  std::optional<domain::Event> refused = Find(events, type, client_port, closed_port);
  ASSERT_TRUE(refused.has_value()) << "no refusal of [::1]:" << closed_port;
  const auto& payload = std::get<domain::NetworkPayload>(refused->payload);
  EXPECT_EQ(payload.family, AF_INET6);
  EXPECT_EQ(std::memcmp(payload.saddr.data(), &in6addr_loopback, 16), 0);
  EXPECT_EQ(std::memcmp(payload.daddr.data(), &in6addr_loopback, 16), 0);
  EXPECT_EQ(payload.pid, static_cast<uint32_t>(getpid()));
}

TEST_F(TcpProbeBpfTest, ReportsAResetSentAndReceivedWhenThePeerClosesWithLingerZero) {
  TAPIO_REQUIRE_BPF();
  ASSERT_NO_FATAL_FAILURE(Start());
  Connection c;
  ASSERT_NO_FATAL_FAILURE(OpenConnection(&c));
  const uint16_t server_port = c.server_port;
  const uint16_t client_port = c.client_port;
  ASSERT_TRUE(AbortOnClose(c.server.get()));
  c.server.Close();
  char byte;
  ASSERT_EQ(read(c.client.get(), &byte, 1), -1);
  ASSERT_EQ(errno, ECONNRESET);

  const char* type = "net.connection_reset";
  auto both = [&](const std::vector<domain::Event>& seen) {
    return Find(seen, type, server_port, client_port, "sent") &&
           Find(seen, type, client_port, server_port, "received");
  };
  std::vector<domain::Event> events;
  absl::Time deadline = absl::Now() + absl::Seconds(2);
  while (!both(events) && absl::Now() < deadline) {
    ASSERT_TRUE(collector_->Poll(absl::Milliseconds(20), &events).ok());
  }
  std::optional<domain::Event> sent = Find(events, type, server_port, client_port, "sent");
  ASSERT_TRUE(sent.has_value()) << "no reset sent by " << server_port;
  const auto& sent_payload = std::get<domain::NetworkPayload>(sent->payload);
  // Sent from this process's close(), after tcp_disconnect() moved the socket to CLOSE.
  EXPECT_EQ(sent_payload.pid, static_cast<uint32_t>(getpid()));
  EXPECT_EQ(sent_payload.new_state, kTcpClose);
  EXPECT_EQ(sent_payload.error, ECONNRESET);

  std::optional<domain::Event> received = Find(events, type, client_port, server_port, "received");
  ASSERT_TRUE(received.has_value()) << "no reset received by " << client_port;
  const auto& received_payload = std::get<domain::NetworkPayload>(received->payload);
  // The owner remembered from connect(): the reset itself arrives in softirq.
  EXPECT_EQ(received_payload.pid, static_cast<uint32_t>(getpid()));
  EXPECT_EQ(received_payload.new_state, kTcpEstablished);
  EXPECT_EQ(received_payload.netns, NetnsInode());
}

// An owner is forgotten when its connection ends, not when others fill the table: a
// connection still names the process that connected it after another thread has had tens of
// thousands of connections refused and as many accepted and closed in the ordinary way.
TEST_F(TcpProbeBpfTest, ALongLivedConnectionKeepsItsOwnerWhileManyOthersComeAndGo) {
  TAPIO_REQUIRE_BPF();
  ASSERT_NO_FATAL_FAILURE(Start());
  Connection c;
  ASSERT_NO_FATAL_FAILURE(OpenConnection(&c));
  const uint16_t server_port = c.server_port;
  const uint16_t client_port = c.client_port;
  uint16_t closed_port;
  {
    Fd probe = BoundSocket();
    closed_port = LocalPort(probe.get());
  }
  Fd busy = Listener(64);
  ASSERT_GE(busy.get(), 0);
  const uint16_t busy_port = LocalPort(busy.get());
  constexpr int kOtherConnections = 20000;
  pid_t other = 0;
  int completed = 0;
  std::thread([&] {
    other = gettid();
    for (int i = 0; i < kOtherConnections; ++i) {
      Fd refused = BoundSocket();
      Connect(refused.get(), closed_port);
      Fd socket = BoundSocket();
      if (Connect(socket.get(), busy_port) != 0) continue;
      Fd accepted(accept4(busy.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (accepted.get() >= 0) ++completed;
    }
  }).join();
  ASSERT_EQ(completed, kOtherConnections);
  std::vector<domain::Event> refusals;
  ASSERT_TRUE(collector_->Flush(&refusals).ok());

  ASSERT_TRUE(AbortOnClose(c.server.get()));
  c.server.Close();
  const char* type = "net.connection_reset";
  std::vector<domain::Event> events =
      PollUntil(*collector_, absl::Seconds(2), [&](const domain::Event& e) {
        return Network(e, type, client_port, server_port) != nullptr;
      });
  std::optional<domain::Event> received = Find(events, type, client_port, server_port, "received");
  ASSERT_TRUE(received.has_value()) << "no reset received by " << client_port;
  const auto& payload = std::get<domain::NetworkPayload>(received->payload);
  ASSERT_NE(other, getpid());
  EXPECT_EQ(payload.pid, static_cast<uint32_t>(getpid()));
}

// With room for 8 owners and 24 connections open, at least 16 connections (more when other
// processes' connections hold rooms) are counted as unowned, and their resets name no process
// rather than a wrong one.
TEST_F(TcpProbeBpfTest, ConnectionsBeyondTheOwnerTableAreCountedAndNameNoProcess) {
  TAPIO_REQUIRE_BPF();
  constexpr uint32_t kCapacity = 8;
  constexpr int kConnections = 3 * kCapacity;
  ASSERT_NO_FATAL_FAILURE(Start(absl::Hours(1), kDefaultRingBytes, kCapacity));
  Fd listener = Listener(kConnections);
  ASSERT_GE(listener.get(), 0);
  const uint16_t server_port = LocalPort(listener.get());
  std::vector<Fd> clients;
  std::vector<uint16_t> client_ports;
  for (int i = 0; i < kConnections; ++i) {
    clients.push_back(BoundSocket());
    client_ports.push_back(LocalPort(clients.back().get()));
    ASSERT_EQ(Connect(clients.back().get(), server_port), 0) << std::strerror(errno);
  }
  absl::StatusOr<KernelCollector::Counts> counts = collector_->ReadCounts();
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_GE(counts->owner_table_full, static_cast<uint64_t>(kConnections - kCapacity));

  for (int i = 0; i < kConnections; ++i) {
    Fd server(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    ASSERT_GE(server.get(), 0);
    ASSERT_TRUE(AbortOnClose(server.get()));
  }
  const char* type = "net.connection_reset";
  auto received = [&](const std::vector<domain::Event>& seen) {
    int found = 0;
    for (uint16_t port : client_ports)
      found += Find(seen, type, port, server_port, "received") ? 1 : 0;
    return found;
  };
  std::vector<domain::Event> events;
  absl::Time deadline = absl::Now() + absl::Seconds(2);
  while (received(events) < kConnections && absl::Now() < deadline) {
    ASSERT_TRUE(collector_->Poll(absl::Milliseconds(20), &events).ok());
  }
  ASSERT_EQ(received(events), kConnections);
  int named = 0;
  for (uint16_t port : client_ports) {
    std::optional<domain::Event> reset = Find(events, type, port, server_port, "received");
    const auto& payload = std::get<domain::NetworkPayload>(reset->payload);
    if (payload.pid == 0) continue;
    EXPECT_EQ(payload.pid, static_cast<uint32_t>(getpid())) << "client port " << port;
    ++named;
  }
  EXPECT_LE(named, static_cast<int>(kCapacity));
}

// A listener whose accept queue (backlog 0) holds one connection drops the next SYN, which
// the client retransmits after its initial RTO of one second.
TEST_F(TcpProbeBpfTest, CountsRetransmissionsPerFlowWhenFlushed) {
  TAPIO_REQUIRE_BPF();
  ASSERT_NO_FATAL_FAILURE(Start());
  Fd listener = Listener(0);
  ASSERT_GE(listener.get(), 0);
  uint16_t server_port = LocalPort(listener.get());
  Fd first = BoundSocket();
  ASSERT_EQ(Connect(first.get(), server_port), 0) << std::strerror(errno);
  Fd second = BoundSocket(SOCK_NONBLOCK);
  uint16_t second_port = LocalPort(second.get());
  ASSERT_EQ(Connect(second.get(), server_port), -1);
  ASSERT_EQ(errno, EINPROGRESS);

  const char* type = "net.tcp_retransmits";
  std::vector<domain::Event> events = PollUntil(
      *collector_, absl::Seconds(5),
      [&](const domain::Event& e) { return Network(e, type, second_port, server_port); },
      /*flush=*/true);
  std::optional<domain::Event> retransmits = Find(events, type, second_port, server_port);
  ASSERT_TRUE(retransmits.has_value()) << "no retransmits of " << second_port;
  const auto& payload = std::get<domain::NetworkPayload>(retransmits->payload);
  EXPECT_GE(payload.count, 1u);
  EXPECT_EQ(payload.new_state, kTcpSynSent);
  EXPECT_EQ(payload.pid, static_cast<uint32_t>(getpid()));
  EXPECT_EQ(domain::FindLabel(retransmits->labels, "handshake"), "true");
  size_t flows = 0;
  for (const domain::Event& event : events) {
    if (Network(event, type, second_port, server_port)) ++flows;
  }
  EXPECT_EQ(flows, 1u) << "one event per flow per flush, not one per packet";
}

// A 256 KiB ring buffer holds about 2,500 TCP records; refusing more connections than that
// before reading any loses the rest, and the kernel's counter says how many.
TEST_F(TcpProbeBpfTest, CountsTheRecordsLostToAFullRingBuffer) {
  TAPIO_REQUIRE_BPF();
  ASSERT_NO_FATAL_FAILURE(Start(absl::Hours(1), /*ring_bytes=*/256 * 1024));
  uint16_t closed_port;
  {
    Fd probe = BoundSocket();
    closed_port = LocalPort(probe.get());
  }
  constexpr int kConnects = 4000;
  for (int i = 0; i < kConnects; ++i) {
    Fd client(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    ASSERT_EQ(Connect(client.get(), closed_port), -1);
    ASSERT_EQ(errno, ECONNREFUSED);
  }
  std::vector<domain::Event> events;
  ASSERT_TRUE(collector_->Flush(&events).ok());
  int64_t delivered = std::count_if(events.begin(), events.end(), [&](const domain::Event& e) {
    const auto* n = std::get_if<domain::NetworkPayload>(&e.payload);
    return e.type == domain::Intern("net.connection_refused") && n && n->dport == closed_port;
  });
  absl::StatusOr<KernelCollector::Counts> counts = collector_->ReadCounts();
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_GT(delivered, 0);
  EXPECT_LT(delivered, kConnects);
  EXPECT_GT(counts->ring_buffer_drops, 0u);
  // Other processes' records may share the buffer, and be lost too: at least ours are counted.
  EXPECT_GE(delivered + static_cast<int64_t>(counts->ring_buffer_drops), kConnects);
  EXPECT_GE(counts->records, static_cast<uint64_t>(delivered));
}

}  // namespace
}  // namespace tapio::collectors::ebpf
