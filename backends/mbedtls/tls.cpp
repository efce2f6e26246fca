// tls.cpp: TLS sessions over Mbed TLS 2.28's ssl module (TLS 1.2 only).
//
// A polytls_tls_context (TlsContext) keeps what the config gave, as the
// backend's own copies: the parsed own chain, the private key as DER, the
// parsed anchors, the ALPN list as NUL-terminated strings, and on a server
// with resumption the session-ticket keys and the session-ID cache (both
// locked inside Mbed TLS, MBEDTLS_THREADING_C).
//
// The own key, the anchors and the mbedtls_ssl_config that points at them
// come as a Material: the context parses its own copies of the private key
// and of the anchors into one, configures it, and lends it to one session at
// a time, for that session's handshake only. Mbed TLS's EC arithmetic caches
// precomputed multiples of the base point in the key's group (grp.T) on first
// use and 2.28 ships no static tables, and RSA blinding values change with
// every private-key operation, so two handshakes signing with one EC key, or
// verifying with one EC anchor, would write to the same group concurrently
// (the reason Key::use_mutex exists): a Material is never in two handshakes
// at once, which makes the sessions of one context safe to run on several
// threads. After its handshake a session no longer touches the key or the
// anchors (renegotiation is off), only the config, which Mbed TLS reads
// through a const pointer: the Material goes back to the context's idle list
// for the next handshake, and the session keeps a reference so the config
// outlives it. So a busy context parses and configures once per concurrent
// handshake, not once per connection (measured: RSA-2048 servers spent 25%
// more CPU per handshake, and every connection held 3 KiB more, when each
// session parsed its own copies). Per-session settings live in the
// mbedtls_ssl_context (mbedtls_ssl_set_verify; the SNI callback finds the
// session through the bio pointer). The own chain is shared by all: Mbed TLS
// only reads it (DER to send, key type and curve to pick a suite).
//
// Mbed TLS 2.28 internals used (its structs are public in 2.28, and
// ssl_internal.h is installed with the library):
//   - ssl->handshake->resume and ssl->handshake->ecdh_ctx, read after each
//     mbedtls_ssl_handshake_step, are the only way to learn whether the
//     handshake was resumed and which ECDHE group it used: 2.28 has no getter
//     and frees `handshake` in the last step (HANDSHAKE_WRAPUP);
//   - ssl->in_msg[1] is the description of the fatal alert the peer sent
//     (MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE);
//   - ssl->out_msgtype / ssl->out_msg[1] tell that a server refused the
//     ClientHello with no_application_protocol (2.28 reports an ALPN mismatch
//     as MBEDTLS_ERR_SSL_BAD_HS_CLIENT_HELLO, like any bad ClientHello);
//   - ssl->session_negotiate->verify_result, the flags of the certificate
//     the peer just sent, while the handshake runs.
// And one addition: 2.28 ignores supported_versions, so a server sees the
// first record as it arrives (bio_recv) and answers a TLS 1.3-only
// ClientHello with protocol_version itself (sniff_client_hello).
//
// Verification: client verify_peer = 1 and server REQUIRE are
// MBEDTLS_SSL_VERIFY_REQUIRED (Mbed TLS fails and picks the alert). Server
// REQUEST is VERIFY_OPTIONAL, and a certificate that was sent but does not
// verify is failed here right after the Certificate step (enforce). A client
// with verify_peer = 0 uses VERIFY_NONE, or VERIFY_OPTIONAL with every flag
// cleared when there is a peer_check to run (Mbed TLS calls the verify
// callback only when it verifies). The peer check runs in the callback at
// depth 0 when the chain is clean; a failure sets CN_MISMATCH, for which
// Mbed TLS sends bad_certificate, and tls_handshake returns the check's
// status. A resumed handshake has no Certificate message: the peer check then
// runs on the leaf kept in the session, after the last step.
//
// Host names: mbedtls_ssl_set_hostname both sends SNI and makes Mbed TLS
// compare the name with the server certificate's CN / DNS SANs (it cannot
// match IP SANs). polytls checks names itself (peer_check), so the verify
// callback clears MBEDTLS_X509_BADCERT_CN_MISMATCH at every depth: the name
// is only sent as SNI.
#include <mbedtls/ecdh.h>
#include <mbedtls/ecp.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>
#include <mbedtls/ssl_ciphersuites.h>
#include <mbedtls/ssl_internal.h>
#include <mbedtls/ssl_ticket.h>
#include <mbedtls/x509.h>
#include <mbedtls/x509_crt.h>

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "errors.hpp"
#include "internal.hpp"
#include "polytls/kit/client_hello.hpp"

namespace polytls::mbedtls {
namespace {

// TLS 1.2, ECDHE with AEAD only, in polytls' order of preference.
constexpr int kCipherSuites[] = {
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    0,
};

// Key-exchange groups: x25519, secp256r1, secp384r1. Mbed TLS 2.28 also
// uses this list to accept the curve of an EC certificate (own and peer's).
constexpr mbedtls_ecp_group_id kCurves[] = {
    MBEDTLS_ECP_DP_CURVE25519,
    MBEDTLS_ECP_DP_SECP256R1,
    MBEDTLS_ECP_DP_SECP384R1,
    MBEDTLS_ECP_DP_NONE,
};

constexpr uint32_t kTicketLifetime = 86400;  // seconds
constexpr std::size_t kMasterSecretLen = 48;
constexpr std::size_t kRandomLen = 32;

using SslConfig = Scoped<mbedtls_ssl_config, mbedtls_ssl_config_init, mbedtls_ssl_config_free>;
using SslContext = Scoped<mbedtls_ssl_context, mbedtls_ssl_init, mbedtls_ssl_free>;
using SslSession = Scoped<mbedtls_ssl_session, mbedtls_ssl_session_init, mbedtls_ssl_session_free>;
using PkContext = Scoped<mbedtls_pk_context, mbedtls_pk_init, mbedtls_pk_free>;
using TicketContext =
    Scoped<mbedtls_ssl_ticket_context, mbedtls_ssl_ticket_init, mbedtls_ssl_ticket_free>;
using CacheContext =
    Scoped<mbedtls_ssl_cache_context, mbedtls_ssl_cache_init, mbedtls_ssl_cache_free>;

polytls_error new_error() noexcept {
  polytls_error e{};
  e.struct_size = sizeof(e);
  return e;
}

// copy_error copies a full-size error into the caller's (which may be NULL
// or older and smaller).
void copy_error(polytls_error *to, const polytls_error &from) noexcept {
  if (to == nullptr) return;
  if (to->struct_size >= offsetof(polytls_error, detail) + sizeof(to->detail)) {
    to->library_code = from.library_code;
    std::memcpy(to->detail, from.detail, sizeof(to->detail));
    to->detail[sizeof(to->detail) - 1] = '\0';
  }
}

// verify_info is mbedtls_x509_crt_verify_info's text on one line.
std::string verify_info(uint32_t flags) {
  char buf[512] = "";
  mbedtls_x509_crt_verify_info(buf, sizeof(buf), "", flags);
  std::string info;
  for (const char *c = buf; *c != '\0'; ++c) {
    if (*c != '\n') {
      info.push_back(*c);
    } else if (c[1] != '\0') {
      info += "; ";
    }
  }
  return info;
}

// Material is one handshake's own key and anchors, and the config that
// points at them (see the top). Members are destroyed in reverse order: the
// config before the key and anchors.
struct Material {
  int authmode = MBEDTLS_SSL_VERIFY_NONE;
  PkContext key;     // this Material's copy of the own key
  CrtChain anchors;  // this Material's copy of the anchors
  SslConfig conf;
};

// TlsContext is the object behind a `polytls_tls_context *`.
struct TlsContext {
  Context *backend = nullptr;
  uint32_t role = 0;
  uint32_t verify_peer = 0;
  bool resumption = false;
  bool has_own_cert = false;
  CrtChain own_chain;        // leaf first; shared read-only by the sessions
  kit::SecretBytes key_der;  // PKCS#1 / SEC1 DER of chain[0]'s key, parsed per Material
  bool has_anchors = false;
  CrtChain anchors;                     // parsed once; each Material parses its own copy
  std::vector<std::string> alpn;        // protocols, by preference
  std::vector<const char *> alpn_list;  // C strings into `alpn`, NULL-terminated
  polytls_keylog_fn keylog = nullptr;
  void *keylog_user = nullptr;
  // The selected suites and groups, terminated as Mbed TLS wants them
  // (0 / MBEDTLS_ECP_DP_NONE); empty for the defaults above.
  std::vector<int> ciphersuites;
  std::vector<mbedtls_ecp_group_id> curves;
  TicketContext ticket;  // server with resumption
  CacheContext cache;    // server with resumption

