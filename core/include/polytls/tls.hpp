// polytls/tls.hpp: TLS client and server sessions on any backend.
//
// A TlsContext holds what many connections share (certificates, trust,
// versions, ALPN, the session cache); a Session is one connection over a
// Transport it owns. Every step (handshake, read, write, close) returns at
// once with `want_read` / `want_write` on a non-blocking transport, so an
// event loop can drive many sessions; on a blocking transport it simply
// completes or fails.
#ifndef POLYTLS_TLS_HPP
#define POLYTLS_TLS_HPP

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "polytls/certificate.hpp"
#include "polytls/key.hpp"
#include "polytls/result.hpp"
#include "polytls/transport.hpp"

namespace polytls {

class Backend;

// TlsVersion is a protocol version; values are the wire numbers.
enum class TlsVersion : uint16_t { tls12 = 0x0303, tls13 = 0x0304 };
// to_string renders "TLS 1.2" / "TLS 1.3".
std::string_view to_string(TlsVersion version) noexcept;
// parse_tls_version reads "1.2", "1.3", "tls1.2", "TLSv1.3".
Result<TlsVersion> parse_tls_version(std::string_view text);

// ClientAuth is what a server asks of clients.
enum class ClientAuth : uint32_t { none = 0, request = 1, require = 2 };

// KeylogCallback receives NSS key log lines (SSLKEYLOGFILE format, no newline).
using KeylogCallback = std::function<void(std::string_view line)>;

// Identity is a certificate chain (leaf first) and the leaf's private key.
struct Identity {
  std::vector<Certificate> chain;
  Key key;
};

// TlsServerConfig configures a server context.
struct TlsServerConfig {
  std::vector<Certificate> chain;  // leaf first; required
  std::optional<Key> key;          // the leaf's private key; required
  TlsVersion min_version = TlsVersion::tls12;
  TlsVersion max_version = TlsVersion::tls13;
  std::vector<std::string> alpn;  // offered protocols, server preference first
  ClientAuth client_auth = ClientAuth::none;
  std::vector<Certificate> client_anchors;  // trust for client certificates
  // resumption: unset enables it when the backend has it; true requires it.
  std::optional<bool> resumption;
  KeylogCallback keylog;  // empty: no key log
  // cipher_suites and groups restrict the context (IANA numbers, the
  // server's preference first); empty means the secure defaults. Suites must
  // be among secure_cipher_suites() with at least one for each version in
  // the range; groups among secure_groups(); no duplicates. A backend
  // without Capability::tls_select refuses a selection (`unsupported`).
  std::vector<uint16_t> cipher_suites;
  std::vector<uint16_t> groups;
};

// TlsClientConfig configures a client context. Verification is on by
// default: the server's chain must reach `anchors` (or the system store)
// and its certificate must name the host the session connects to.
struct TlsClientConfig {
  std::vector<Certificate> anchors;
  // use_system_store adds the operating system's trusted CAs ($POLYTLS_CA_FILE,
  // else /etc/ssl/certs/ca-certificates.crt).
  bool use_system_store = false;
  // verify = false turns every check of the server's certificate off (chain,
  // dates, name). Only pins, if any, are still enforced. Say it loudly.
  bool verify = true;
  // pins are SHA-256 digests of acceptable SubjectPublicKeyInfos (RFC 7469
  // style); when not empty, the server's key must be one of them.
  std::vector<std::array<uint8_t, 32>> pins;
  TlsVersion min_version = TlsVersion::tls12;
  TlsVersion max_version = TlsVersion::tls13;
  std::vector<std::string> alpn;
  std::vector<Certificate> chain;  // client certificate, leaf first (optional)
  std::optional<Key> key;
  std::optional<bool> resumption;  // as for servers
  KeylogCallback keylog;
  // cipher_suites and groups: as for servers; the client offers exactly
  // these, by this preference, and in TLS 1.3 sends its key share for the
  // first group.
  std::vector<uint16_t> cipher_suites;
  std::vector<uint16_t> groups;
};

// SessionTicket is a client session saved for resumption on the same backend.
struct SessionTicket {
  std::string backend;
  std::vector<uint8_t> data;
};

// ClientSessionOptions start one client connection.
struct ClientSessionOptions {
  // host is the server's name or IP address: sent as SNI (names only) and
  // checked against the certificate. Required while verifying.
  std::string host;
  const SessionTicket *resume = nullptr;
};

// SessionInfo is what a handshake negotiated.
struct SessionInfo {
  TlsVersion version = TlsVersion::tls12;
  uint16_t cipher_suite = 0;      // IANA number
  std::string cipher_suite_name;  // IANA name, e.g. "TLS_AES_128_GCM_SHA256"
  uint16_t group = 0;             // IANA NamedGroup, 0 if the library cannot say
  std::string group_name;         // "x25519", "secp256r1", or "" when unknown
  std::string alpn;               // empty: none
  bool resumed = false;
  std::string server_name;  // server side: the SNI received
};

// cipher_suite_name and group_name give IANA names ("" when unknown).
std::string_view cipher_suite_name(uint16_t suite) noexcept;
std::string_view group_name(uint16_t group) noexcept;

// secure_cipher_suites lists the suites polytls allows for `version`, in
// its default order of preference: TLS 1.3 0x1301 0x1302 0x1303; TLS 1.2
// ECDHE with AES-GCM or ChaCha20-Poly1305 (0xC02B 0xC02F 0xC02C 0xC030
// 0xCCA9 0xCCA8). secure_groups: x25519, secp256r1, secp384r1.
std::span<const uint16_t> secure_cipher_suites(TlsVersion version) noexcept;
std::span<const uint16_t> secure_groups() noexcept;
// cipher_suite_version tells which version a secure suite belongs to.
std::optional<TlsVersion> cipher_suite_version(uint16_t suite) noexcept;

// parse_cipher_suite reads an IANA name ("TLS_AES_128_GCM_SHA256"), an
// OpenSSL name ("ECDHE-RSA-AES128-GCM-SHA256") or a number ("0x1301").
// parse_group reads "x25519", "secp256r1" / "P-256" / "prime256v1",
// "secp384r1" / "P-384", other IANA group names, or a number ("0x001d").
// Both are case-insensitive; unknown text is `bad_input`. Whether a suite or
// group is allowed is decided when a context is made.
Result<uint16_t> parse_cipher_suite(std::string_view text);
Result<uint16_t> parse_group(std::string_view text);
// parse_cipher_suites / parse_groups read a comma-separated list.
Result<std::vector<uint16_t>> parse_cipher_suites(std::string_view list);
Result<std::vector<uint16_t>> parse_groups(std::string_view list);

namespace detail {
struct ContextState;
struct SessionState;
struct Access;
}  // namespace detail

// Session is one TLS connection; move-only.
class Session {
 public:
  Session(Session &&) noexcept;
  Session &operator=(Session &&) noexcept;
  ~Session();

