// polytls/wire.hpp: reading TLS as it goes over the wire, the same for
// every backend: records, and the plaintext handshake messages at the start
// (ClientHello, ServerHello, ServerKeyExchange). Every read is bounds-checked:
// malformed or truncated input is an Error, never undefined behaviour.
#ifndef POLYTLS_WIRE_HPP
#define POLYTLS_WIRE_HPP

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "polytls/result.hpp"

namespace polytls::wire {

// Content types.
inline constexpr uint8_t kChangeCipherSpec = 20;
inline constexpr uint8_t kAlert = 21;
inline constexpr uint8_t kHandshake = 22;
inline constexpr uint8_t kApplicationData = 23;

// Handshake message types.
inline constexpr uint8_t kClientHello = 1;
inline constexpr uint8_t kServerHello = 2;
inline constexpr uint8_t kServerKeyExchange = 12;

// Record is one TLS record; `fragment` points into the parsed buffer.
struct Record {
  uint8_t content_type = 0;
  uint16_t version = 0;
  std::span<const uint8_t> fragment;
};

// Records is what split_records found: whole records, then how many bytes
// at the end belong to a record that is not complete yet, or (when
// `not_tls` says why) that are not TLS at all.
struct Records {
  std::vector<Record> records;
  std::size_t incomplete_tail = 0;
  std::string not_tls;
};

// split_records cuts a byte stream into records, which point into `stream`
// (keep it alive while they are used). A header with an unknown content
// type or a length over 2^14 + 2048 is `bad_input` (not TLS) when it comes
// first; after whole records, those are returned and `not_tls` is set.
Result<Records> split_records(std::span<const uint8_t> stream);

// HandshakeMessage is one handshake message (type and body).
struct HandshakeMessage {
  uint8_t type = 0;
  std::vector<uint8_t> body;
};

// plaintext_handshake joins the handshake records that come before anything
// encrypted (a ChangeCipherSpec, or application data) and cuts them into
// messages. In TLS 1.3 only the ClientHello / ServerHello are plaintext.
Result<std::vector<HandshakeMessage>> plaintext_handshake(std::span<const Record> records);

// ClientHello fields.
struct ClientHello {
  uint16_t legacy_version = 0;
  std::vector<uint16_t> cipher_suites;
  std::vector<uint16_t> supported_versions;  // from the extension, if any
  std::vector<uint16_t> groups;              // supported_groups
  std::vector<uint16_t> key_share_groups;    // TLS 1.3 key_share
  std::string server_name;                   // SNI host name, if any
  std::vector<std::string> alpn;
};

// ServerHello fields.
struct ServerHello {
  uint16_t legacy_version = 0;
  uint16_t cipher_suite = 0;
  std::optional<uint16_t> selected_version;  // supported_versions (TLS 1.3)
  std::optional<uint16_t> key_share_group;   // key_share (TLS 1.3)
  bool hello_retry_request = false;
  std::string alpn;  // TLS 1.2 puts ALPN here
  // negotiated_version is selected_version if present, else legacy_version.
  uint16_t negotiated_version() const { return selected_version.value_or(legacy_version); }
};

Result<ClientHello> parse_client_hello(std::span<const uint8_t> body);
Result<ServerHello> parse_server_hello(std::span<const uint8_t> body);
// server_key_exchange_group reads the named curve of a TLS 1.2 ECDHE
// ServerKeyExchange; `not_found` for other kinds.
Result<uint16_t> server_key_exchange_group(std::span<const uint8_t> body);

}  // namespace polytls::wire

#endif  // POLYTLS_WIRE_HPP