  // Materials no handshake is using (see the top), by most recent use.
  std::mutex idle_mutex;
  std::vector<std::shared_ptr<Material>> idle;
};

// kMaxIdleMaterials bounds what a context keeps for later handshakes: as
// many as ran at once, up to this many; the others are freed with the last
// session that uses their config.
constexpr std::size_t kMaxIdleMaterials = 64;

// TlsSession is the object behind a `polytls_tls_session *`. Members are
// destroyed in reverse order: the ssl context before the Material whose
// config it reads.
struct TlsSession {
  TlsContext *context = nullptr;
  polytls_transport transport{};
  polytls_peer_check_fn peer_check = nullptr;
  void *peer_check_user = nullptr;

  std::shared_ptr<Material> material;  // its config, for the session's life
  bool lent = false;                   // the key and anchors too, until the handshake ends
  SslContext ssl;

  // Verification: chain flags count (false when the user opted out); under
  // MBEDTLS_SSL_VERIFY_OPTIONAL with a chain to check (server REQUEST), this
  // backend itself fails a certificate that was sent and did not verify.
  bool check_chain = false;
  bool enforce_optional = false;
  bool enforced = false;
  uint32_t chain_flags = 0;
  bool got_peer_cert = false;

  // The core's peer check.
  bool check_called = false;
  polytls_status check_status = POLYTLS_OK;
  polytls_error check_err = new_error();

  // Server: the first bytes, kept until the first ClientHello is complete,
  // to see whether the client can do TLS 1.2 at all (see sniff_client_hello).
  bool sniff_hello = false;
  std::vector<unsigned char> hello;
  bool version_refused = false;
  bool groups_refused = false;  // no key exchange group in common (see sniff_client_hello)

  // The transport's own failure (sticky).
  polytls_status io_status = POLYTLS_OK;
  char io_detail[160] = "";

  // Progress and results.
  bool handshake_done = false;
  bool resumed = false;
  uint16_t group = 0;  // IANA NamedGroup of the ECDHE exchange
  std::string sni;     // server: the name the client sent
  std::size_t pending_write = 0;
  bool close_queued = false;
  bool close_done = false;
  bool peer_closed = false;

  // A fatal failure, returned again by every later call.
  polytls_status failed = POLYTLS_OK;
  polytls_error failed_err = new_error();

  ~TlsSession() {
    // The ssl context goes first, so no one else's handshake has the
    // Material while this one still points at it.
    mbedtls_ssl_free(ssl.get());
    mbedtls_ssl_init(ssl.get());
    give_back();
  }
  TlsSession() = default;
  TlsSession(const TlsSession &) = delete;
  TlsSession &operator=(const TlsSession &) = delete;

  // give_back returns the Material to the context's idle list once the
  // handshake no longer needs its key and anchors.
  void give_back() noexcept {
    if (!lent) return;
    lent = false;
    try {
      std::lock_guard<std::mutex> lock(context->idle_mutex);
      if (context->idle.size() < kMaxIdleMaterials) context->idle.push_back(material);
    } catch (...) {
      // Not kept for later (out of memory): the next handshake makes another.
    }
  }

