// engine.hpp: what polytls-bench measures, one library at a time.
//
// An Engine runs TLS handshakes and bulk transfers on one library: either
// through polytls (PolytlsEngine, on any registered backend) or written
// straight against that library's own API (the direct references,
// direct_<library>.cpp). The runner (runner.cpp) drives both the same way,
// over the same transports, in the same process run, so the framework's
// overhead is a measured ratio.
//
// Both kinds do the same work per connection: the server presents the
// case's certificate; the client verifies it against that certificate as
// its only trust anchor and checks the host name "localhost"; exactly one
// version, one group and (for bulk cases) one cipher suite are enabled on
// both sides; ALPN, client authentication and key logs are off; resumption
// is on only when the case asks for it.
#ifndef POLYTLS_BENCH_ENGINE_HPP
#define POLYTLS_BENCH_ENGINE_HPP

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "polytls/algorithms.hpp"
#include "polytls/result.hpp"
#include "polytls/tls.hpp"
#include "polytls/transport.hpp"

namespace polytls::bench {

// ServerIdentity is a self-signed server certificate for "localhost"
// (SAN DNS:localhost) and its key, as PEM, the same bytes for every engine.
struct ServerIdentity {
  KeyType key_type = KeyType::ecdsa_p256;
  std::string certificate_pem;  // "CERTIFICATE"
  std::string key_pem;          // unencrypted PKCS#8 "PRIVATE KEY"
};

// Case is one configuration to measure.
struct Case {
  TlsVersion version = TlsVersion::tls13;  // the only version enabled
  uint16_t group = 0x001d;                 // the only group enabled (IANA)
  // cipher_suite: the only suite enabled (IANA); 0 leaves the library's
  // default order among polytls's secure suites for `version`.
  uint16_t cipher_suite = 0;
  // client_extra_group, when not 0, is offered by the client after `group`
  // (the server still enables `group` only, so that is the key exchange).
  // The runner sets it to secp256r1 for TLS 1.2 with an ECDSA P-256
  // certificate: RFC 8422 lets the client's supported_groups also govern
  // the curve of the server's ECDSA certificate.
  uint16_t client_extra_group = 0;
  const ServerIdentity *identity = nullptr;
  // resumption turns session resumption on at both sides (TLS 1.3 tickets;
  // TLS 1.2 tickets or session IDs, as the library prefers); off, both
  // sides refuse to resume.
  bool resumption = false;
};

// Step is the outcome of one non-blocking call.
enum class Step { done, want_read, want_write, failed };

// Peer is one end of one connection. Every call returns at once on a
// non-blocking transport (want_read / want_write: call again later) and
// completes or fails on a blocking one.
class Peer {
 public:
  virtual ~Peer() = default;
  virtual Step handshake() = 0;
  // write encrypts 1..data.size() bytes; `n` receives how many were taken.
  virtual Step write(std::span<const uint8_t> data, std::size_t &n) = 0;
  // read decrypts 1..buffer.size() bytes into `buffer`; `n` receives how many.
  virtual Step read(std::span<uint8_t> buffer, std::size_t &n) = 0;
  // resumed tells whether the finished handshake resumed a session.
  virtual bool resumed() const = 0;
  // error describes the last `failed` step.
  virtual std::string error() const = 0;
};

// Ticket is a client session saved for resumption (engine-specific).
class Ticket {
 public:
  virtual ~Ticket() = default;
};

// Engine makes peers for one library.
class Engine {
 public:
  virtual ~Engine() = default;
  // backend is the polytls backend name this engine stands for
  // ("openssl", "mbedtls", "wolfssl", "gnutls").
  virtual std::string backend() const = 0;
  // direct is true for a reference written against the library's own API.
  virtual bool direct() const = 0;
  // library names the library and its run-time version ("OpenSSL 3.0.17").
  virtual std::string library() const = 0;
  // prepare builds the server and client contexts for `c` (replacing those
  // of an earlier case). A library that cannot do the case returns
  // ErrorCode::unsupported with the reason; other failures are errors.
  virtual Result<void> prepare(const Case &c) = 0;
  // server / client start a connection over `io`, which the peer owns and
  // reads and writes through (blocking or not). `resume`, when set, is a
  // ticket save() returned from an earlier client of this engine and case.
  // Both may be called from different threads at once (server in one,
  // client in another); prepare never runs concurrently with them.
  virtual Result<std::unique_ptr<Peer>> server(std::unique_ptr<Transport> io) = 0;
  virtual Result<std::unique_ptr<Peer>> client(std::unique_ptr<Transport> io,
                                               const Ticket *resume) = 0;
  // save returns the session of a client whose handshake is done and which
  // has read at least one byte of application data (so TLS 1.3 tickets have
  // arrived). Errors when the case has resumption off or no ticket came.
  virtual Result<std::unique_ptr<Ticket>> save(Peer &client) = 0;
};

// needs_rsa tells whether a TLS 1.2 suite is ECDHE_RSA, so needs an RSA
// key (ECDHE_ECDSA suites take ECDSA or EdDSA keys, RFC 8422; TLS 1.3
// suites any key), from the kit's table of polytls's suites.
bool needs_rsa(uint16_t suite) noexcept;

// check_case checks what every engine needs of a case: an identity,
// groups and a cipher suite among polytls's secure ones (bad_input
// otherwise), and, in TLS 1.2, a suite the case's key can sign for
// (unsupported otherwise).
Result<void> check_case(const Case &c);

// make_direct_engine returns the direct reference for `backend`, or
// nullptr when this build has none for it (direct.cpp).
std::unique_ptr<Engine> make_direct_engine(const std::string &backend);

// One factory per library, each in direct_<library>.cpp; CMake compiles
// those whose library it found and defines POLYTLS_BENCH_DIRECT_<LIBRARY>.
std::unique_ptr<Engine> make_direct_openssl();
std::unique_ptr<Engine> make_direct_mbedtls();
std::unique_ptr<Engine> make_direct_wolfssl();
std::unique_ptr<Engine> make_direct_gnutls();

}  // namespace polytls::bench

#endif  // POLYTLS_BENCH_ENGINE_HPP
