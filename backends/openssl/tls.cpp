// tls.cpp: TLS sessions with OpenSSL's SSL_CTX and SSL objects. A session
// talks only through the core's polytls_transport, hooked in as a custom
// BIO_METHOD; certificates are checked by OpenSSL against the context's
// anchors (with the semantics of cert_verify) and then by the core's
// peer_check, from inside the library's certificate-verification callback.
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <openssl/sslerr.h>
#include <openssl/tls1.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "errors.hpp"
#include "internal.hpp"

namespace polytls::openssl {
namespace {

using SslCtx = kit::Owned<SSL_CTX, SSL_CTX_free>;
using Ssl = kit::Owned<SSL, SSL_free>;
using SslSession = kit::Owned<SSL_SESSION, SSL_SESSION_free>;
using Store = kit::Owned<X509_STORE, X509_STORE_free>;

// The suites and groups every polytls backend offers, in this order.
// TLS 1.2: ECDHE with AEAD only. TLS 1.3: the three mandatory-to-offer suites.
constexpr char kCipherList12[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr char kCipherSuites13[] =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr char kGroups[] = "X25519:P-256:P-384";
// The server's session id context: OpenSSL refuses to resume a session on a
// server that verifies client certificates unless one is set.
constexpr unsigned char kSessionIdContext[] = {'p', 'o', 'l', 'y', 't', 'l', 's'};

// TlsContext is what a `polytls_tls_context *` points to. Immutable once
// made, so sessions of one context may run on several threads at once.
struct TlsContext {
  SslCtx ctx;
  uint32_t role = 0;
  uint32_t verify_peer = 0;  // client: 0/1; server: POLYTLS_CLIENT_AUTH_*
  bool resumption = false;
  std::vector<unsigned char> alpn;  // wire format, by preference
  polytls_keylog_fn keylog = nullptr;
  void *keylog_user = nullptr;

  // Client: the sessions most recently restored from resumption data, by
  // those bytes. d2i_SSL_SESSION decodes the peer's certificate and key
  // through OpenSSL 3's decoders, which cost more than the rest of a resumed
  // TLS 1.2 handshake; a repeated ticket is SSL_SESSION_dup'ed from here
  // instead (the copy, because SSL_free marks an unfinished connection's
  // session not resumable, and that must not spoil the cached one).
  mutable std::mutex restored_mutex;
  mutable std::vector<std::pair<std::vector<unsigned char>, SslSession>> restored;
  static constexpr std::size_t kRestoredMax = 32;

  // restore returns a new SSL_SESSION for the resumption data, or nullptr
  // when it is not a session this backend exported.
  SslSession restore(const unsigned char *data, std::size_t len) const {
    std::lock_guard<std::mutex> lock(restored_mutex);
    for (const auto &[bytes, session] : restored) {
      if (bytes.size() == len && std::memcmp(bytes.data(), data, len) == 0) {
        return SslSession{SSL_SESSION_dup(session.get())};
      }
    }
    const unsigned char *p = data;
    SslSession decoded{d2i_SSL_SESSION(nullptr, &p, static_cast<long>(len))};
    if (!decoded || p != data + len) return SslSession{};
    SslSession copy{SSL_SESSION_dup(decoded.get())};
    if (!copy) return SslSession{};
    if (restored.size() == kRestoredMax) restored.erase(restored.begin());
    restored.emplace_back(std::vector<unsigned char>(data, data + len), std::move(decoded));
    return copy;
  }

  // chain_check tells whether the peer's chain is verified against the
  // anchors (the peer_check runs in any case).
  bool chain_check() const noexcept {
    return role == POLYTLS_ROLE_CLIENT ? verify_peer == 1 : verify_peer != POLYTLS_CLIENT_AUTH_NONE;
  }
};

// TlsSession is what a `polytls_tls_session *` points to.
struct TlsSession {
  TlsContext *context = nullptr;  // outlives the session (the core frees sessions first)
  Ssl ssl;
  polytls_transport transport{};
  polytls_peer_check_fn peer_check = nullptr;
  void *peer_check_user = nullptr;

  // What the transport did during the current call: the first failure it
  // reported (PEER_CLOSED standing for the end of the stream) and on which
  // direction. Reset at the start of every call.
  polytls_status io_status = POLYTLS_OK;
  const char *io_direction = "";
  bool eof = false;

  // Set by the verification callback; a failed handshake stays failed.
  int verify_error = X509_V_OK;
  int verify_depth = 0;
  polytls_status check_status = POLYTLS_OK;  // the peer_check's failure
  int64_t check_code = 0;
  char check_detail[sizeof(polytls_error::detail)] = {};
  bool peer_checked = false;  // the peer_check ran (and passed) for this connection

  bool handshake_done = false;
  bool close_sent = false;
  std::string server_name;  // server: the SNI of the client's ClientHello

  void begin_call() noexcept {
    io_status = POLYTLS_OK;
    io_direction = "";
    eof = false;
  }
  void transport_failed(polytls_status status, const char *direction) noexcept {
    if (io_status != POLYTLS_OK) return;  // keep the first failure
    io_status = status;
    io_direction = direction;
  }
};

const char *status_name(polytls_status status) noexcept {
  switch (status) {
    case POLYTLS_ERR_IO: return "I/O error";
    case POLYTLS_ERR_TIMEOUT: return "timeout";
    case POLYTLS_ERR_PEER_CLOSED: return "peer closed";
    case POLYTLS_ERR_INTERNAL: return "internal error";
    default: return "error";
  }
}

// ---- the session behind an SSL (ex_data) ----

int session_index() noexcept {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

TlsSession *session_of(const SSL *ssl) noexcept {
  const int index = session_index();
  if (ssl == nullptr || index < 0) return nullptr;
  return static_cast<TlsSession *>(SSL_get_ex_data(ssl, index));
}

// ---- the transport as a BIO ----

int bio_write(BIO *bio, const char *data, std::size_t len, std::size_t *written) noexcept {
  BIO_clear_retry_flags(bio);
  *written = 0;
  auto *s = static_cast<TlsSession *>(BIO_get_data(bio));
  if (s == nullptr) return 0;
  if (len == 0) return 1;
  std::size_t sent = 0;
  const polytls_status st =
      s->transport.send(s->transport.user, reinterpret_cast<const uint8_t *>(data), len, &sent);
  if (st == POLYTLS_OK) {
    if (sent == 0 || sent > len) {
      s->transport_failed(POLYTLS_ERR_IO, "send");
      return 0;
    }
    *written = sent;
    return 1;
  }
  if (st == POLYTLS_ERR_WANT_WRITE || st == POLYTLS_ERR_WANT_READ) {
    BIO_set_retry_write(bio);
    return 0;
  }
  s->transport_failed(st, "send");
  return 0;
}

int bio_read(BIO *bio, char *buf, std::size_t cap, std::size_t *read) noexcept {
  BIO_clear_retry_flags(bio);
  *read = 0;
  auto *s = static_cast<TlsSession *>(BIO_get_data(bio));
  if (s == nullptr) return 0;
  if (cap == 0) return 0;
  std::size_t got = 0;
  const polytls_status st =
      s->transport.recv(s->transport.user, reinterpret_cast<uint8_t *>(buf), cap, &got);
  if (st == POLYTLS_OK) {
    if (got == 0) {  // the peer closed the stream
      s->eof = true;
      s->transport_failed(POLYTLS_ERR_PEER_CLOSED, "recv");
      return 0;
    }
    if (got > cap) {
      s->transport_failed(POLYTLS_ERR_IO, "recv");
      return 0;
    }
    *read = got;
    return 1;
  }
  if (st == POLYTLS_ERR_WANT_READ || st == POLYTLS_ERR_WANT_WRITE) {
    BIO_set_retry_read(bio);
    return 0;
  }
  s->transport_failed(st, "recv");
  return 0;
}

long bio_ctrl(BIO *bio, int cmd, long, void *) noexcept {
  switch (cmd) {
    case BIO_CTRL_FLUSH: return 1;  // the transport does not buffer for us
    case BIO_CTRL_EOF: {
      const auto *s = static_cast<const TlsSession *>(BIO_get_data(bio));
      return s != nullptr && s->eof ? 1 : 0;
    }
    default: return 0;
  }
}

int bio_create(BIO *bio) noexcept {
  BIO_set_data(bio, nullptr);
  BIO_set_init(bio, 1);
  return 1;
}

int bio_destroy(BIO *bio) noexcept {
  if (bio == nullptr) return 0;
  BIO_set_data(bio, nullptr);  // the session is not owned by the BIO
  BIO_set_init(bio, 0);
  return 1;
}

BIO_METHOD *make_transport_method() noexcept {
  const int index = BIO_get_new_index();
  if (index == -1) return nullptr;
  BIO_METHOD *method = BIO_meth_new(index | BIO_TYPE_SOURCE_SINK, "polytls transport");
  if (method == nullptr) return nullptr;
  if (BIO_meth_set_write_ex(method, bio_write) != 1 ||
      BIO_meth_set_read_ex(method, bio_read) != 1 || BIO_meth_set_ctrl(method, bio_ctrl) != 1 ||
      BIO_meth_set_create(method, bio_create) != 1 ||
      BIO_meth_set_destroy(method, bio_destroy) != 1) {
    BIO_meth_free(method);
    return nullptr;
  }
  return method;
}

// transport_method is made once per process and kept (BIO_METHODs are
// immutable and shared by every BIO made from them).
const BIO_METHOD *transport_method() noexcept {
  static BIO_METHOD *const method = make_transport_method();
  return method;
}

// ---- callbacks from inside the handshake ----

// run_peer_check hands the peer's leaf to the core's check as one of this
// backend's own certificates (borrowed for the call) and remembers a failure.
polytls_status run_peer_check(TlsSession &s, X509 *leaf) noexcept {
  try {
    const int len = i2d_X509(leaf, nullptr);
    if (len <= 0) {
      s.check_status = POLYTLS_ERR_INTERNAL;
      std::snprintf(s.check_detail, sizeof(s.check_detail),
                    "encoding the peer's certificate failed");
      return s.check_status;
    }
    Cert cert;
    cert.der.resize(static_cast<std::size_t>(len));
    unsigned char *p = cert.der.data();
    if (i2d_X509(leaf, &p) != len || X509_up_ref(leaf) != 1) {
      s.check_status = POLYTLS_ERR_INTERNAL;
      std::snprintf(s.check_detail, sizeof(s.check_detail),
                    "encoding the peer's certificate failed");
      return s.check_status;
    }
    cert.x509.reset(leaf);
    polytls_error e{};
    e.struct_size = sizeof(e);
    // The check may call back into this backend, which clears the thread's
    // error queue; keep whatever OpenSSL had queued before it.
    ERR_set_mark();
    const polytls_status status =
        s.peer_check(s.peer_check_user, kit::to_handle<const polytls_cert>(&cert), &e);
    ERR_pop_to_mark();
    s.peer_checked = true;
    if (status != POLYTLS_OK) {
      s.check_status = status;
      s.check_code = e.library_code;
      e.detail[sizeof(e.detail) - 1] = '\0';
      std::snprintf(s.check_detail, sizeof(s.check_detail), "%s",
                    e.detail[0] != '\0' ? e.detail : "the peer's certificate failed the check");
    }
    return status;
  } catch (...) {
    s.check_status = POLYTLS_ERR_INTERNAL;
    std::snprintf(s.check_detail, sizeof(s.check_detail), "checking the peer's certificate failed");
    return s.check_status;
  }
}

// verify_certificate replaces X509_verify_cert for the SSL_CTX
// (SSL_CTX_set_cert_verify_callback), so it runs once per peer chain with
// the chain's leaf: first OpenSSL's chain and date check against the
// anchors (unless the user opted out), then the core's peer_check. A failed
// peer_check becomes X509_V_ERR_CERT_REJECTED, for which OpenSSL sends the
// bad_certificate alert.
int verify_certificate(X509_STORE_CTX *store_ctx, void *arg) noexcept {
  const auto *tc = static_cast<const TlsContext *>(arg);
  const auto *ssl = static_cast<const SSL *>(
      X509_STORE_CTX_get_ex_data(store_ctx, SSL_get_ex_data_X509_STORE_CTX_idx()));
  TlsSession *s = session_of(ssl);
  if (tc == nullptr || s == nullptr) {
    X509_STORE_CTX_set_error(store_ctx, X509_V_ERR_UNSPECIFIED);
    return 0;
  }
  if (tc->chain_check()) {
    if (X509_verify_cert(store_ctx) != 1) {
      int result = X509_STORE_CTX_get_error(store_ctx);
      if (result == X509_V_OK) {
        result = X509_V_ERR_UNSPECIFIED;
        X509_STORE_CTX_set_error(store_ctx, result);
      }
      s->verify_error = result;
      s->verify_depth = X509_STORE_CTX_get_error_depth(store_ctx);
      return 0;
    }
  }
  X509 *leaf = X509_STORE_CTX_get0_cert(store_ctx);
  if (s->peer_check != nullptr && leaf != nullptr) {
    if (run_peer_check(*s, leaf) != POLYTLS_OK) {
      X509_STORE_CTX_set_error(store_ctx, X509_V_ERR_CERT_REJECTED);
      return 0;
    }
  }
  return 1;
}

// select_alpn picks, on a server, the first protocol of ITS list that the
// client offered (OpenSSL calls it only when the client sent ALPN). Nothing
// in common fails the handshake with the no_application_protocol alert.
int select_alpn(SSL *, const unsigned char **out, unsigned char *out_len, const unsigned char *in,
                unsigned int in_len, void *arg) noexcept {
  const auto *tc = static_cast<const TlsContext *>(arg);
  if (tc == nullptr) return SSL_TLSEXT_ERR_ALERT_FATAL;
  const std::vector<unsigned char> &ours = tc->alpn;
  for (std::size_t i = 0; i < ours.size(); i += 1u + ours[i]) {
    const unsigned int len = ours[i];
    const unsigned char *proto = ours.data() + i + 1;
    for (unsigned int j = 0; j < in_len;) {
      const unsigned int offered = in[j];
      if (offered == 0 || j + 1u + offered > in_len) break;  // malformed: stop
      if (offered == len && std::memcmp(in + j + 1, proto, len) == 0) {
        *out = in + j + 1;
        *out_len = static_cast<unsigned char>(offered);
        return SSL_TLSEXT_ERR_OK;
      }
      j += 1u + offered;
    }
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;
}

// record_server_name keeps, on a server, the SNI host name of this very
// ClientHello (SSL_get_servername reports the original session's name on a
// resumed TLS 1.2 handshake, and nothing unless a servername callback
// accepted it). OpenSSL itself rejects a malformed extension afterwards.
int record_server_name(SSL *ssl, int *, void *) noexcept {
  TlsSession *s = session_of(ssl);
  if (s == nullptr) return SSL_CLIENT_HELLO_SUCCESS;
  try {
    s->server_name.clear();
    const unsigned char *p = nullptr;
    std::size_t len = 0;
    if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &p, &len) != 1) {
      return SSL_CLIENT_HELLO_SUCCESS;
    }
    // ServerNameList: u16 length, then NameType (0 = host_name), u16 length, name.
    if (len < 5 || ((std::size_t{p[0]} << 8) | p[1]) != len - 2 ||
        p[2] != TLSEXT_NAMETYPE_host_name) {
      return SSL_CLIENT_HELLO_SUCCESS;
    }
    const std::size_t name_len = (std::size_t{p[3]} << 8) | p[4];
    if (name_len == 0 || name_len > len - 5) return SSL_CLIENT_HELLO_SUCCESS;
    s->server_name.assign(reinterpret_cast<const char *>(p + 5), name_len);
    if (s->server_name.find('\0') != std::string::npos) s->server_name.clear();
  } catch (...) {
    s->server_name.clear();
  }
  return SSL_CLIENT_HELLO_SUCCESS;
}

// keylog_line passes OpenSSL's ready-made NSS key log lines (TLS 1.2
// CLIENT_RANDOM and the TLS 1.3 traffic secrets) to the user.
void keylog_line(const SSL *ssl, const char *line) noexcept {
  const TlsSession *s = session_of(ssl);
  if (s == nullptr || s->context == nullptr || s->context->keylog == nullptr || line == nullptr) {
    return;
  }
  s->context->keylog(s->context->keylog_user, line);
}

// ---- helpers ----

bool valid_alpn(polytls_data alpn) noexcept {
  for (std::size_t i = 0; i < alpn.len;) {
    const std::size_t len = alpn.data[i];
    if (len == 0 || i + 1 + len > alpn.len) return false;
    i += 1 + len;
  }
  return true;
}

// iana_group maps the NID SSL_get_negotiated_group reports to the IANA
// NamedGroup; OpenSSL reports groups it has no NID for as
// TLSEXT_nid_unknown | the IANA number.
uint32_t iana_group(long nid) noexcept {
  if (nid <= 0) return 0;
  if ((nid & TLSEXT_nid_unknown) != 0) return static_cast<uint32_t>(nid & 0xFFFF);
  switch (nid) {
    case NID_X9_62_prime256v1: return 23;
    case NID_secp384r1: return 24;
    case NID_secp521r1: return 25;
    case NID_brainpoolP256r1: return 26;
    case NID_brainpoolP384r1: return 27;
    case NID_brainpoolP512r1: return 28;
    case NID_X25519: return 29;
    case NID_X448: return 30;
    case NID_ffdhe2048: return 256;
    case NID_ffdhe3072: return 257;
    case NID_ffdhe4096: return 258;
    case NID_ffdhe6144: return 259;
    case NID_ffdhe8192: return 260;
    default: return 0;
  }
}

enum class Phase { kHandshake, kRead, kWrite, kClose };

// failure turns a failed SSL_* call into the session call's status: the
// peer check's own status, our verification result, the transport's failure,
// WANT_*, the peer's close, or the error queue through the table.
polytls_status failure(TlsSession &s, int rc, Phase phase, polytls_error *err) noexcept {
  const int code = SSL_get_error(s.ssl.get(), rc);
  const char *what = "the TLS handshake failed";
  polytls_status fallback = POLYTLS_ERR_HANDSHAKE;
  switch (phase) {
    case Phase::kHandshake: break;
    case Phase::kRead:
      what = "reading from the TLS session failed";
      fallback = POLYTLS_ERR_IO;
      break;
    case Phase::kWrite:
      what = "writing to the TLS session failed";
      fallback = POLYTLS_ERR_IO;
      break;
    case Phase::kClose:
      what = "sending close_notify failed";
      fallback = POLYTLS_ERR_IO;
      break;
  }
  if (s.check_status != POLYTLS_OK) {
    return kit::set_error(err, s.check_status, s.check_code, "%s", s.check_detail);
  }
  if (s.verify_error != X509_V_OK) {
    return kit::set_error(err, verify_status_for(s.verify_error), s.verify_error,
                          "%s: the peer's certificate did not verify (depth %d): %s", what,
                          s.verify_depth, X509_verify_cert_error_string(s.verify_error));
  }
  if (s.io_status == POLYTLS_ERR_PEER_CLOSED) {
    if (phase == Phase::kRead) {
      return kit::set_error(err, POLYTLS_ERR_IO, 0,
                            "truncated: the transport ended without the peer's close_notify");
    }
    return kit::set_error(err, POLYTLS_ERR_PEER_CLOSED, 0,
                          "%s: the peer closed the connection (end of stream)", what);
  }
  if (s.io_status != POLYTLS_OK) {
    return kit::set_error(err, s.io_status, 0, "%s: the transport's %s failed (%s)", what,
                          s.io_direction, status_name(s.io_status));
  }
  switch (code) {
    case SSL_ERROR_WANT_READ:
      return kit::set_error(err, POLYTLS_ERR_WANT_READ, 0, "waiting for the transport to read");
    case SSL_ERROR_WANT_WRITE:
      return kit::set_error(err, POLYTLS_ERR_WANT_WRITE, 0, "waiting for the transport to write");
    case SSL_ERROR_ZERO_RETURN:
      return kit::set_error(err, POLYTLS_ERR_PEER_CLOSED, 0, "the peer sent close_notify");
    default: break;
  }
  const unsigned long first = ERR_peek_error();
  if (first == 0) {
    return kit::set_error(err, fallback, 0, "%s (OpenSSL error %d, nothing queued)", what, code);
  }
  if (ERR_GET_LIB(first) == ERR_LIB_SSL &&
      ERR_GET_REASON(first) == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE) {
    what = "the TLS handshake failed: the client sent no certificate but one is required";
  }
  return fail(err, fallback, what);
}

polytls_status finish_context(std::unique_ptr<TlsContext> tc, polytls_tls_context **out) noexcept {
  *out = kit::to_handle<polytls_tls_context>(tc.release());
  return POLYTLS_OK;
}

polytls_status finish_session(std::unique_ptr<TlsSession> s, polytls_tls_session **out) noexcept {
  *out = kit::to_handle<polytls_tls_session>(s.release());
  return POLYTLS_OK;
}

// use_own_chain installs our certificate chain and key on the context.
polytls_status use_own_chain(SSL_CTX *ctx, const polytls_tls_config_v1 &config,
                             polytls_error *err) {
  const Cert *leaf = kit::from_handle<Cert>(config.chain[0]);
  const Key *key = kit::from_handle<Key>(config.key);
  if (leaf == nullptr || key == nullptr) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "NULL certificate or key in the chain");
  }
  if (!key->has_private) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                          "the key of the certificate chain has no private half");
  }
  if (SSL_CTX_use_certificate(ctx, leaf->x509.get()) != 1) {
    return fail(err, POLYTLS_ERR_BAD_INPUT, "using the certificate failed");
  }
  if (SSL_CTX_use_PrivateKey(ctx, key->pkey.get()) != 1) {
    return fail(err, POLYTLS_ERR_BAD_INPUT, "using the private key failed");
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return fail(err, POLYTLS_ERR_BAD_INPUT, "the key does not match the certificate");
  }
  for (std::size_t i = 1; i < config.chain_count; ++i) {
    const Cert *cert = kit::from_handle<Cert>(config.chain[i]);
    if (cert == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "NULL certificate in the chain");
    }
    if (SSL_CTX_add1_chain_cert(ctx, cert->x509.get()) != 1) {
      return fail(err, POLYTLS_ERR_BAD_INPUT, "adding a chain certificate failed");
    }
  }
  return POLYTLS_OK;
}

