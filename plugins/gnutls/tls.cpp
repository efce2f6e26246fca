// tls.cpp: TLS 1.2 / 1.3 sessions on GnuTLS (gnutls_session_t).
//
// Design notes (GnuTLS 3.7.9 as Debian 12 builds it):
//   - Transport: the core's polytls_transport is GnuTLS's push and pull
//     functions (gnutls_transport_set_push_function / _pull_function). A
//     transport WANT_* becomes EAGAIN (gnutls_transport_set_errno), which
//     GnuTLS reports as GNUTLS_E_AGAIN and resumes on the next call; the
//     session call returns the very WANT_* the transport said. GnuTLS also
//     returns GNUTLS_E_AGAIN on its own after taking in a TLS 1.3
//     post-handshake message (NewSessionTicket): without a WANT_* from the
//     transport the call is simply repeated. A transport failure becomes EIO
//     (GNUTLS_E_PUSH_ERROR / _PULL_ERROR); its own status is remembered and
//     returned.
//   - Algorithms: one explicit priority string (priority_for: the defaults or
//     the selection, then the versions),
//     so the system-wide defaults never widen what polytls allows.
//   - Peer verification is the backend's own cert_verify decision
//     (verify_chain, x509.cpp) on the raw chain the peer sent
//     (gnutls_certificate_get_peers), from the session's verify function
//     (gnutls_session_set_verify_function), which GnuTLS runs inside the
//     handshake once the peer's certificate (and in TLS 1.3 its
//     CertificateVerify) has arrived. The core's peer_check runs there too.
//     GnuTLS's own trust list is not used: verify_chain is exactly
//     cert_verify's semantics by construction (anchors trusted as given, a
//     self-signed leaf trusted directly, no host name check), and a server
//     without a trust list sends no certificate_authorities. The context
//     parses its anchors into a trust list of its own once, at its first
//     verification (TrustAnchors, trust_anchors), which every session's
//     verification reads from then on; the peer's chain is parsed
//     once per handshake, and the peer check gets the leaf verify_chain
//     parsed. A client hands out its certificate through a retrieve
//     function, whatever CAs a server names (GnuTLS's own choice would send
//     none when no issuer matches).
//   - GnuTLS's handshake sends no alert when it fails: the backend sends one
//     itself (gnutls_alert_send): alert_to_send() for our verification's and
//     the peer check's failures, gnutls_error_to_alert() for the library's,
//     with two corrections (see failure_of): protocol_version when the
//     client offered no version of ours (GnuTLS says NO_CIPHER_SUITES; the
//     server reads the first ClientHello itself to tell), and
//     handshake_failure / certificate_required for a missing client
//     certificate (GnuTLS names decode_error).
//   - Resumption: a server context owns a session ticket key (TLS 1.2 and
//     1.3 tickets) and a session-ID cache of its own (gnutls_db_set_*; TLS
//     1.2 clients that do not ask for tickets). A client's exported session
//     is the server's leaf (checked by peer_check before it is offered again)
//     followed by gnutls_session_get_data2's bytes. A context with
//     resumption keeps the leaves it parsed in a small cache, so that the
//     peer check of a resumed session does not parse its stored leaf again.
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <sys/types.h>
#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "errors.hpp"
#include "internal.hpp"
#include "polytls/kit/client_hello.hpp"

namespace polytls::gnutls {
namespace {

using Bytes = std::vector<unsigned char>;
using Credentials =
    kit::Owned<gnutls_certificate_credentials_st, gnutls_certificate_free_credentials>;
using Priority = kit::Owned<gnutls_priority_st, gnutls_priority_deinit>;
using SessionHandle = kit::Owned<gnutls_session_int, gnutls_deinit>;

// The algorithms every polytls backend offers, by preference: TLS 1.2
// ECDHE with AEAD only (AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305); the
// TLS 1.3 suites of the same ciphers; groups x25519, secp256r1, secp384r1;
// GnuTLS's default signature schemes (Ed25519 included, in TLS 1.2 too)
// without SHA-1; the server's preference wins. The versions are appended by
// priority_for. A priority string cannot order single suites: GnuTLS lists
// the TLS 1.2 suites key exchange first (the three ECDSA suites, then the
// three RSA ones) where the other backends list them cipher first. A
// server's certificate fixes the key exchange, so the suite negotiated is
// the same either way.
// A selection of suites and groups (polytls_tls_config_v1) replaces the key
// exchanges, ciphers and groups by the selection's, in its order.
constexpr char kDefaultKx[] = "+ECDHE-ECDSA:+ECDHE-RSA";
constexpr char kDefaultCiphers[] = "+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305";
constexpr char kDefaultGroups[] = "+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1";

// The key purposes a peer's certificate must allow when it names some.
constexpr char kServerAuth[] = "1.3.6.1.5.5.7.3.1";
constexpr char kClientAuth[] = "1.3.6.1.5.5.7.3.2";

// The export format of a client session: magic, the leaf's length (4 bytes,
// big-endian), the leaf's DER, then GnuTLS's session data.
constexpr unsigned char kExportMagic[] = {'P', 'T', 'G', 'S', 1};

// The largest number of sessions a server context's session-ID cache keeps.
constexpr std::size_t kCacheEntries = 20000;

// The largest number of parsed peer leaves a context with resumption keeps
// for the peer checks of resumed sessions (TlsContext::leaves).
constexpr std::size_t kLeafPoolEntries = 8;

// Failure is a remembered error: status, library code and detail.
struct Failure {
  polytls_status status = POLYTLS_OK;
  int64_t code = 0;
  std::string detail;
  bool failed() const noexcept { return status != POLYTLS_OK; }
};

std::string format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char *fmt, ...) {
  char buf[512];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  return buf;
}

polytls_status report(polytls_error *err, const Failure &f) {
  return kit::set_error(err, f.status, f.code, "%s", f.detail.c_str());
}

// library_words is "<gnutls_strerror> (<GNUTLS_E_ name>)".
std::string library_words(int code) {
  const char *text = gnutls_strerror(code);
  const char *name = gnutls_strerror_name(code);
  return format("%s (%s)", text != nullptr ? text : "unknown error",
                name != nullptr ? name : "unknown code");
}

// TlsContext is what a `polytls_tls_context *` points to. Immutable once
// made (the session cache and the leaf cache have their own locks), so
// sessions of one context may run on several threads at once.
struct TlsContext {
  uint32_t role = 0;
  uint32_t min_version = 0;
  uint32_t max_version = 0;
  uint32_t verify_peer = 0;  // client: 0/1; server: POLYTLS_CLIENT_AUTH_*
  bool resumption = false;
  std::vector<Bytes> anchors;        // DER, trusted as given
  Bytes alpn_wire;                   // wire format, by preference
  std::vector<gnutls_datum_t> alpn;  // views into alpn_wire
  polytls_keylog_fn keylog = nullptr;
  void *keylog_user = nullptr;

  Credentials credentials;
  Priority priority;
  // A client's own certificate for client authentication, handed out by
  // retrieve_client_certificate whatever CAs the server names.
  std::vector<gnutls_pcert_st> own_pcerts;
  bool own_pcerts_ready = false;
  PrivKey own_key;
  // A server's session ticket key (resumption on).
  Datum ticket_key{true};

  // A server's session-ID cache (TLS 1.2), oldest first.
  struct CacheEntry {
    Bytes key;
    kit::SecretBytes data;
  };
  std::mutex cache_mutex;
  std::deque<CacheEntry> cache;

  // With resumption on: peer leaves already parsed, so that the peer check
  // of a resumed session (on the leaf stored with it, which a full
  // handshake checked before) does not parse it again. Each is lent to one
  // session at a time (kit::LendingCache): a Cert is never shared between
  // threads.
  kit::LendingCache<std::unique_ptr<Cert>> leaves{kLeafPoolEntries};

  // The anchors parsed into a trust list once, by the first verification
  // (trust_anchors), and only read from then on: every session's
  // verify_chain shares it, on any thread.
  mutable std::once_flag trust_once;
  mutable std::unique_ptr<const TrustAnchors> trust;

  TlsContext() = default;
  TlsContext(const TlsContext &) = delete;
  TlsContext &operator=(const TlsContext &) = delete;
  ~TlsContext() {
    credentials.reset();  // before the certificates it may hand out
    if (own_pcerts_ready) {
      for (gnutls_pcert_st &p : own_pcerts)
        gnutls_pcert_deinit(&p);
    }
  }

  bool client() const noexcept { return role == POLYTLS_ROLE_CLIENT; }

