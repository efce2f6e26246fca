// direct_mbedtls.cpp: the direct reference for Mbed TLS 2.28, written
// against its ssl module without polytls.
//
// It configures the library as polytls's mbedtls backend does, so both do
// the same work per connection:
//   - TLS 1.2 only (2.28 has no TLS 1.3), renegotiation off;
//   - one CTR_DRBG for the engine, seeded once and shared by every session
//     of both sides (Mbed TLS locks it, MBEDTLS_THREADING_C), as the backend
//     shares one generator per process;
//   - ECDHE suites with AES-GCM or ChaCha20-Poly1305, or exactly the case's;
//     exactly the case's group (mbedtls_ssl_conf_curves), the client
//     offering the case's extra group after it when there is one;
//   - client: MBEDTLS_SSL_VERIFY_REQUIRED against the case's certificate as
//     the only trust anchor; mbedtls_ssl_set_hostname("localhost") sends SNI
//     and makes Mbed TLS check the name (polytls checks it in its own
//     callback instead);
//   - server: no client authentication;
//   - resumption on: the client asks for tickets; the server seals them with
//     AES-256-GCM keys that live one day and keeps a session-ID cache (the
//     library's defaults) for clients that ask for none. Resumption off: no
//     tickets on either side and no server cache.
//
// Unlike the backend, which builds an mbedtls_ssl_config and parses the
// private key and the anchors anew for every session (so that any number
// of threads can share one polytls context), each side here has one
// mbedtls_ssl_config made in prepare(), as Mbed TLS intends. That is safe
// under engine.hpp's contract (servers on one thread, clients on another):
// the only objects both sides touch are the DRBG, which Mbed TLS locks, and
// the read-only configurations. (Mbed TLS caches precomputed EC points
// inside a key on its first use: the server's key and the client's anchor
// are separate objects, each used by one side only.)
//
// Mbed TLS 2.28 has no getter for "the handshake resumed a session": the
// peer steps the handshake itself and reads ssl->handshake->resume
// (ssl_internal.h, installed with the library) after each step, before the
// last step frees ssl->handshake. This is how the backend learns it too.
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>
#include <mbedtls/ssl_ciphersuites.h>
#include <mbedtls/ssl_internal.h>
#include <mbedtls/ssl_ticket.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "engine.hpp"

namespace polytls::bench {
namespace {

// The TLS 1.2 suites polytls allows, in its order of preference (the
// backend's defaults when the case names no suite).
constexpr std::array<int, 6> kSecureSuites = {
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
};

// The groups polytls allows: x25519, secp256r1, secp384r1.
constexpr std::array<uint16_t, 3> kSecureGroups = {0x001d, 0x0017, 0x0018};

constexpr uint32_t kTicketLifetime = 86400;  // seconds, as the backend
constexpr char kHostName[] = "localhost";
constexpr char kPersonalisation[] = "polytls-bench direct mbedtls";

// library_text is Mbed TLS's description of an error code, with the code.
std::string library_text(int rc) {
  char text[160];
  mbedtls_strerror(rc, text, sizeof(text));
  char line[200];
  std::snprintf(line, sizeof(line), "%s (-0x%04x)", text, static_cast<unsigned>(-rc));
  return line;
}

Error library_error(ErrorCode code, const std::string &what, int rc) {
  return Error(code, what + ": " + library_text(rc), "mbedtls", rc);
}

// Random is the engine's one random generator.
struct Random {
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;