  void transport_failed(polytls_status status, const char *what) noexcept {
    if (io_status != POLYTLS_OK) return;
    io_status = status;
    std::snprintf(io_detail, sizeof(io_detail), "%s (polytls status %d)", what,
                  static_cast<int>(status));
  }
};

// ---- Callbacks handed to Mbed TLS ------------------------------------------

int bio_send(void *p, const unsigned char *buf, std::size_t len) noexcept {
  auto *s = static_cast<TlsSession *>(p);
  len = std::min<std::size_t>(len, INT_MAX);
  std::size_t sent = 0;
  const polytls_status st = s->transport.send(s->transport.user, buf, len, &sent);
  switch (st) {
    case POLYTLS_OK:
      if (sent == 0 || sent > len) {
        s->transport_failed(POLYTLS_ERR_IO, "the transport's send reported a wrong byte count");
        return MBEDTLS_ERR_NET_SEND_FAILED;
      }
      return static_cast<int>(sent);
    case POLYTLS_ERR_WANT_WRITE: return MBEDTLS_ERR_SSL_WANT_WRITE;
    case POLYTLS_ERR_WANT_READ: return MBEDTLS_ERR_SSL_WANT_READ;
    default:
      s->transport_failed(st, "the transport failed to send");
      return MBEDTLS_ERR_NET_SEND_FAILED;
  }
}

// offers_tls12 tells whether a client can do TLS 1.2 as Mbed TLS 2.28 sees
// it: false only when a readable supported_versions extension (RFC 8446)
// lists no version up to 1.2 (SSL 3.0 to TLS 1.2). Without the extension,
// Mbed TLS reads legacy_version itself; anything the kit cannot read is left
// to Mbed TLS (true).
bool offers_tls12(const kit::ClientHelloSummary &hello) noexcept {
  if (!hello.parsed || !hello.has_supported_versions) return true;
  return hello.offers_any(0x0300, POLYTLS_TLS1_2);
}

// shares_a_group tells whether a client's supported_groups (when it sent
// them) has one of the context's groups. 2.28 would otherwise choose an
// ECDHE suite, send its ServerHello and certificate, and stop at the
// ServerKeyExchange without an alert.
bool shares_a_group(const TlsContext &c, const kit::ClientHelloSummary &hello) noexcept {
  if (!hello.parsed || !hello.has_supported_groups) return true;
  const mbedtls_ecp_group_id *curves = c.curves.empty() ? kCurves : c.curves.data();
  for (; *curves != MBEDTLS_ECP_DP_NONE; ++curves) {
    const mbedtls_ecp_curve_info *info = mbedtls_ecp_curve_info_from_grp_id(*curves);
    if (info != nullptr && hello.offers_group(info->tls_id)) return true;
  }
  return false;
}

// sniff_client_hello sees the server's first bytes as Mbed TLS reads them.
// Mbed TLS 2.28 ignores supported_versions: a client that offers TLS 1.3 only
// would be answered with handshake_failure (no cipher suite in common). Here
// such a client gets protocol_version, as RFC 8446 asks, and the server
// reports PROTOCOL_VERSION. Returns false when the handshake must stop.
bool sniff_client_hello(TlsSession &s, const unsigned char *buf, std::size_t n) noexcept {
  // Mbed TLS 2.28 takes the first ClientHello only whole in one record (it
  // does not join handshake fragments), so one record is all the sniff needs
  // to see; the limit only bounds what it keeps.
  constexpr std::size_t kLimit = 5 + kit::kTlsMaxRecordLength;
  bool ok = true;
  try {
    s.hello.insert(s.hello.end(), buf, buf + n);
    std::vector<unsigned char> body;
    switch (kit::first_client_hello(s.hello, body)) {
      case kit::FirstHello::need_more:
        if (s.hello.size() < kLimit) return true;
        break;
      case kit::FirstHello::not_a_client_hello: break;  // Mbed TLS's to judge
      case kit::FirstHello::complete: {
        const kit::ClientHelloSummary hello = kit::parse_client_hello(body);
        ok = offers_tls12(hello);
        if (ok && !shares_a_group(*s.context, hello)) {
          ok = false;
          s.groups_refused = true;
        }
        break;
      }
    }
  } catch (...) {
    ok = true;  // out of memory: left to Mbed TLS
  }
  s.sniff_hello = false;
  s.hello.clear();
  s.hello.shrink_to_fit();
  if (ok) return true;
  s.version_refused = !s.groups_refused;
  // A fatal protocol_version (or handshake_failure) alert in a plaintext
  // TLS 1.2 record.
  const unsigned char alert[] = {
      MBEDTLS_SSL_MSG_ALERT,
      3,
      3,
      0,
      2,
      MBEDTLS_SSL_ALERT_LEVEL_FATAL,
      static_cast<unsigned char>(s.groups_refused ? MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE
                                                  : MBEDTLS_SSL_ALERT_MSG_PROTOCOL_VERSION)};
  std::size_t sent = 0;
  s.transport.send(s.transport.user, alert, sizeof(alert), &sent);  // best effort
  return false;
}

int bio_recv(void *p, unsigned char *buf, std::size_t len) noexcept {
  auto *s = static_cast<TlsSession *>(p);
  len = std::min<std::size_t>(len, INT_MAX);
  std::size_t received = 0;
  const polytls_status st = s->transport.recv(s->transport.user, buf, len, &received);
  switch (st) {
    case POLYTLS_OK:
      if (received > len) {
        s->transport_failed(POLYTLS_ERR_IO, "the transport's recv reported a wrong byte count");
        return MBEDTLS_ERR_NET_RECV_FAILED;
      }
      if (s->sniff_hello && received != 0 && !sniff_client_hello(*s, buf, received)) {
        return MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION;
      }
      return static_cast<int>(received);  // 0: end of stream (MBEDTLS_ERR_SSL_CONN_EOF)
    case POLYTLS_ERR_WANT_READ: return MBEDTLS_ERR_SSL_WANT_READ;
    case POLYTLS_ERR_WANT_WRITE: return MBEDTLS_ERR_SSL_WANT_WRITE;
    default:
      s->transport_failed(st, "the transport failed to receive");
      return MBEDTLS_ERR_NET_RECV_FAILED;
  }
}

// run_peer_check hands the peer's leaf to the core as one of this backend's
// own certificates; a failure is kept in the session.
polytls_status run_peer_check(TlsSession &s, const mbedtls_x509_crt &leaf) noexcept {
  s.check_called = true;
  polytls_error e = new_error();
  polytls_status st = POLYTLS_OK;
  try {
    auto cert = std::make_unique<Cert>();
    const int rc = mbedtls_x509_crt_parse_der(&cert->crt, leaf.raw.p, leaf.raw.len);
    if (rc != 0) {
      st = fail(&e, rc, POLYTLS_ERR_INTERNAL, "re-reading the peer's certificate failed");
    } else {
      st = s.peer_check(s.peer_check_user, kit::to_handle<polytls_cert>(cert.get()), &e);
    }
  } catch (...) {
    st = kit::set_error(&e, POLYTLS_ERR_INTERNAL, 0, "peer check: out of memory");
  }
  if (st != POLYTLS_OK) {
    s.check_status = st;
    s.check_err = e;
  }
  return st;
}

// verify_cb is Mbed TLS's per-certificate verification callback, called
// from the top of the chain down to the leaf (depth 0).
int verify_cb(void *p, mbedtls_x509_crt *crt, int depth, uint32_t *flags) noexcept {
  auto *s = static_cast<TlsSession *>(p);
  // The name given to mbedtls_ssl_set_hostname is SNI only (see the top).
  *flags &= ~static_cast<uint32_t>(MBEDTLS_X509_BADCERT_CN_MISMATCH);
  if (!s->check_chain) *flags = 0;  // verify_peer = 0: no chain check at all
  s->chain_flags |= *flags;
  if (depth != 0) return 0;
  s->got_peer_cert = true;
  if (s->peer_check == nullptr || s->chain_flags != 0) return 0;
  if (run_peer_check(*s, *crt) != POLYTLS_OK) {
    // Under VERIFY_REQUIRED Mbed TLS fails the handshake and, for this
    // flag, sends bad_certificate; under OPTIONAL tls_handshake does it.
    *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
  }
  return 0;
}

int export_keys_cb(void *p, const unsigned char *master_secret, const unsigned char *, std::size_t,
                   std::size_t, std::size_t, const unsigned char client_random[32],
                   const unsigned char *, mbedtls_tls_prf_types) noexcept {
  const TlsContext &c = *static_cast<const TlsContext *>(p);
  if (c.keylog == nullptr) return 0;
  try {
    std::string line = kit::keylog_line("CLIENT_RANDOM", {client_random, kRandomLen},
                                        {master_secret, kMasterSecretLen});
    c.keylog(c.keylog_user, line.c_str());
    kit::wipe(line.data(), line.size());
  } catch (...) {
    // A key log line that cannot be formatted is skipped; the session goes on.
  }
  return 0;
}

// sni_cb keeps the name a client sent; the session is the bio's user
// pointer (the config is shared by sessions).
int sni_cb(void *, mbedtls_ssl_context *ssl, const unsigned char *name, std::size_t len) noexcept {
  try {
    static_cast<TlsSession *>(ssl->p_bio)->sni.assign(reinterpret_cast<const char *>(name), len);
    return 0;
  } catch (...) {
    return MBEDTLS_ERR_SSL_ALLOC_FAILED;
  }
}

// observe reads what 2.28 offers no getter for, while `handshake` exists.
void observe(TlsSession &s) noexcept {
  const mbedtls_ssl_handshake_params *hs = s.ssl.get()->handshake;
  if (hs == nullptr) return;
  s.resumed = hs->resume != 0;
#if defined(MBEDTLS_ECDH_LEGACY_CONTEXT)
  const mbedtls_ecp_group_id id = hs->ecdh_ctx.grp.id;
#else
  const mbedtls_ecp_group_id id = hs->ecdh_ctx.grp_id;
#endif
  if (id == MBEDTLS_ECP_DP_NONE) return;
  if (const mbedtls_ecp_curve_info *info = mbedtls_ecp_curve_info_from_grp_id(id)) {
    s.group = info->tls_id;
  }
}

// ---- Failures ----------------------------------------------------------------

polytls_status record_failure(TlsSession &s, polytls_status status, const polytls_error &e,
                              polytls_error *err) noexcept {
  s.failed = status;
  s.failed_err = e;
  copy_error(err, e);
  return status;
}

polytls_status replay_failure(const TlsSession &s, polytls_error *err) noexcept {
  copy_error(err, s.failed_err);
  return s.failed;
}

// reject fails the handshake from this side: a fatal alert (best effort:
// the transport may not take it now), then the status.
polytls_status reject(TlsSession &s, uint8_t alert, polytls_status status, const polytls_error &e,
                      polytls_error *err) noexcept {
  mbedtls_ssl_send_alert_message(s.ssl.get(), MBEDTLS_SSL_ALERT_LEVEL_FATAL, alert);
  return record_failure(s, status, e, err);
}

// session_failure turns a failed Mbed TLS call into the session's status.
polytls_status session_failure(TlsSession &s, int rc, const char *what,
                               polytls_error *err) noexcept {
  if (rc == MBEDTLS_ERR_SSL_WANT_READ) return POLYTLS_ERR_WANT_READ;
  if (rc == MBEDTLS_ERR_SSL_WANT_WRITE) return POLYTLS_ERR_WANT_WRITE;
  mbedtls_ssl_context *ssl = s.ssl.get();
  polytls_error e = new_error();
  char text[200];
  describe(rc, text, sizeof(text));
  polytls_status st = POLYTLS_OK;
  if (s.version_refused) {
    st = kit::set_error(&e, POLYTLS_ERR_PROTOCOL_VERSION, rc,
                        "%s: the client offers TLS 1.3 only (supported_versions), and Mbed TLS "
                        "2.28 has TLS 1.2 only (sent protocol_version)",
                        what);
  } else if (s.groups_refused) {
    st = kit::set_error(&e, POLYTLS_ERR_NO_SHARED_CIPHER, rc,
                        "%s: no key exchange group in common with the client (sent "
                        "handshake_failure)",
                        what);
  } else if (s.io_status != POLYTLS_OK) {
    st = kit::set_error(&e, s.io_status, rc, "%s: %s (%s)", what, s.io_detail, text);
  } else if (s.check_status != POLYTLS_OK) {
    st = s.check_status;  // the core's peer check, unchanged
    e = s.check_err;
  } else if (rc == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE) {
    const uint8_t alert = ssl->in_msg != nullptr ? ssl->in_msg[1] : 0;
    st = kit::set_error(&e, status_for_alert(alert), rc,
                        "%s: the peer sent a fatal %s alert (%u; %s)", what, alert_name(alert),
                        static_cast<unsigned>(alert), text);
  } else if (rc == MBEDTLS_ERR_SSL_CONN_EOF) {
    st = kit::set_error(&e, POLYTLS_ERR_PEER_CLOSED, rc, "%s: the peer closed the connection (%s)",
                        what, text);
  } else if (rc == MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE) {
    // Mbed TLS sends no alert here; tell the client.
    mbedtls_ssl_send_alert_message(ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL,
                                   MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE);
    st = kit::set_error(&e, POLYTLS_ERR_HANDSHAKE, rc,
                        "%s: the client sent no certificate, and this server requires one (%s)",
                        what, text);
  } else if (rc == MBEDTLS_ERR_SSL_NO_USABLE_CIPHERSUITE) {
    // A suite in common that this server cannot use (no key exchange group
    // in common with the client): 2.28 sends no alert here, as it does when
    // no suite is in common at all. Tell the client.
    mbedtls_ssl_send_alert_message(ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL,
                                   MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE);
    st = kit::set_error(&e, POLYTLS_ERR_NO_SHARED_CIPHER, rc,
                        "%s: no cipher suite in common that this server can use with the "
                        "client's groups (sent handshake_failure; %s)",
                        what, text);
  } else if (rc == MBEDTLS_ERR_SSL_BAD_HS_CLIENT_HELLO &&
             ssl->out_msgtype == MBEDTLS_SSL_MSG_ALERT && ssl->out_msg != nullptr &&
             ssl->out_msg[1] == MBEDTLS_SSL_ALERT_MSG_NO_APPLICATION_PROTOCOL) {
    st = kit::set_error(&e, POLYTLS_ERR_NO_APPLICATION_PROTOCOL, rc,
                        "%s: no ALPN protocol in common with the client "
                        "(sent no_application_protocol; %s)",
                        what, text);
  } else {
    const uint32_t flags = mbedtls_ssl_get_verify_result(ssl);
    const bool verification = rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED ||
                              rc == MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE ||
                              rc == MBEDTLS_ERR_SSL_PEER_VERIFY_FAILED;
    if (verification && flags != 0 && flags != UINT32_MAX) {
      const std::string info = verify_info(flags);
      st = kit::set_error(&e, status_for_verify_flags(flags), rc,
                          "%s: the peer's certificate failed verification: %s (flags 0x%05x; %s)",
                          what, info.c_str(), static_cast<unsigned>(flags), text);
    } else {
      st = status_for(rc, POLYTLS_ERR_HANDSHAKE);
      // Mid-session, a code of another category (a certificate that does not
      // parse, FEATURE_UNAVAILABLE for a message 2.28 cannot process) means
      // the peer sent what this side cannot handle: the handshake failed.
      if (st == POLYTLS_ERR_BAD_INPUT || st == POLYTLS_ERR_UNSUPPORTED ||
          st == POLYTLS_ERR_BAD_SIGNATURE || st == POLYTLS_ERR_BAD_PASSPHRASE) {
        st = POLYTLS_ERR_HANDSHAKE;
      }
      st = kit::set_error(&e, st, rc, "%s: %s", what, text);
    }
  }
  if (st == POLYTLS_OK || st == POLYTLS_ERR_WANT_READ || st == POLYTLS_ERR_WANT_WRITE) {
    st = kit::set_error(&e, POLYTLS_ERR_INTERNAL, rc, "%s: unexpected %s", what, text);
  }
  return record_failure(s, st, e, err);
}

// enforce runs after each handshake step that succeeded: failures Mbed TLS
// let pass under VERIFY_OPTIONAL are failures for polytls.
polytls_status enforce(TlsSession &s, polytls_error *err) noexcept {
  if (s.check_status != POLYTLS_OK) {
    return reject(s, MBEDTLS_SSL_ALERT_MSG_BAD_CERT, s.check_status, s.check_err, err);
  }
  if (!s.enforce_optional || !s.got_peer_cert || s.enforced) return POLYTLS_OK;
  s.enforced = true;
  const mbedtls_ssl_session *negotiate = s.ssl.get()->session_negotiate;
  const uint32_t flags = negotiate != nullptr ? negotiate->verify_result : 0;
  if (flags == 0) return POLYTLS_OK;
  polytls_error e = new_error();
  const std::string info = verify_info(flags);
  const polytls_status st =
      kit::set_error(&e, status_for_verify_flags(flags), MBEDTLS_ERR_X509_CERT_VERIFY_FAILED,
                     "TLS handshake: the client's certificate failed verification: %s "
                     "(flags 0x%05x)",
                     info.c_str(), static_cast<unsigned>(flags));
  return reject(s, alert_for_verify_flags(flags), st, e, err);
}

// ---- Setup -------------------------------------------------------------------

polytls_status parse_alpn(TlsContext &c, polytls_data wire, polytls_error *err) {
  const std::span<const unsigned char> bytes = kit::bytes(wire);
  std::size_t i = 0;
  while (i < bytes.size()) {
    const std::size_t n = bytes[i++];
    if (n == 0 || n > bytes.size() - i) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_context_new: malformed ALPN list (wire format expected)");
    }
    std::string protocol(reinterpret_cast<const char *>(bytes.data() + i), n);
    if (protocol.find('\0') != std::string::npos) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "Mbed TLS 2.28 takes ALPN protocols as C strings: a protocol name "
                            "containing a NUL byte cannot be used");
    }
    c.alpn.push_back(std::move(protocol));
    i += n;
  }
  // Pointers only once `alpn` no longer grows (short strings live inline).
  for (const std::string &protocol : c.alpn)
    c.alpn_list.push_back(protocol.c_str());
  if (!c.alpn_list.empty()) c.alpn_list.push_back(nullptr);
  return POLYTLS_OK;
}

