// tls_support.hpp: helpers for TLS tests: a small PKI per backend, driving
// two sessions against each other without threads, moving data.
#ifndef POLYTLS_TESTS_TLS_SUPPORT_HPP
#define POLYTLS_TESTS_TLS_SUPPORT_HPP

#include <string>
#include <vector>

#include "support.hpp"

namespace polytls::test {

// Pki is what TLS tests need, made once by one backend.
struct Pki {
  Certificate ca;  // "polytls Test CA"
  Key ca_key;
  Certificate server;  // localhost, 127.0.0.1, ::1, *.example.test; issued by `ca`
  Key server_key;
  Certificate client;  // clientAuth, issued by `ca`
  Key client_key;
  Certificate expired;      // like `server`, expired a month ago (key: server_key)
  Certificate other_ca;     // an unrelated CA
  Certificate self_signed;  // a self-signed server certificate (key: server_key)
};

// pki returns the PKI of `backend_name` whose server and client keys are `type`.
const Pki &pki(const std::string &backend_name, KeyType type);

// copy reads a certificate over into `backend` (or the same one).
Certificate copy(const Certificate &cert, const Backend &backend);
std::vector<Certificate> copies(const Certificate &cert, const Backend &backend);
// copy_key reads a private key over into `backend` through PKCS#8.
Key copy_key(const Key &key, const Backend &backend);

// has_tls tells whether the backend does TLS at all; supports_version one version.
bool has_tls(const Backend &backend);
bool supports_version(const Backend &backend, TlsVersion version);

// HandshakeOutcome is how both sides ended a pumped handshake.
struct HandshakeOutcome {
  Result<void> client = ::polytls::ok();
  Result<void> server = ::polytls::ok();
  bool both_ok() const { return client.has_value() && server.has_value(); }
};

// pump drives both handshakes over non-blocking transports until both are
// done or failed (at most `max_rounds` rounds; a side still waiting then
// fails with `timeout`).
HandshakeOutcome pump(Session &client, Session &server, int max_rounds = 500);

// first_read reads until data arrives (ok) or an error other than want_*
// comes back (that error), within a bounded number of attempts. In TLS 1.3 a
// client completes its handshake before the server judges its certificate:
// the server's refusal then arrives as an alert at the client's first read.
Result<void> first_read(Session &session);

// transfer writes `data` on `from` and reads it on `to`, interleaved, over
// non-blocking transports; returns what arrived.
Result<std::vector<uint8_t>> transfer(Session &from, Session &to, std::span<const uint8_t> data);

// SessionPair is a client and server session over an in-memory pair.
struct SessionPair {
  Session client;
  Session server;
  TapTransport *tap = nullptr;  // the client's transport, recording the wire
};

// connect_memory starts both sessions over a non-blocking in-memory pair,
// the client's side tapped.
Result<SessionPair> connect_memory(const TlsContext &client, const TlsContext &server,
                                   const ClientSessionOptions &options);

// random_payload returns `n` deterministic pseudo-random bytes.
std::vector<uint8_t> random_payload(std::size_t n, uint32_t seed = 1);

}  // namespace polytls::test

#endif  // POLYTLS_TESTS_TLS_SUPPORT_HPP
