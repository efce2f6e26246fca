// tls.cpp: TLS 1.2 / 1.3 sessions with wolfSSL (WOLFSSL_CTX / WOLFSSL).
//
// Design notes (wolfSSL 5.5.4 as Debian builds it):
//   - Output: the send callback never blocks wolfSSL. It appends every record
//     wolfSSL writes to the session's own queue and passes on what the
//     transport takes now; the rest waits for the next session call (and is
//     sent before anything is read). wolfSSL's own partial-write state (a
//     blocked SendBuffered, a close_notify half sent and built again on the
//     next wolfSSL_shutdown) never comes into play; a WANT_WRITE is ours to
//     report.
//   - Input: the receive callback maps the transport's WANT_READ, end of
//     stream and failures to WOLFSSL_CBIO_ERR_*, remembering which; a
//     failure's own status is what the session call returns.
//   - Peer verification is the backend's own cert_verify, run on the chain
//     the peer sent, from wolfSSL's verify callback at the leaf (this build
//     has WOLFSSL_ALWAYS_VERIFY_CB, so the callback runs at the leaf whatever
//     wolfSSL concluded, and WOLFSSL_VERIFY_CB_ALL_CERTS, so it runs at each
//     intermediate too). The callback's answer decides: 1 overrides wolfSSL's
//     verdict, 0 fails the handshake and wolfSSL sends the fatal alert. See
//     verify_callback.
//   - A server reads the first ClientHello itself for two cases wolfSSL
//     5.5.4 gets wrong (see inspect_client_hello), and keeps its sessions in
//     a cache of its own (see TlsContext::cache).
//   - wolfSSL 5.5.4 limits met here: no TLS 1.3 key log (no secret callback),
//     no public way to send an alert of our choosing after wolfSSL's
//     handshake, TLS 1.2 client tickets that break on rejection (not used).
#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/settings.h>

#include <wolfssl/error-ssl.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfio.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "errors.hpp"
#include "internal.hpp"
#include "polytls/kit/client_hello.hpp"