// use_anchors gives the context its own trust store: exactly the anchors,
// each trusted as given (PARTIAL_CHAIN, as cert_verify), no default paths.
polytls_status use_anchors(SSL_CTX *ctx, const polytls_tls_config_v1 &config, polytls_error *err) {
  Store store{X509_STORE_new()};
  if (!store) return fail(err, POLYTLS_ERR_INTERNAL, "X509_STORE_new failed");
  for (std::size_t i = 0; i < config.anchor_count; ++i) {
    const Cert *anchor = kit::from_handle<Cert>(config.anchors[i]);
    if (anchor == nullptr) return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "NULL anchor");
    if (X509_STORE_add_cert(store.get(), anchor->x509.get()) != 1) {
      return fail(err, POLYTLS_ERR_INTERNAL, "adding a trust anchor failed");
    }
  }
  if (X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN) != 1) {
    return fail(err, POLYTLS_ERR_INTERNAL, "setting the trust store's flags failed");
  }
  SSL_CTX_set_cert_store(ctx, store.release());
  // The SSL's own verification parameters are merged into the store's at
  // verification time; set the flag there too.
  if (X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(ctx), X509_V_FLAG_PARTIAL_CHAIN) != 1) {
    return fail(err, POLYTLS_ERR_INTERNAL, "setting the verification flags failed");
  }
  return POLYTLS_OK;
}