  // trust_anchors builds the anchors' trust list on first use: std::call_once
  // runs the build on one thread, makes any other wait for it, and
  // publishes the finished list to all of them (a build that throws leaves
  // nothing behind, and the next call builds again). The list is immutable
  // from then on; see verify_chain (x509.cpp) for why GnuTLS lets several
  // threads verify against one list at once.
  const TrustAnchors &trust_anchors() const {
    std::call_once(trust_once, [this] {
      std::vector<std::span<const unsigned char>> views(anchors.begin(), anchors.end());
      auto built = std::make_unique<TrustAnchors>();
      build_trust_anchors(views, *built);
      trust = std::move(built);
    });
    return *trust;
  }

  // chain_check tells whether the peer's chain is verified against the
  // anchors (the peer_check runs in any case).
  bool chain_check() const noexcept {
    return client() ? verify_peer == 1 : verify_peer != POLYTLS_CLIENT_AUTH_NONE;
  }
};

// TlsSession is what a `polytls_tls_session *` points to. GnuTLS holds a
// pointer to it (transport and callbacks): it never moves.
struct TlsSession {
  TlsContext *context = nullptr;  // outlives the session (the core frees sessions first)
  polytls_transport transport{};
  polytls_peer_check_fn peer_check = nullptr;
  void *peer_check_user = nullptr;

  // What the transport said last (WANT_READ / WANT_WRITE), whether the
  // stream ended, and its failure (kept: every later call returns it).
  polytls_status last_want = POLYTLS_ERR_WANT_READ;
  // Whether the transport said WANT_* during the current GnuTLS call: GnuTLS
  // also answers GNUTLS_E_AGAIN by itself (after taking in a TLS 1.3
  // post-handshake message), which only means "call again now".
  bool want_seen = false;
  bool eof = false;
  Failure transport_failure;
  // Our verification of the peer or the core's peer check, when it failed.
  Failure verify_failure;
  bool peer_checked = false;  // the peer check ran (and passed) on this connection
  // The failure that ended the session, returned by every later call.
  Failure fatal;

  bool handshake_done = false;
  bool peer_closed = false;  // the peer's close_notify arrived
  bool close_sent = false;
  std::size_t pending_write = 0;  // bytes of a record GnuTLS holds after EAGAIN

  // A server's look at the first ClientHello (watch_client_hello): the
  // bytes so far, whether it is judged, and whether the client offers no
  // version this server has.
  Bytes hello;
  bool hello_checked = false;
  bool hello_no_version = false;
  std::string hello_offers;

  // A client's resumed session: the leaf stored with it.
  Bytes resumed_leaf;

  // What the handshake negotiated, kept when it completes.
  uint32_t version = 0;
  uint32_t cipher_suite = 0;
  uint32_t group = 0;
  bool resumed = false;
  std::string alpn;
  std::string server_name;

  SessionHandle session;  // last: freed first