  // handshake runs (or continues) the handshake. Errors: want_read /
  // want_write (call again), untrusted, expired, not_yet_valid,
  // hostname_mismatch, pin_mismatch, protocol_version, no_shared_cipher,
  // no_application_protocol, handshake, peer_closed, io, timeout.
  Result<void> handshake();
  bool is_handshake_done() const noexcept;

  // read returns 1..buffer.size() decrypted bytes. `peer_closed` once the
  // peer sent close_notify; `io` if the stream ended without it; want_*.
  // Decrypted bytes can remain buffered in the library after a read: an
  // event loop reads until want_read before it waits on the socket again.
  Result<std::size_t> read(std::span<uint8_t> buffer);
  // write encrypts 1..data.size() bytes and returns how many it took. After
  // want_read / want_write, call it again with the same data.
  Result<std::size_t> write(std::span<const uint8_t> data);
  // write_all writes everything (for blocking transports: on a non-blocking
  // transport it returns want_* with part of the data written; prefer write).
  Result<void> write_all(std::span<const uint8_t> data);
  // close sends close_notify (want_write: call again).
  Result<void> close();

  // info describes what was negotiated (after the handshake).
  Result<SessionInfo> info() const;
  // peer_certificates returns the peer's chain, leaf first, held by this
  // session's backend.
  Result<std::vector<Certificate>> peer_certificates() const;
  // export_ticket saves the session for resumption (client side; with TLS 1.3
  // after some application data was read, when the ticket has arrived).
  Result<SessionTicket> export_ticket() const;

  Transport &transport() noexcept;
  Backend backend() const;

 private:
  friend struct detail::Access;
  explicit Session(std::unique_ptr<detail::SessionState> state);
  std::unique_ptr<detail::SessionState> state_;
};

// TlsContext is a client or server configuration on one backend; cheap to copy.
class TlsContext {
 public:
  // connect starts a client session over `transport` (no bytes move yet).
  Result<Session> connect(std::unique_ptr<Transport> transport,
                          const ClientSessionOptions &options) const;
  // accept starts a server session over `transport`.
  Result<Session> accept(std::unique_ptr<Transport> transport) const;

  bool is_server() const noexcept;
  Backend backend() const;

 private:
  friend struct detail::Access;
  explicit TlsContext(std::shared_ptr<detail::ContextState> state) : state_(std::move(state)) {}
  std::shared_ptr<detail::ContextState> state_;
};

// spki_pin returns the SHA-256 of a certificate's SubjectPublicKeyInfo,
// the value TlsClientConfig::pins holds.
Result<std::array<uint8_t, 32>> spki_pin(const Certificate &certificate);
// parse_pin reads "sha256//BASE64" (curl's form) or 64 hex digits.
Result<std::array<uint8_t, 32>> parse_pin(std::string_view text);

}  // namespace polytls

#endif  // POLYTLS_TLS_HPP