polytls_status add_cert(mbedtls_x509_crt *list, const polytls_cert *handle, const char *role,
                        polytls_error *err) {
  const Cert *cert = kit::from_handle<Cert>(handle);
  if (cert == nullptr) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_context_new: NULL %s certificate",
                          role);
  }
  const int rc = mbedtls_x509_crt_parse_der(list, cert->crt.raw.p, cert->crt.raw.len);
  if (rc != 0) {
    char what[96];
    std::snprintf(what, sizeof(what), "tls_context_new: re-reading a %s certificate failed", role);
    return fail(err, rc, POLYTLS_ERR_INTERNAL, what);
  }
  return POLYTLS_OK;
}

polytls_status set_own_key(TlsContext &c, const Key *key, polytls_error *err) {
  if (key == nullptr || !key->has_private) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                          "tls_context_new: the chain needs the private key of chain[0]");
  }
  const uint32_t algorithm = key_algorithm(&key->pk);
  if (algorithm == POLYTLS_KEY_EC) {
    const mbedtls_ecp_group_id id = mbedtls_pk_ec(key->pk)->grp.id;
    if (id != MBEDTLS_ECP_DP_SECP256R1 && id != MBEDTLS_ECP_DP_SECP384R1) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "Mbed TLS 2.28 accepts an EC certificate in TLS only on a curve among "
                            "the TLS groups (x25519, P-256, P-384): P-521 cannot be used");
    }
  } else if (algorithm != POLYTLS_KEY_RSA) {
    return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                          "tls_context_new: key type %s cannot be used for TLS",
                          mbedtls_pk_get_name(&key->pk));
  }
  // Check the pair and take a DER copy while no one else uses the key.
  std::lock_guard<std::mutex> lock(key->use_mutex);
  int rc = mbedtls_pk_check_pair(&c.own_chain.get()->pk, &key->pk);
  if (rc != 0) {
    return fail_as(err, POLYTLS_ERR_BAD_INPUT, rc,
                   "tls_context_new: the key does not match chain[0]'s public key");
  }
  kit::SecretBytes buf(16 * 1024);
  rc = mbedtls_pk_write_key_der(mutable_pk(key), buf.data(), buf.size());
  if (rc < 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "mbedtls_pk_write_key_der failed");
  const std::size_t len = static_cast<std::size_t>(rc);
  c.key_der.resize(len);
  std::memcpy(c.key_der.data(), buf.data() + buf.size() - len, len);
  return POLYTLS_OK;
}