// openssl_group names a group as SSL_CTX_set1_groups_list does.
const char *openssl_group(uint16_t iana) noexcept {
  switch (iana) {
    case 0x001d: return "X25519";
    case 0x0017: return "P-256";
    case 0x0018: return "P-384";
    default: return nullptr;
  }
}

// use_selection sets the suites and groups: polytls' defaults, or exactly
// the selection, in its order. OpenSSL skips names it does not know, so the
// list it ends up with is compared with the one asked for.
polytls_status use_selection(SSL_CTX *ctx, const kit::TlsSelection &selection, polytls_error *err) {
  std::string list12, list13, groups;
  for (const kit::TlsSuite *suite : selection.suites) {
    std::string &list = suite->version == POLYTLS_TLS1_3 ? list13 : list12;
    if (!list.empty()) list += ':';
    list += suite->openssl_name;
  }
  for (const kit::TlsGroup *group : selection.groups) {
    const char *name = openssl_group(group->iana);
    if (name == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "the OpenSSL backend has no key exchange group %s", group->name);
    }
    if (!groups.empty()) groups += ':';
    groups += name;
  }
  if (SSL_CTX_set_cipher_list(ctx, list12.empty() ? kCipherList12 : list12.c_str()) != 1) {
    return fail(err, list12.empty() ? POLYTLS_ERR_INTERNAL : POLYTLS_ERR_UNSUPPORTED,
                "setting the TLS 1.2 cipher suites failed");
  }
  if (SSL_CTX_set_ciphersuites(ctx, list13.empty() ? kCipherSuites13 : list13.c_str()) != 1) {
    return fail(err, list13.empty() ? POLYTLS_ERR_INTERNAL : POLYTLS_ERR_UNSUPPORTED,
                "setting the TLS 1.3 cipher suites failed");
  }
  if (SSL_CTX_set1_groups_list(ctx, groups.empty() ? kGroups : groups.c_str()) != 1) {
    return fail(err, groups.empty() ? POLYTLS_ERR_INTERNAL : POLYTLS_ERR_UNSUPPORTED,
                "setting the key exchange groups failed");
  }
  // What OpenSSL kept, per version, must be what was asked for.
  for (const uint32_t version : {POLYTLS_TLS1_2, POLYTLS_TLS1_3}) {
    if (!selection.has_suites(version)) continue;
    std::vector<uint16_t> wanted, got;
    for (const kit::TlsSuite *suite : selection.suites) {
      if (suite->version == version) wanted.push_back(suite->iana);
    }
    const STACK_OF(SSL_CIPHER) *ciphers = SSL_CTX_get_ciphers(ctx);
    for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
      const auto id =
          static_cast<uint16_t>(SSL_CIPHER_get_protocol_id(sk_SSL_CIPHER_value(ciphers, i)));
      const bool tls13 = (id >> 8) == 0x13;  // TLS 1.3 suites are 0x13XX
      if (tls13 == (version == POLYTLS_TLS1_3)) got.push_back(id);
    }
    for (uint16_t suite : wanted) {
      if (std::find(got.begin(), got.end(), suite) == got.end()) {
        return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0, "%s lacks the cipher suite %s",
                              OpenSSL_version(OPENSSL_VERSION),
                              kit::find_tls_suite(suite)->iana_name);
      }
    }
    if (got != wanted) {
      return kit::set_error(err, POLYTLS_ERR_INTERNAL, 0,
                            "OpenSSL did not keep the cipher suites as listed");
    }
  }
  return POLYTLS_OK;
}

}  // namespace

