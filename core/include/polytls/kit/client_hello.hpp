// polytls/kit/client_hello.hpp: the first ClientHello, as a server backend
// reads it before its library does.
//
// Some libraries answer a ClientHello they cannot serve with the wrong alert
// (Mbed TLS 2.28 ignores supported_versions; wolfSSL 5.5.4 mishandles two
// cases). A backend that must decide such a case itself looks at the
// client's first flight here: `first_client_hello` finds the first handshake
// message in the bytes received so far, `parse_client_hello` reads the
// fields that decide versions and groups. The wire format is the same for
// every backend, so it is read once, here. Header-only: it needs only the
// standard library and `polytls/abi/types.h` (backends cannot use the core's
// `polytls/wire.hpp`).
//
// Every read is bounded: truncated or malformed input is a failed parse or
// `not_a_client_hello`, never undefined behaviour. Nothing throws except
// std::bad_alloc from the vectors.
#ifndef POLYTLS_KIT_CLIENT_HELLO_HPP
#define POLYTLS_KIT_CLIENT_HELLO_HPP

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "polytls/abi/types.h"

namespace polytls::kit {

// Wire numbers this header reads (RFC 8446).
inline constexpr uint8_t kTlsContentHandshake = 22;
inline constexpr uint8_t kTlsHandshakeClientHello = 1;
inline constexpr uint16_t kTlsExtSupportedGroups = 0x000a;
inline constexpr uint16_t kTlsExtSupportedVersions = 0x002b;
// The longest record a peer may send: 2^14 bytes plus 2048 of expansion.
inline constexpr std::size_t kTlsMaxRecordLength = 16384 + 2048;

// WireCursor reads big-endian fields from a borrowed byte range (keep it
// alive while the cursor and the ranges it returns are used). A read past
// the end returns 0 or an empty range and marks the cursor failed; the mark
// sticks, and every later read fails too.
class WireCursor {
 public:
  explicit WireCursor(std::span<const uint8_t> in) noexcept : in_(in) {}

  bool failed() const noexcept { return failed_; }
  // left is what remains unread (0 once failed).
  std::size_t left() const noexcept { return failed_ ? 0 : in_.size() - pos_; }