namespace polytls::wolfssl {
namespace {

using CtxPtr = kit::Owned<WOLFSSL_CTX, wolfSSL_CTX_free>;
using SslPtr = kit::Owned<WOLFSSL, wolfSSL_free>;
using SessionPtr = kit::Owned<WOLFSSL_SESSION, wolfSSL_SESSION_free>;

// The cipher suites polytls allows (TLS 1.3 first, then TLS 1.2 ECDHE with
// AEAD), in wolfSSL's names; wolfSSL takes both versions in one list.
constexpr const char kCipherList[] =
    "TLS13-AES128-GCM-SHA256:TLS13-AES256-GCM-SHA384:TLS13-CHACHA20-POLY1305-SHA256:"
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char kCipherList12[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// Key exchange groups by preference (wolfSSL_CTX_set1_curves_list names).
constexpr const char kGroupList[] = "X25519:P-256:P-384";

// The largest plaintext handed to wolfSSL_write at once: one record.
constexpr std::size_t kWriteChunk = 16384;

// The sessions a client context keeps decoded (TlsContext::restored).
constexpr std::size_t kRestoredMax = 8;

// TlsContext is the backend's polytls_tls_context.
struct TlsContext {
  Context *backend = nullptr;
  std::uint32_t role = 0;
  std::uint32_t min_version = 0;
  std::uint32_t max_version = 0;
  std::uint32_t verify_peer = 0;  // client: 0/1; server: POLYTLS_CLIENT_AUTH_*
  bool resumption = false;
  std::vector<std::unique_ptr<Certificate>> anchors;
  std::vector<const polytls_cert *> anchor_handles;
  Bytes alpn_wire;        // wire format, by preference
  std::string alpn_list;  // the same, comma-separated, for wolfSSL_UseALPN
  polytls_keylog_fn keylog = nullptr;
  void *keylog_user = nullptr;
  // The key exchange groups, by preference (IANA numbers).
  std::vector<std::uint16_t> groups{0x001d, 0x0017, 0x0018};

  // A server's session cache, this context's own: wolfSSL's internal cache
  // is one per process, where a session made by one server context could be
  // resumed on another (with other trust or client authentication). It
  // serves TLS 1.2 session IDs and, through the ID wolfSSL puts in its
  // tickets, gives a resumed session back its peer chain. Entries are
  // wolfSSL_i2d_SSL_SESSION encodings, oldest first, until they expire (the
  // session's timeout), at most kCacheEntries.
  struct CacheEntry {
    Bytes key;
    kit::SecretBytes data;
    std::chrono::steady_clock::time_point expires;
  };
  std::mutex cache_mutex;
  std::deque<CacheEntry> cache;

  // A client's sessions most recently restored from resumption data
  // (resume_session), by the data as given: the session wolfSSL decoded
  // from it, and the leaf kept in it, parsed for the core's check. Decoding
  // and parsing are most of what a resumed connection costs the client
  // otherwise. Each is lent to one connection at a time (kit::LendingCache).
  struct Restored {
    SessionPtr session;
    std::unique_ptr<Certificate> leaf;  // NULL until a check needed it
  };
  kit::LendingCache<Restored> restored{kRestoredMax};

  CtxPtr ctx;
};

constexpr std::size_t kCacheEntries = 20000;

// Failure is a remembered error: status, library code and detail.
struct Failure {
  polytls_status status = POLYTLS_OK;
  std::int64_t code = 0;
  std::string detail;
};

// TlsSession is the backend's polytls_tls_session. wolfSSL holds a pointer
// to it (I/O and verify callbacks): it never moves.
struct TlsSession {
  TlsContext *context = nullptr;
  polytls_transport transport{};
  polytls_peer_check_fn peer_check = nullptr;
  void *peer_check_user = nullptr;

  // Output not yet taken by the transport (see the file comment).
  Bytes out;
  std::size_t out_pos = 0;
  // Plaintext wolfSSL encrypted into `out` while the transport blocked: the
  // caller was told WANT_WRITE with nothing taken, and must write the same
  // bytes again; they are then reported taken once `out` is flushed.
  Bytes committed;

  // What the transport said last (WANT_READ / WANT_WRITE), whether it ended,
  // and its failure, which every later call returns.
  polytls_status last_want = POLYTLS_ERR_WANT_READ;
  bool eof = false;
  Failure transport_failure;
  // Our verification of the peer (verify_callback), when it failed.
  Failure verify_failure;
  // A server's look at the first ClientHello (inspect_client_hello): the
  // bytes so far, whether it is done, and the failure it found.
  Bytes hello;
  bool hello_checked = false;
  Failure hello_failure;
  // The failure that ended the session, returned by every later call.
  Failure fatal;

  bool handshake_done = false;
  bool peer_closed = false;  // the peer's close_notify arrived
  bool close_sent = false;

  // What the handshake negotiated, kept when it completes (wolfSSL_shutdown
  // resets the WOLFSSL object once both close_notify alerts have passed).
  std::uint32_t version = 0;
  std::uint32_t cipher_suite = 0;
  std::uint32_t group = 0;
  bool resumed = false;
  std::string alpn;
  std::string server_name;
  std::vector<Bytes> peer_chain;

  SslPtr ssl;  // last: freed first
};

// ---- errors ----

polytls_status report(polytls_error *err, const Failure &f) {
  return kit::set_error(err, f.status, f.code, "%s", f.detail.c_str());
}

std::string library_text(int code) {
  switch (code) {
    case WOLFSSL_ERROR_WANT_READ: return "want read";
    case WOLFSSL_ERROR_WANT_WRITE: return "want write";
    case WOLFSSL_ERROR_ZERO_RETURN: return "peer sent close_notify";
    default: return error_text(code);
  }
}

std::string format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char *fmt, ...) {
  char buf[512];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  return buf;
}

// status_name names the statuses a transport reports.
const char *status_name(polytls_status st) {
  switch (st) {
    case POLYTLS_ERR_IO: return "I/O error";
    case POLYTLS_ERR_TIMEOUT: return "timeout";
    case POLYTLS_ERR_PEER_CLOSED: return "peer closed";
    default: return "error";
  }
}

// fail_session remembers `f` as the session's fatal failure and reports it.
polytls_status fail_session(TlsSession &s, Failure f, polytls_error *err) {
  s.fatal = std::move(f);
  return report(err, s.fatal);
}

// ---- output queue ----

// flush sends the queued output: OK once empty, WANT_WRITE, or the
// transport's failure (remembered).
polytls_status flush(TlsSession &s) {
  while (s.out_pos < s.out.size()) {
    if (!s.transport_failure.detail.empty()) return s.transport_failure.status;
    std::size_t sent = 0;
    polytls_status st = s.transport.send(s.transport.user, s.out.data() + s.out_pos,
                                         s.out.size() - s.out_pos, &sent);
    if (st == POLYTLS_OK && sent == 0) st = POLYTLS_ERR_WANT_WRITE;
    if (st == POLYTLS_ERR_WANT_WRITE || st == POLYTLS_ERR_WANT_READ) {
      s.last_want = st;
      return st;
    }
    if (st != POLYTLS_OK) {
      s.transport_failure.status = st;
      s.transport_failure.code = 0;
      s.transport_failure.detail =
          format("the transport failed while sending (%s)", status_name(st));
      return st;
    }
    s.out_pos += std::min(sent, s.out.size() - s.out_pos);
  }
  s.out.clear();
  s.out_pos = 0;
  return POLYTLS_OK;
}

// ---- the ClientHello, as a server sees it first ----
//
// wolfSSL 5.5.4's server mishandles two ClientHellos it cannot serve: with
// TLS 1.3 and no key exchange group in common it sends a HelloRetryRequest
// without a key_share (the client then fails with illegal_parameter), and
// limited to TLS 1.2 it answers a TLS 1.3-only client with handshake_failure
// ("can't match cipher suite") instead of protocol_version. So a server
// reads the first ClientHello before wolfSSL does, decides these two cases
// itself and answers them with the right alert (in plaintext: no keys exist
// yet). Anything else, well-formed or not, is wolfSSL's to judge.

struct HelloVerdict {
  enum { kNeedMore, kFine, kRefuse } outcome = kFine;
  polytls_status status = POLYTLS_OK;
  std::uint8_t alert = 0;
  std::string detail;
};

// judge_client_hello decides the two cases from what the kit read of the
// ClientHello (kit/client_hello.hpp). A ClientHello it could not read is
// wolfSSL's to judge.
HelloVerdict judge_client_hello(const kit::ClientHelloSummary &hello, const TlsContext &c) {
  HelloVerdict fine;
  if (!hello.parsed) return fine;
  // Without supported_versions a client offers TLS 1.2 when its
  // legacy_version reaches 1.2, and never TLS 1.3 (RFC 8446 4.2.1).
  const bool offers12 = hello.offers(POLYTLS_TLS1_2);
  const bool offers13 = hello.offers(POLYTLS_TLS1_3);
  bool common_group = false;
  for (const std::uint16_t group : c.groups) {
    common_group = common_group || hello.offers_group(group);
  }
  const bool can13 = c.max_version >= POLYTLS_TLS1_3 && offers13;
  const bool can12 = c.min_version <= POLYTLS_TLS1_2 && offers12;
  HelloVerdict refuse;
  refuse.outcome = HelloVerdict::kRefuse;
  if (!can13 && !can12) {
    refuse.status = POLYTLS_ERR_PROTOCOL_VERSION;
    refuse.alert = wolfssl_alert_protocol_version;
    refuse.detail = format(
        "TLS server handshake: no protocol version in common (the client offers %s, this server "
        "%s)",
        offers13 ? (offers12 ? "TLS 1.2 and 1.3" : "TLS 1.3 only")
                 : (offers12 ? "TLS 1.2 only" : "only versions before TLS 1.2"),
        c.min_version == c.max_version
            ? (c.max_version == POLYTLS_TLS1_3 ? "TLS 1.3 only" : "TLS 1.2 only")
            : "TLS 1.2 and 1.3");
    return refuse;
  }
  // TLS 1.2 (RFC 8422): a client's supported_groups with none of this
  // server's groups leaves no ECDHE suite, and every polytls TLS 1.2 suite
  // is ECDHE; wolfSSL 5.5.4 would use a group of its own choice anyway.
  if (!can13 && can12 && hello.has_supported_groups && !common_group) {
    refuse.status = POLYTLS_ERR_NO_SHARED_CIPHER;
    refuse.alert = handshake_failure;
    refuse.detail = "TLS server handshake: no key exchange group in common for TLS 1.2";
    return refuse;
  }
  if (can13 && (!hello.has_supported_groups || !common_group)) {
    refuse.status = POLYTLS_ERR_NO_SHARED_CIPHER;
    refuse.alert = handshake_failure;
    std::string mine;
    for (const std::uint16_t group : c.groups) {
      const kit::TlsGroup *known = kit::find_tls_group(group);
      if (!mine.empty()) mine += ", ";
      mine += known != nullptr ? known->name : "?";
    }
    refuse.detail =
        "TLS server handshake: no key exchange group in common for TLS 1.3 (this "
        "server has " +
        mine + ")";
    return refuse;
  }
  return fine;
}

// inspect_client_hello looks at the bytes a server has received so far.
HelloVerdict inspect_client_hello(const Bytes &data, const TlsContext &c) {
  Bytes body;
  switch (kit::first_client_hello(data, body)) {
    case kit::FirstHello::need_more: {
      HelloVerdict need_more;
      need_more.outcome = HelloVerdict::kNeedMore;
      return need_more;
    }
    case kit::FirstHello::not_a_client_hello: return {};  // wolfSSL's
    case kit::FirstHello::complete: break;
  }
  return judge_client_hello(kit::parse_client_hello(body), c);
}

// watch_client_hello runs on a server's received bytes until the first
// ClientHello is judged. Returns false when the handshake is refused (the
// alert is queued and the failure kept).
bool watch_client_hello(TlsSession &s, const char *buf, std::size_t n) {
  constexpr std::size_t kLimit = 65536;
  s.hello.insert(s.hello.end(), buf, buf + n);
  const HelloVerdict verdict = inspect_client_hello(s.hello, *s.context);
  if (verdict.outcome == HelloVerdict::kNeedMore && s.hello.size() < kLimit) return true;
  s.hello_checked = true;
  s.hello.clear();
  s.hello.shrink_to_fit();
  if (verdict.outcome != HelloVerdict::kRefuse) return true;
  s.hello_failure = {verdict.status, 0, verdict.detail};
  const std::uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, alert_fatal, verdict.alert};
  s.out.insert(s.out.end(), std::begin(alert), std::end(alert));
  (void)flush(s);
  return false;
}

// ---- wolfSSL I/O callbacks ----

// send_callback queues what wolfSSL writes and passes as much of it on to
// the transport as it takes now. It never reports WANT_WRITE to wolfSSL:
// bytes the transport does not take wait in the queue for the next call.
int send_callback(WOLFSSL * /*ssl*/, char *buf, int sz, void *ctx) {
  auto *s = static_cast<TlsSession *>(ctx);
  if (s == nullptr || sz < 0) return WOLFSSL_CBIO_ERR_GENERAL;
  if (!s->transport_failure.detail.empty()) return WOLFSSL_CBIO_ERR_GENERAL;
  try {
    s->out.insert(s->out.end(), buf, buf + sz);
  } catch (...) {
    return WOLFSSL_CBIO_ERR_GENERAL;
  }
  const polytls_status st = flush(*s);
  if (st != POLYTLS_OK && st != POLYTLS_ERR_WANT_WRITE && st != POLYTLS_ERR_WANT_READ) {
    return WOLFSSL_CBIO_ERR_GENERAL;
  }
  return sz;
}

// recv_callback reads from the transport, after passing on queued output
// (the peer answers only what it has received; on a blocking transport,
// waiting for its answer first would wait forever).
int recv_callback(WOLFSSL * /*ssl*/, char *buf, int sz, void *ctx) {
  auto *s = static_cast<TlsSession *>(ctx);
  if (s == nullptr || sz <= 0) return WOLFSSL_CBIO_ERR_GENERAL;
  if (!s->transport_failure.detail.empty()) return WOLFSSL_CBIO_ERR_GENERAL;
  polytls_status st = flush(*s);
  if (st == POLYTLS_ERR_WANT_WRITE || st == POLYTLS_ERR_WANT_READ)
    return WOLFSSL_CBIO_ERR_WANT_READ;
  if (st != POLYTLS_OK) return WOLFSSL_CBIO_ERR_GENERAL;
  if (s->eof) return WOLFSSL_CBIO_ERR_CONN_CLOSE;
  std::size_t received = 0;
  st = s->transport.recv(s->transport.user, reinterpret_cast<uint8_t *>(buf),
                         static_cast<std::size_t>(sz), &received);
  if (st == POLYTLS_OK) {
    if (received == 0) {
      s->eof = true;
      return WOLFSSL_CBIO_ERR_CONN_CLOSE;
    }
    received = std::min(received, static_cast<std::size_t>(sz));
    if (s->context->role == POLYTLS_ROLE_SERVER && !s->hello_checked) {
      try {
        if (!watch_client_hello(*s, buf, received)) return WOLFSSL_CBIO_ERR_GENERAL;
      } catch (...) {
        s->hello_checked = true;
      }
    }
    return static_cast<int>(received);
  }
  if (st == POLYTLS_ERR_WANT_READ || st == POLYTLS_ERR_WANT_WRITE) {
    s->last_want = st;
    return WOLFSSL_CBIO_ERR_WANT_READ;
  }
  s->transport_failure.status = st;
  s->transport_failure.code = 0;
  s->transport_failure.detail =
      format("the transport failed while receiving (%s)", status_name(st));
  return WOLFSSL_CBIO_ERR_GENERAL;
}

// ---- peer verification ----

// CertificateSet holds the backend's Certificate objects made from DER.
struct CertificateSet {
  std::vector<std::unique_ptr<Certificate>> owned;
  std::vector<const polytls_cert *> handles;
};

// usage_problem checks the leaf's keyUsage and extendedKeyUsage for TLS, as
// wolfSSL, OpenSSL and Mbed TLS do on their own: with keyUsage,
// digitalSignature (every polytls key exchange is signed); with
// extendedKeyUsage, serverAuth (a server's certificate) or clientAuth (a
// client's), or anyExtendedKeyUsage. Returns the problem, empty if none.
std::string usage_problem(const Bytes &der, bool peer_is_server) {
  auto dc = std::make_unique<DecodedCert>();
  wc_InitDecodedCert(dc.get(), der.data(), static_cast<word32>(der.size()), nullptr);
  int rc = wc_ParseCert(dc.get(), CERT_TYPE, NO_VERIFY, nullptr);
  if (rc == ASN_CRIT_EXT_E) rc = 0;
  std::string problem;
  if (rc != 0) {
    problem = format("the certificate does not parse: %s", error_text(rc));
  } else if (dc->extKeyUsageSet && (dc->extKeyUsage & KEYUSE_DIGITAL_SIG) == 0) {
    problem = "its keyUsage lacks digitalSignature";
  } else if (dc->extExtKeyUsageSet &&
             (dc->extExtKeyUsage &
              (EXTKEYUSE_ANY | (peer_is_server ? EXTKEYUSE_SERVER_AUTH : EXTKEYUSE_CLIENT_AUTH))) ==
                 0) {
    problem = peer_is_server ? "its extendedKeyUsage lacks serverAuth"
                             : "its extendedKeyUsage lacks clientAuth";
  }
  wc_FreeDecodedCert(dc.get());
  return problem;
}

// check_peer verifies the chain the peer sent (leaf first), when the
// configuration asks for it, and runs the core's peer check. Returns the
// status and fills `failure`.
polytls_status check_peer(TlsSession &s, const WOLFSSL_BUFFER_INFO *certs, int count,
                          Failure &failure) {
  const TlsContext &c = *s.context;
  const bool client = c.role == POLYTLS_ROLE_CLIENT;
  const char *whose = client ? "server certificate" : "client certificate";
  CertificateSet set;
  for (int i = 0; i < count; ++i) {
    if (certs[i].buffer == nullptr || certs[i].length == 0) continue;
    polytls_data der{certs[i].buffer, certs[i].length};
    polytls_cert *handle = nullptr;
    polytls_error ignored{};
    ignored.struct_size = sizeof ignored;
    if (cert_import(c.backend, der, &handle, &ignored) != POLYTLS_OK) {
      if (i == 0) {
        failure = {POLYTLS_ERR_UNTRUSTED, ignored.library_code,
                   format("%s: %s", whose, ignored.detail)};
        return failure.status;
      }
      continue;  // an unreadable intermediate cannot be part of a path
    }
    set.owned.emplace_back(kit::from_handle<Certificate>(handle));
    set.handles.push_back(handle);
  }
  if (set.handles.empty()) {
    failure = {POLYTLS_ERR_UNTRUSTED, 0, format("%s: the peer sent no certificate", whose)};
    return failure.status;
  }
  const bool verify = client ? c.verify_peer != 0 : c.verify_peer != POLYTLS_CLIENT_AUTH_NONE;
  if (verify) {
    polytls_verify_request_v1 request{};
    request.struct_size = sizeof request;
    request.leaf = set.handles[0];
    request.anchors = c.anchor_handles.data();
    request.anchor_count = c.anchor_handles.size();
    request.intermediates = set.handles.data() + 1;
    request.intermediate_count = set.handles.size() - 1;
    polytls_error verr{};
    verr.struct_size = sizeof verr;
    const polytls_status st = cert_verify(c.backend, &request, &verr);
    if (st != POLYTLS_OK) {
      failure = {st, verr.library_code, format("%s: %s", whose, verr.detail)};
      return st;
    }
    const std::string problem = usage_problem(set.owned[0]->der, client);
    if (!problem.empty()) {
      failure = {POLYTLS_ERR_UNTRUSTED, 0,
                 format("%s is not for TLS %s authentication: %s", whose,
                        client ? "server" : "client", problem.c_str())};
      return failure.status;
    }
  }
  if (s.peer_check != nullptr) {
    polytls_error perr{};
    perr.struct_size = sizeof perr;
    const polytls_status st = s.peer_check(s.peer_check_user, set.handles[0], &perr);
    if (st != POLYTLS_OK) {
      perr.detail[sizeof perr.detail - 1] = '\0';
      failure = {st, perr.library_code, perr.detail};
      return st;
    }
  }
  return POLYTLS_OK;
}

// verify_callback is wolfSSL's verify callback for every peer certificate.
// Intermediates (depth > 0) are accepted here: the whole chain is judged at
// the leaf, where `store->certs` holds everything the peer sent. At the leaf
// the backend's verdict replaces wolfSSL's: 1 accepts, 0 makes wolfSSL fail
// the handshake and send its fatal alert (bad_certificate, or unknown_ca /
// certificate_expired when wolfSSL's own check, against the same anchors
// loaded into its certificate manager, found that too).
int verify_callback(int preverify, WOLFSSL_X509_STORE_CTX *store) {
  if (store == nullptr) return preverify;
  auto *s = static_cast<TlsSession *>(store->userCtx);
  if (s == nullptr || s->context == nullptr) return preverify;
  if (store->error_depth != 0) return 1;
  // No certificate at all (a client that had none): wolfSSL decides
  // (FAIL_IF_NO_PEER_CERT); never override its error.
  if (store->totalCerts <= 0 || store->certs == nullptr) return preverify;
  try {
    Failure failure;
    if (check_peer(*s, store->certs, store->totalCerts, failure) == POLYTLS_OK) return 1;
    s->verify_failure = std::move(failure);
  } catch (...) {
    s->verify_failure = {POLYTLS_ERR_INTERNAL, 0, "peer verification: unexpected exception"};
  }
  return 0;
}

// alpn_select_callback makes the server choose by its own preference: the
// first of its protocols that the client offered. With none in common it
// declines, and wolfSSL's own matching (the server's list set with
// WOLFSSL_ALPN_FAILED_ON_MISMATCH) sends no_application_protocol.
int alpn_select_callback(WOLFSSL * /*ssl*/, const unsigned char **out, unsigned char *outlen,
                         const unsigned char *in, unsigned int inlen, void *arg) {
  const auto *c = static_cast<const TlsContext *>(arg);
  if (c == nullptr || in == nullptr) return SSL_TLSEXT_ERR_NOACK;
  const Bytes &mine = c->alpn_wire;
  for (std::size_t i = 0; i < mine.size();) {
    const std::size_t len = mine[i];
    const unsigned char *name = mine.data() + i + 1;
    for (unsigned int j = 0; j < inlen;) {
      const unsigned int their_len = in[j];
      if (j + 1 + their_len > inlen) break;
      if (their_len == len && std::memcmp(in + j + 1, name, len) == 0) {
        *out = in + j + 1;
        *outlen = static_cast<unsigned char>(len);
        return SSL_TLSEXT_ERR_OK;
      }
      j += 1 + their_len;
    }
    i += 1 + len;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

// ---- the server's session cache ----

TlsContext *context_of(WOLFSSL *ssl) {
  auto *s = static_cast<TlsSession *>(wolfSSL_GetIOReadCtx(ssl));
  return s != nullptr ? s->context : nullptr;
}

// session_key is the ID wolfSSL looks a server session up by: its
// "alternative" session ID when it has one (TLS 1.3, and the ID a ticket
// carries with WOLFSSL_TICKET_HAVE_ID), else its session ID. wolfSSL has no
// accessor for the former; it is read from wolfSSL_i2d_SSL_SESSION's
// encoding (5.5.4: side, bornOn, timeout, ID length and ID, master secret,
// haveEMS, alternative ID length and ID, ...). Empty when unreadable.
Bytes session_key(const kit::SecretBytes &data) {
  const std::uint8_t *d = data.data();
  const std::size_t n = data.size();
  std::size_t pos = 1 + 4 + 4;
  if (n <= pos) return {};
  const std::size_t id_len = d[pos++];
  if (id_len > 32 || n < pos + id_len + 48 + 2) return {};
  const std::size_t id_pos = pos;
  pos += id_len + 48 + 1;
  const std::size_t alt_len = d[pos++];
  if (alt_len == 32 && n >= pos + alt_len) return Bytes(d + pos, d + pos + alt_len);
  if (alt_len != 0) return {};
  return Bytes(d + id_pos, d + id_pos + id_len);
}

// cache_new stores a new server session (wolfSSL keeps its own reference:
// returning 0 lets it go).
int cache_new(WOLFSSL *ssl, WOLFSSL_SESSION *session) {
  TlsContext *c = context_of(ssl);
  if (c == nullptr || session == nullptr) return 0;
  try {
    const int len = wolfSSL_i2d_SSL_SESSION(session, nullptr);
    if (len <= 0) return 0;
    kit::SecretBytes data(static_cast<std::size_t>(len));
    unsigned char *p = data.data();
    if (wolfSSL_i2d_SSL_SESSION(session, &p) != len) return 0;
    Bytes key = session_key(data);
    if (key.size() != 32) return 0;  // wolfSSL looks sessions up by 32 bytes (ID_LEN)
    const auto now = std::chrono::steady_clock::now();
    const long timeout = wolfSSL_SESSION_get_timeout(session);
    const auto expires = now + std::chrono::seconds(timeout > 0 ? timeout : 0);
    std::lock_guard<std::mutex> lock(c->cache_mutex);
    while (!c->cache.empty() &&
           (c->cache.front().expires <= now || c->cache.size() >= kCacheEntries)) {
      c->cache.pop_front();
    }
    for (auto it = c->cache.begin(); it != c->cache.end(); ++it) {
      if (it->key == key) {
        c->cache.erase(it);
        break;
      }
    }
    c->cache.push_back({std::move(key), std::move(data), expires});
  } catch (...) {
  }
  return 0;
}

// cache_get finds a session by the ID a client offered; wolfSSL frees the
// copy it gets (`*copy` = 0).
WOLFSSL_SESSION *cache_get(WOLFSSL *ssl, const unsigned char *id, int id_len, int *copy) {
  if (copy != nullptr) *copy = 0;
  TlsContext *c = context_of(ssl);
  if (c == nullptr || id == nullptr || id_len <= 0) return nullptr;
  try {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> lock(c->cache_mutex);
    for (const TlsContext::CacheEntry &entry : c->cache) {
      if (entry.expires > now && static_cast<std::size_t>(id_len) == entry.key.size() &&
          std::memcmp(entry.key.data(), id, entry.key.size()) == 0) {
        const unsigned char *p = entry.data.data();
        return wolfSSL_d2i_SSL_SESSION(nullptr, &p, static_cast<long>(entry.data.size()));
      }
    }
  } catch (...) {
  }
  return nullptr;
}

// ---- context helpers ----

// alpn_comma_list turns the wire-format list into wolfSSL_UseALPN's
// comma-separated form. Returns false if a name cannot be written so.
polytls_status alpn_comma_list(polytls_data wire, std::string &out, polytls_error *err) {
  const auto bytes = kit::bytes(wire);
  out.clear();
  std::size_t count = 0;
  for (std::size_t i = 0; i < bytes.size();) {
    const std::size_t len = bytes[i];
    if (len == 0 || i + 1 + len > bytes.size()) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_context_new: malformed ALPN list (wire format expected)");
    }
    const std::string_view name(reinterpret_cast<const char *>(bytes.data() + i + 1), len);
    if (name.find(',') != std::string_view::npos || name.find('\0') != std::string_view::npos) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "tls_context_new: wolfSSL takes ALPN protocol names as a "
                            "comma-separated string: a name with ',' or NUL cannot be used");
    }
    if (!out.empty()) out.push_back(',');
    out.append(name);
    ++count;
    i += 1 + len;
  }
  if (count > WOLFSSL_MAX_ALPN_NUMBER) {
    return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                          "tls_context_new: wolfSSL takes at most %d ALPN protocols",
                          static_cast<int>(WOLFSSL_MAX_ALPN_NUMBER));
  }
  return POLYTLS_OK;
}