// use_selection maps the config's suites and groups to Mbed TLS's IDs
// (its suite IDs are the IANA numbers). TLS 1.3 suites do not apply: this
// backend serves TLS 1.2 only.
polytls_status use_selection(TlsContext &c, const polytls_tls_config_v1 &config,
                             polytls_error *err) {
  kit::TlsSelection selection;
  if (const polytls_status st = kit::read_tls_selection(config, selection, err); st != POLYTLS_OK) {
    return st;
  }
  for (const kit::TlsSuite *suite : selection.suites) {
    if (suite->version != POLYTLS_TLS1_2) continue;
    if (mbedtls_ssl_ciphersuite_from_id(suite->iana) == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "Mbed TLS 2.28 lacks the cipher suite %s in this build",
                            suite->iana_name);
    }
    c.ciphersuites.push_back(suite->iana);
  }
  if (!c.ciphersuites.empty()) c.ciphersuites.push_back(0);
  for (const kit::TlsGroup *group : selection.groups) {
    const mbedtls_ecp_curve_info *info = mbedtls_ecp_curve_info_from_tls_id(group->iana);
    if (info == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "Mbed TLS 2.28 lacks the key exchange group %s in this build",
                            group->name);
    }
    c.curves.push_back(info->grp_id);
  }
  if (!c.curves.empty()) c.curves.push_back(MBEDTLS_ECP_DP_NONE);
  return POLYTLS_OK;
}

// Verification settings of one session (see verify_cb and enforce).
struct Verification {
  int authmode = MBEDTLS_SSL_VERIFY_NONE;
  bool check_chain = false;
  bool enforce_optional = false;
};