  TlsSession() = default;
  TlsSession(const TlsSession &) = delete;
  TlsSession &operator=(const TlsSession &) = delete;
};

TlsSession *session_of(gnutls_session_t session) noexcept {
  return session != nullptr ? static_cast<TlsSession *>(gnutls_session_get_ptr(session)) : nullptr;
}

const char *status_name(polytls_status st) noexcept {
  switch (st) {
    case POLYTLS_ERR_IO: return "I/O error";
    case POLYTLS_ERR_TIMEOUT: return "timeout";
    case POLYTLS_ERR_PEER_CLOSED: return "peer closed";
    case POLYTLS_ERR_INTERNAL: return "internal error";
    default: return "error";
  }
}

// ---- the first ClientHello, as a server sees it ----

// watch_client_hello reads a server's received bytes until the first
// ClientHello is complete, and notes whether the client offers a version
// this server has. GnuTLS 3.7 answers a client with no version in common
// with GNUTLS_E_NO_CIPHER_SUITES (a TLS 1.2-only server reads a TLS
// 1.3-only ClientHello as TLS 1.2 without suites, a TLS 1.3-only server
// finds no TLS 1.3 offer); failure_of turns that into PROTOCOL_VERSION and
// the protocol_version alert.
void watch_client_hello(TlsSession &s, const unsigned char *data, std::size_t n) {
  constexpr std::size_t kLimit = 65536;
  s.hello.insert(s.hello.end(), data, data + n);
  Bytes body;
  const kit::FirstHello found = kit::first_client_hello(s.hello, body);
  if (found == kit::FirstHello::need_more && s.hello.size() < kLimit) return;
  s.hello_checked = true;
  s.hello.clear();
  s.hello.shrink_to_fit();
  if (found != kit::FirstHello::complete) return;
  const kit::ClientHelloSummary hello = kit::parse_client_hello(body);
  if (!hello.parsed) return;
  const TlsContext &c = *s.context;
  const bool offers12 = hello.offers(POLYTLS_TLS1_2);
  const bool offers13 = hello.offers(POLYTLS_TLS1_3);
  const bool can12 = c.min_version <= POLYTLS_TLS1_2 && offers12;
  const bool can13 = c.max_version >= POLYTLS_TLS1_3 && offers13;
  s.hello_no_version = !can12 && !can13;
  s.hello_offers = offers13 ? (offers12 ? "TLS 1.2 and 1.3" : "TLS 1.3 only")
                            : (offers12 ? "TLS 1.2 only" : "only versions before TLS 1.2");
}

// ---- transport ----

void transport_failed(TlsSession &s, polytls_status st, const char *direction) noexcept {
  if (s.transport_failure.failed()) return;  // keep the first failure
  s.transport_failure.status = st;
  s.transport_failure.code = 0;
  try {
    s.transport_failure.detail =
        format("the transport failed while %s (%s)", direction, status_name(st));
  } catch (...) {
  }
}

ssize_t push(gnutls_transport_ptr_t ptr, const void *data, std::size_t len) noexcept {
  auto *s = static_cast<TlsSession *>(ptr);
  if (s == nullptr) return -1;
  if (s->transport_failure.failed()) {
    gnutls_transport_set_errno(s->session.get(), EIO);
    return -1;
  }
  if (len == 0) return 0;
  std::size_t sent = 0;
  const polytls_status st =
      s->transport.send(s->transport.user, static_cast<const uint8_t *>(data), len, &sent);
  if (st == POLYTLS_OK && sent > 0 && sent <= len) return static_cast<ssize_t>(sent);
  if (st == POLYTLS_OK || st == POLYTLS_ERR_WANT_WRITE || st == POLYTLS_ERR_WANT_READ) {
    if (st == POLYTLS_OK && sent > len) {
      transport_failed(*s, POLYTLS_ERR_IO, "sending");
      gnutls_transport_set_errno(s->session.get(), EIO);
      return -1;
    }
    s->last_want = st == POLYTLS_ERR_WANT_READ ? POLYTLS_ERR_WANT_READ : POLYTLS_ERR_WANT_WRITE;
    s->want_seen = true;
    gnutls_transport_set_errno(s->session.get(), EAGAIN);
    return -1;
  }
  transport_failed(*s, st, "sending");
  gnutls_transport_set_errno(s->session.get(), EIO);
  return -1;
}

ssize_t pull(gnutls_transport_ptr_t ptr, void *buf, std::size_t cap) noexcept {
  auto *s = static_cast<TlsSession *>(ptr);
  if (s == nullptr) return -1;
  if (s->transport_failure.failed()) {
    gnutls_transport_set_errno(s->session.get(), EIO);
    return -1;
  }
  if (s->eof) return 0;
  if (cap == 0) return 0;
  std::size_t got = 0;
  const polytls_status st =
      s->transport.recv(s->transport.user, static_cast<uint8_t *>(buf), cap, &got);
  if (st == POLYTLS_OK) {
    if (got == 0) {  // the peer closed the stream
      s->eof = true;
      return 0;
    }
    if (got > cap) {
      transport_failed(*s, POLYTLS_ERR_IO, "receiving");
      gnutls_transport_set_errno(s->session.get(), EIO);
      return -1;
    }
    if (!s->hello_checked && !s->context->client()) {
      try {
        watch_client_hello(*s, static_cast<const unsigned char *>(buf), got);
      } catch (...) {
        s->hello_checked = true;
      }
    }
    return static_cast<ssize_t>(got);
  }
  if (st == POLYTLS_ERR_WANT_READ || st == POLYTLS_ERR_WANT_WRITE) {
    s->last_want = st;
    s->want_seen = true;
    gnutls_transport_set_errno(s->session.get(), EAGAIN);
    return -1;
  }
  transport_failed(*s, st, "receiving");
  gnutls_transport_set_errno(s->session.get(), EIO);
  return -1;
}

// ---- peer verification ----

// run_peer_check hands the leaf `leaf_der` to the core's check as one of
// this backend's own certificates (borrowed for the call). `parsed` is the
// certificate already parsed from these bytes (verify_chain's), if any;
// without it the context's cache may have the leaf, else it is parsed here.
// With resumption on, a leaf that passed goes to the cache for the peer
// checks of resumed sessions.
Failure run_peer_check(TlsSession &s, std::span<const unsigned char> leaf_der,
                       X509Crt parsed = {}) {
  TlsContext &c = *s.context;
  Failure f;
  std::optional<kit::LendingCache<std::unique_ptr<Cert>>::Entry> cached;
  if (c.resumption && !parsed) cached = c.leaves.take(leaf_der);
  std::unique_ptr<Cert> leaf = cached ? std::move(cached->value) : nullptr;
  polytls_error e{};
  e.struct_size = sizeof e;
  if (!leaf) {
    if (const polytls_status st = adopt_cert(leaf_der, std::move(parsed), leaf, &e);
        st != POLYTLS_OK) {
      e.detail[sizeof e.detail - 1] = '\0';
      f.status = POLYTLS_ERR_UNTRUSTED;
      f.code = e.library_code;
      f.detail = format("the peer's certificate does not parse: %s", e.detail);
      return f;
    }
  }
  e = polytls_error{};
  e.struct_size = sizeof e;
  const polytls_status st =
      s.peer_check(s.peer_check_user, kit::to_handle<const polytls_cert>(leaf.get()), &e);
  if (st != POLYTLS_OK) {
    e.detail[sizeof e.detail - 1] = '\0';
    f.status = st;
    f.code = e.library_code;
    f.detail = e.detail[0] != '\0' ? e.detail : "the peer's certificate failed the check";
    return f;
  }
  if (c.resumption) {
    std::vector<unsigned char> key = cached ? std::move(cached->key) : leaf->der;
    c.leaves.give_back({std::move(key), std::move(leaf)});
  }
  return f;
}

// check_peer verifies the chain the peer sent (leaf first) when the
// configuration asks for it, then runs the core's peer check.
Failure check_peer(TlsSession &s, const gnutls_datum_t *certs, unsigned count) {
  const TlsContext &c = *s.context;
  const bool client = c.client();
  const char *whose = client ? "the server's certificate" : "the client's certificate";
  Failure f;
  if (count == 0 || certs == nullptr) {
    if (client && (c.chain_check() || s.peer_check != nullptr)) {
      f = {POLYTLS_ERR_UNTRUSTED, 0, "the server sent no certificate"};
    } else if (!client && c.verify_peer == POLYTLS_CLIENT_AUTH_REQUIRE) {
      f = {POLYTLS_ERR_HANDSHAKE, GNUTLS_E_CERTIFICATE_REQUIRED,
           "TLS server handshake: a client certificate is required and the client sent none"};
    }
    return f;  // a server that only requested one: fine without
  }
  // The chain is parsed once: verify_chain hands its certificates back, and
  // the peer check gets the leaf it parsed.
  std::vector<X509Crt> parsed;
  if (c.chain_check()) {
    std::vector<std::span<const unsigned char>> chain;
    chain.reserve(count);
    for (unsigned i = 0; i < count; ++i)
      chain.emplace_back(certs[i].data, certs[i].size);
    const ChainResult r =
        verify_chain(chain, c.trust_anchors(), client ? kServerAuth : kClientAuth, &parsed);
    if (r.status != POLYTLS_OK) {
      f = {r.status, r.code, format("%s did not verify: %s", whose, r.detail.c_str())};
      return f;
    }
  }
  if (s.peer_check != nullptr) {
    X509Crt leaf = parsed.empty() ? X509Crt{} : std::move(parsed.front());
    f = run_peer_check(s, {certs[0].data, certs[0].size}, std::move(leaf));
    if (!f.failed()) s.peer_checked = true;
  }
  return f;
}

// verify_function is the session's verify function: GnuTLS calls it inside
// the handshake once the peer's certificate (and, in TLS 1.3, its
// CertificateVerify) has arrived. Non-zero fails the handshake with
// GNUTLS_E_CERTIFICATE_ERROR; the failure itself is kept for the caller.
int verify_function(gnutls_session_t session) noexcept {
  TlsSession *s = session_of(session);
  if (s == nullptr || s->context == nullptr) return -1;
  try {
    if (gnutls_certificate_type_get2(session, GNUTLS_CTYPE_PEERS) != GNUTLS_CRT_X509) {
      s->verify_failure = {POLYTLS_ERR_UNTRUSTED, 0, "the peer's certificate is not X.509"};
      return -1;
    }
    unsigned count = 0;
    const gnutls_datum_t *certs = gnutls_certificate_get_peers(session, &count);
    Failure f = check_peer(*s, certs, count);
    if (!f.failed()) return 0;
    s->verify_failure = std::move(f);
  } catch (...) {
    s->verify_failure = {POLYTLS_ERR_INTERNAL, 0, "peer verification: unexpected exception"};
  }
  return -1;
}

// retrieve_client_certificate gives a client's own chain and key whenever
// the server asks for a certificate, whatever CAs it names (GnuTLS's own
// selection would send nothing when none matches the chain's issuer).
int retrieve_client_certificate(gnutls_session_t session, const gnutls_datum_t *, int,
                                const gnutls_pk_algorithm_t *, int, gnutls_pcert_st **pcerts,
                                unsigned int *pcert_length, gnutls_privkey_t *privkey) noexcept {
  TlsSession *s = session_of(session);
  *pcert_length = 0;
  *pcerts = nullptr;
  *privkey = nullptr;
  if (s == nullptr || s->context == nullptr || !s->context->own_pcerts_ready) return 0;
  TlsContext &c = *s->context;
  *pcerts = c.own_pcerts.data();
  *pcert_length = static_cast<unsigned>(c.own_pcerts.size());
  *privkey = c.own_key.get();
  return 0;
}

// ---- key log ----

// keylog_function writes one NSS line per secret GnuTLS derives
// (CLIENT_RANDOM in TLS 1.2; the handshake and traffic secrets and
// EXPORTER_SECRET in TLS 1.3).
int keylog_function(gnutls_session_t session, const char *label,
                    const gnutls_datum_t *secret) noexcept {
  TlsSession *s = session_of(session);
  if (s == nullptr || s->context == nullptr || s->context->keylog == nullptr || label == nullptr ||
      secret == nullptr) {
    return 0;
  }
  try {
    gnutls_datum_t client_random{nullptr, 0}, server_random{nullptr, 0};
    gnutls_session_get_random(session, &client_random, &server_random);
    if (client_random.data == nullptr || client_random.size == 0) return 0;
    std::string line = kit::keylog_line(label, {client_random.data, client_random.size},
                                        {secret->data, secret->size});
    s->context->keylog(s->context->keylog_user, line.c_str());
    kit::wipe(line.data(), line.size());
  } catch (...) {
  }
  return 0;
}

// ---- the server's session-ID cache ----

int cache_store(void *ptr, gnutls_datum_t key, gnutls_datum_t data) noexcept {
  auto *c = static_cast<TlsContext *>(ptr);
  if (c == nullptr || key.data == nullptr || key.size == 0 || data.data == nullptr) return -1;
  try {
    TlsContext::CacheEntry entry;
    entry.key.assign(key.data, key.data + key.size);
    entry.data.resize(data.size);
    std::memcpy(entry.data.data(), data.data, data.size);
    std::lock_guard<std::mutex> lock(c->cache_mutex);
    for (auto it = c->cache.begin(); it != c->cache.end(); ++it) {
      if (it->key == entry.key) {
        c->cache.erase(it);
        break;
      }
    }
    while (c->cache.size() >= kCacheEntries)
      c->cache.pop_front();
    c->cache.push_back(std::move(entry));
    return 0;
  } catch (...) {
    return -1;
  }
}

// cache_retrieve returns a copy GnuTLS frees (gnutls_malloc); an entry past
// its expiry time (gnutls_db_check_entry_expire_time) is dropped instead.
gnutls_datum_t cache_retrieve(void *ptr, gnutls_datum_t key) noexcept {
  gnutls_datum_t out{nullptr, 0};
  auto *c = static_cast<TlsContext *>(ptr);
  if (c == nullptr || key.data == nullptr || key.size == 0) return out;
  try {
    std::lock_guard<std::mutex> lock(c->cache_mutex);
    for (auto it = c->cache.begin(); it != c->cache.end(); ++it) {
      const TlsContext::CacheEntry &entry = *it;
      if (entry.key.size() == key.size && std::memcmp(entry.key.data(), key.data, key.size) == 0) {
        gnutls_datum_t stored{const_cast<unsigned char *>(entry.data.data()),
                              static_cast<unsigned>(entry.data.size())};
        if (gnutls_db_check_entry_expire_time(&stored) <= std::time(nullptr)) {
          c->cache.erase(it);
          return out;
        }
        auto *copy = static_cast<unsigned char *>(gnutls_malloc(entry.data.size()));
        if (copy == nullptr) return out;
        std::memcpy(copy, entry.data.data(), entry.data.size());
        out.data = copy;
        out.size = static_cast<unsigned>(entry.data.size());
        return out;
      }
    }
  } catch (...) {
  }
  return out;
}

int cache_remove(void *ptr, gnutls_datum_t key) noexcept {
  auto *c = static_cast<TlsContext *>(ptr);
  if (c == nullptr || key.data == nullptr) return -1;
  try {
    std::lock_guard<std::mutex> lock(c->cache_mutex);
    for (auto it = c->cache.begin(); it != c->cache.end(); ++it) {
      if (it->key.size() == key.size && std::memcmp(it->key.data(), key.data, key.size) == 0) {
        c->cache.erase(it);
        return 0;
      }
    }
  } catch (...) {
  }
  return -1;
}

// ---- context helpers ----

// PriorityParts are the selection-dependent parts of the priority string.
struct PriorityParts {
  std::string kx = kDefaultKx;
  std::string ciphers = kDefaultCiphers;
  std::string groups = kDefaultGroups;
};

std::string priority_for(uint32_t min_version, uint32_t max_version, const PriorityParts &parts) {
  std::string p = "NORMAL:-VERS-ALL:-KX-ALL:" + parts.kx + ":-CIPHER-ALL:" + parts.ciphers +
                  ":-MAC-ALL:+AEAD:-GROUP-ALL:" + parts.groups +
                  ":-SIGN-RSA-SHA1:-SIGN-ECDSA-SHA1:%SERVER_PRECEDENCE";
  if (max_version >= POLYTLS_TLS1_3) p += ":+VERS-TLS1.3";
  if (min_version <= POLYTLS_TLS1_2) p += ":+VERS-TLS1.2";
  return p;
}

const char *gnutls_cipher_word(kit::TlsSuiteCipher cipher) noexcept {
  switch (cipher) {
    case kit::TlsSuiteCipher::kAes128Gcm: return "+AES-128-GCM";
    case kit::TlsSuiteCipher::kAes256Gcm: return "+AES-256-GCM";
    case kit::TlsSuiteCipher::kChacha20Poly1305: return "+CHACHA20-POLY1305";
  }
  return "";
}

const char *gnutls_group_word(uint16_t iana) noexcept {
  switch (iana) {
    case 0x001d: return "+GROUP-X25519";
    case 0x0017: return "+GROUP-SECP256R1";
    case 0x0018: return "+GROUP-SECP384R1";
    default: return nullptr;
  }
}

// selection_parts turns the selection into priority words. A priority
// string enables key exchanges and ciphers, not single suites: GnuTLS
// offers every TLS 1.2 suite of an enabled key exchange and cipher, every
// TLS 1.3 suite of an enabled cipher, and orders them by one cipher order.
// A selection that is not such a set, or not in such an order, cannot be
// honoured exactly and is POLYTLS_ERR_UNSUPPORTED, saying which suite
// stands in the way.
polytls_status selection_parts(const polytls_tls_config_v1 &cfg, uint32_t lo, uint32_t hi,
                               PriorityParts &parts, polytls_error *err) {
  kit::TlsSelection selection;
  if (const polytls_status st = kit::read_tls_selection(cfg, selection, err); st != POLYTLS_OK) {
    return st;
  }
  if (!selection.groups.empty()) {
    parts.groups.clear();
    for (const kit::TlsGroup *group : selection.groups) {
      const char *word = gnutls_group_word(group->iana);
      if (word == nullptr) {
        return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                              "the GnuTLS backend has no key exchange group %s", group->name);
      }
      if (!parts.groups.empty()) parts.groups += ':';
      parts.groups += word;
    }
  }
  std::vector<const kit::TlsSuite *> suites;
  for (const kit::TlsSuite *suite : selection.suites) {
    if (suite->version >= lo && suite->version <= hi) suites.push_back(suite);
  }
  if (suites.empty()) return POLYTLS_OK;
  std::vector<kit::TlsSuiteCipher> ciphers;
  std::vector<kit::TlsSuiteKx> kxs;
  for (const kit::TlsSuite *suite : suites) {
    if (std::find(ciphers.begin(), ciphers.end(), suite->cipher) == ciphers.end()) {
      ciphers.push_back(suite->cipher);
    }
    if (suite->version == POLYTLS_TLS1_2 &&
        std::find(kxs.begin(), kxs.end(), suite->kx) == kxs.end()) {
      kxs.push_back(suite->kx);
    }
  }
  // The set GnuTLS would offer must be the selection.
  for (const kit::TlsSuite &suite : kit::kTlsSuites) {
    if (suite.version < lo || suite.version > hi) continue;
    const bool enabled = std::find(ciphers.begin(), ciphers.end(), suite.cipher) != ciphers.end() &&
                         (suite.version == POLYTLS_TLS1_3 ||
                          std::find(kxs.begin(), kxs.end(), suite.kx) != kxs.end());
    const bool selected = std::find(suites.begin(), suites.end(), &suite) != suites.end();
    if (enabled && !selected) {
      return kit::set_error(
          err, POLYTLS_ERR_UNSUPPORTED, 0,
          "GnuTLS cannot offer exactly these cipher suites: its priority strings enable key "
          "exchanges and ciphers, not single suites, and this selection would also enable %s "
          "(list it too, or choose suites that differ in one way only)",
          suite.iana_name);
    }
  }
  // Within one version and key exchange, the suites must follow one cipher order.
  const auto rank = [&ciphers](kit::TlsSuiteCipher c) {
    return std::find(ciphers.begin(), ciphers.end(), c) - ciphers.begin();
  };
  for (std::size_t i = 0; i < suites.size(); ++i) {
    for (std::size_t j = i + 1; j < suites.size(); ++j) {
      if (suites[i]->version == suites[j]->version && suites[i]->kx == suites[j]->kx &&
          rank(suites[i]->cipher) > rank(suites[j]->cipher)) {
        return kit::set_error(
            err, POLYTLS_ERR_UNSUPPORTED, 0,
            "GnuTLS cannot order these cipher suites: one cipher order serves every key exchange "
            "and version, and %s comes before %s here but after it elsewhere in the list",
            suites[i]->iana_name, suites[j]->iana_name);
      }
    }
  }
  parts.ciphers.clear();
  for (kit::TlsSuiteCipher cipher : ciphers) {
    if (!parts.ciphers.empty()) parts.ciphers += ':';
    parts.ciphers += gnutls_cipher_word(cipher);
  }
  if (!kxs.empty()) {
    parts.kx.clear();
    for (kit::TlsSuiteKx kx : kxs) {
      if (!parts.kx.empty()) parts.kx += ':';
      parts.kx += kx == kit::TlsSuiteKx::kEcdheEcdsa ? "+ECDHE-ECDSA" : "+ECDHE-RSA";
    }
  }
  return POLYTLS_OK;
}