polytls_status write_sink(void *user, const uint8_t *data, size_t len) {
  auto *out = static_cast<kit::SecretBytes *>(user);
  const std::size_t old = out->size();
  out->resize(old + len);
  std::memcpy(out->data() + old, data, len);
  return POLYTLS_OK;
}

// load_identity loads the own chain (leaf first) and private key.
polytls_status load_identity(TlsContext &c, const polytls_tls_config_v1 &config,
                             polytls_error *err) {
  Bytes chain;
  for (std::size_t i = 0; i < config.chain_count; ++i) {
    const Certificate *cert = kit::from_handle<Certificate>(config.chain[i]);
    if (cert == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_context_new: NULL certificate in the chain");
    }
    chain.insert(chain.end(), cert->der.begin(), cert->der.end());
  }
  int rc = wolfSSL_CTX_use_certificate_chain_buffer_format(
      c.ctx.get(), chain.data(), static_cast<long>(chain.size()), WOLFSSL_FILETYPE_ASN1);
  if (rc != WOLFSSL_SUCCESS) {
    return fail(err, rc, POLYTLS_ERR_BAD_INPUT,
                "tls_context_new: wolfSSL_CTX_use_certificate_chain_buffer_format");
  }
  // The key goes to wolfSSL as unencrypted PKCS#8 DER (RSA, EC and Ed25519
  // alike: wolfSSL strips the PKCS#8 header and tells the type by the OID).
  kit::SecretBytes pkcs8;
  const polytls_sink sink{&pkcs8, write_sink};
  const polytls_status st =
      key_export(c.backend, config.key, POLYTLS_KEY_FORMAT_PKCS8, polytls_data{}, &sink, err);
  if (st != POLYTLS_OK) return st;
  rc = wolfSSL_CTX_use_PrivateKey_buffer(c.ctx.get(), pkcs8.data(), static_cast<long>(pkcs8.size()),
                                         WOLFSSL_FILETYPE_ASN1);
  if (rc != WOLFSSL_SUCCESS) {
    return fail(err, rc, POLYTLS_ERR_BAD_INPUT,
                "tls_context_new: wolfSSL_CTX_use_PrivateKey_buffer");
  }
  rc = wolfSSL_CTX_check_private_key(c.ctx.get());
  if (rc != WOLFSSL_SUCCESS) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, rc,
                          "tls_context_new: the private key does not match the certificate");
  }
  return POLYTLS_OK;
}