Verification verification_for(const TlsContext &c, bool has_peer_check) noexcept {
  Verification v;
  if (c.role == POLYTLS_ROLE_CLIENT) {
    if (c.verify_peer != 0) {
      v.authmode = MBEDTLS_SSL_VERIFY_REQUIRED;
      v.check_chain = true;
    } else if (has_peer_check) {
      // No chain check, but Mbed TLS calls verify_cb (and so the peer
      // check) only when it verifies: OPTIONAL, every flag cleared.
      v.authmode = MBEDTLS_SSL_VERIFY_OPTIONAL;
    }
  } else if (c.verify_peer == POLYTLS_CLIENT_AUTH_REQUEST) {
    v.authmode = MBEDTLS_SSL_VERIFY_OPTIONAL;
    v.check_chain = true;
    v.enforce_optional = true;
  } else if (c.verify_peer == POLYTLS_CLIENT_AUTH_REQUIRE) {
    v.authmode = MBEDTLS_SSL_VERIFY_REQUIRED;
    v.check_chain = true;
  }
  return v;
}

// configure fills a Material from its context: copies of the key and the
// anchors, and a config for sessions with `authmode`. Nothing in it is
// specific to one session.
polytls_status configure(TlsContext &c, Material &m, polytls_error *err) {
  mbedtls_ssl_config *conf = m.conf.get();
  const bool client = c.role == POLYTLS_ROLE_CLIENT;
  int rc = mbedtls_ssl_config_defaults(conf, client ? MBEDTLS_SSL_IS_CLIENT : MBEDTLS_SSL_IS_SERVER,
                                       MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
  if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "mbedtls_ssl_config_defaults failed");
  mbedtls_ssl_conf_rng(conf, random_bytes, c.backend);
  mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
  mbedtls_ssl_conf_max_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
  mbedtls_ssl_conf_ciphersuites(conf,
                                c.ciphersuites.empty() ? kCipherSuites : c.ciphersuites.data());
  mbedtls_ssl_conf_curves(conf, c.curves.empty() ? kCurves : c.curves.data());
  mbedtls_ssl_conf_renegotiation(conf, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
  // The verify callback is set per session (mbedtls_ssl_set_verify).
  mbedtls_ssl_conf_authmode(conf, m.authmode);

  if (c.has_anchors) {
    for (const mbedtls_x509_crt *crt = c.anchors.get(); crt != nullptr && crt->raw.p != nullptr;
         crt = crt->next) {
      rc = mbedtls_x509_crt_parse_der(m.anchors.get(), crt->raw.p, crt->raw.len);
      if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "copying the trust anchors failed");
    }
    mbedtls_ssl_conf_ca_chain(conf, m.anchors.get(), nullptr);
  }
  if (c.has_own_cert) {
    rc = mbedtls_pk_parse_key(m.key.get(), c.key_der.data(), c.key_der.size(), nullptr, 0);
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "copying the private key failed");
    rc = mbedtls_ssl_conf_own_cert(conf, c.own_chain.get(), m.key.get());
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "mbedtls_ssl_conf_own_cert failed");
  }
  if (!c.alpn_list.empty()) {
    rc = mbedtls_ssl_conf_alpn_protocols(conf, c.alpn_list.data());
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_BAD_INPUT, "mbedtls_ssl_conf_alpn_protocols");
  }
  if (client) {
    mbedtls_ssl_conf_session_tickets(conf, c.resumption ? MBEDTLS_SSL_SESSION_TICKETS_ENABLED
                                                        : MBEDTLS_SSL_SESSION_TICKETS_DISABLED);
  } else {
    if (c.resumption) {
      // Tickets for clients that ask for one, the session-ID cache otherwise.
      mbedtls_ssl_conf_session_tickets_cb(conf, mbedtls_ssl_ticket_write, mbedtls_ssl_ticket_parse,
                                          c.ticket.get());
      mbedtls_ssl_conf_session_cache(conf, c.cache.get(), mbedtls_ssl_cache_get,
                                     mbedtls_ssl_cache_set);
    }
    mbedtls_ssl_conf_sni(conf, sni_cb, nullptr);
  }
  if (c.keylog != nullptr) mbedtls_ssl_conf_export_keys_ext_cb(conf, export_keys_cb, &c);
  return POLYTLS_OK;
}

// borrow lends the session an idle Material for `authmode`, or a new one.
polytls_status borrow(TlsSession &s, int authmode, polytls_error *err) {
  TlsContext &c = *s.context;
  {
    std::lock_guard<std::mutex> lock(c.idle_mutex);
    for (auto it = c.idle.rbegin(); it != c.idle.rend(); ++it) {
      if ((*it)->authmode != authmode) continue;
      s.material = std::move(*it);
      c.idle.erase(std::next(it).base());
      s.lent = true;
      return POLYTLS_OK;
    }
  }
  auto m = std::make_shared<Material>();
  m->authmode = authmode;
  if (const polytls_status st = configure(c, *m, err); st != POLYTLS_OK) return st;
  s.material = std::move(m);
  s.lent = true;
  return POLYTLS_OK;
}

TlsSession *session_of(polytls_tls_session *session) noexcept {
  return kit::from_handle<TlsSession>(session);
}

}  // namespace

polytls_status tls_context_new(void *ctx, const polytls_tls_config_v1 *config,
                               polytls_tls_context **out_context, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    Context *backend = context_of(ctx);
    if (backend == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_INTERNAL, 0,
                            "tls_context_new: backend not initialised");
    }
    if (config == nullptr || out_context == nullptr ||
        !kit::fits_struct(config->struct_size,
                          offsetof(polytls_tls_config_v1, keylog_user) + sizeof(void *))) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_context_new: missing or short config");
    }
    const polytls_tls_config_v1 &c = *config;
    if (c.role != POLYTLS_ROLE_CLIENT && c.role != POLYTLS_ROLE_SERVER) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_context_new: unknown role %u",
                            c.role);
    }
    if (c.min_version < POLYTLS_TLS1_2 || c.max_version > POLYTLS_TLS1_3 ||
        c.min_version > c.max_version) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_context_new: bad version range 0x%04x..0x%04x", c.min_version,
                            c.max_version);
    }
    if (c.min_version > POLYTLS_TLS1_2) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "TLS 1.3 is not supported by Mbed TLS 2.28");
    }
    const uint32_t max_verify =
        c.role == POLYTLS_ROLE_CLIENT ? 1u : static_cast<uint32_t>(POLYTLS_CLIENT_AUTH_REQUIRE);
    if (c.verify_peer > max_verify) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_context_new: verify_peer %u is out of range", c.verify_peer);
    }
    if (c.resumption > 1) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_context_new: resumption must be 0 or 1");
    }

    auto context = std::make_unique<TlsContext>();
    context->backend = backend;
    context->role = c.role;
    context->verify_peer = c.verify_peer;
    context->resumption = c.resumption != 0;

    polytls_status s = POLYTLS_OK;
    if (c.chain_count != 0) {
      if (c.chain == nullptr) {
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_context_new: NULL chain");
      }
      for (std::size_t i = 0; i < c.chain_count; ++i) {
        if ((s = add_cert(context->own_chain.get(), c.chain[i], "chain", err)) != POLYTLS_OK) {
          return s;
        }
      }
      if ((s = set_own_key(*context, kit::from_handle<Key>(c.key), err)) != POLYTLS_OK) return s;
      context->has_own_cert = true;
    } else if (c.key != nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_context_new: a key was given without a chain");
    }
    if (c.role == POLYTLS_ROLE_SERVER && !context->has_own_cert) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_context_new: a server needs a certificate chain and its key");
    }
    if (c.anchor_count != 0) {
      if (c.anchors == nullptr) {
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_context_new: NULL anchors");
      }
      for (std::size_t i = 0; i < c.anchor_count; ++i) {
        if ((s = add_cert(context->anchors.get(), c.anchors[i], "anchor", err)) != POLYTLS_OK) {
          return s;
        }
      }
      context->has_anchors = true;
    }
    if ((s = parse_alpn(*context, c.alpn, err)) != POLYTLS_OK) return s;
    if ((s = use_selection(*context, c, err)) != POLYTLS_OK) return s;
    if (c.role == POLYTLS_ROLE_SERVER && context->resumption) {
      const int rc = mbedtls_ssl_ticket_setup(context->ticket.get(), random_bytes, backend,
                                              MBEDTLS_CIPHER_AES_256_GCM, kTicketLifetime);
      if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "mbedtls_ssl_ticket_setup failed");
    }
    context->keylog = c.keylog;
    context->keylog_user = c.keylog_user;
    *out_context = kit::to_handle<polytls_tls_context>(context.release());
    return POLYTLS_OK;
  });
}

