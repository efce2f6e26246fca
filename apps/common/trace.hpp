// trace.hpp: a TLS connection shown as a packet analyser shows it, built
// only from the bytes a TapTransport recorded, so it reads the same on every
// backend: each record (direction, content type, version bytes, length), the
// plaintext handshake messages with the ClientHello's and ServerHello's
// fields, and everything after the keys changed as encrypted data.
#ifndef POLYTLS_APPS_TRACE_HPP
#define POLYTLS_APPS_TRACE_HPP

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <span>
#include <string>
#include <vector>

#include "polytls/transport.hpp"

namespace polytls::app {

// TraceOptions name the two sides in the listing.
struct TraceOptions {
  std::string local = "client";
  std::string remote = "server";
};

// trace_lines renders the recorded segments, one line per record or message
// field. Bytes that are not TLS are shown as such, not parsed further.
std::vector<std::string> trace_lines(std::span<const TapTransport::Segment> segments,
                                     const TraceOptions &options = {});

// version_text names a protocol version: "TLS 1.2 (0x0303)".
std::string version_text(uint16_t version);
// content_type_text names a record content type: "Handshake (22)".
std::string content_type_text(uint8_t type);
// handshake_type_text names a handshake message: "ClientHello (1)".
std::string handshake_type_text(uint8_t type);
// alert_text names an alert description: "handshake_failure (40)".
std::string alert_text(uint8_t description);

}  // namespace polytls::app

#endif  // POLYTLS_APPS_TRACE_HPP