// ---- table members ----

polytls_status tls_context_new(void *, const polytls_tls_config_v1 *config,
                               polytls_tls_context **out_context, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const ErrorQueueScope queue;
    kit::TlsRange range;
    if (const polytls_status st =
            kit::check_tls_config(config, out_context, "OpenSSL", POLYTLS_TLS1_3, range, err);
        st != POLYTLS_OK) {
      return st;
    }
    const polytls_tls_config_v1 &c = *config;
    const bool client = range.client;
    const uint32_t lo = range.lo;
    const uint32_t hi = range.hi;
    if (c.anchor_count > 0 && c.anchors == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "anchor_count without anchors");
    }
    if (c.alpn.len > 0 && (c.alpn.data == nullptr || c.alpn.len > 0xFFFF || !valid_alpn(c.alpn))) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "the ALPN list is not in wire format (length-prefixed, non-empty)");
    }

    kit::TlsSelection selection;
    if (const polytls_status st = kit::read_tls_selection(c, selection, err); st != POLYTLS_OK) {
      return st;
    }

    auto tc = std::make_unique<TlsContext>();
    tc->role = c.role;
    tc->verify_peer = c.verify_peer;
    tc->resumption = c.resumption == 1;
    tc->alpn.assign(c.alpn.data, c.alpn.data + c.alpn.len);
    tc->keylog = c.keylog;
    tc->keylog_user = c.keylog_user;

    tc->ctx.reset(SSL_CTX_new(client ? TLS_client_method() : TLS_server_method()));
    if (!tc->ctx) return fail(err, POLYTLS_ERR_INTERNAL, "SSL_CTX_new failed");
    SSL_CTX *ctx = tc->ctx.get();

    if (SSL_CTX_set_min_proto_version(ctx, static_cast<int>(lo)) != 1 ||
        SSL_CTX_set_max_proto_version(ctx, static_cast<int>(hi)) != 1) {
      return fail(err, POLYTLS_ERR_INTERNAL, "setting the TLS versions failed");
    }
    if (const polytls_status st = use_selection(ctx, selection, err); st != POLYTLS_OK) {
      return st;
    }
    // No renegotiation (TLS 1.2); no tickets unless resumption is on; a
    // server chooses the suite (and the TLS 1.2 curve) by its own order.
    uint64_t options = SSL_OP_NO_RENEGOTIATION;
    if (!client) options |= SSL_OP_CIPHER_SERVER_PREFERENCE;
    if (!tc->resumption) options |= SSL_OP_NO_TICKET;
    SSL_CTX_set_options(ctx, options);
    // tls_write takes what fits in one record at a time; a retry after
    // WANT_WRITE may pass the same bytes from another address.
    // NO_AUTO_CHAIN: send exactly the chain we were given (OpenSSL would
    // otherwise complete it from the trust store, anchors included).
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                              SSL_MODE_AUTO_RETRY | SSL_MODE_NO_AUTO_CHAIN);

    if (c.chain_count > 0) {
      if (const polytls_status st = use_own_chain(ctx, c, err); st != POLYTLS_OK) return st;
    }
    if (const polytls_status st = use_anchors(ctx, c, err); st != POLYTLS_OK) return st;
    SSL_CTX_set_cert_verify_callback(ctx, verify_certificate, tc.get());
    int mode = SSL_VERIFY_NONE;
    if (client) {
      // Always "verify": the callback decides (it skips the chain check when
      // the user opted out, and runs the peer check in any case), and a
      // failure must stop the handshake.
      mode = SSL_VERIFY_PEER;
    } else if (c.verify_peer == POLYTLS_CLIENT_AUTH_REQUEST) {
      mode = SSL_VERIFY_PEER;
    } else if (c.verify_peer == POLYTLS_CLIENT_AUTH_REQUIRE) {
      mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    }
    SSL_CTX_set_verify(ctx, mode, nullptr);

    if (!tc->alpn.empty()) {
      if (client) {
        // SSL_CTX_set_alpn_protos returns 0 on success.
        if (SSL_CTX_set_alpn_protos(ctx, tc->alpn.data(),
                                    static_cast<unsigned int>(tc->alpn.size())) != 0) {
          return fail(err, POLYTLS_ERR_INTERNAL, "setting the ALPN protocols failed");
        }
      } else {
        SSL_CTX_set_alpn_select_cb(ctx, select_alpn, tc.get());
      }
    }

    if (!client) {
      SSL_CTX_set_client_hello_cb(ctx, record_server_name, nullptr);
      if (SSL_CTX_set_session_id_context(ctx, kSessionIdContext, sizeof(kSessionIdContext)) != 1) {
        return fail(err, POLYTLS_ERR_INTERNAL, "setting the session id context failed");
      }
      if (tc->resumption) {
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
      } else {
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
        if (SSL_CTX_set_num_tickets(ctx, 0) != 1) {
          return fail(err, POLYTLS_ERR_INTERNAL, "turning TLS 1.3 tickets off failed");
        }
      }
    } else {
      // A client keeps no cache of its own: the core exports and restores.
      SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    }

    if (tc->keylog != nullptr) SSL_CTX_set_keylog_callback(ctx, keylog_line);
    return finish_context(std::move(tc), out_context);
  });
}