// ---- session helpers ----

// alert_name names a TLS alert (wolfSSL 5.5.4's own table lacks the TLS 1.3
// ones, e.g. certificate_required).
const char *alert_name(int code) {
  switch (code) {
    case close_notify: return "close_notify";
    case unexpected_message: return "unexpected_message";
    case bad_record_mac: return "bad_record_mac";
    case record_overflow: return "record_overflow";
    case handshake_failure: return "handshake_failure";
    case bad_certificate: return "bad_certificate";
    case unsupported_certificate: return "unsupported_certificate";
    case certificate_revoked: return "certificate_revoked";
    case certificate_expired: return "certificate_expired";
    case certificate_unknown: return "certificate_unknown";
    case illegal_parameter: return "illegal_parameter";
    case unknown_ca: return "unknown_ca";
    case access_denied: return "access_denied";
    case decode_error: return "decode_error";
    case decrypt_error: return "decrypt_error";
    case wolfssl_alert_protocol_version: return "protocol_version";
    case insufficient_security: return "insufficient_security";
    case internal_error: return "internal_error";
    case inappropriate_fallback: return "inappropriate_fallback";
    case user_canceled: return "user_canceled";
    case no_renegotiation: return "no_renegotiation";
    case missing_extension: return "missing_extension";
    case unsupported_extension: return "unsupported_extension";
    case unrecognized_name: return "unrecognized_name";
    case bad_certificate_status_response: return "bad_certificate_status_response";
    case unknown_psk_identity: return "unknown_psk_identity";
    case certificate_required: return "certificate_required";
    case no_application_protocol: return "no_application_protocol";
    default: return "unknown alert";
  }
}

// failure_of turns a failed wolfSSL call into the session's failure: the
// transport's own failure first, then our verification's, then an alert the
// peer sent, then wolfSSL's error code.
Failure failure_of(TlsSession &s, int code, const char *what, bool in_handshake) {
  if (!s.transport_failure.detail.empty()) return s.transport_failure;
  if (s.hello_failure.status != POLYTLS_OK) return s.hello_failure;
  if (s.verify_failure.status != POLYTLS_OK) return s.verify_failure;
  WOLFSSL_ALERT_HISTORY history{};
  wolfSSL_get_alert_history(s.ssl.get(), &history);
  const bool alert =
      history.last_rx.level == alert_fatal ||
      (history.last_rx.level == alert_warning && history.last_rx.code == close_notify);
  const polytls_status by_code = tls_status_for(code);
  Failure f;
  f.code = code;
  if (code == FATAL_ERROR || (alert && (by_code == POLYTLS_ERR_HANDSHAKE || code == ZERO_RETURN ||
                                        code == WOLFSSL_ERROR_ZERO_RETURN))) {
    if (alert) {
      f.status = alert_status_for(history.last_rx.code);
      f.detail = format("%s: the peer sent the alert %s (%d)", what,
                        alert_name(history.last_rx.code), history.last_rx.code);
      if (history.last_rx.code == close_notify && in_handshake) {
        f.status = POLYTLS_ERR_PEER_CLOSED;
        f.detail = format("%s: the peer closed the connection (close_notify)", what);
      }
      return f;
    }
  }
  if (s.eof && (code == SOCKET_ERROR_E || code == SOCKET_PEER_CLOSED_E ||
                by_code == POLYTLS_ERR_HANDSHAKE)) {
    f.status = in_handshake ? POLYTLS_ERR_PEER_CLOSED : POLYTLS_ERR_IO;
    f.detail = in_handshake
                   ? format("%s: the peer closed the connection during the handshake", what)
                   : format("%s: truncated: the transport ended without close_notify", what);
    return f;
  }
  f.status = by_code;
  if (code == NO_PEER_CERT) {
    f.detail = format("%s: a client certificate is required and the client sent none (%s)", what,
                      library_text(code).c_str());
  } else {
    f.detail = format("%s: %s (wolfSSL error %d)", what, library_text(code).c_str(), code);
  }
  if (history.last_tx.level == alert_fatal) {
    f.detail += format("; sent the alert %s", alert_name(history.last_tx.code));
  }
  return f;
}