// parse_alpn checks the wire-format list and views each name for GnuTLS,
// which takes at most 8 names of at most 31 bytes each (MAX_ALPN_PROTOCOLS,
// MAX_ALPN_PROTOCOL_NAME in lib/ext/alpn.h).
polytls_status parse_alpn(TlsContext &c, polytls_error *err) {
  const Bytes &w = c.alpn_wire;
  for (std::size_t i = 0; i < w.size();) {
    const std::size_t len = w[i];
    if (len == 0 || i + 1 + len > w.size()) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "the ALPN list is not in wire format (length-prefixed, non-empty)");
    }
    if (len >= 32) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "GnuTLS takes ALPN protocol names of at most 31 bytes");
    }
    c.alpn.push_back(
        gnutls_datum_t{const_cast<unsigned char *>(w.data() + i + 1), static_cast<unsigned>(len)});
    i += 1 + len;
  }
  if (c.alpn.size() > 8) {
    return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0, "GnuTLS takes at most 8 ALPN protocols");
  }
  return POLYTLS_OK;
}

// use_own_chain installs our chain and key: on a server in the credentials
// (GnuTLS copies them); on a client as the certificate handed out by
// retrieve_client_certificate (copies the context owns).
polytls_status use_own_chain(TlsContext &c, const polytls_tls_config_v1 &config,
                             polytls_error *err) {
  const Key *key = kit::from_handle<Key>(config.key);
  if (key == nullptr || !key->has_private || !key->x509) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                          "the key of the certificate chain has no private half");
  }
  std::vector<gnutls_x509_crt_t> crts;
  for (std::size_t i = 0; i < config.chain_count; ++i) {
    const Cert *cert = kit::from_handle<Cert>(config.chain[i]);
    if (cert == nullptr || !cert->crt) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "NULL certificate in the chain");
    }
    crts.push_back(cert->crt.get());
  }
  if (!c.client()) {
    const int rc = gnutls_certificate_set_x509_key(c.credentials.get(), crts.data(),
                                                   static_cast<int>(crts.size()), key->x509.get());
    if (rc < 0) {
      return fail(err, rc, Domain::tls, POLYTLS_ERR_BAD_INPUT,
                  "gnutls_certificate_set_x509_key (the server's chain and key)");
    }
    return POLYTLS_OK;
  }
  c.own_pcerts.resize(config.chain_count);
  std::size_t done = 0;
  int rc = 0;
  for (; done < config.chain_count; ++done) {
    const Cert *cert = kit::from_handle<Cert>(config.chain[done]);
    gnutls_datum_t der = as_datum(cert->der);
    rc = gnutls_pcert_import_x509_raw(&c.own_pcerts[done], &der, GNUTLS_X509_FMT_DER, 0);
    if (rc < 0) break;
  }
  if (rc < 0) {
    for (std::size_t i = 0; i < done; ++i)
      gnutls_pcert_deinit(&c.own_pcerts[i]);
    c.own_pcerts.clear();
    return fail(err, rc, Domain::tls, POLYTLS_ERR_BAD_INPUT,
                "gnutls_pcert_import_x509_raw (the client's chain)");
  }
  c.own_pcerts_ready = true;
  X509PrivKey copy;
  {
    gnutls_x509_privkey_t raw = nullptr;
    if ((rc = gnutls_x509_privkey_init(&raw)) < 0) {
      return fail(err, rc, Domain::tls, POLYTLS_ERR_INTERNAL, "gnutls_x509_privkey_init");
    }
    copy.reset(raw);
  }
  if ((rc = gnutls_x509_privkey_cpy(copy.get(), key->x509.get())) < 0) {
    return fail(err, rc, Domain::tls, POLYTLS_ERR_INTERNAL, "gnutls_x509_privkey_cpy");
  }
  {
    gnutls_privkey_t raw = nullptr;
    if ((rc = gnutls_privkey_init(&raw)) < 0) {
      return fail(err, rc, Domain::tls, POLYTLS_ERR_INTERNAL, "gnutls_privkey_init");
    }
    c.own_key.reset(raw);
  }
  rc = gnutls_privkey_import_x509(c.own_key.get(), copy.get(), GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE);
  if (rc < 0) {
    return fail(err, rc, Domain::tls, POLYTLS_ERR_INTERNAL, "gnutls_privkey_import_x509");
  }
  (void)copy.release();  // the abstract key owns it now
  gnutls_certificate_set_retrieve_function2(c.credentials.get(), retrieve_client_certificate);
  return POLYTLS_OK;
}

