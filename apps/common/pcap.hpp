// pcap.hpp: a TLS connection recorded by a TapTransport, written as a pcap
// capture that Wireshark and tshark open: each recorded segment becomes TCP
// segments between the two endpoints (with a synthetic three-way handshake,
// sequence and acknowledgement numbers, checksums and a closing FIN
// exchange), over IPv4 or IPv6, with the times the tap saw.
#ifndef POLYTLS_APPS_PCAP_HPP
#define POLYTLS_APPS_PCAP_HPP

#include <array>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "polytls/result.hpp"
#include "polytls/transport.hpp"

namespace polytls::app {

// Endpoint is one end of the connection: an IPv4 or IPv6 address and a port.
struct Endpoint {
  bool ipv6 = false;
  std::array<uint8_t, 16> address{};  // the first 4 bytes for IPv4
  uint16_t port = 0;

  // parse reads "127.0.0.1", "::1" (no brackets) and a port.
  static Result<Endpoint> parse(const std::string &address, uint16_t port);
};

// local_endpoint and peer_endpoint read a connected socket's two ends.
Result<Endpoint> local_endpoint(int fd);
Result<Endpoint> peer_endpoint(int fd);

// PcapCapture is the connection as the tap recorded it, from `local` (our
// side: the tap's `sent` bytes) to `remote`.
struct PcapCapture {
  Endpoint local;
  Endpoint remote;
  std::span<const TapTransport::Segment> segments;
  // start is when the connection began, on both clocks: the synthetic TCP
  // handshake is stamped then, and each segment at its offset from it.
  std::chrono::steady_clock::time_point start_steady;
  std::chrono::system_clock::time_point start_wall;
  bool closed = true;  // add the FIN exchange at the end
};

// kPcapMaxPayload is the most payload one synthetic TCP segment carries
// (an Ethernet-sized segment); longer tap segments are split.
inline constexpr std::size_t kPcapMaxPayload = 1448;

// pcap_bytes renders the capture as a pcap file (microsecond timestamps,
// link type RAW: each packet an IPv4 or IPv6 datagram). Both endpoints must
// be of the same family.
Result<std::vector<uint8_t>> pcap_bytes(const PcapCapture &capture);

}  // namespace polytls::app

#endif  // POLYTLS_APPS_PCAP_HPP