// send_protocol_version_alert makes up for wolfSSL's client, which refuses
// a ServerHello of a version outside its range (VERSION_ERROR) without
// telling the server: it queues a plaintext fatal protocol_version alert
// (no keys exist before the ServerHello is accepted), unless wolfSSL sent an
// alert itself.
void send_protocol_version_alert(TlsSession &s) {
  WOLFSSL_ALERT_HISTORY history{};
  wolfSSL_get_alert_history(s.ssl.get(), &history);
  if (history.last_tx.level == alert_fatal) return;
  static constexpr std::uint8_t kAlert[] = {
      0x15, 0x03, 0x03, 0x00, 0x02, alert_fatal, wolfssl_alert_protocol_version};
  s.out.insert(s.out.end(), std::begin(kAlert), std::end(kAlert));
}

// is_want tells whether a wolfSSL_get_error code means "call again".
bool is_want(int code) {
  return code == WOLFSSL_ERROR_WANT_READ || code == WOLFSSL_ERROR_WANT_WRITE || code == WANT_READ ||
         code == WANT_WRITE;
}

polytls_status want(polytls_status st, polytls_error *err) {
  return kit::set_error(err, st, 0, "%s",
                        st == POLYTLS_ERR_WANT_WRITE ? "the transport cannot take more now"
                                                     : "waiting for data from the peer");
}

// log_tls12_keys writes the CLIENT_RANDOM line of a TLS 1.2 session. wolfSSL
// 5.5.4 as built here has no secret callback (HAVE_SECRET_CALLBACK), so
// TLS 1.3 secrets cannot be logged. For TLS 1.2, a session with a key log
// keeps wolfSSL's handshake arrays (wolfSSL_KeepArrays, see configure_ssl):
// the master secret and client random are read from them once the handshake
// is complete, and the arrays are then freed (and wiped) as usual.
void log_tls12_keys(TlsSession &s) {
  const TlsContext &c = *s.context;
  if (c.keylog == nullptr) return;
  WOLFSSL *ssl = s.ssl.get();
  if (wolfSSL_version(ssl) == TLS1_2_VERSION) {
    unsigned char *master = nullptr, *server_random = nullptr, *client_random = nullptr;
    unsigned int master_len = 0, server_len = 0, client_len = 0;
    if (wolfSSL_get_keys(ssl, &master, &master_len, &server_random, &server_len, &client_random,
                         &client_len) == WOLFSSL_SUCCESS &&
        master != nullptr && client_random != nullptr && master_len > 0 && client_len > 0) {
      std::string line =
          kit::keylog_line("CLIENT_RANDOM", {client_random, client_len}, {master, master_len});
      c.keylog(c.keylog_user, line.c_str());
      kit::wipe(line.data(), line.size());
    }
  }
  wolfSSL_FreeArrays(ssl);
}

// chain_of returns the peer chain wolfSSL keeps (SESSION_CERTS), leaf first.
std::vector<ByteView> chain_of(WOLFSSL *ssl) {
  std::vector<ByteView> out;
  WOLFSSL_X509_CHAIN *chain = wolfSSL_get_peer_chain(ssl);
  if (chain == nullptr) return out;
  const int count = wolfSSL_get_chain_count(chain);
  for (int i = 0; i < count; ++i) {
    unsigned char *der = wolfSSL_get_chain_cert(chain, i);
    const int len = wolfSSL_get_chain_length(chain, i);
    if (der != nullptr && len > 0) out.emplace_back(der, static_cast<std::size_t>(len));
  }
  return out;
}

// resume_session restores a session from tls_export_session. A resumed
// handshake carries no certificate, so the core's peer check runs here on the
// leaf kept in the saved session: if it fails, the session is not offered and
// the handshake is a full one (verified and checked as usual).
polytls_status resume_session(TlsSession &s, polytls_data data, polytls_error *err) {
  const auto bytes = kit::bytes(data);
  if (bytes.size() > LONG_MAX) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_session_new: resume data too large");
  }
  TlsContext &c = *s.context;
  auto entry = c.restored.take(bytes).value_or(kit::LendingCache<TlsContext::Restored>::Entry{});
  if (!entry.value.session) {
    // wolfSSL_d2i_SSL_SESSION neither advances the pointer nor refuses
    // trailing bytes: the length is checked by encoding the result again.
    const unsigned char *p = bytes.data();
    SessionPtr &session = entry.value.session;
    session.reset(wolfSSL_d2i_SSL_SESSION(nullptr, &p, static_cast<long>(bytes.size())));
    if (!session ||
        wolfSSL_i2d_SSL_SESSION(session.get(), nullptr) != static_cast<int>(bytes.size())) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_session_new: the resume data is not a wolfSSL session");
    }
    entry.key.assign(bytes.begin(), bytes.end());
  }
  // wolfSSL_set_session copies the session into the WOLFSSL object
  // (wolfSSL_DupSession): the entry stays this context's.
  if (wolfSSL_set_session(s.ssl.get(), entry.value.session.get()) != WOLFSSL_SUCCESS) {
    return POLYTLS_OK;  // expired or not for this context: a full handshake (entry dropped)
  }
  bool usable = true;
  if (s.peer_check != nullptr) {
    polytls_error ignored{};
    ignored.struct_size = sizeof ignored;
    std::unique_ptr<Certificate> &parsed = entry.value.leaf;
    if (!parsed) {
      const std::vector<ByteView> chain = chain_of(s.ssl.get());
      polytls_cert *leaf = nullptr;
      if (!chain.empty() && cert_import(c.backend, polytls_data{chain[0].data(), chain[0].size()},
                                        &leaf, &ignored) == POLYTLS_OK) {
        parsed.reset(kit::from_handle<Certificate>(leaf));
      }
    }
    usable = parsed && s.peer_check(s.peer_check_user, kit::to_handle<polytls_cert>(parsed.get()),
                                    &ignored) == POLYTLS_OK;
  }
  c.restored.give_back(std::move(entry));
  if (!usable) {
    // Start over without the saved session.
    SslPtr fresh(wolfSSL_new(c.ctx.get()));
    if (!fresh) return kit::set_error(err, POLYTLS_ERR_INTERNAL, MEMORY_E, "wolfSSL_new failed");
    s.ssl = std::move(fresh);
    return POLYTLS_ERR_NOT_FOUND;  // tells the caller to configure the new object
  }
  return POLYTLS_OK;
}

// configure_ssl sets a new WOLFSSL object up for the session.
polytls_status configure_ssl(TlsSession &s, const polytls_tls_session_params_v1 &p,
                             polytls_error *err) {
  WOLFSSL *ssl = s.ssl.get();
  const TlsContext &c = *s.context;
  wolfSSL_SSLSetIORecv(ssl, recv_callback);
  wolfSSL_SSLSetIOSend(ssl, send_callback);
  wolfSSL_SetIOReadCtx(ssl, &s);
  wolfSSL_SetIOWriteCtx(ssl, &s);
  wolfSSL_SetCertCbCtx(ssl, &s);
  if (c.keylog != nullptr) wolfSSL_KeepArrays(ssl);  // see log_tls12_keys
  int rc = 0;
  if (!c.alpn_list.empty()) {
    std::string list = c.alpn_list;
    rc = wolfSSL_UseALPN(ssl, list.data(), static_cast<word32>(list.size()),
                         WOLFSSL_ALPN_FAILED_ON_MISMATCH);
    if (rc != WOLFSSL_SUCCESS) return fail(err, rc, POLYTLS_ERR_INTERNAL, "wolfSSL_UseALPN");
  }
  if (c.role != POLYTLS_ROLE_CLIENT) return POLYTLS_OK;
  const auto name = kit::bytes(p.server_name);
  if (!name.empty()) {
    if (name.size() > 255) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_session_new: server name longer than 255 bytes");
    }
    rc = wolfSSL_UseSNI(ssl, WOLFSSL_SNI_HOST_NAME, name.data(), static_cast<word16>(name.size()));
    if (rc != WOLFSSL_SUCCESS) return fail(err, rc, POLYTLS_ERR_INTERNAL, "wolfSSL_UseSNI");
  }
  // A client does not ask for TLS 1.2 tickets (wolfSSL_UseSessionTicket):
  // wolfSSL 5.5.4's client takes any TLS 1.2 session holding a ticket as
  // resumed, whatever the server answers (DSH_CheckSessionId), so a server
  // that no longer accepts the ticket breaks the handshake instead of
  // running a full one. TLS 1.2 sessions resume by session ID; TLS 1.3
  // tickets need no request and fall back correctly.
  return POLYTLS_OK;
}

// finish_handshake keeps what the handshake negotiated and logs TLS 1.2 keys.
void finish_handshake(TlsSession &s) {
  WOLFSSL *ssl = s.ssl.get();
  s.version = wolfSSL_version(ssl) == TLS1_3_VERSION ? POLYTLS_TLS1_3 : POLYTLS_TLS1_2;
  const int suite = wolfSSL_get_current_cipher_suite(ssl);
  s.cipher_suite = suite > 0 ? static_cast<std::uint32_t>(suite) & 0xffffu : 0;
  // wolfSSL names the key exchange group; 0 when there was none (a TLS 1.2
  // resumption) or it is one polytls does not name.
  const char *group = wolfSSL_get_curve_name(ssl);
  const std::string_view g = group != nullptr ? group : "";
  s.group = g == "X25519"      ? 0x001du
            : g == "SECP256R1" ? 0x0017u
            : g == "SECP384R1" ? 0x0018u
            : g == "SECP521R1" ? 0x0019u
            : g == "X448"      ? 0x001eu
                               : 0u;
  s.resumed = wolfSSL_session_reused(ssl) != 0;
  char *protocol = nullptr;
  word16 protocol_len = 0;
  if (wolfSSL_ALPN_GetProtocol(ssl, &protocol, &protocol_len) == WOLFSSL_SUCCESS &&
      protocol != nullptr && protocol_len > 0) {
    s.alpn.assign(protocol, protocol_len);
  }
  if (s.context->role == POLYTLS_ROLE_SERVER) {
    void *name = nullptr;
    const unsigned short name_len = wolfSSL_SNI_GetRequest(ssl, WOLFSSL_SNI_HOST_NAME, &name);
    if (name != nullptr && name_len > 0) {
      s.server_name.assign(static_cast<const char *>(name), name_len);
    }
  }
  for (const ByteView der : chain_of(ssl)) {
    s.peer_chain.emplace_back(der.begin(), der.end());
  }
  log_tls12_keys(s);
}