  Random() {
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
  }
  ~Random() {
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
  }
  Random(const Random &) = delete;
  Random &operator=(const Random &) = delete;
};

// Setup is what prepare() builds for one case: both sides' configurations
// and everything they point to.
struct Setup {
  std::shared_ptr<Random> random;
  bool resumption = false;
  mbedtls_x509_crt chain;    // the server's certificate
  mbedtls_pk_context key;    // the server's private key
  mbedtls_x509_crt anchors;  // the client's trust: the same certificate, parsed apart
  mbedtls_ssl_ticket_context tickets;
  mbedtls_ssl_cache_context cache;
  std::vector<int> suites;  // 0-terminated
  // The groups, each list MBEDTLS_ECP_DP_NONE-terminated.
  std::vector<mbedtls_ecp_group_id> server_curves;
  std::vector<mbedtls_ecp_group_id> client_curves;
  mbedtls_ssl_config server;
  mbedtls_ssl_config client;

  explicit Setup(std::shared_ptr<Random> r) : random(std::move(r)) {
    mbedtls_x509_crt_init(&chain);
    mbedtls_pk_init(&key);
    mbedtls_x509_crt_init(&anchors);
    mbedtls_ssl_ticket_init(&tickets);
    mbedtls_ssl_cache_init(&cache);
    mbedtls_ssl_config_init(&server);
    mbedtls_ssl_config_init(&client);
  }
  ~Setup() {
    mbedtls_ssl_config_free(&client);
    mbedtls_ssl_config_free(&server);
    mbedtls_ssl_cache_free(&cache);
    mbedtls_ssl_ticket_free(&tickets);
    mbedtls_x509_crt_free(&anchors);
    mbedtls_pk_free(&key);
    mbedtls_x509_crt_free(&chain);
  }
  Setup(const Setup &) = delete;
  Setup &operator=(const Setup &) = delete;
};

// MbedTicket is a client session saved for resumption.
class MbedTicket final : public Ticket {
 public:
  MbedTicket() { mbedtls_ssl_session_init(&session_); }
  ~MbedTicket() override { mbedtls_ssl_session_free(&session_); }
  MbedTicket(const MbedTicket &) = delete;
  MbedTicket &operator=(const MbedTicket &) = delete;

  mbedtls_ssl_session *session() noexcept { return &session_; }
  const mbedtls_ssl_session *session() const noexcept { return &session_; }

 private:
  mbedtls_ssl_session session_;
};

// MbedPeer is one end of one connection. Mbed TLS reads and writes through
// the transport with the send / receive callbacks below.
class MbedPeer final : public Peer {
 public:
  MbedPeer(std::unique_ptr<Transport> io, std::shared_ptr<Setup> setup, bool client)
      : io_(std::move(io)), setup_(std::move(setup)), client_(client) {
    mbedtls_ssl_init(&ssl_);
  }
  ~MbedPeer() override { mbedtls_ssl_free(&ssl_); }
  MbedPeer(const MbedPeer &) = delete;
  MbedPeer &operator=(const MbedPeer &) = delete;

  // start binds the context to its configuration and transport; a client
  // also names the server and, to resume, takes a saved session.
  Result<void> start(const mbedtls_ssl_session *resume) {
    int rc = mbedtls_ssl_setup(&ssl_, client_ ? &setup_->client : &setup_->server);
    if (rc != 0) return library_error(ErrorCode::internal, "mbedtls_ssl_setup", rc);
    mbedtls_ssl_set_bio(&ssl_, this, send_callback, receive_callback, nullptr);
    if (client_) {
      rc = mbedtls_ssl_set_hostname(&ssl_, kHostName);
      if (rc != 0) return library_error(ErrorCode::internal, "mbedtls_ssl_set_hostname", rc);
      if (resume != nullptr) {
        rc = mbedtls_ssl_set_session(&ssl_, resume);
        if (rc != 0) return library_error(ErrorCode::internal, "mbedtls_ssl_set_session", rc);
      }
    }
    return ok();
  }

  Step handshake() override {
    while (ssl_.state != MBEDTLS_SSL_HANDSHAKE_OVER) {
      const int rc = mbedtls_ssl_handshake_step(&ssl_);
      // The last step frees `handshake`: keep the flag while it exists.
      if (ssl_.handshake != nullptr) resumed_ = ssl_.handshake->resume != 0;
      if (rc != 0) return outcome(rc, "handshake");
    }
    return Step::done;
  }

