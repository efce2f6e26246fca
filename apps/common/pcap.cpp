// pcap.cpp: synthetic TCP/IP framing of a tapped connection, as pcap.
#include "pcap.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace polytls::app {
namespace {

// pcap file format (https://www.tcpdump.org/manpages/pcap-savefile.5.html).
constexpr uint32_t kPcapMagic = 0xa1b2c3d4;  // microsecond timestamps
constexpr uint32_t kLinkTypeRaw = 101;       // raw IPv4/IPv6, no link header
constexpr uint32_t kSnapLength = 65535;

constexpr uint8_t kProtocolTcp = 6;
constexpr uint8_t kFin = 0x01, kSyn = 0x02, kPsh = 0x08, kAck = 0x10;

// The initial sequence numbers of the two synthetic ends (any value works).
constexpr uint32_t kLocalIsn = 0x1000;
constexpr uint32_t kRemoteIsn = 0x8000;

// Writer appends little-endian pcap headers and big-endian packet fields.
struct Writer {
  std::vector<uint8_t> out;
  void le32(uint32_t v) {
    for (int i = 0; i < 4; ++i)
      out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void le16(uint16_t v) {
    out.push_back(static_cast<uint8_t>(v));
    out.push_back(static_cast<uint8_t>(v >> 8));
  }
};

void put16(std::vector<uint8_t> &b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
void put32(std::vector<uint8_t> &b, uint32_t v) {
  for (int i = 3; i >= 0; --i)
    b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void set16(std::vector<uint8_t> &b, std::size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v >> 8);
  b[at + 1] = static_cast<uint8_t>(v);
}

// Internet checksum (RFC 1071) over `sum` already accumulated plus `bytes`.
uint32_t sum_words(uint32_t sum, std::span<const uint8_t> bytes) {
  std::size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2)
    sum += static_cast<uint32_t>(bytes[i] << 8 | bytes[i + 1]);
  if (i < bytes.size()) sum += static_cast<uint32_t>(bytes[i] << 8);
  return sum;
}
uint16_t fold(uint32_t sum) {
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffff);
}

std::span<const uint8_t> address_bytes(const Endpoint &e) {
  return {e.address.data(), e.ipv6 ? 16u : 4u};
}

// packet builds one IP datagram carrying one TCP segment.
std::vector<uint8_t> packet(const Endpoint &from, const Endpoint &to, uint32_t seq, uint32_t ack,
                            uint8_t flags, std::span<const uint8_t> payload) {
  std::vector<uint8_t> tcp;
  tcp.reserve(20 + payload.size());
  put16(tcp, from.port);
  put16(tcp, to.port);
  put32(tcp, seq);
  put32(tcp, (flags & kAck) ? ack : 0);
  tcp.push_back(5 << 4);  // data offset: 5 words, no options
  tcp.push_back(flags);
  put16(tcp, 65535);  // window
  put16(tcp, 0);      // checksum, below
  put16(tcp, 0);      // urgent pointer
  tcp.insert(tcp.end(), payload.begin(), payload.end());

  // TCP checksum over the pseudo-header (RFC 793 / RFC 8200 section 8.1).
  uint32_t sum = sum_words(0, address_bytes(from));
  sum = sum_words(sum, address_bytes(to));
  sum += kProtocolTcp;
  sum += static_cast<uint32_t>(tcp.size() & 0xffff);
  sum += static_cast<uint32_t>(tcp.size() >> 16);
  set16(tcp, 16, fold(sum_words(sum, tcp)));

  std::vector<uint8_t> ip;
  if (!from.ipv6) {
    ip.reserve(20 + tcp.size());
    ip.push_back(0x45);  // version 4, 5-word header
    ip.push_back(0);
    put16(ip, static_cast<uint16_t>(20 + tcp.size()));
    put16(ip, 0);       // identification
    put16(ip, 0x4000);  // don't fragment
    ip.push_back(64);   // TTL
    ip.push_back(kProtocolTcp);
    put16(ip, 0);  // header checksum, below
    ip.insert(ip.end(), from.address.begin(), from.address.begin() + 4);
    ip.insert(ip.end(), to.address.begin(), to.address.begin() + 4);
    set16(ip, 10, fold(sum_words(0, ip)));
  } else {
    ip.reserve(40 + tcp.size());
    put32(ip, 0x60000000);  // version 6
    put16(ip, static_cast<uint16_t>(tcp.size()));
    ip.push_back(kProtocolTcp);  // next header
    ip.push_back(64);            // hop limit
    ip.insert(ip.end(), from.address.begin(), from.address.end());
    ip.insert(ip.end(), to.address.begin(), to.address.end());
  }
  ip.insert(ip.end(), tcp.begin(), tcp.end());
  return ip;
}

Result<Endpoint> from_sockaddr(const sockaddr_storage &ss) {
  Endpoint e;
  if (ss.ss_family == AF_INET) {
    const auto &in = reinterpret_cast<const sockaddr_in &>(ss);
    std::memcpy(e.address.data(), &in.sin_addr, 4);
    e.port = ntohs(in.sin_port);
    return e;
  }
  if (ss.ss_family == AF_INET6) {
    const auto &in6 = reinterpret_cast<const sockaddr_in6 &>(ss);
    e.ipv6 = true;
    std::memcpy(e.address.data(), &in6.sin6_addr, 16);
    e.port = ntohs(in6.sin6_port);
    return e;
  }
  return Error(ErrorCode::unsupported, "the socket is neither IPv4 nor IPv6");
}

}  // namespace