void tls_context_free(polytls_tls_context *context) noexcept {
  delete kit::from_handle<TlsContext>(context);
}

polytls_status tls_session_new(void *, polytls_tls_context *context,
                               const polytls_tls_session_params_v1 *params,
                               polytls_tls_session **out_session, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const ErrorQueueScope queue;
    TlsContext *tc = kit::from_handle<TlsContext>(context);
    if (tc == nullptr || params == nullptr || out_session == nullptr ||
        !kit::fits_struct(params->struct_size,
                          offsetof(polytls_tls_session_params_v1, peer_check_user) +
                              sizeof(params->peer_check_user))) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_session_new: bad arguments");
    }
    if (params->transport.send == nullptr || params->transport.recv == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "the transport has no send or recv");
    }
    const bool client = tc->role == POLYTLS_ROLE_CLIENT;
    const std::string_view server_name = kit::text(params->server_name);
    if (!server_name.empty() &&
        (!client || server_name.size() > 255 || server_name.find('\0') != std::string_view::npos)) {
      return kit::set_error(
          err, POLYTLS_ERR_BAD_INPUT, 0,
          client ? "the server name is not a valid host name" : "a server sends no server name");
    }
    if (params->resume.len > 0) {
      if (!client) {
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "only a client resumes a session");
      }
      if (!tc->resumption) {
        return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                              "resumption is off in this TLS context");
      }
    }

    auto s = std::make_unique<TlsSession>();
    s->context = tc;
    s->transport = params->transport;
    s->peer_check = params->peer_check;
    s->peer_check_user = params->peer_check_user;
    s->ssl.reset(SSL_new(tc->ctx.get()));
    if (!s->ssl) return fail(err, POLYTLS_ERR_INTERNAL, "SSL_new failed");
    SSL *ssl = s->ssl.get();
    const int index = session_index();
    if (index < 0 || SSL_set_ex_data(ssl, index, s.get()) != 1) {
      return fail(err, POLYTLS_ERR_INTERNAL, "attaching the session to the SSL object failed");
    }
    const BIO_METHOD *method = transport_method();
    if (method == nullptr) {
      return fail(err, POLYTLS_ERR_INTERNAL, "making the transport BIO method failed");
    }
    BIO *bio = BIO_new(method);
    if (bio == nullptr) return fail(err, POLYTLS_ERR_INTERNAL, "BIO_new failed");
    BIO_set_data(bio, s.get());
    SSL_set_bio(ssl, bio, bio);  // the SSL owns the one reference
    if (client) {
      SSL_set_connect_state(ssl);
    } else {
      SSL_set_accept_state(ssl);
    }

    if (!server_name.empty()) {
      const std::string name(server_name);
      if (SSL_set_tlsext_host_name(ssl, name.c_str()) != 1) {
        return fail(err, POLYTLS_ERR_BAD_INPUT, "setting the server name failed");
      }
    }

    if (params->resume.len > 0) {
      if (params->resume.data == nullptr ||
          params->resume.len > static_cast<std::size_t>(LONG_MAX)) {
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "bad resumption data");
      }
      SslSession saved = s->context->restore(params->resume.data, params->resume.len);
      if (!saved) {
        return fail(err, POLYTLS_ERR_BAD_INPUT,
                    "the resumption data is not a session exported by the OpenSSL backend");
      }
      // The resumed handshake shows no certificate, so the peer check runs
      // now on the leaf the session was made with. If it fails, the session
      // is not offered: the full handshake then checks the live chain (and
      // fails there with a bad_certificate alert if it is still wrong).
      bool offer = true;
      if (s->peer_check != nullptr) {
        if (X509 *leaf = SSL_SESSION_get0_peer(saved.get()); leaf != nullptr) {
          offer = run_peer_check(*s, leaf) == POLYTLS_OK;
          s->check_status = POLYTLS_OK;
          s->check_code = 0;
          s->check_detail[0] = '\0';
          if (!offer) s->peer_checked = false;
        }
      }
      if (offer && SSL_set_session(ssl, saved.get()) != 1) {
        return fail(err, POLYTLS_ERR_BAD_INPUT, "restoring the session failed");
      }
    }
    return finish_session(std::move(s), out_session);
  });
}