TlsSession *session_of(polytls_tls_session *session) {
  return kit::from_handle<TlsSession>(session);
}

// wolfssl_suite_name is wolfSSL's name of a suite (OpenSSL's for TLS 1.2).
const char *wolfssl_suite_name(const kit::TlsSuite &suite) noexcept {
  switch (suite.iana) {
    case 0x1301: return "TLS13-AES128-GCM-SHA256";
    case 0x1302: return "TLS13-AES256-GCM-SHA384";
    case 0x1303: return "TLS13-CHACHA20-POLY1305-SHA256";
    default: return suite.openssl_name;
  }
}

// wolfssl_group_name is a group's name in wolfSSL_CTX_set1_curves_list.
const char *wolfssl_group_name(std::uint16_t iana) noexcept {
  switch (iana) {
    case 0x001d: return "X25519";
    case 0x0017: return "P-256";
    case 0x0018: return "P-384";
    default: return nullptr;
  }
}

// use_selection sets the suites and groups: polytls' defaults, or exactly
// the selection in its order. wolfSSL takes both versions' suites in one
// list and skips names it does not know, so the list a session ends up with
// is compared with the one asked for.
polytls_status use_selection(TlsContext &c, const polytls_tls_config_v1 &cfg, polytls_error *err) {
  kit::TlsSelection selection;
  if (const polytls_status st = kit::read_tls_selection(cfg, selection, err); st != POLYTLS_OK) {
    return st;
  }
  WOLFSSL_CTX *wctx = c.ctx.get();
  std::string suites;
  for (const kit::TlsSuite *suite : selection.suites) {
    if (!suites.empty()) suites += ':';
    suites += wolfssl_suite_name(*suite);
  }
  if (suites.empty()) suites = c.max_version == POLYTLS_TLS1_3 ? kCipherList : kCipherList12;
  int rc = wolfSSL_CTX_set_cipher_list(wctx, suites.c_str());
  if (rc != WOLFSSL_SUCCESS) {
    return fail(err, rc, selection.suites.empty() ? POLYTLS_ERR_INTERNAL : POLYTLS_ERR_UNSUPPORTED,
                "wolfSSL_CTX_set_cipher_list");
  }
  if (!selection.suites.empty()) {
    // wolfSSL keeps what it knows, in order: compare through a session
    // (by name: 5.5.4 leaves the ids of these WOLFSSL_CIPHERs 0).
    SslPtr probe(wolfSSL_new(wctx));
    if (!probe) return kit::set_error(err, POLYTLS_ERR_INTERNAL, MEMORY_E, "wolfSSL_new failed");
    std::vector<std::string> got;
    WOLF_STACK_OF(WOLFSSL_CIPHER) *ciphers = wolfSSL_get_ciphers_compat(probe.get());
    for (int i = 0; ciphers != nullptr && i < wolfSSL_sk_SSL_CIPHER_num(ciphers); ++i) {
      const char *name = wolfSSL_CIPHER_get_name(wolfSSL_sk_SSL_CIPHER_value(ciphers, i));
      got.emplace_back(name != nullptr ? name : "");
    }
    std::vector<std::string> wanted;
    for (const kit::TlsSuite *suite : selection.suites) {
      wanted.emplace_back(wolfssl_suite_name(*suite));
      if (std::find(got.begin(), got.end(), wanted.back()) == got.end()) {
        return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                              "wolfSSL %s lacks the cipher suite %s in this build",
                              LIBWOLFSSL_VERSION_STRING, suite->iana_name);
      }
    }
    if (got != wanted) {
      return kit::set_error(err, POLYTLS_ERR_INTERNAL, 0,
                            "wolfSSL did not keep the cipher suites as listed");
    }
  }
  // The groups, by preference, for TLS 1.3 key shares (the first group's)
  // and TLS 1.2's supported_groups; every other curve disabled (without
  // that, a wolfSSL server answers a client offering only other groups with
  // a HelloRetryRequest for one of them instead of failing).
  std::string groups;
  if (!selection.groups.empty()) {
    c.groups.clear();
    for (const kit::TlsGroup *group : selection.groups) {
      const char *name = wolfssl_group_name(group->iana);
      if (name == nullptr) {
        return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                              "the wolfSSL backend has no key exchange group %s", group->name);
      }
      if (!groups.empty()) groups += ':';
      groups += name;
      c.groups.push_back(group->iana);
    }
  }
  rc = wolfSSL_CTX_set1_curves_list(wctx, groups.empty() ? kGroupList : groups.c_str());
  if (rc != WOLFSSL_SUCCESS) {
    return fail(err, rc, selection.groups.empty() ? POLYTLS_ERR_INTERNAL : POLYTLS_ERR_UNSUPPORTED,
                "wolfSSL_CTX_set1_curves_list");
  }
  return POLYTLS_OK;
}

}  // namespace

// ---- table members ----