  Step write(std::span<const uint8_t> data, std::size_t &n) override {
    n = 0;
    // One record at most per call (2.28 writes no more), so the count fits an int.
    const int rc = mbedtls_ssl_write(&ssl_, data.data(), data.size());
    if (rc > 0) {
      n = static_cast<std::size_t>(rc);
      return Step::done;
    }
    return outcome(rc, "write");
  }

  Step read(std::span<uint8_t> buffer, std::size_t &n) override {
    n = 0;
    const int rc = mbedtls_ssl_read(&ssl_, buffer.data(), buffer.size());
    if (rc > 0) {
      n = static_cast<std::size_t>(rc);
      return Step::done;
    }
    if (rc == 0) {
      error_ = "read: the transport ended without close_notify";
      return Step::failed;
    }
    return outcome(rc, "read");
  }

  bool resumed() const override { return resumed_; }
  std::string error() const override { return error_; }

  const mbedtls_ssl_context *context() const noexcept { return &ssl_; }
  bool handshake_done() const noexcept { return ssl_.state == MBEDTLS_SSL_HANDSHAKE_OVER; }
  bool is_client() const noexcept { return client_; }

 private:
  // outcome maps a failed call: would block, or failed with the reason.
  Step outcome(int rc, const char *what) {
    if (rc == MBEDTLS_ERR_SSL_WANT_READ) return Step::want_read;
    if (rc == MBEDTLS_ERR_SSL_WANT_WRITE) return Step::want_write;
    error_ = std::string(what) + ": " + library_text(rc);
    if (rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
      char info[512];
      mbedtls_x509_crt_verify_info(info, sizeof(info), "", mbedtls_ssl_get_verify_result(&ssl_));
      std::string flags(info);
      std::replace(flags.begin(), flags.end(), '\n', ';');
      error_ += " [" + flags + "]";
    }
    if (!io_error_.empty()) error_ += "; transport: " + io_error_;
    return Step::failed;
  }

  // blocked_or_failed maps the transport's "would block" to Mbed TLS's; any
  // other failure is kept for error() and reported as `failure`.
  static int blocked_or_failed(MbedPeer &peer, const Error &e, int failure) {
    if (e.code() == ErrorCode::want_read) return MBEDTLS_ERR_SSL_WANT_READ;
    if (e.code() == ErrorCode::want_write) return MBEDTLS_ERR_SSL_WANT_WRITE;
    peer.io_error_ = e.to_string();
    return failure;
  }

  static int send_callback(void *p, const unsigned char *buf, std::size_t len) {
    auto &peer = *static_cast<MbedPeer *>(p);
    const std::size_t most = std::min<std::size_t>(len, INT_MAX);
    Result<std::size_t> sent = peer.io_->send(std::span<const uint8_t>(buf, most));
    if (!sent) return blocked_or_failed(peer, sent.error(), MBEDTLS_ERR_NET_SEND_FAILED);
    if (*sent == 0) {  // Mbed TLS would call again at once, forever
      peer.io_error_ = "the transport took no byte";
      return MBEDTLS_ERR_NET_SEND_FAILED;
    }
    return static_cast<int>(*sent);
  }

  // receive_callback returns 0 at the end of the stream, which Mbed TLS
  // reports as MBEDTLS_ERR_SSL_CONN_EOF (or a read of 0).
  static int receive_callback(void *p, unsigned char *buf, std::size_t len) {
    auto &peer = *static_cast<MbedPeer *>(p);
    const std::size_t most = std::min<std::size_t>(len, INT_MAX);
    Result<std::size_t> received = peer.io_->recv(std::span<uint8_t>(buf, most));
    if (!received) return blocked_or_failed(peer, received.error(), MBEDTLS_ERR_NET_RECV_FAILED);
    return static_cast<int>(*received);
  }