polytls_status tls_handshake(polytls_tls_session *session, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const ErrorQueueScope queue;
    TlsSession *s = kit::from_handle<TlsSession>(session);
    if (s == nullptr) return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "no session");
    if (s->handshake_done) return POLYTLS_OK;
    if (s->check_status != POLYTLS_OK) {
      return kit::set_error(err, s->check_status, s->check_code, "%s", s->check_detail);
    }
    s->begin_call();
    const int rc = SSL_do_handshake(s->ssl.get());
    if (rc != 1) return failure(*s, rc, Phase::kHandshake, err);

    // A resumed handshake carries no certificate, so the verification
    // callback did not run. The client checked the session's leaf before
    // offering it; a server checks the client's leaf now, and can only end
    // the connection with close_notify (OpenSSL offers no way to send
    // another alert once its handshake is over).
    X509 *leaf = SSL_get0_peer_certificate(s->ssl.get());
    if (s->peer_check != nullptr && !s->peer_checked && leaf != nullptr) {
      if (run_peer_check(*s, leaf) != POLYTLS_OK) {
        s->begin_call();
        (void)SSL_shutdown(s->ssl.get());
        s->close_sent = true;
        ERR_clear_error();
        return kit::set_error(err, s->check_status, s->check_code, "%s", s->check_detail);
      }
    }
    s->handshake_done = true;
    return POLYTLS_OK;
  });
}