void tls_context_free(polytls_tls_context *context) noexcept {
  delete kit::from_handle<TlsContext>(context);
}

polytls_status tls_session_new(void *, polytls_tls_context *context,
                               const polytls_tls_session_params_v1 *params,
                               polytls_tls_session **out_session, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    TlsContext *c = kit::from_handle<TlsContext>(context);
    if (c == nullptr || params == nullptr || out_session == nullptr ||
        !kit::fits_struct(
            params->struct_size,
            offsetof(polytls_tls_session_params_v1, peer_check_user) + sizeof(void *))) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_session_new: missing context or short params");
    }
    if (params->transport.send == nullptr || params->transport.recv == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_session_new: the transport needs send and recv");
    }
    const bool client = c->role == POLYTLS_ROLE_CLIENT;
    if (params->resume.len != 0 && (!client || !c->resumption)) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_session_new: only a client with resumption on resumes a session");
    }
    auto s = std::make_unique<TlsSession>();
    s->context = c;
    s->transport = params->transport;
    s->peer_check = params->peer_check;
    s->peer_check_user = params->peer_check_user;
    const Verification v = verification_for(*c, s->peer_check != nullptr);
    s->check_chain = v.check_chain;
    s->enforce_optional = v.enforce_optional;
    s->sniff_hello = !client;
    if (polytls_status st = borrow(*s, v.authmode, err); st != POLYTLS_OK) return st;

    mbedtls_ssl_context *ssl = s->ssl.get();
    int rc = mbedtls_ssl_setup(ssl, s->material->conf.get());
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "mbedtls_ssl_setup failed");
    mbedtls_ssl_set_bio(ssl, s.get(), bio_send, bio_recv, nullptr);
    mbedtls_ssl_set_verify(ssl, verify_cb, s.get());

    if (client && params->server_name.len != 0) {
      const std::string name(kit::text(params->server_name));
      if (name.find('\0') != std::string::npos) {
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                              "tls_session_new: the server name contains a NUL byte");
      }
      // SNI only: verify_cb clears Mbed TLS's own name check.
      rc = mbedtls_ssl_set_hostname(ssl, name.c_str());
      if (rc != 0) return fail(err, rc, POLYTLS_ERR_BAD_INPUT, "mbedtls_ssl_set_hostname failed");
    }
    if (params->resume.len != 0) {
      SslSession saved;
      rc = mbedtls_ssl_session_load(saved.get(), params->resume.data, params->resume.len);
      if (rc != 0) {
        return fail_as(
            err, POLYTLS_ERR_BAD_INPUT, rc,
            "tls_session_new: the saved session cannot be read (mbedtls_ssl_session_load)");
      }
      rc = mbedtls_ssl_set_session(ssl, saved.get());
      if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "mbedtls_ssl_set_session failed");
    }
    *out_session = kit::to_handle<polytls_tls_session>(s.release());
    return POLYTLS_OK;
  });
}

polytls_status tls_handshake(polytls_tls_session *session, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    TlsSession *s = session_of(session);
    if (s == nullptr) return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_handshake: NULL");
    if (s->failed != POLYTLS_OK) return replay_failure(*s, err);
    if (s->handshake_done) return POLYTLS_OK;
    mbedtls_ssl_context *ssl = s->ssl.get();
    // mbedtls_ssl_handshake, one step at a time, to read what 2.28 has no
    // getter for (observe) and to act between steps (enforce).
    while (ssl->state != MBEDTLS_SSL_HANDSHAKE_OVER) {
      const int rc = mbedtls_ssl_handshake_step(ssl);
      observe(*s);
      if (rc != 0) return session_failure(*s, rc, "TLS handshake", err);
      if (polytls_status st = enforce(*s, err); st != POLYTLS_OK) return st;
    }
    // A resumed handshake carries no Certificate message: the core checks the
    // leaf kept in the session (the one the first handshake verified).
    if (s->peer_check != nullptr && !s->check_called) {
      const mbedtls_x509_crt *peer = mbedtls_ssl_get_peer_cert(ssl);
      if (peer != nullptr && peer->raw.p != nullptr && run_peer_check(*s, *peer) != POLYTLS_OK) {
        return reject(*s, MBEDTLS_SSL_ALERT_MSG_BAD_CERT, s->check_status, s->check_err, err);
      }
    }
    s->handshake_done = true;
    s->give_back();  // from here on, only the config is read
    return POLYTLS_OK;
  });
}

polytls_status tls_read(polytls_tls_session *session, uint8_t *buf, size_t cap, size_t *out_n,
                        polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    TlsSession *s = session_of(session);
    if (s == nullptr || buf == nullptr || out_n == nullptr || cap == 0) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_read: NULL argument or empty buffer");
    }
    if (s->failed != POLYTLS_OK) return replay_failure(*s, err);
    if (!s->handshake_done) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_read: the handshake is not done");
    }
    if (s->peer_closed) {
      return kit::set_error(err, POLYTLS_ERR_PEER_CLOSED, MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY,
                            "tls_read: the peer closed the TLS session (close_notify)");
    }
    // At most one record's plaintext comes back, so the count fits an int.
    const int rc = mbedtls_ssl_read(s->ssl.get(), buf, cap);
    if (rc > 0) {
      *out_n = static_cast<std::size_t>(rc);
      return POLYTLS_OK;
    }
    if (rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
      s->peer_closed = true;
      return kit::set_error(err, POLYTLS_ERR_PEER_CLOSED, rc,
                            "tls_read: the peer closed the TLS session (close_notify)");
    }
    if ((rc == 0 || rc == MBEDTLS_ERR_SSL_CONN_EOF) && s->io_status == POLYTLS_OK) {
      // mbedtls_ssl_read returns 0 when the transport ended (CONN_EOF).
      polytls_error e = new_error();
      kit::set_error(&e, POLYTLS_ERR_IO, MBEDTLS_ERR_SSL_CONN_EOF,
                     "truncated: the transport ended without close_notify");
      return record_failure(*s, POLYTLS_ERR_IO, e, err);
    }
    return session_failure(*s, rc, "tls_read", err);
  });
}