  std::unique_ptr<Transport> io_;
  std::shared_ptr<Setup> setup_;  // outlives ssl_, which points into it
  bool client_;
  mbedtls_ssl_context ssl_;
  bool resumed_ = false;
  std::string io_error_;
  std::string error_;
};

// find_group looks up one of polytls's groups in Mbed TLS.
Result<void> find_group(uint16_t iana, const mbedtls_ecp_curve_info *&info) {
  if (std::find(kSecureGroups.begin(), kSecureGroups.end(), iana) == kSecureGroups.end()) {
    return Error(ErrorCode::bad_input, "the group is not one polytls allows");
  }
  info = mbedtls_ecp_curve_info_from_tls_id(iana);
  if (info == nullptr) {
    return Error(ErrorCode::unsupported, "this Mbed TLS build lacks the key exchange group");
  }
  return ok();
}

// is_ecdsa_suite tells which certificate a TLS 1.2 suite needs.
bool is_ecdsa_suite(int suite) {
  const mbedtls_ssl_ciphersuite_t *info = mbedtls_ssl_ciphersuite_from_id(suite);
  return info != nullptr && info->key_exchange == MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA;
}

class MbedtlsEngine final : public Engine {
 public:
  std::string backend() const override { return "mbedtls"; }
  bool direct() const override { return true; }
  std::string library() const override {
    char version[32] = "";  // "mbed TLS x.y.z": 18 bytes at most
    mbedtls_version_get_string_full(version);
    return version;
  }