  // number reads an unsigned `n`-byte big-endian integer (n is 1 to 4).
  uint32_t number(std::size_t n) noexcept {
    if (failed_ || n > 4 || left() < n) {
      failed_ = true;
      return 0;
    }
    uint32_t v = 0;
    for (std::size_t i = 0; i < n; ++i)
      v = (v << 8) | in_[pos_++];
    return v;
  }
  // bytes reads `n` bytes, as a range into the cursor's input.
  std::span<const uint8_t> bytes(std::size_t n) noexcept {
    if (failed_ || left() < n) {
      failed_ = true;
      return {};
    }
    const std::span<const uint8_t> out = in_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  // vector reads a length prefix of `prefix` bytes, then that many bytes.
  std::span<const uint8_t> vector(std::size_t prefix) noexcept { return bytes(number(prefix)); }

 private:
  std::span<const uint8_t> in_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

// ClientHelloSummary is what a server backend needs from a ClientHello to
// decide versions and groups. Its fields mean something only when `parsed`.
struct ClientHelloSummary {
  bool parsed = false;          // the whole message read without overrun
  uint16_t legacy_version = 0;  // ClientHello.legacy_version
  bool has_supported_versions = false;
  std::vector<uint16_t> supported_versions;  // in the client's order
  bool has_supported_groups = false;
  std::vector<uint16_t> groups;  // supported_groups, in the client's order

  // offers tells whether the client offers `version` (POLYTLS_TLS1_2, ...),
  // as RFC 8446 4.2.1 reads a ClientHello: with supported_versions present
  // (even empty), exactly the versions it lists; without it, every version
  // up to legacy_version, but never TLS 1.3 or later (a server "MUST
  // negotiate TLS 1.2 or prior ... even if ClientHello.legacy_version is
  // 0x0304 or later").
  bool offers(uint16_t version) const noexcept { return offers_any(version, version); }

  // offers_any tells whether the client offers some version from `lowest`
  // to `highest` (inclusive), by the rule of `offers`.
  bool offers_any(uint16_t lowest, uint16_t highest) const noexcept {
    if (has_supported_versions) {
      for (uint16_t v : supported_versions) {
        if (v >= lowest && v <= highest) return true;
      }
      return false;
    }
    uint16_t top = legacy_version < POLYTLS_TLS1_2 ? legacy_version : uint16_t{POLYTLS_TLS1_2};
    if (highest < top) top = highest;
    return lowest <= top;
  }

  // offers_group tells whether supported_groups lists `group` (an IANA
  // NamedGroup: 0x001d x25519, 0x0017 secp256r1, ...).
  bool offers_group(uint16_t group) const noexcept {
    for (uint16_t g : groups) {
      if (g == group) return true;
    }
    return false;
  }
};

namespace client_hello_detail {

// u16_list appends a list's 16-bit entries to `out`, two bytes at a time;
// an odd last byte is ignored.
inline void u16_list(std::span<const uint8_t> list, std::vector<uint16_t> &out) {
  WireCursor c{list};
  while (c.left() >= 2)
    out.push_back(static_cast<uint16_t>(c.number(2)));
}

}  // namespace client_hello_detail

// parse_client_hello reads a ClientHello's body (the handshake message
// after its 4-byte header: legacy_version first). It reads legacy_version,
// skips random, session id, cipher suites and compression methods, and
// reads supported_versions and supported_groups from the extensions (which
// may be absent altogether); other extensions are skipped unread. A
// repeated extension adds to its list; bytes after a list inside its
// extension, or after the extensions, are ignored. On any overrun, the
// result is a default summary (`parsed` false, lists empty). `body` is
// borrowed for the call; the result owns its lists.
inline ClientHelloSummary parse_client_hello(std::span<const uint8_t> body) {
  ClientHelloSummary hello;
  WireCursor r{body};
  hello.legacy_version = static_cast<uint16_t>(r.number(2));
  r.bytes(32);  // random
  r.vector(1);  // legacy_session_id
  r.vector(2);  // cipher_suites
  r.vector(1);  // legacy_compression_methods
  if (r.left() > 0) {
    WireCursor exts{r.vector(2)};
    while (exts.left() > 0) {
      const uint32_t type = exts.number(2);
      WireCursor ext{exts.vector(2)};
      if (type == kTlsExtSupportedVersions) {
        hello.has_supported_versions = true;
        client_hello_detail::u16_list(ext.vector(1), hello.supported_versions);
      } else if (type == kTlsExtSupportedGroups) {
        hello.has_supported_groups = true;
        client_hello_detail::u16_list(ext.vector(2), hello.groups);
      }
      if (ext.failed()) return {};
    }
    if (exts.failed()) return {};
  }
  if (r.failed()) return {};
  hello.parsed = true;
  return hello;
}

// FirstHello is what `first_client_hello` found in the bytes so far.
enum class FirstHello {
  need_more,           // no complete first handshake message yet
  not_a_client_hello,  // not TLS, or the first message is not a ClientHello
  complete,            // the ClientHello's body is in `body`
};

// first_client_hello looks at a server's received byte stream from its
// start: it joins the fragments of the handshake records there (a message
// may span records) until the first handshake message is complete. Returns
// `complete` with that message's body (after its 4-byte header, ready for
// parse_client_hello) in `body`; `not_a_client_hello` when a record before
// then is not a handshake record (content type 22), a record header is
// malformed (version major not 3, or length over 2^14 + 2048), or the
// message is not a ClientHello (type 1); `need_more` otherwise. Whatever
// follows the message is ignored. `stream` is borrowed for the call; `body`
// is the caller's, overwritten, and left empty unless the result is
// `complete`.
inline FirstHello first_client_hello(std::span<const uint8_t> stream, std::vector<uint8_t> &body) {
  body.clear();
  std::size_t pos = 0;
  while (stream.size() - pos >= 5) {
    const uint8_t type = stream[pos];
    const uint8_t major = stream[pos + 1];
    const std::size_t len = (std::size_t{stream[pos + 3]} << 8) | stream[pos + 4];
    if (type != kTlsContentHandshake || major != 3 || len > kTlsMaxRecordLength) {
      body.clear();
      return FirstHello::not_a_client_hello;
    }
    if (stream.size() - pos - 5 < len) break;  // the record is still arriving
    const std::span<const uint8_t> fragment = stream.subspan(pos + 5, len);
    body.insert(body.end(), fragment.begin(), fragment.end());
    pos += 5 + len;
    if (!body.empty() && body[0] != kTlsHandshakeClientHello) {
      body.clear();
      return FirstHello::not_a_client_hello;
    }
    if (body.size() >= 4) {
      const std::size_t n =
          (std::size_t{body[1]} << 16) | (std::size_t{body[2]} << 8) | std::size_t{body[3]};
      if (body.size() - 4 >= n) {
        body.erase(body.begin(), body.begin() + 4);
        body.resize(n);
        return FirstHello::complete;
      }
    }
  }
  body.clear();
  return FirstHello::need_more;
}

}  // namespace polytls::kit

#endif  // POLYTLS_KIT_CLIENT_HELLO_HPP