// ---- session helpers ----

bool is_want(int rc) noexcept {
  return rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED;
}

polytls_status want(TlsSession &s, polytls_error *err) {
  const polytls_status st = s.last_want;
  return kit::set_error(err, st, GNUTLS_E_AGAIN, "%s",
                        st == POLYTLS_ERR_WANT_WRITE ? "the transport cannot take more now"
                                                     : "waiting for data from the peer");
}

polytls_status fail_session(TlsSession &s, Failure f, polytls_error *err) {
  s.fatal = std::move(f);
  return report(err, s.fatal);
}

// send_alert sends a fatal alert (best effort: GnuTLS sends alerts even on a
// session whose handshake failed).
void send_alert(TlsSession &s, int alert) noexcept {
  (void)gnutls_alert_send(s.session.get(), GNUTLS_AL_FATAL,
                          static_cast<gnutls_alert_description_t>(alert));
}

const char *alert_name(int alert) noexcept {
  const char *name = gnutls_alert_get_strname(static_cast<gnutls_alert_description_t>(alert));
  return name != nullptr ? name : "unknown alert";
}

// failure_of turns a failed GnuTLS call into the session's failure: the
// transport's own failure first, then our verification's, then the end of
// the stream, then an alert the peer sent, then GnuTLS's code through the
// table. In the handshake, our side answers a failure of its own with the
// alert GnuTLS names for it.
Failure failure_of(TlsSession &s, int rc, const char *what, bool in_handshake) {
  if (s.transport_failure.failed()) {
    Failure f = s.transport_failure;
    f.detail = format("%s: %s", what, f.detail.c_str());
    return f;
  }
  if (s.verify_failure.failed()) {
    if (in_handshake && rc == GNUTLS_E_CERTIFICATE_ERROR) {
      send_alert(s, s.verify_failure.status == POLYTLS_ERR_HANDSHAKE
                        ? (s.version == POLYTLS_TLS1_3 ? GNUTLS_A_CERTIFICATE_REQUIRED
                                                       : GNUTLS_A_HANDSHAKE_FAILURE)
                        : alert_to_send(s.verify_failure.status));
    }
    return s.verify_failure;
  }
  Failure f;
  f.code = rc;
  if (rc == GNUTLS_E_FATAL_ALERT_RECEIVED ||
      (rc == GNUTLS_E_WARNING_ALERT_RECEIVED && in_handshake)) {
    const int alert = static_cast<int>(gnutls_alert_get(s.session.get()));
    if (alert == GNUTLS_A_CLOSE_NOTIFY && in_handshake) {
      f.status = POLYTLS_ERR_PEER_CLOSED;
      f.detail = format("%s: the peer closed the connection (close_notify)", what);
      return f;
    }
    f.status = alert_status_for(alert, POLYTLS_ERR_HANDSHAKE);
    f.detail = format("%s: the peer sent the alert %s (%d)", what, alert_name(alert), alert);
    return f;
  }
  if (s.eof && (rc == GNUTLS_E_PREMATURE_TERMINATION || rc == GNUTLS_E_UNEXPECTED_PACKET_LENGTH ||
                rc == GNUTLS_E_PULL_ERROR)) {
    f.status = in_handshake ? POLYTLS_ERR_PEER_CLOSED : POLYTLS_ERR_IO;
    f.detail = in_handshake
                   ? format("%s: the peer closed the connection during the handshake", what)
                   : format("%s: truncated: the transport ended without close_notify", what);
    return f;
  }
  f.status = status_for(rc, Domain::tls, in_handshake ? POLYTLS_ERR_HANDSHAKE : POLYTLS_ERR_IO);
  f.detail = format("%s: %s", what, library_words(rc).c_str());
  if (!in_handshake) return f;
  int level = GNUTLS_AL_FATAL;
  int alert = gnutls_error_to_alert(rc, &level);
  const bool server = !s.context->client();
  if (server && s.hello_no_version) {
    // See watch_client_hello.
    f.status = POLYTLS_ERR_PROTOCOL_VERSION;
    f.detail =
        format("%s: no protocol version in common (the client offers %s, this server %s); %s", what,
               s.hello_offers.c_str(),
               s.context->min_version == s.context->max_version
                   ? (s.context->max_version == POLYTLS_TLS1_3 ? "TLS 1.3 only" : "TLS 1.2 only")
                   : "TLS 1.2 and 1.3",
               library_words(rc).c_str());
    alert = GNUTLS_A_PROTOCOL_VERSION;
    level = GNUTLS_AL_FATAL;
  } else if (server &&
             (rc == GNUTLS_E_CERTIFICATE_REQUIRED || rc == GNUTLS_E_NO_CERTIFICATE_FOUND)) {
    // GnuTLS names decode_error for a TLS 1.2 client's empty Certificate;
    // RFC 5246 says handshake_failure, RFC 8446 certificate_required.
    f.detail = format("%s: a client certificate is required and the client sent none: %s", what,
                      library_words(rc).c_str());
    alert = gnutls_protocol_get_version(s.session.get()) == GNUTLS_TLS1_3
                ? GNUTLS_A_CERTIFICATE_REQUIRED
                : GNUTLS_A_HANDSHAKE_FAILURE;
    level = GNUTLS_AL_FATAL;
  }
  if (alert >= 0 && level == GNUTLS_AL_FATAL) {
    send_alert(s, alert);
    f.detail += format("; sent the alert %s", alert_name(alert));
  }
  return f;
}