polytls_status tls_read(polytls_tls_session *session, uint8_t *buf, std::size_t cap,
                        std::size_t *out_n, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const ErrorQueueScope queue;
    TlsSession *s = kit::from_handle<TlsSession>(session);
    if (s == nullptr || buf == nullptr || cap == 0 || out_n == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_read: bad arguments");
    }
    if (!s->handshake_done) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_read: the handshake is not done");
    }
    s->begin_call();
    // Post-handshake messages (TLS 1.3 NewSessionTicket, KeyUpdate) are
    // consumed here; with nothing else to read this is WANT_READ, never OK
    // with 0 bytes.
    std::size_t n = 0;
    const int rc = SSL_read_ex(s->ssl.get(), buf, cap, &n);
    if (rc == 1 && n > 0) {
      *out_n = n;
      return POLYTLS_OK;
    }
    return failure(*s, rc == 1 ? 0 : rc, Phase::kRead, err);
  });
}

polytls_status tls_write(polytls_tls_session *session, const uint8_t *data, std::size_t len,
                         std::size_t *out_n, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const ErrorQueueScope queue;
    TlsSession *s = kit::from_handle<TlsSession>(session);
    if (s == nullptr || data == nullptr || len == 0 || out_n == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_write: bad arguments");
    }
    if (!s->handshake_done) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_write: the handshake is not done");
    }
    if (s->close_sent) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_write: the session was closed");
    }
    s->begin_call();
    // SSL_MODE_ENABLE_PARTIAL_WRITE: OpenSSL returns once a record is out.
    // After WANT_WRITE, OpenSSL has sealed the record already and expects
    // the call to be repeated with the same bytes (at least as many).
    std::size_t n = 0;
    const int rc = SSL_write_ex(s->ssl.get(), data, len, &n);
    if (rc == 1 && n > 0) {
      *out_n = n;
      return POLYTLS_OK;
    }
    return failure(*s, rc == 1 ? 0 : rc, Phase::kWrite, err);
  });
}