  Result<void> prepare(const Case &c) override {
    setup_.reset();  // the previous case's contexts go first
    resumption_ = false;
    if (c.identity == nullptr) return Error(ErrorCode::bad_input, "the case has no identity");
    if (c.version == TlsVersion::tls13) {
      return Error(ErrorCode::unsupported, "TLS 1.3 is not supported by Mbed TLS 2.28");
    }
    if (c.version != TlsVersion::tls12) return Error(ErrorCode::bad_input, "unknown TLS version");
    const KeyType key_type = c.identity->key_type;
    if (key_type == KeyType::ed25519) {
      return Error(ErrorCode::unsupported, "Mbed TLS 2.28 has no Ed25519");
    }
    const bool ecdsa = key_type == KeyType::ecdsa_p256 || key_type == KeyType::ecdsa_p384;

    // The groups: the case's, which alone the server enables, and the
    // client's extra one, which it offers after it.
    const mbedtls_ecp_curve_info *group = nullptr;
    const mbedtls_ecp_curve_info *extra = nullptr;
    if (Result<void> r = find_group(c.group, group); !r) return r;
    if (c.client_extra_group != 0 && c.client_extra_group != c.group) {
      if (Result<void> r = find_group(c.client_extra_group, extra); !r) return r;
    }
    if (ecdsa) {
      // TLS 1.2 (RFC 8422): the client's supported_groups also govern the
      // curve of the server's ECDSA certificate, and the Mbed TLS 2.28
      // server picks no certificate on a curve the client did not offer
      // (the handshake fails with MBEDTLS_ERR_SSL_NO_USABLE_CIPHERSUITE).
      const uint16_t curve = key_type == KeyType::ecdsa_p256 ? 0x0017 : 0x0018;
      if (curve != c.group && (extra == nullptr || curve != c.client_extra_group)) {
        return Error(ErrorCode::unsupported,
                     "the Mbed TLS 2.28 server uses an ECDSA certificate only on a curve "
                     "among the client's groups, and the client does not offer this one");
      }
    }

    // The suites.
    std::vector<int> suites;
    if (c.cipher_suite != 0) {
      if (std::find(kSecureSuites.begin(), kSecureSuites.end(), c.cipher_suite) ==
          kSecureSuites.end()) {
        return Error(ErrorCode::bad_input,
                     "the cipher suite is not a TLS 1.2 suite polytls allows");
      }
      if (mbedtls_ssl_ciphersuite_from_id(c.cipher_suite) == nullptr) {
        return Error(ErrorCode::unsupported, "this Mbed TLS build lacks the cipher suite");
      }
      if (is_ecdsa_suite(c.cipher_suite) != ecdsa) {
        return Error(ErrorCode::unsupported, ecdsa ? "the cipher suite needs an RSA certificate"
                                                   : "the cipher suite needs an ECDSA certificate");
      }
      suites.push_back(c.cipher_suite);
    } else {
      suites.assign(kSecureSuites.begin(), kSecureSuites.end());
    }
    suites.push_back(0);

    if (!random_) {
      auto random = std::make_shared<Random>();
      const int rc = mbedtls_ctr_drbg_seed(
          &random->drbg, mbedtls_entropy_func, &random->entropy,
          reinterpret_cast<const unsigned char *>(kPersonalisation), sizeof(kPersonalisation) - 1);
      if (rc != 0) return library_error(ErrorCode::internal, "mbedtls_ctr_drbg_seed", rc);
      random_ = std::move(random);
    }

    auto s = std::make_shared<Setup>(random_);
    s->resumption = c.resumption;
    s->suites = std::move(suites);
    s->server_curves = {group->grp_id, MBEDTLS_ECP_DP_NONE};
    s->client_curves = {group->grp_id};
    if (extra != nullptr) s->client_curves.push_back(extra->grp_id);
    s->client_curves.push_back(MBEDTLS_ECP_DP_NONE);

    // PEM input to Mbed TLS includes the terminating NUL.
    const std::string &cert_pem = c.identity->certificate_pem;
    const std::string &key_pem = c.identity->key_pem;
    const auto *cert_bytes = reinterpret_cast<const unsigned char *>(cert_pem.c_str());
    int rc = mbedtls_x509_crt_parse(&s->chain, cert_bytes, cert_pem.size() + 1);
    if (rc != 0) return library_error(ErrorCode::bad_input, "reading the certificate", rc);
    rc = mbedtls_x509_crt_parse(&s->anchors, cert_bytes, cert_pem.size() + 1);
    if (rc != 0) return library_error(ErrorCode::bad_input, "reading the certificate", rc);
    rc = mbedtls_pk_parse_key(&s->key, reinterpret_cast<const unsigned char *>(key_pem.c_str()),
                              key_pem.size() + 1, nullptr, 0);
    if (rc != 0) return library_error(ErrorCode::bad_input, "reading the private key", rc);
    rc = mbedtls_pk_check_pair(&s->chain.pk, &s->key);
    if (rc != 0) return library_error(ErrorCode::bad_input, "the key and certificate differ", rc);

    if (Result<void> r = configure(*s, MBEDTLS_SSL_IS_SERVER); !r) return r;
    if (Result<void> r = configure(*s, MBEDTLS_SSL_IS_CLIENT); !r) return r;
    setup_ = std::move(s);
    resumption_ = c.resumption;
    return ok();
  }

  Result<std::unique_ptr<Peer>> server(std::unique_ptr<Transport> io) override {
    return start(std::move(io), false, nullptr);
  }

  Result<std::unique_ptr<Peer>> client(std::unique_ptr<Transport> io,
                                       const Ticket *resume) override {
    const mbedtls_ssl_session *session = nullptr;
    if (resume != nullptr) {
      if (!resumption_) {
        return Error(ErrorCode::bad_input, "a ticket was given but the case has resumption off");
      }
      const auto *ticket = dynamic_cast<const MbedTicket *>(resume);
      if (ticket == nullptr) return Error(ErrorCode::bad_input, "not an Mbed TLS ticket");
      session = ticket->session();
    }
    return start(std::move(io), true, session);
  }