// iana_suite finds the IANA number of the negotiated cipher suite in
// GnuTLS's suite table (gnutls_cipher_suite_info): in TLS 1.3 by cipher
// alone (the table's TLS 1.3 entries have no key exchange), in TLS 1.2 by
// key exchange, cipher and MAC.
uint32_t iana_suite(gnutls_session_t session, uint32_t version) noexcept {
  const gnutls_kx_algorithm_t kx = gnutls_kx_get(session);
  const gnutls_cipher_algorithm_t cipher = gnutls_cipher_get(session);
  const gnutls_mac_algorithm_t mac = gnutls_mac_get(session);
  unsigned char id[2];
  gnutls_kx_algorithm_t k;
  gnutls_cipher_algorithm_t c;
  gnutls_mac_algorithm_t m;
  gnutls_protocol_t min;
  for (std::size_t i = 0; gnutls_cipher_suite_info(i, id, &k, &c, &m, &min) != nullptr; ++i) {
    if (c != cipher) continue;
    const bool tls13_suite = min == GNUTLS_TLS1_3;
    if (version == POLYTLS_TLS1_3) {
      if (!tls13_suite) continue;
    } else if (tls13_suite || k != kx || m != mac) {
      continue;
    }
    return (uint32_t{id[0]} << 8) | id[1];
  }
  return 0;
}

uint32_t iana_group(gnutls_group_t group) noexcept {
  switch (group) {
    case GNUTLS_GROUP_SECP256R1: return 0x0017;
    case GNUTLS_GROUP_SECP384R1: return 0x0018;
    case GNUTLS_GROUP_SECP521R1: return 0x0019;
    case GNUTLS_GROUP_X25519: return 0x001d;
    case GNUTLS_GROUP_X448: return 0x001e;
    case GNUTLS_GROUP_FFDHE2048: return 0x0100;
    case GNUTLS_GROUP_FFDHE3072: return 0x0101;
    case GNUTLS_GROUP_FFDHE4096: return 0x0102;
    case GNUTLS_GROUP_FFDHE6144: return 0x0103;
    case GNUTLS_GROUP_FFDHE8192: return 0x0104;
    default: return 0;
  }
}

// finish_handshake keeps what the handshake negotiated.
void finish_handshake(TlsSession &s) {
  gnutls_session_t session = s.session.get();
  const gnutls_protocol_t v = gnutls_protocol_get_version(session);
  s.version = v == GNUTLS_TLS1_3 ? POLYTLS_TLS1_3 : v == GNUTLS_TLS1_2 ? POLYTLS_TLS1_2 : 0;
  s.cipher_suite = iana_suite(session, s.version);
  s.group = iana_group(gnutls_group_get(session));
  s.resumed = gnutls_session_is_resumed(session) != 0;
  gnutls_datum_t protocol{nullptr, 0};
  if (gnutls_alpn_get_selected_protocol(session, &protocol) == 0 && protocol.data != nullptr) {
    s.alpn.assign(reinterpret_cast<const char *>(protocol.data), protocol.size);
  }
  if (!s.context->client()) {
    char name[256];
    std::size_t len = sizeof name;
    unsigned type = 0;
    if (gnutls_server_name_get(session, name, &len, &type, 0) == 0 && type == GNUTLS_NAME_DNS) {
      s.server_name.assign(name, strnlen(name, std::min(len, sizeof name)));
    }
  }
}

// restore_session offers a session from tls_export_session. A resumed
// handshake carries no certificate, so the core's peer check runs now on
// the leaf stored with the session (parsed once per context: run_peer_check
// finds it in the context's leaf cache): if it fails, the session is not offered and
// the handshake is a full one (verified and checked as usual).
polytls_status restore_session(TlsSession &s, polytls_data resume, polytls_error *err) {
  const auto data = kit::bytes(resume);
  constexpr std::size_t header = sizeof kExportMagic + 4;
  if (data.size() < header || std::memcmp(data.data(), kExportMagic, sizeof kExportMagic) != 0) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                          "the resumption data is not a session exported by the GnuTLS backend");
  }
  const std::size_t leaf_len = (std::size_t{data[5]} << 24) | (std::size_t{data[6]} << 16) |
                               (std::size_t{data[7]} << 8) | data[8];
  if (leaf_len > data.size() - header || data.size() - header - leaf_len == 0) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                          "the resumption data is truncated (GnuTLS backend session)");
  }
  const auto leaf = data.subspan(header, leaf_len);
  const auto state = data.subspan(header + leaf_len);
  if (s.peer_check != nullptr) {
    if (leaf.empty() || run_peer_check(s, leaf).failed()) return POLYTLS_OK;  // full handshake
  }
  const int rc = gnutls_session_set_data(s.session.get(), state.data(), state.size());
  if (rc < 0) {
    return fail(err, rc, Domain::tls, POLYTLS_ERR_BAD_INPUT,
                "gnutls_session_set_data (the resumption data)");
  }
  s.resumed_leaf.assign(leaf.begin(), leaf.end());
  return POLYTLS_OK;
}

polytls_status configure_session(TlsSession &s, const polytls_tls_session_params_v1 &p,
                                 polytls_error *err) {
  TlsContext &c = *s.context;
  const bool client = c.client();
  unsigned flags = (client ? GNUTLS_CLIENT : GNUTLS_SERVER) | GNUTLS_NONBLOCK;
  if (!c.resumption) flags |= GNUTLS_NO_TICKETS;
  {
    gnutls_session_t raw = nullptr;
    const int rc = gnutls_init(&raw, flags);
    if (rc < 0) return fail(err, rc, Domain::tls, POLYTLS_ERR_INTERNAL, "gnutls_init");
    s.session.reset(raw);
  }
  gnutls_session_t session = s.session.get();
  gnutls_session_set_ptr(session, &s);
  gnutls_transport_set_ptr(session, &s);
  gnutls_transport_set_push_function(session, push);
  gnutls_transport_set_pull_function(session, pull);
  // The transport has its own timeouts; GnuTLS's 40-second handshake limit
  // would cut a slow but live peer (and reads the clock between calls).
  gnutls_handshake_set_timeout(session, 0);
  int rc = gnutls_priority_set(session, c.priority.get());
  if (rc < 0) return fail(err, rc, Domain::tls, POLYTLS_ERR_INTERNAL, "gnutls_priority_set");
  rc = gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, c.credentials.get());
  if (rc < 0) return fail(err, rc, Domain::tls, POLYTLS_ERR_INTERNAL, "gnutls_credentials_set");
  gnutls_session_set_verify_function(session, verify_function);
  if (c.keylog != nullptr) gnutls_session_set_keylog_function(session, keylog_function);
  if (!c.alpn.empty()) {
    // A server chooses by its own preference and fails without a protocol
    // in common (no_application_protocol); a client fails if the server
    // picks one it did not offer.
    rc = gnutls_alpn_set_protocols(session, c.alpn.data(), static_cast<unsigned>(c.alpn.size()),
                                   GNUTLS_ALPN_MANDATORY | GNUTLS_ALPN_SERVER_PRECEDENCE);
    if (rc < 0) {
      return fail(err, rc, Domain::tls, POLYTLS_ERR_INTERNAL, "gnutls_alpn_set_protocols");
    }
  }
  if (!client) {
    gnutls_certificate_server_set_request(
        session, c.verify_peer == POLYTLS_CLIENT_AUTH_REQUIRE   ? GNUTLS_CERT_REQUIRE
                 : c.verify_peer == POLYTLS_CLIENT_AUTH_REQUEST ? GNUTLS_CERT_REQUEST
                                                                : GNUTLS_CERT_IGNORE);
    if (c.resumption) {
      rc = gnutls_session_ticket_enable_server(session, c.ticket_key.get());
      if (rc < 0) {
        return fail(err, rc, Domain::tls, POLYTLS_ERR_INTERNAL,
                    "gnutls_session_ticket_enable_server");
      }
      gnutls_db_set_ptr(session, &c);
      gnutls_db_set_store_function(session, cache_store);
      gnutls_db_set_retrieve_function(session, cache_retrieve);
      gnutls_db_set_remove_function(session, cache_remove);
    }
    return POLYTLS_OK;
  }
  const std::string_view name = kit::text(p.server_name);
  if (!name.empty()) {
    if (name.size() > 255 || name.find('\0') != std::string_view::npos) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "the server name is not a valid host name");
    }
    rc = gnutls_server_name_set(session, GNUTLS_NAME_DNS, name.data(), name.size());
    if (rc < 0) {
      return fail(err, rc, Domain::tls, POLYTLS_ERR_BAD_INPUT, "gnutls_server_name_set");
    }
  }
  if (p.resume.len > 0) return restore_session(s, p.resume, err);
  return POLYTLS_OK;
}

}  // namespace