polytls_status tls_context_new(void *ctx, const polytls_tls_config_v1 *config,
                               polytls_tls_context **out_context, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    FpCacheRelease fp_cache;
    const polytls_tls_config_v1 *cfg = config;
    if (ctx == nullptr || cfg == nullptr || out_context == nullptr ||
        !kit::fits_struct(cfg->struct_size, offsetof(polytls_tls_config_v1, keylog_user) +
                                                sizeof(cfg->keylog_user)) ||
        (cfg->chain_count > 0 && cfg->chain == nullptr) ||
        (cfg->anchor_count > 0 && cfg->anchors == nullptr)) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_context_new: bad arguments");
    }
    if (cfg->role != POLYTLS_ROLE_CLIENT && cfg->role != POLYTLS_ROLE_SERVER) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_context_new: unknown role %u",
                            static_cast<unsigned>(cfg->role));
    }
    const auto known = [](std::uint32_t v) { return v == POLYTLS_TLS1_2 || v == POLYTLS_TLS1_3; };
    if (!known(cfg->min_version) || !known(cfg->max_version) ||
        cfg->min_version > cfg->max_version) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "tls_context_new: versions 0x%04x..0x%04x: wolfSSL serves TLS 1.2 "
                            "and TLS 1.3 only",
                            static_cast<unsigned>(cfg->min_version),
                            static_cast<unsigned>(cfg->max_version));
    }
    const bool server = cfg->role == POLYTLS_ROLE_SERVER;
    if (server && (cfg->chain_count == 0 || cfg->key == nullptr)) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_context_new: a server needs a certificate chain and its key");
    }
    if ((cfg->chain_count == 0) != (cfg->key == nullptr)) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_context_new: a certificate chain and its key go together");
    }
    if (server && cfg->verify_peer > POLYTLS_CLIENT_AUTH_REQUIRE) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_context_new: unknown client authentication mode %u",
                            static_cast<unsigned>(cfg->verify_peer));
    }

    auto c = std::make_unique<TlsContext>();
    c->backend = context(ctx);
    c->role = cfg->role;
    c->min_version = cfg->min_version;
    c->max_version = cfg->max_version;
    c->verify_peer = cfg->verify_peer;
    c->resumption = cfg->resumption != 0;
    c->keylog = cfg->keylog;
    c->keylog_user = cfg->keylog_user;
    const auto alpn = kit::bytes(cfg->alpn);
    c->alpn_wire.assign(alpn.begin(), alpn.end());
    polytls_status st = alpn_comma_list(cfg->alpn, c->alpn_list, err);
    if (st != POLYTLS_OK) return st;
    for (std::size_t i = 0; i < cfg->anchor_count; ++i) {
      const Certificate *anchor = kit::from_handle<Certificate>(cfg->anchors[i]);
      if (anchor == nullptr) {
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_context_new: NULL anchor");
      }
      auto copy = std::make_unique<Certificate>(*anchor);
      c->anchor_handles.push_back(kit::to_handle<polytls_cert>(copy.get()));
      c->anchors.push_back(std::move(copy));
    }

    // Always the flexible method, with the range pinned by the compat
    // layer's min/max (the fixed TLS 1.3 client method fails on a TLS 1.2
    // ServerHello with a decode error instead of a version error; a server
    // limited to TLS 1.2 still needs inspect_client_hello).
    WOLFSSL_METHOD *method = server ? wolfSSLv23_server_method() : wolfSSLv23_client_method();
    if (method == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_INTERNAL, MEMORY_E, "wolfSSL method: out of memory");
    }
    c->ctx.reset(wolfSSL_CTX_new(method));  // takes ownership of `method`
    if (!c->ctx) {
      return kit::set_error(err, POLYTLS_ERR_INTERNAL, 0, "wolfSSL_CTX_new failed");
    }
    WOLFSSL_CTX *wctx = c->ctx.get();
    int rc = wolfSSL_CTX_set_min_proto_version(
        wctx, cfg->min_version == POLYTLS_TLS1_3 ? TLS1_3_VERSION : TLS1_2_VERSION);
    if (rc != WOLFSSL_SUCCESS) {
      return fail(err, rc, POLYTLS_ERR_INTERNAL, "wolfSSL_CTX_set_min_proto_version");
    }
    rc = wolfSSL_CTX_set_max_proto_version(
        wctx, cfg->max_version == POLYTLS_TLS1_3 ? TLS1_3_VERSION : TLS1_2_VERSION);
    if (rc != WOLFSSL_SUCCESS) {
      return fail(err, rc, POLYTLS_ERR_INTERNAL, "wolfSSL_CTX_set_max_proto_version");
    }

    if (cfg->chain_count > 0) {
      if ((st = load_identity(*c, *cfg, err)) != POLYTLS_OK) return st;
    }
    // After the identity: checking the suites takes a WOLFSSL object, which
    // a server makes only with its certificate.
    if ((st = use_selection(*c, *cfg, err)) != POLYTLS_OK) return st;

    // Trust: the decision is the backend's own (verify_callback). The
    // anchors wolfSSL accepts as CAs also go into its certificate manager,
    // which only makes its alerts precise (certificate_expired rather than
    // unknown_ca); failures to load one are of no consequence.
    for (const auto &anchor : c->anchors) {
      (void)wolfSSL_CTX_load_verify_buffer(
          wctx, anchor->der.data(), static_cast<long>(anchor->der.size()), WOLFSSL_FILETYPE_ASN1);
    }
    // The verify callback always runs (WOLFSSL_VERIFY_PEER): on a client
    // even with verify_peer = 0, where it accepts any chain but still runs
    // the core's peer check, so that a failed check sends an alert.
    int mode = WOLFSSL_VERIFY_PEER;
    if (server) {
      if (cfg->verify_peer == POLYTLS_CLIENT_AUTH_NONE) mode = WOLFSSL_VERIFY_NONE;
      if (cfg->verify_peer == POLYTLS_CLIENT_AUTH_REQUIRE) {
        mode |= WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT;
      }
    }
    wolfSSL_CTX_set_verify(wctx, mode, verify_callback);
    if (server && cfg->verify_peer == POLYTLS_CLIENT_AUTH_REQUIRE) {
      // Without it a TLS 1.2 server notices the missing certificate only at
      // the ClientKeyExchange and fails without an alert; with it, the
      // empty Certificate message gets handshake_failure (TLS 1.2) or
      // certificate_required (TLS 1.3).
      rc = wolfSSL_CTX_mutual_auth(wctx, 1);
      if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "wolfSSL_CTX_mutual_auth");
    }

    // Resumption, on a server: tickets sealed with this context's own key
    // (wolfSSL's default ticket callback) and the context's own session-ID
    // cache (cache_new / cache_get) instead of wolfSSL's per-process one.
    if (server) {
      if (c->resumption) {
        wolfSSL_CTX_set_session_cache_mode(wctx, WOLFSSL_SESS_CACHE_NO_INTERNAL);
        wolfSSL_CTX_sess_set_new_cb(wctx, cache_new);
        wolfSSL_CTX_sess_set_get_cb(wctx, cache_get);
      } else {
        wolfSSL_CTX_set_session_cache_mode(wctx, WOLFSSL_SESS_CACHE_OFF);
        wolfSSL_CTX_NoTicketTLSv12(wctx);
        wolfSSL_CTX_no_ticket_TLSv13(wctx);
      }
    }
    if (server && !c->alpn_wire.empty()) {
      wolfSSL_CTX_set_alpn_select_cb(wctx, alpn_select_callback, c.get());
    }
    *out_context = kit::to_handle<polytls_tls_context>(c.release());
    return POLYTLS_OK;
  });
}

void tls_context_free(polytls_tls_context *context) noexcept {
  delete kit::from_handle<TlsContext>(context);
}

polytls_status tls_session_new(void * /*ctx*/, polytls_tls_context *context,
                               const polytls_tls_session_params_v1 *params,
                               polytls_tls_session **out_session, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    TlsContext *c = kit::from_handle<TlsContext>(context);
    const polytls_tls_session_params_v1 *p = params;
    if (c == nullptr || p == nullptr || out_session == nullptr ||
        !kit::fits_struct(p->struct_size, offsetof(polytls_tls_session_params_v1, peer_check_user) +
                                              sizeof(p->peer_check_user)) ||
        p->transport.send == nullptr || p->transport.recv == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_session_new: bad arguments");
    }
    auto s = std::make_unique<TlsSession>();
    s->context = c;
    s->transport = p->transport;
    s->peer_check = p->peer_check;
    s->peer_check_user = p->peer_check_user;
    s->ssl.reset(wolfSSL_new(c->ctx.get()));
    if (!s->ssl) return kit::set_error(err, POLYTLS_ERR_INTERNAL, MEMORY_E, "wolfSSL_new failed");
    polytls_status st = POLYTLS_OK;
    if (c->role == POLYTLS_ROLE_CLIENT && p->resume.len > 0) {
      if (!c->resumption) {
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                              "tls_session_new: resumption is off in this context");
      }
      st = resume_session(*s, p->resume, err);
      if (st != POLYTLS_OK && st != POLYTLS_ERR_NOT_FOUND) return st;
    }
    if ((st = configure_ssl(*s, *p, err)) != POLYTLS_OK) return st;
    *out_session = kit::to_handle<polytls_tls_session>(s.release());
    return POLYTLS_OK;
  });
}

polytls_status tls_handshake(polytls_tls_session *session, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    FpCacheRelease fp_cache;
    TlsSession *s = session_of(session);
    if (s == nullptr) return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_handshake: NULL");
    if (s->fatal.status != POLYTLS_OK) return report(err, s->fatal);
    polytls_status st = flush(*s);
    if (st == POLYTLS_ERR_WANT_WRITE || st == POLYTLS_ERR_WANT_READ) return want(st, err);
    if (st != POLYTLS_OK) return fail_session(*s, s->transport_failure, err);
    if (s->handshake_done) return POLYTLS_OK;

    WOLFSSL *ssl = s->ssl.get();
    const bool client = s->context->role == POLYTLS_ROLE_CLIENT;
    const int rc = client ? wolfSSL_connect(ssl) : wolfSSL_accept(ssl);
    if (rc == WOLFSSL_SUCCESS) {
      finish_handshake(*s);
      if (!client && s->resumed && s->peer_check != nullptr && !s->peer_chain.empty()) {
        // A resumed handshake carries no certificate: the client's leaf kept
        // in the session is checked now. wolfSSL offers no way to send a
        // fatal alert after its handshake, so a failure ends the connection
        // with close_notify.
        const Bytes &leaf = s->peer_chain[0];
        const polytls_peer_check_fn check = s->peer_check;
        polytls_error perr{};
        perr.struct_size = sizeof perr;
        polytls_cert *handle = nullptr;
        if (cert_import(s->context->backend, polytls_data{leaf.data(), leaf.size()}, &handle,
                        &perr) == POLYTLS_OK) {
          std::unique_ptr<Certificate> owned(kit::from_handle<Certificate>(handle));
          const polytls_status cst = check(s->peer_check_user, handle, &perr);
          if (cst != POLYTLS_OK) {
            perr.detail[sizeof perr.detail - 1] = '\0';
            (void)wolfSSL_shutdown(ssl);
            s->close_sent = true;
            (void)flush(*s);
            return fail_session(*s, {cst, perr.library_code, perr.detail}, err);
          }
        }
      }
      if (client && !s->resumed && s->group != 0 &&
          std::find(s->context->groups.begin(), s->context->groups.end(), s->group) ==
              s->context->groups.end()) {
        // wolfSSL 5.5.4's TLS 1.2 client takes a ServerKeyExchange on a
        // curve it did not offer; such a server broke the protocol.
        (void)wolfSSL_shutdown(ssl);
        s->close_sent = true;
        (void)flush(*s);
        return fail_session(*s,
                            {POLYTLS_ERR_HANDSHAKE, 0,
                             format("TLS client handshake: the server chose key exchange group "
                                    "0x%04x, which this client did not offer",
                                    static_cast<unsigned>(s->group))},
                            err);
      }
      s->handshake_done = true;
      st = flush(*s);
      if (st == POLYTLS_ERR_WANT_WRITE || st == POLYTLS_ERR_WANT_READ) return want(st, err);
      if (st != POLYTLS_OK) return fail_session(*s, s->transport_failure, err);
      return POLYTLS_OK;
    }
    const int code = wolfSSL_get_error(ssl, rc);
    if (is_want(code) && s->transport_failure.detail.empty()) {
      // Our flight first: the peer answers only once it has it.
      st = flush(*s);
      if (st == POLYTLS_ERR_WANT_WRITE) return want(st, err);
      if (st != POLYTLS_OK) return fail_session(*s, s->transport_failure, err);
      return want(code == WOLFSSL_ERROR_WANT_WRITE || code == WANT_WRITE ? POLYTLS_ERR_WANT_WRITE
                                                                         : s->last_want,
                  err);
    }
    if (client && code == VERSION_ERROR) send_protocol_version_alert(*s);
    (void)flush(*s);  // the alert, if wolfSSL sent one
    return fail_session(
        *s, failure_of(*s, code, client ? "TLS client handshake" : "TLS server handshake", true),
        err);
  });
}