polytls_status tls_write(polytls_tls_session *session, const uint8_t *data, size_t len,
                         size_t *out_n, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    TlsSession *s = session_of(session);
    if (s == nullptr || data == nullptr || out_n == nullptr || len == 0) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_write: NULL argument or no data");
    }
    if (s->failed != POLYTLS_OK) return replay_failure(*s, err);
    if (!s->handshake_done) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_write: the handshake is not done");
    }
    // After WANT_WRITE Mbed TLS has already encrypted the first record of
    // the data and sends it on the next call, which must pass the same data.
    if (s->pending_write != 0 && len < s->pending_write) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_write: after WANT_WRITE, call again with the same data "
                            "(%zu bytes are already encrypted)",
                            s->pending_write);
    }
    mbedtls_ssl_context *ssl = s->ssl.get();
    const int max_payload = mbedtls_ssl_get_max_out_record_payload(ssl);
    if (max_payload <= 0) return session_failure(*s, max_payload, "tls_write", err);
    const int rc = mbedtls_ssl_write(ssl, data, len);
    if (rc > 0) {
      *out_n = s->pending_write != 0 ? s->pending_write : static_cast<std::size_t>(rc);
      s->pending_write = 0;
      return POLYTLS_OK;
    }
    if ((rc == MBEDTLS_ERR_SSL_WANT_WRITE || rc == MBEDTLS_ERR_SSL_WANT_READ) &&
        s->pending_write == 0 && ssl->out_left != 0) {
      s->pending_write = std::min(len, static_cast<std::size_t>(max_payload));
    }
    return session_failure(*s, rc, "tls_write", err);
  });
}

polytls_status tls_close(polytls_tls_session *session, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    TlsSession *s = session_of(session);
    if (s == nullptr) return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_close: NULL");
    if (s->failed != POLYTLS_OK) return replay_failure(*s, err);
    if (!s->handshake_done) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_close: the handshake is not done");
    }
    if (s->close_done) return POLYTLS_OK;
    mbedtls_ssl_context *ssl = s->ssl.get();
    int rc = 0;
    if (!s->close_queued) {
      // A record left by a write that met WANT_WRITE goes out first.
      if (ssl->out_left != 0) {
        rc = mbedtls_ssl_flush_output(ssl);
        if (rc != 0) return session_failure(*s, rc, "tls_close", err);
        s->pending_write = 0;
      }
      s->close_queued = true;
      rc = mbedtls_ssl_close_notify(ssl);
    } else {
      rc = mbedtls_ssl_flush_output(ssl);
    }
    if (rc != 0) return session_failure(*s, rc, "tls_close", err);
    s->close_done = true;
    return POLYTLS_OK;
  });
}

polytls_status tls_describe(polytls_tls_session *session, polytls_tls_info_v1 *out,
                            polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    TlsSession *s = session_of(session);
    if (s == nullptr || out == nullptr ||
        !kit::fits_struct(out->struct_size,
                          offsetof(polytls_tls_info_v1, server_name) + sizeof(polytls_data))) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_describe: NULL argument or short polytls_tls_info_v1");
    }
    if (!s->handshake_done) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_describe: the handshake is not done");
    }
    const mbedtls_ssl_context *ssl = s->ssl.get();
    const char *suite = mbedtls_ssl_get_ciphersuite(ssl);
    const char *alpn = mbedtls_ssl_get_alpn_protocol(ssl);
    out->version = static_cast<uint32_t>((ssl->major_ver << 8) | ssl->minor_ver);
    out->cipher_suite =
        suite != nullptr ? static_cast<uint32_t>(mbedtls_ssl_get_ciphersuite_id(suite)) : 0;
    // A resumed TLS 1.2 handshake has no key exchange: group 0.
    out->group = s->group;
    out->resumed = s->resumed ? 1u : 0u;
    out->reserved = 0;
    out->alpn = alpn != nullptr
                    ? polytls_data{reinterpret_cast<const uint8_t *>(alpn), std::strlen(alpn)}
                    : polytls_data{nullptr, 0};
    out->server_name =
        s->sni.empty()
            ? polytls_data{nullptr, 0}
            : polytls_data{reinterpret_cast<const uint8_t *>(s->sni.data()), s->sni.size()};
    return POLYTLS_OK;
  });
}

polytls_status tls_peer_chain(polytls_tls_session *session, const polytls_cert_der_visitor *visitor,
                              polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    TlsSession *s = session_of(session);
    if (s == nullptr || visitor == nullptr || visitor->certificate == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_peer_chain: NULL argument");
    }
    if (!s->handshake_done) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_peer_chain: the handshake is not done");
    }
    // MBEDTLS_SSL_KEEP_PEER_CERTIFICATE: the chain as the peer sent it. A
    // resumed session keeps the leaf only (mbedtls_ssl_session_save).
    for (const mbedtls_x509_crt *crt = mbedtls_ssl_get_peer_cert(s->ssl.get());
         crt != nullptr && crt->raw.p != nullptr; crt = crt->next) {
      const polytls_status st = visitor->certificate(visitor->user, crt->raw.p, crt->raw.len);
      if (st != POLYTLS_OK) return st;
    }
    return POLYTLS_OK;
  });
}

polytls_status tls_export_session(polytls_tls_session *session, const polytls_sink *out,
                                  polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    TlsSession *s = session_of(session);
    if (s == nullptr || out == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_export_session: NULL argument");
    }
    if (!s->context->resumption) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "tls_export_session: resumption is off in this context");
    }
    if (s->context->role != POLYTLS_ROLE_CLIENT) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_export_session: only a client exports its session");
    }
    if (!s->handshake_done) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_export_session: the handshake is not done");
    }
    SslSession copy;
    int rc = mbedtls_ssl_get_session(s->ssl.get(), copy.get());
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "mbedtls_ssl_get_session failed");
    if (copy.get()->id_len == 0 && copy.get()->ticket == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "tls_export_session: the server offered no resumption "
                            "(no session ID, no ticket)");
    }
    std::size_t needed = 0;
    rc = mbedtls_ssl_session_save(copy.get(), nullptr, 0, &needed);
    if (rc != 0 && rc != MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL) {
      return fail(err, rc, POLYTLS_ERR_INTERNAL, "mbedtls_ssl_session_save failed");
    }
    kit::SecretBytes buf(needed);  // holds the master secret
    rc = mbedtls_ssl_session_save(copy.get(), buf.data(), buf.size(), &needed);
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "mbedtls_ssl_session_save failed");
    return kit::write_to(out, buf.data(), needed);
  });
}

void tls_session_free(polytls_tls_session *session) noexcept {
  delete session_of(session);
}

}  // namespace polytls::mbedtls