// ---- table members ----

polytls_status tls_context_new(void *, const polytls_tls_config_v1 *config,
                               polytls_tls_context **out_context, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    kit::TlsRange range;
    if (const polytls_status st =
            kit::check_tls_config(config, out_context, "GnuTLS", POLYTLS_TLS1_3, range, err);
        st != POLYTLS_OK) {
      return st;
    }
    const polytls_tls_config_v1 &cfg = *config;
    const bool client = range.client;
    const uint32_t lo = range.lo;
    const uint32_t hi = range.hi;
    if (cfg.anchor_count > 0 && cfg.anchors == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "anchor_count without anchors");
    }
    if (cfg.alpn.len > 0 && (cfg.alpn.data == nullptr || cfg.alpn.len > 0xFFFF)) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "bad ALPN list");
    }

    auto c = std::make_unique<TlsContext>();
    c->role = cfg.role;
    c->min_version = lo;
    c->max_version = hi;
    c->verify_peer = cfg.verify_peer;
    c->resumption = cfg.resumption == 1;
    c->keylog = cfg.keylog;
    c->keylog_user = cfg.keylog_user;
    const auto alpn = kit::bytes(cfg.alpn);
    c->alpn_wire.assign(alpn.begin(), alpn.end());
    if (const polytls_status st = parse_alpn(*c, err); st != POLYTLS_OK) return st;
    for (std::size_t i = 0; i < cfg.anchor_count; ++i) {
      const Cert *anchor = kit::from_handle<Cert>(cfg.anchors[i]);
      if (anchor == nullptr) return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "NULL anchor");
      c->anchors.push_back(anchor->der);
    }

    PriorityParts parts;
    if (const polytls_status st = selection_parts(cfg, lo, hi, parts, err); st != POLYTLS_OK) {
      return st;
    }
    const std::string priority = priority_for(lo, hi, parts);
    {
      gnutls_priority_t raw = nullptr;
      const char *error_at = nullptr;
      const int rc = gnutls_priority_init(&raw, priority.c_str(), &error_at);
      if (rc < 0) {
        return fail(err, rc, Domain::tls, POLYTLS_ERR_INTERNAL,
                    "gnutls_priority_init (the polytls algorithm set)");
      }
      c->priority.reset(raw);
    }
    {
      gnutls_certificate_credentials_t raw = nullptr;
      const int rc = gnutls_certificate_allocate_credentials(&raw);
      if (rc < 0) {
        return fail(err, rc, Domain::tls, POLYTLS_ERR_INTERNAL,
                    "gnutls_certificate_allocate_credentials");
      }
      c->credentials.reset(raw);
    }
    if (cfg.chain_count > 0) {
      if (const polytls_status st = use_own_chain(*c, cfg, err); st != POLYTLS_OK) return st;
    }
    if (!client && c->resumption) {
      const int rc = gnutls_session_ticket_key_generate(c->ticket_key.get());
      if (rc < 0) {
        return fail(err, rc, Domain::tls, POLYTLS_ERR_INTERNAL,
                    "gnutls_session_ticket_key_generate");
      }
    }
    *out_context = kit::to_handle<polytls_tls_context>(c.release());
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
        !kit::fits_struct(params->struct_size,
                          offsetof(polytls_tls_session_params_v1, peer_check_user) +
                              sizeof(params->peer_check_user))) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_session_new: bad arguments");
    }
    if (params->transport.send == nullptr || params->transport.recv == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "the transport has no send or recv");
    }
    if (!c->client() && params->server_name.len > 0) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "a server sends no server name");
    }
    if (params->resume.len > 0) {
      if (!c->client()) {
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "only a client resumes a session");
      }
      if (!c->resumption) {
        return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                              "resumption is off in this TLS context");
      }
    }
    auto s = std::make_unique<TlsSession>();
    s->context = c;
    s->transport = params->transport;
    s->peer_check = params->peer_check;
    s->peer_check_user = params->peer_check_user;
    if (const polytls_status st = configure_session(*s, *params, err); st != POLYTLS_OK) {
      return st;
    }
    *out_session = kit::to_handle<polytls_tls_session>(s.release());
    return POLYTLS_OK;
  });
}

polytls_status tls_handshake(polytls_tls_session *session, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    TlsSession *s = kit::from_handle<TlsSession>(session);
    if (s == nullptr) return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "no session");
    if (s->fatal.failed()) return report(err, s->fatal);
    if (s->handshake_done) return POLYTLS_OK;
    const bool client = s->context->client();
    const char *what = client ? "TLS client handshake" : "TLS server handshake";
    int rc = 0;
    for (int round = 0; round < 16; ++round) {
      s->want_seen = false;
      rc = gnutls_handshake(s->session.get());
      if (!is_want(rc) || s->want_seen || s->transport_failure.failed()) break;
    }
    if (rc < 0) {
      if (is_want(rc) && !s->transport_failure.failed()) return want(*s, err);
      s->version = gnutls_protocol_get_version(s->session.get()) == GNUTLS_TLS1_3 ? POLYTLS_TLS1_3
                                                                                  : POLYTLS_TLS1_2;
      return fail_session(*s, failure_of(*s, rc, what, true), err);
    }
    finish_handshake(*s);
    // A resumed handshake carries no certificate, so the verify function
    // did not run. A client checked the stored leaf before offering the
    // session; a server checks the client's leaf now and can only end the
    // connection with close_notify (the handshake is over).
    if (s->peer_check != nullptr && !s->peer_checked && s->resumed && !client) {
      unsigned count = 0;
      const gnutls_datum_t *certs = gnutls_certificate_get_peers(s->session.get(), &count);
      if (certs != nullptr && count > 0) {
        Failure f = run_peer_check(*s, {certs[0].data, certs[0].size});
        if (f.failed()) {
          (void)gnutls_bye(s->session.get(), GNUTLS_SHUT_WR);
          s->close_sent = true;
          return fail_session(*s, std::move(f), err);
        }
      }
    }
    s->handshake_done = true;
    return POLYTLS_OK;
  });
}

polytls_status tls_read(polytls_tls_session *session, uint8_t *buf, std::size_t cap,
                        std::size_t *out_n, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    TlsSession *s = kit::from_handle<TlsSession>(session);
    if (s == nullptr || buf == nullptr || cap == 0 || out_n == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_read: bad arguments");
    }
    if (s->fatal.failed()) return report(err, s->fatal);
    if (!s->handshake_done) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_read: the handshake is not done");
    }
    if (s->peer_closed) {
      return kit::set_error(err, POLYTLS_ERR_PEER_CLOSED, 0,
                            "tls_read: the peer sent close_notify");
    }
    // Post-handshake messages (TLS 1.3 NewSessionTicket, KeyUpdate) are
    // taken in by gnutls_record_recv; with nothing else to read this is
    // WANT_READ, never OK with 0 bytes. A TLS 1.2 HelloRequest is refused
    // with a no_renegotiation warning, and warnings are skipped.
    for (int round = 0; round < 64; ++round) {
      s->want_seen = false;
      const ssize_t n = gnutls_record_recv(s->session.get(), buf, cap);
      if (n > 0) {
        *out_n = static_cast<std::size_t>(n);
        return POLYTLS_OK;
      }
      if (n == 0) {
        s->peer_closed = true;
        return kit::set_error(err, POLYTLS_ERR_PEER_CLOSED, 0,
                              "tls_read: the peer sent close_notify");
      }
      const int rc = static_cast<int>(n);
      if (is_want(rc) && !s->transport_failure.failed()) {
        if (!s->want_seen) continue;  // a post-handshake message was taken in
        return want(*s, err);
      }
      if (rc == GNUTLS_E_REHANDSHAKE) {
        (void)gnutls_alert_send(s->session.get(), GNUTLS_AL_WARNING, GNUTLS_A_NO_RENEGOTIATION);
        continue;
      }
      if (rc == GNUTLS_E_WARNING_ALERT_RECEIVED) {
        if (gnutls_alert_get(s->session.get()) == GNUTLS_A_CLOSE_NOTIFY) {
          s->peer_closed = true;
          return kit::set_error(err, POLYTLS_ERR_PEER_CLOSED, 0,
                                "tls_read: the peer sent close_notify");
        }
        continue;
      }
      if (rc == GNUTLS_E_PREMATURE_TERMINATION ||
          (s->eof && !s->transport_failure.failed() && rc == GNUTLS_E_PULL_ERROR)) {
        return fail_session(
            *s,
            {POLYTLS_ERR_IO, rc,
             "tls_read: truncated: the transport ended without the peer's close_notify"},
            err);
      }
      return fail_session(*s, failure_of(*s, rc, "tls_read", false), err);
    }
    return want(*s, err);
  });
}