Result<Endpoint> Endpoint::parse(const std::string &address, uint16_t port) {
  Endpoint e;
  e.port = port;
  if (::inet_pton(AF_INET, address.c_str(), e.address.data()) == 1) return e;
  if (::inet_pton(AF_INET6, address.c_str(), e.address.data()) == 1) {
    e.ipv6 = true;
    return e;
  }
  return Error(ErrorCode::bad_input, "not an IP address: " + address);
}

Result<Endpoint> local_endpoint(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr *>(&ss), &len) != 0) {
    return Error(ErrorCode::io, std::string("getsockname: ") + std::strerror(errno));
  }
  return from_sockaddr(ss);
}

Result<Endpoint> peer_endpoint(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getpeername(fd, reinterpret_cast<sockaddr *>(&ss), &len) != 0) {
    return Error(ErrorCode::io, std::string("getpeername: ") + std::strerror(errno));
  }
  return from_sockaddr(ss);
}

Result<std::vector<uint8_t>> pcap_bytes(const PcapCapture &capture) {
  if (capture.local.ipv6 != capture.remote.ipv6) {
    return Error(ErrorCode::bad_input, "pcap: both ends must be IPv4 or both IPv6");
  }
  Writer w;
  w.le32(kPcapMagic);
  w.le16(2);  // version 2.4
  w.le16(4);
  w.le32(0);  // GMT offset
  w.le32(0);  // timestamp accuracy
  w.le32(kSnapLength);
  w.le32(kLinkTypeRaw);

  const auto wall_us = [&](std::chrono::steady_clock::time_point when) {
    auto offset = std::chrono::duration_cast<std::chrono::microseconds>(
        std::max(when, capture.start_steady) - capture.start_steady);
    return std::chrono::duration_cast<std::chrono::microseconds>(
               capture.start_wall.time_since_epoch()) +
           offset;
  };
  const auto record = [&](std::chrono::microseconds at, const std::vector<uint8_t> &ip) {
    w.le32(static_cast<uint32_t>(at.count() / 1000000));
    w.le32(static_cast<uint32_t>(at.count() % 1000000));
    w.le32(static_cast<uint32_t>(ip.size()));
    w.le32(static_cast<uint32_t>(ip.size()));
    w.out.insert(w.out.end(), ip.begin(), ip.end());
  };

  const Endpoint &l = capture.local;
  const Endpoint &r = capture.remote;
  uint32_t lseq = kLocalIsn, rseq = kRemoteIsn;  // next sequence number of each side
  const auto t0 = wall_us(capture.start_steady);
  record(t0, packet(l, r, lseq++, 0, kSyn, {}));
  record(t0, packet(r, l, rseq++, lseq, kSyn | kAck, {}));
  record(t0, packet(l, r, lseq, rseq, kAck, {}));

  auto last = t0;
  for (const auto &segment : capture.segments) {
    const bool sent = segment.direction == TapTransport::Direction::sent;
    const Endpoint &from = sent ? l : r;
    const Endpoint &to = sent ? r : l;
    uint32_t &seq = sent ? lseq : rseq;
    const uint32_t ack = sent ? rseq : lseq;
    last = wall_us(segment.when);
    std::span<const uint8_t> rest(segment.bytes);
    while (!rest.empty()) {
      const std::size_t n = std::min(rest.size(), kPcapMaxPayload);
      record(last, packet(from, to, seq, ack, kAck | kPsh, rest.first(n)));
      seq += static_cast<uint32_t>(n);
      rest = rest.subspan(n);
    }
  }
  if (capture.closed) {
    record(last, packet(l, r, lseq++, rseq, kFin | kAck, {}));
    record(last, packet(r, l, rseq++, lseq, kFin | kAck, {}));
    record(last, packet(l, r, lseq, rseq, kAck, {}));
  }
  return std::move(w.out);
}

}  // namespace polytls::app