polytls_status tls_read(polytls_tls_session *session, uint8_t *buf, size_t cap, size_t *out_n,
                        polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    TlsSession *s = session_of(session);
    if (s == nullptr || buf == nullptr || cap == 0 || out_n == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_read: bad arguments");
    }
    if (s->fatal.status != POLYTLS_OK) return report(err, s->fatal);
    if (!s->handshake_done) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_read: the handshake is not done");
    }
    if (s->peer_closed) {
      return kit::set_error(err, POLYTLS_ERR_PEER_CLOSED, ZERO_RETURN,
                            "tls_read: the peer sent close_notify");
    }
    // Output left from an earlier call goes first (best effort).
    polytls_status st = flush(*s);
    if (st != POLYTLS_OK && st != POLYTLS_ERR_WANT_WRITE && st != POLYTLS_ERR_WANT_READ) {
      return fail_session(*s, s->transport_failure, err);
    }
    const int want_n = static_cast<int>(std::min<std::size_t>(cap, INT_MAX));
    const int rc = wolfSSL_read(s->ssl.get(), buf, want_n);
    // wolfSSL may have written (a KeyUpdate answer, an alert).
    const polytls_status flushed = flush(*s);
    if (rc > 0) {
      *out_n = static_cast<std::size_t>(rc);
      return POLYTLS_OK;
    }
    const int code = wolfSSL_get_error(s->ssl.get(), rc);
    if (is_want(code) && s->transport_failure.detail.empty()) {
      // Pending output must leave before the peer can answer it.
      if (flushed == POLYTLS_ERR_WANT_WRITE) return want(POLYTLS_ERR_WANT_WRITE, err);
      return want(code == WOLFSSL_ERROR_WANT_WRITE || code == WANT_WRITE ? POLYTLS_ERR_WANT_WRITE
                                                                         : s->last_want,
                  err);
    }
    if (code == WOLFSSL_ERROR_ZERO_RETURN || code == ZERO_RETURN) {
      // Every later read says the same; writing and closing still work.
      s->peer_closed = true;
      return kit::set_error(err, POLYTLS_ERR_PEER_CLOSED, ZERO_RETURN,
                            "tls_read: the peer sent close_notify");
    }
    return fail_session(*s, failure_of(*s, code, "tls_read", false), err);
  });
}

polytls_status tls_write(polytls_tls_session *session, const uint8_t *data, size_t len,
                         size_t *out_n, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    TlsSession *s = session_of(session);
    if (s == nullptr || data == nullptr || len == 0 || out_n == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_write: bad arguments");
    }
    if (s->fatal.status != POLYTLS_OK) return report(err, s->fatal);
    if (!s->handshake_done) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_write: the handshake is not done");
    }
    if (s->close_sent) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_write: the session was closed");
    }
    if (!s->committed.empty()) {
      // The bytes of an earlier call that met WANT_WRITE are already
      // encrypted: the caller must be writing them again.
      if (len < s->committed.size() ||
          std::memcmp(data, s->committed.data(), s->committed.size()) != 0) {
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                              "tls_write: after WANT_WRITE, the same data must be written again");
      }
    }
    polytls_status st = flush(*s);
    if (st == POLYTLS_ERR_WANT_WRITE || st == POLYTLS_ERR_WANT_READ) return want(st, err);
    if (st != POLYTLS_OK) return fail_session(*s, s->transport_failure, err);
    if (!s->committed.empty()) {
      *out_n = s->committed.size();
      s->committed.clear();
      return POLYTLS_OK;
    }
    const std::size_t n = std::min(len, kWriteChunk);
    const int rc = wolfSSL_write(s->ssl.get(), data, static_cast<int>(n));
    if (rc <= 0) {
      const int code = wolfSSL_get_error(s->ssl.get(), rc);
      (void)flush(*s);
      if (is_want(code) && s->transport_failure.detail.empty()) {
        return want(code == WOLFSSL_ERROR_WANT_READ || code == WANT_READ ? POLYTLS_ERR_WANT_READ
                                                                         : POLYTLS_ERR_WANT_WRITE,
                    err);
      }
      return fail_session(*s, failure_of(*s, code, "tls_write", false), err);
    }
    st = flush(*s);
    if (st == POLYTLS_ERR_WANT_WRITE || st == POLYTLS_ERR_WANT_READ) {
      s->committed.assign(data, data + rc);
      return want(st, err);
    }
    if (st != POLYTLS_OK) return fail_session(*s, s->transport_failure, err);
    *out_n = static_cast<std::size_t>(rc);
    return POLYTLS_OK;
  });
}

polytls_status tls_close(polytls_tls_session *session, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    TlsSession *s = session_of(session);
    if (s == nullptr) return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_close: NULL");
    if (!s->transport_failure.detail.empty()) return report(err, s->transport_failure);
    if (!s->handshake_done) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_close: the handshake is not done");
    }
    if (!s->close_sent) {
      // Whatever an unfinished write left goes first, then close_notify.
      s->close_sent = true;
      s->committed.clear();
      const int rc = wolfSSL_shutdown(s->ssl.get());
      if (rc != WOLFSSL_SUCCESS && rc != WOLFSSL_SHUTDOWN_NOT_DONE) {
        const int code = wolfSSL_get_error(s->ssl.get(), rc);
        // After the peer's fatal alert or a broken record layer there is
        // nothing to close; the session's failure says why.
        if (s->fatal.status != POLYTLS_OK) return report(err, s->fatal);
        return kit::set_error(err, POLYTLS_ERR_IO, code, "tls_close: wolfSSL_shutdown: %s",
                              library_text(code).c_str());
      }
    }
    const polytls_status st = flush(*s);
    if (st == POLYTLS_ERR_WANT_WRITE || st == POLYTLS_ERR_WANT_READ) return want(st, err);
    if (st != POLYTLS_OK) return report(err, s->transport_failure);
    return POLYTLS_OK;
  });
}

polytls_status tls_describe(polytls_tls_session *session, polytls_tls_info_v1 *out,
                            polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    TlsSession *s = session_of(session);
    if (s == nullptr || out == nullptr ||
        !kit::fits_struct(out->struct_size,
                          offsetof(polytls_tls_info_v1, server_name) + sizeof(out->server_name))) {
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
    info.alpn = polytls_data{reinterpret_cast<const uint8_t *>(s->alpn.data()), s->alpn.size()};
    info.server_name = polytls_data{reinterpret_cast<const uint8_t *>(s->server_name.data()),
                                    s->server_name.size()};
    *out = info;
    return POLYTLS_OK;
  });
}

polytls_status tls_peer_chain(polytls_tls_session *session, const polytls_cert_der_visitor *visitor,
                              polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    TlsSession *s = session_of(session);
    if (s == nullptr || visitor == nullptr || visitor->certificate == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_peer_chain: bad arguments");
    }
    if (!s->handshake_done) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_peer_chain: the handshake is not done");
    }
    for (const Bytes &der : s->peer_chain) {
      const polytls_status st = visitor->certificate(visitor->user, der.data(), der.size());
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
    TlsSession *s = session_of(session);
    if (s == nullptr || out == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_export_session: bad arguments");
    }
    if (!s->context->resumption) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "tls_export_session: resumption is off in this context");
    }
    if (s->context->role != POLYTLS_ROLE_CLIENT) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "tls_export_session: only client sessions are exported");
    }
    if (!s->handshake_done) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "tls_export_session: the handshake is not done");
    }
    WOLFSSL_SESSION *saved = wolfSSL_get_session(s->ssl.get());
    if (saved == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_INTERNAL, 0, "tls_export_session: no session");
    }
    if (wolfSSL_version(s->ssl.get()) == TLS1_3_VERSION && !wolfSSL_SESSION_has_ticket(saved)) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "tls_export_session: no TLS 1.3 ticket yet (it arrives after the "
                            "handshake: read application data first)");
    }
    if (!wolfSSL_SESSION_is_resumable(saved)) {
      return kit::set_error(
          err, POLYTLS_ERR_UNSUPPORTED, 0,
          "tls_export_session: the server gave neither a session ID nor a ticket");
    }
    const int len = wolfSSL_i2d_SSL_SESSION(saved, nullptr);
    if (len <= 0) return fail(err, len, POLYTLS_ERR_INTERNAL, "wolfSSL_i2d_SSL_SESSION");
    kit::SecretBytes buf(static_cast<std::size_t>(len));
    unsigned char *p = buf.data();
    const int written = wolfSSL_i2d_SSL_SESSION(saved, &p);
    if (written != len) return fail(err, written, POLYTLS_ERR_INTERNAL, "wolfSSL_i2d_SSL_SESSION");
    return kit::write_to(out, buf.data(), buf.size());
  });
}

void tls_session_free(polytls_tls_session *session) noexcept {
  delete kit::from_handle<TlsSession>(session);
}

}  // namespace polytls::wolfssl