  Result<std::unique_ptr<Ticket>> save(Peer &client) override {
    if (!resumption_) return Error(ErrorCode::bad_input, "the case has resumption off");
    auto *peer = dynamic_cast<MbedPeer *>(&client);
    if (peer == nullptr || !peer->is_client()) {
      return Error(ErrorCode::bad_input, "not a client of this engine");
    }
    if (!peer->handshake_done()) return Error(ErrorCode::bad_input, "the handshake is not done");
    auto ticket = std::make_unique<MbedTicket>();
    const int rc = mbedtls_ssl_get_session(peer->context(), ticket->session());
    if (rc != 0) return library_error(ErrorCode::internal, "mbedtls_ssl_get_session", rc);
    if (ticket->session()->ticket == nullptr && ticket->session()->id_len == 0) {
      return Error(ErrorCode::not_found, "the server gave neither a ticket nor a session ID");
    }
    return std::unique_ptr<Ticket>(std::move(ticket));
  }

 private:
  // configure fills one side's mbedtls_ssl_config.
  static Result<void> configure(Setup &s, int endpoint) {
    const bool client = endpoint == MBEDTLS_SSL_IS_CLIENT;
    mbedtls_ssl_config *conf = client ? &s.client : &s.server;
    int rc = mbedtls_ssl_config_defaults(conf, endpoint, MBEDTLS_SSL_TRANSPORT_STREAM,
                                         MBEDTLS_SSL_PRESET_DEFAULT);
    if (rc != 0) return library_error(ErrorCode::internal, "mbedtls_ssl_config_defaults", rc);
    mbedtls_ssl_conf_rng(conf, mbedtls_ctr_drbg_random, &s.random->drbg);
    mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_ciphersuites(conf, s.suites.data());
    mbedtls_ssl_conf_curves(conf, client ? s.client_curves.data() : s.server_curves.data());
    mbedtls_ssl_conf_renegotiation(conf, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
    if (client) {
      mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_REQUIRED);
      mbedtls_ssl_conf_ca_chain(conf, &s.anchors, nullptr);
      mbedtls_ssl_conf_session_tickets(conf, s.resumption ? MBEDTLS_SSL_SESSION_TICKETS_ENABLED
                                                          : MBEDTLS_SSL_SESSION_TICKETS_DISABLED);
      return ok();
    }
    mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_NONE);
    rc = mbedtls_ssl_conf_own_cert(conf, &s.chain, &s.key);
    if (rc != 0) return library_error(ErrorCode::internal, "mbedtls_ssl_conf_own_cert", rc);
    if (s.resumption) {
      rc = mbedtls_ssl_ticket_setup(&s.tickets, mbedtls_ctr_drbg_random, &s.random->drbg,
                                    MBEDTLS_CIPHER_AES_256_GCM, kTicketLifetime);
      if (rc != 0) return library_error(ErrorCode::internal, "mbedtls_ssl_ticket_setup", rc);
      mbedtls_ssl_conf_session_tickets_cb(conf, mbedtls_ssl_ticket_write, mbedtls_ssl_ticket_parse,
                                          &s.tickets);
      mbedtls_ssl_conf_session_cache(conf, &s.cache, mbedtls_ssl_cache_get, mbedtls_ssl_cache_set);
    }
    return ok();
  }

  Result<std::unique_ptr<Peer>> start(std::unique_ptr<Transport> io, bool client,
                                      const mbedtls_ssl_session *resume) {
    if (!setup_) return Error(ErrorCode::bad_input, "prepare() has not succeeded");
    if (!io) return Error(ErrorCode::bad_input, "no transport");
    auto peer = std::make_unique<MbedPeer>(std::move(io), setup_, client);
    if (Result<void> r = peer->start(resume); !r) return r.error();
    return std::unique_ptr<Peer>(std::move(peer));
  }

  std::shared_ptr<Random> random_;
  std::shared_ptr<Setup> setup_;
  bool resumption_ = false;
};

}  // namespace

std::unique_ptr<Engine> make_direct_mbedtls() {
  return std::make_unique<MbedtlsEngine>();
}

}  // namespace polytls::bench