polytls_status tls_write(polytls_tls_session *session, const uint8_t *data, std::size_t len,
                         std::size_t *out_n, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    TlsSession *s = kit::from_handle<TlsSession>(session);
    if (s == nullptr || data == nullptr || len == 0 || out_n == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_write: bad arguments");
    }
    if (s->fatal.failed()) return report(err, s->fatal);
    if (!s->handshake_done) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_write: the handshake is not done");
    }
    if (s->close_sent) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_write: the session was closed");
    }
    if (s->pending_write > 0 && len < s->pending_write) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_write: after WANT_WRITE, the same data must be written again");
    }
    // gnutls_record_send seals at most one record per call. After EAGAIN
    // GnuTLS holds the sealed record; the repeated call only flushes it and
    // reports the original size.
    const std::size_t n =
        s->pending_write > 0 ? s->pending_write : std::min<std::size_t>(len, 16384);
    ssize_t rc = 0;
    for (int round = 0; round < 16; ++round) {
      s->want_seen = false;
      rc = gnutls_record_send(s->session.get(), data, n);
      if (!is_want(static_cast<int>(rc)) || s->want_seen || s->transport_failure.failed()) break;
    }
    if (rc > 0) {
      s->pending_write = 0;
      *out_n = static_cast<std::size_t>(rc);
      return POLYTLS_OK;
    }
    const int code = static_cast<int>(rc);
    if (is_want(code) && !s->transport_failure.failed()) {
      s->pending_write = n;
      return want(*s, err);
    }
    return fail_session(*s, failure_of(*s, code, "tls_write", false), err);
  });
}

polytls_status tls_close(polytls_tls_session *session, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    TlsSession *s = kit::from_handle<TlsSession>(session);
    if (s == nullptr) return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "no session");
    if (s->transport_failure.failed()) return report(err, s->transport_failure);
    if (!s->handshake_done) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_close: the handshake is not done");
    }
    if (s->close_sent) return POLYTLS_OK;
    // GNUTLS_SHUT_WR sends our close_notify (after a record held back by
    // EAGAIN) and does not wait for the peer's.
    int rc = 0;
    for (int round = 0; round < 16; ++round) {
      s->want_seen = false;
      rc = gnutls_bye(s->session.get(), GNUTLS_SHUT_WR);
      if (!is_want(rc) || s->want_seen || s->transport_failure.failed()) break;
    }
    if (rc == 0) {
      s->close_sent = true;
      s->pending_write = 0;
      return POLYTLS_OK;
    }
    if (is_want(rc) && !s->transport_failure.failed()) return want(*s, err);
    if (s->fatal.failed()) return report(err, s->fatal);
    Failure f = failure_of(*s, rc, "tls_close: sending close_notify", false);
    return report(err, f);
  });
}

polytls_status tls_describe(polytls_tls_session *session, polytls_tls_info_v1 *out,
                            polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    TlsSession *s = kit::from_handle<TlsSession>(session);
    if (s == nullptr || out == nullptr ||
        !kit::fits_struct(out->struct_size,
                          offsetof(polytls_tls_info_v1, version) + sizeof(out->version))) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_describe: bad arguments");
    }
    if (!s->handshake_done) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_describe: the handshake is not done");
    }
    polytls_tls_info_v1 info{};
    info.struct_size = out->struct_size;
    info.version = s->version;
    info.cipher_suite = s->cipher_suite;
    info.group = s->group;
    info.resumed = s->resumed ? 1u : 0u;
    if (!s->alpn.empty()) {
      info.alpn = polytls_data{reinterpret_cast<const uint8_t *>(s->alpn.data()), s->alpn.size()};
    }
    if (!s->server_name.empty()) {
      info.server_name = polytls_data{reinterpret_cast<const uint8_t *>(s->server_name.data()),
                                      s->server_name.size()};
    }
    std::memcpy(out, &info, std::min<std::size_t>(out->struct_size, sizeof info));
    return POLYTLS_OK;
  });
}

polytls_status tls_peer_chain(polytls_tls_session *session, const polytls_cert_der_visitor *visitor,
                              polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    TlsSession *s = kit::from_handle<TlsSession>(session);
    if (s == nullptr || visitor == nullptr || visitor->certificate == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_peer_chain: bad arguments");
    }
    if (!s->handshake_done) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_peer_chain: the handshake is not done");
    }
    // The certificates exactly as the peer sent them, leaf first. A resumed
    // client session whose state GnuTLS kept no chain for reports the leaf
    // stored with it.
    unsigned count = 0;
    const gnutls_datum_t *certs = gnutls_certificate_get_peers(s->session.get(), &count);
    if ((certs == nullptr || count == 0) && s->resumed && !s->resumed_leaf.empty()) {
      return visitor->certificate(visitor->user, s->resumed_leaf.data(), s->resumed_leaf.size());
    }
    for (unsigned i = 0; certs != nullptr && i < count; ++i) {
      const polytls_status st = visitor->certificate(visitor->user, certs[i].data, certs[i].size);
      if (st != POLYTLS_OK) return st;
    }
    return POLYTLS_OK;
  });
}

// tls_export_session saves a client session. In TLS 1.3 the server's ticket
// arrives after the handshake, with the first records read: export works once
// the client has read application data (or anything after the handshake).
polytls_status tls_export_session(polytls_tls_session *session, const polytls_sink *out,
                                  polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    TlsSession *s = kit::from_handle<TlsSession>(session);
    if (s == nullptr || out == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_export_session: bad arguments");
    }
    if (!s->context->client()) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "only a client session is exported for resumption");
    }
    if (!s->context->resumption) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "resumption is off in this TLS context");
    }
    if (!s->handshake_done) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_export_session: the handshake is not done");
    }
    gnutls_session_t gs = s->session.get();
    const bool ticket = (gnutls_session_get_flags(gs) & GNUTLS_SFLAGS_SESSION_TICKET) != 0;
    if (s->version == POLYTLS_TLS1_3 && !ticket) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "no TLS 1.3 session ticket yet (it arrives after the handshake: read "
                            "application data first)");
    }
    if (s->version == POLYTLS_TLS1_2 && !ticket) {
      gnutls_datum_t id{nullptr, 0};
      if (gnutls_session_get_id2(gs, &id) < 0 || id.size == 0) {
        return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                              "the server gave neither a session ID nor a ticket");
      }
    }
    Datum data(true);
    const int rc = gnutls_session_get_data2(gs, data.get());
    if (rc < 0) {
      return fail(err, rc, Domain::tls, POLYTLS_ERR_UNSUPPORTED, "gnutls_session_get_data2");
    }
    // The leaf: the one this connection verified, or the one stored with the
    // session it resumed.
    std::span<const unsigned char> leaf;
    unsigned count = 0;
    const gnutls_datum_t *certs = gnutls_certificate_get_peers(gs, &count);
    if (certs != nullptr && count > 0) {
      leaf = {certs[0].data, certs[0].size};
    } else {
      leaf = s->resumed_leaf;
    }
    kit::SecretBytes blob(sizeof kExportMagic + 4 + leaf.size() + data.size());
    unsigned char *p = blob.data();
    std::memcpy(p, kExportMagic, sizeof kExportMagic);
    p += sizeof kExportMagic;
    const std::size_t n = leaf.size();
    *p++ = static_cast<unsigned char>(n >> 24);
    *p++ = static_cast<unsigned char>(n >> 16);
    *p++ = static_cast<unsigned char>(n >> 8);
    *p++ = static_cast<unsigned char>(n);
    if (n > 0) std::memcpy(p, leaf.data(), n);
    p += n;
    std::memcpy(p, data.data(), data.size());
    return kit::write_to(out, blob.data(), blob.size());
  });
}

void tls_session_free(polytls_tls_session *session) noexcept {
  delete kit::from_handle<TlsSession>(session);
}

}  // namespace polytls::gnutls