polytls_status tls_close(polytls_tls_session *session, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const ErrorQueueScope queue;
    TlsSession *s = kit::from_handle<TlsSession>(session);
    if (s == nullptr) return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "no session");
    if (!s->handshake_done) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_close: the handshake is not done");
    }
    if (s->close_sent) return POLYTLS_OK;
    s->begin_call();
    // Sends our close_notify (once; a call after WANT_WRITE finishes sending
    // it) and does not wait for the peer's.
    const int rc = SSL_shutdown(s->ssl.get());
    if (rc >= 0) {
      s->close_sent = true;
      return POLYTLS_OK;
    }
    return failure(*s, rc, Phase::kClose, err);
  });
}

polytls_status tls_describe(polytls_tls_session *session, polytls_tls_info_v1 *out,
                            polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const ErrorQueueScope queue;
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
    SSL *ssl = s->ssl.get();
    polytls_tls_info_v1 info{};
    info.struct_size = out->struct_size;
    info.version = static_cast<uint32_t>(SSL_version(ssl));
    if (const SSL_CIPHER *cipher = SSL_get_current_cipher(ssl); cipher != nullptr) {
      info.cipher_suite = SSL_CIPHER_get_protocol_id(cipher);
    }
    // TLS 1.3: the group of this handshake's key exchange; TLS 1.2: the
    // ECDHE curve of the session (a resumed TLS 1.2 session reports the
    // group of the handshake that made it).
    info.group = iana_group(SSL_get_negotiated_group(ssl));
    info.resumed = SSL_session_reused(ssl) == 1 ? 1u : 0u;
    const unsigned char *alpn = nullptr;
    unsigned int alpn_len = 0;
    SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
    if (alpn != nullptr && alpn_len > 0) info.alpn = polytls_data{alpn, alpn_len};
    if (!s->server_name.empty()) {
      info.server_name = polytls_data{reinterpret_cast<const uint8_t *>(s->server_name.data()),
                                      s->server_name.size()};
    }
    std::memcpy(out, &info, std::min<std::size_t>(out->struct_size, sizeof(info)));
    return POLYTLS_OK;
  });
}

polytls_status tls_peer_chain(polytls_tls_session *session, const polytls_cert_der_visitor *visitor,
                              polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const ErrorQueueScope queue;
    TlsSession *s = kit::from_handle<TlsSession>(session);
    if (s == nullptr || visitor == nullptr || visitor->certificate == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_peer_chain: bad arguments");
    }
    if (!s->handshake_done) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_peer_chain: the handshake is not done");
    }
    // A client's SSL_get_peer_cert_chain starts with the leaf, a server's
    // does not: report the leaf, then the rest, each certificate once.
    std::vector<X509 *> certs;
    if (X509 *leaf = SSL_get0_peer_certificate(s->ssl.get()); leaf != nullptr) {
      certs.push_back(leaf);
    }
    if (STACK_OF(X509) *chain = SSL_get_peer_cert_chain(s->ssl.get()); chain != nullptr) {
      for (int i = 0; i < sk_X509_num(chain); ++i) {
        X509 *c = sk_X509_value(chain, i);
        const bool seen = std::any_of(certs.begin(), certs.end(),
                                      [c](X509 *other) { return X509_cmp(c, other) == 0; });
        if (!seen) certs.push_back(c);
      }
    }
    std::vector<unsigned char> der;
    for (X509 *c : certs) {
      const int len = i2d_X509(c, nullptr);
      if (len <= 0) return fail(err, POLYTLS_ERR_INTERNAL, "encoding a peer certificate failed");
      der.resize(static_cast<std::size_t>(len));
      unsigned char *p = der.data();
      if (i2d_X509(c, &p) != len) {
        return fail(err, POLYTLS_ERR_INTERNAL, "encoding a peer certificate failed");
      }
      const polytls_status st = visitor->certificate(visitor->user, der.data(), der.size());
      if (st != POLYTLS_OK) return st;
    }
    return POLYTLS_OK;
  });
}

polytls_status tls_export_session(polytls_tls_session *session, const polytls_sink *out,
                                  polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const ErrorQueueScope queue;
    TlsSession *s = kit::from_handle<TlsSession>(session);
    if (s == nullptr || out == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_export_session: bad arguments");
    }
    if (s->context->role != POLYTLS_ROLE_CLIENT) {
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
    // TLS 1.3 sends its tickets after the handshake: the session becomes
    // resumable once tls_read has taken in a NewSessionTicket (in practice,
    // after the client has read application data).
    SslSession saved{SSL_get1_session(s->ssl.get())};
    if (!saved || SSL_SESSION_is_resumable(saved.get()) != 1) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "no resumable session yet: the server sent no session ticket or id "
                            "(TLS 1.3 tickets arrive after the handshake; read application data "
                            "first)");
    }
    const int len = i2d_SSL_SESSION(saved.get(), nullptr);
    if (len <= 0) return fail(err, POLYTLS_ERR_INTERNAL, "encoding the session failed");
    kit::SecretBytes der(static_cast<std::size_t>(len));
    unsigned char *p = der.data();
    if (i2d_SSL_SESSION(saved.get(), &p) != len) {
      return fail(err, POLYTLS_ERR_INTERNAL, "encoding the session failed");
    }
    return kit::write_to(out, der.data(), der.size());
  });
}

void tls_session_free(polytls_tls_session *session) noexcept {
  delete kit::from_handle<TlsSession>(session);
}

}  // namespace polytls::openssl
