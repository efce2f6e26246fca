// direct_wolfssl.cpp: the direct reference for wolfSSL (5.5.4 as Debian
// builds it), written against its native API without polytls.
//
// It configures the library as polytls's wolfssl backend does, so both do
// the same work per connection:
//   - the flexible method (wolfSSLv23_*_method) with the version range
//     pinned to the case's one version;
//   - exactly the case's suite, or polytls's secure suites for the version;
//     exactly the case's group (wolfSSL_CTX_set1_curves_list), the client
//     offering the case's extra group after it when there is one;
//   - client: WOLFSSL_VERIFY_PEER against the case's certificate as the only
//     trust anchor; wolfSSL_check_domain_name("localhost") makes wolfSSL
//     check the name (polytls checks it in its own verify callback) and
//     wolfSSL_UseSNI sends it;
//   - server: no client authentication;
//   - resumption on: the server issues TLS 1.3 tickets (wolfSSL's default
//     ticket keys, one set per WOLFSSL_CTX) and keeps sessions in a cache of
//     its own, per case, for up to 20000 sessions (SessionCache); the client
//     asks for no TLS 1.2 ticket, so TLS 1.2 resumes by session ID.
//     Resumption off: the server has no session cache and sends no ticket.
//   - every WOLFSSL object has its own random generator (wolfSSL's own
//     design, the same under polytls).
//
// Differences that are polytls's overhead, not configuration: the backend's
// session cache stores sessions serialised (wolfSSL_i2d_SSL_SESSION) where
// this one keeps session objects; the backend verifies the peer's chain a
// second time in its verify callback; and it frees the thread's fixed-point
// ECC cache after every handshake call, where this file frees it only when a
// thread ends (see release_ecc_cache_at_exit).
#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/settings.h>

#include <wolfssl/error-ssl.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfio.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>

#include "engine.hpp"

namespace polytls::bench {
namespace {

constexpr char kHostName[] = "localhost";

// The largest plaintext given to one wolfSSL_write: one record, as the backend.
constexpr std::size_t kWriteChunk = 16384;

// SuiteName is one of polytls's secure suites as wolfSSL names it.
struct SuiteName {
  uint16_t iana;
  TlsVersion version;
  bool ecdsa;  // TLS 1.2: needs an ECDSA (or Ed25519) certificate
  const char *name;
};

constexpr std::array<SuiteName, 9> kSuites = {{
    {0x1301, TlsVersion::tls13, false, "TLS13-AES128-GCM-SHA256"},
    {0x1302, TlsVersion::tls13, false, "TLS13-AES256-GCM-SHA384"},
    {0x1303, TlsVersion::tls13, false, "TLS13-CHACHA20-POLY1305-SHA256"},
    {0xC02B, TlsVersion::tls12, true, "ECDHE-ECDSA-AES128-GCM-SHA256"},
    {0xC02F, TlsVersion::tls12, false, "ECDHE-RSA-AES128-GCM-SHA256"},
    {0xC02C, TlsVersion::tls12, true, "ECDHE-ECDSA-AES256-GCM-SHA384"},
    {0xC030, TlsVersion::tls12, false, "ECDHE-RSA-AES256-GCM-SHA384"},
    {0xCCA9, TlsVersion::tls12, true, "ECDHE-ECDSA-CHACHA20-POLY1305"},
    {0xCCA8, TlsVersion::tls12, false, "ECDHE-RSA-CHACHA20-POLY1305"},
}};

// group_name is a group's name for wolfSSL_CTX_set1_curves_list.
const char *group_name(uint16_t group) {
  switch (group) {
    case 0x001d: return "X25519";
    case 0x0017: return "P-256";
    case 0x0018: return "P-384";
    default: return nullptr;
  }
}

// library_text is wolfSSL's description of an error code, with the code.
std::string library_text(int code) {
  char text[WOLFSSL_MAX_ERROR_SZ] = "";
  wolfSSL_ERR_error_string_n(static_cast<unsigned long>(code), text, sizeof(text));
  return std::string(text) + " (" + std::to_string(code) + ")";
}

Error library_error(ErrorCode code, const std::string &what, int rc) {
  return Error(code, what + ": " + library_text(rc), "wolfssl", rc);
}

// wolfSSL_Init / wolfSSL_Cleanup count their calls without a lock.
std::mutex &library_mutex() {
  static std::mutex mutex;
  return mutex;
}

// This wolfSSL build has FP_ECC with thread-local caches: each thread that
// does ECC point arithmetic keeps precomputed tables that nothing frees when
// the thread ends. A thread that runs a handshake registers this object,
// whose destruction at the thread's end frees that thread's cache.
struct EccCacheRelease {
  EccCacheRelease() = default;
  EccCacheRelease(const EccCacheRelease &) = delete;
  EccCacheRelease &operator=(const EccCacheRelease &) = delete;
  ~EccCacheRelease() { wc_ecc_fp_free(); }
};

void release_ecc_cache_at_exit() {
  thread_local EccCacheRelease release;
  (void)release;
}

// SessionCache is a server's session cache, kept per case like the
// backend's (wolfSSL's internal cache is one per process and holds 33
// sessions in this build, so a TLS 1.2 session ID is soon forgotten): up to
// kCacheEntries sessions by ID, the oldest dropped first. It serves TLS 1.2
// session IDs. wolfSSL looks a TLS 1.3 session up by an ID inside its ticket
// that it does not expose (wolfSSL_SESSION_get_id gives another), so those
// lookups miss and the ticket alone resumes the session.
class SessionCache {
 public:
  SessionCache() = default;
  SessionCache(const SessionCache &) = delete;
  SessionCache &operator=(const SessionCache &) = delete;
  ~SessionCache() {
    for (auto &entry : sessions_)
      wolfSSL_SESSION_free(entry.second);
  }

  // add keeps a copy of a new session.
  void add(WOLFSSL_SESSION *session) {
    unsigned int id_len = 0;
    const unsigned char *id = wolfSSL_SESSION_get_id(session, &id_len);
    if (id == nullptr || id_len == 0) return;
    WOLFSSL_SESSION *copy = wolfSSL_SESSION_dup(session);
    if (copy == nullptr) return;
    std::string key(reinterpret_cast<const char *>(id), id_len);
    std::lock_guard<std::mutex> lock(mutex_);
    auto [it, added] = sessions_.try_emplace(key, copy);
    if (!added) {
      wolfSSL_SESSION_free(it->second);
      it->second = copy;
      return;
    }
    order_.push_back(std::move(key));
    if (order_.size() > kCacheEntries) {
      auto oldest = sessions_.find(order_.front());
      wolfSSL_SESSION_free(oldest->second);
      sessions_.erase(oldest);
      order_.pop_front();
    }
  }

  // find returns a new reference to the session with this ID, or nullptr
  // when there is none or it has expired.
  WOLFSSL_SESSION *find(const unsigned char *id, int id_len) {
    if (id == nullptr || id_len <= 0) return nullptr;
    const std::string key(reinterpret_cast<const char *>(id), static_cast<std::size_t>(id_len));
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = sessions_.find(key);
    if (it == sessions_.end()) return nullptr;
    WOLFSSL_SESSION *session = it->second;
    const long expires = wolfSSL_SESSION_get_time(session) + wolfSSL_SESSION_get_timeout(session);
    if (expires <= static_cast<long>(std::time(nullptr))) return nullptr;
    if (wolfSSL_SESSION_up_ref(session) != WOLFSSL_SUCCESS) return nullptr;
    return session;
  }

 private:
  static constexpr std::size_t kCacheEntries = 20000;  // as the backend
  std::mutex mutex_;
  std::unordered_map<std::string, WOLFSSL_SESSION *> sessions_;
  std::deque<std::string> order_;  // IDs, oldest first
};

// Setup holds what prepare() builds for one case: one WOLFSSL_CTX per side
// and the server's session cache. Each WOLFSSL keeps its WOLFSSL_CTX alive
// (wolfSSL counts references).
struct Setup {
  WOLFSSL_CTX *server = nullptr;
  WOLFSSL_CTX *client = nullptr;
  SessionCache cache;

  Setup() = default;
  Setup(const Setup &) = delete;
  Setup &operator=(const Setup &) = delete;
  ~Setup() {
    if (client != nullptr) wolfSSL_CTX_free(client);
    if (server != nullptr) wolfSSL_CTX_free(server);
  }
};

// WolfTicket is a copy of a client's session, saved for resumption.
class WolfTicket final : public Ticket {
 public:
  explicit WolfTicket(WOLFSSL_SESSION *session) : session_(session) {}
  ~WolfTicket() override { wolfSSL_SESSION_free(session_); }
  WolfTicket(const WolfTicket &) = delete;
  WolfTicket &operator=(const WolfTicket &) = delete;

  // wolfSSL_set_session copies from the session without changing it.
  WOLFSSL_SESSION *session() const noexcept { return session_; }

 private:
  WOLFSSL_SESSION *session_;
};

// WolfPeer is one end of one connection; wolfSSL reads and writes through
// the transport with the I/O callbacks set on both WOLFSSL_CTXs.
class WolfPeer final : public Peer {
 public:
  WolfPeer(std::unique_ptr<Transport> io, std::shared_ptr<Setup> setup, bool client)
      : io_(std::move(io)), setup_(std::move(setup)), client_(client) {}
  ~WolfPeer() override {
    if (ssl_ != nullptr) wolfSSL_free(ssl_);
  }
  WolfPeer(const WolfPeer &) = delete;
  WolfPeer &operator=(const WolfPeer &) = delete;

  Result<void> start(WOLFSSL_SESSION *resume) {
    ssl_ = wolfSSL_new(client_ ? setup_->client : setup_->server);
    if (ssl_ == nullptr) return Error(ErrorCode::internal, "wolfSSL_new failed", "wolfssl");
    wolfSSL_SetIOReadCtx(ssl_, this);
    wolfSSL_SetIOWriteCtx(ssl_, this);
    if (!client_) return ok();
    int rc = wolfSSL_UseSNI(ssl_, WOLFSSL_SNI_HOST_NAME, kHostName,
                            static_cast<unsigned short>(std::strlen(kHostName)));
    if (rc != WOLFSSL_SUCCESS) return library_error(ErrorCode::internal, "wolfSSL_UseSNI", rc);
    rc = wolfSSL_check_domain_name(ssl_, kHostName);
    if (rc != WOLFSSL_SUCCESS) {
      return library_error(ErrorCode::internal, "wolfSSL_check_domain_name", rc);
    }
    // A session wolfSSL will not take (expired, say) means a full
    // handshake, as in the backend.
    if (resume != nullptr) (void)wolfSSL_set_session(ssl_, resume);
    return ok();
  }

  Step handshake() override {
    release_ecc_cache_at_exit();
    const int rc = client_ ? wolfSSL_connect(ssl_) : wolfSSL_accept(ssl_);
    if (rc == WOLFSSL_SUCCESS) {
      done_ = true;
      resumed_ = wolfSSL_session_reused(ssl_) != 0;
      return Step::done;
    }
    return outcome(rc, "handshake");
  }

  Step write(std::span<const uint8_t> data, std::size_t &n) override {
    n = 0;
    const int len = static_cast<int>(std::min(data.size(), kWriteChunk));
    const int rc = wolfSSL_write(ssl_, data.data(), len);
    if (rc > 0) {
      n = static_cast<std::size_t>(rc);
      return Step::done;
    }
    return outcome(rc, "write");
  }

  Step read(std::span<uint8_t> buffer, std::size_t &n) override {
    n = 0;
    const int len = static_cast<int>(std::min<std::size_t>(buffer.size(), INT_MAX));
    const int rc = wolfSSL_read(ssl_, buffer.data(), len);
    if (rc > 0) {
      n = static_cast<std::size_t>(rc);
      return Step::done;
    }
    return outcome(rc, "read");
  }

  bool resumed() const override { return resumed_; }
  std::string error() const override { return error_; }

  WOLFSSL *ssl() const noexcept { return ssl_; }
  bool handshake_done() const noexcept { return done_; }
  bool is_client() const noexcept { return client_; }

  static int send_callback(WOLFSSL *, char *buf, int size, void *ctx) {
    auto &peer = *static_cast<WolfPeer *>(ctx);
    if (size <= 0) return WOLFSSL_CBIO_ERR_GENERAL;
    Result<std::size_t> sent = peer.io_->send(std::span<const uint8_t>(
        reinterpret_cast<const uint8_t *>(buf), static_cast<std::size_t>(size)));
    if (!sent) return peer.blocked_or_failed(sent.error());
    if (*sent == 0) {
      peer.io_error_ = "the transport took no byte";
      return WOLFSSL_CBIO_ERR_GENERAL;
    }
    return static_cast<int>(*sent);
  }

  static int receive_callback(WOLFSSL *, char *buf, int size, void *ctx) {
    auto &peer = *static_cast<WolfPeer *>(ctx);
    if (size <= 0) return WOLFSSL_CBIO_ERR_GENERAL;
    Result<std::size_t> received = peer.io_->recv(
        std::span<uint8_t>(reinterpret_cast<uint8_t *>(buf), static_cast<std::size_t>(size)));
    if (!received) return peer.blocked_or_failed(received.error());
    if (*received == 0) {
      peer.io_error_ = "the transport ended";
      return WOLFSSL_CBIO_ERR_CONN_CLOSE;
    }
    return static_cast<int>(*received);
  }

  // The server's session cache callbacks (wolfSSL_CTX_sess_set_new_cb /
  // _get_cb). wolfSSL holds its own reference to a new session: returning 0
  // lets it go. It frees the session it gets unless told it is a copy.
  static int new_session_callback(WOLFSSL *ssl, WOLFSSL_SESSION *session) {
    peer_of(ssl).setup_->cache.add(session);
    return 0;
  }
  static WOLFSSL_SESSION *get_session_callback(WOLFSSL *ssl, const unsigned char *id, int id_len,
                                               int *copy) {
    *copy = 0;
    return peer_of(ssl).setup_->cache.find(id, id_len);
  }

 private:
  static WolfPeer &peer_of(WOLFSSL *ssl) {
    return *static_cast<WolfPeer *>(wolfSSL_GetIOReadCtx(ssl));
  }

  // blocked_or_failed maps the transport's "would block" to wolfSSL's; any
  // other failure is kept for error().
  int blocked_or_failed(const Error &e) {
    if (e.code() == ErrorCode::want_read) return WOLFSSL_CBIO_ERR_WANT_READ;
    if (e.code() == ErrorCode::want_write) return WOLFSSL_CBIO_ERR_WANT_WRITE;
    io_error_ = e.to_string();
    return WOLFSSL_CBIO_ERR_GENERAL;
  }

  // outcome maps a failed call: would block, or failed with the reason.
  Step outcome(int rc, const char *what) {
    const int code = wolfSSL_get_error(ssl_, rc);
    if (code == WOLFSSL_ERROR_WANT_READ) return Step::want_read;
    if (code == WOLFSSL_ERROR_WANT_WRITE) return Step::want_write;
    error_ = std::string(what) + ": ";
    error_ += code == WOLFSSL_ERROR_ZERO_RETURN ? "the peer sent close_notify" : library_text(code);
    if (!io_error_.empty()) error_ += "; transport: " + io_error_;
    return Step::failed;
  }

  std::unique_ptr<Transport> io_;
  std::shared_ptr<Setup> setup_;  // its cache outlives ssl_
  bool client_;
  WOLFSSL *ssl_ = nullptr;
  bool done_ = false;
  bool resumed_ = false;
  std::string io_error_;
  std::string error_;
};

class WolfsslEngine final : public Engine {
 public:
  WolfsslEngine() {
    std::lock_guard<std::mutex> lock(library_mutex());
    init_rc_ = wolfSSL_Init();
  }
  ~WolfsslEngine() override {
    setup_.reset();
    if (init_rc_ != WOLFSSL_SUCCESS) return;
    std::lock_guard<std::mutex> lock(library_mutex());
    wolfSSL_Cleanup();
  }
  WolfsslEngine(const WolfsslEngine &) = delete;
  WolfsslEngine &operator=(const WolfsslEngine &) = delete;

  std::string backend() const override { return "wolfssl"; }
  bool direct() const override { return true; }
  std::string library() const override { return std::string("wolfSSL ") + wolfSSL_lib_version(); }

  Result<void> prepare(const Case &c) override {
    setup_.reset();  // the previous case's contexts go first
    resumption_ = false;
    if (init_rc_ != WOLFSSL_SUCCESS) {
      return library_error(ErrorCode::internal, "wolfSSL_Init", init_rc_);
    }
    if (c.identity == nullptr) return Error(ErrorCode::bad_input, "the case has no identity");
    if (c.version != TlsVersion::tls12 && c.version != TlsVersion::tls13) {
      return Error(ErrorCode::bad_input, "unknown TLS version");
    }
    // The groups: the case's, which alone the server enables, and the
    // client's extra one, which it offers after it.
    const char *group = group_name(c.group);
    if (group == nullptr) return Error(ErrorCode::bad_input, "the group is not one polytls allows");
    std::string client_groups = group;
    if (c.client_extra_group != 0 && c.client_extra_group != c.group) {
      const char *extra = group_name(c.client_extra_group);
      if (extra == nullptr) {
        return Error(ErrorCode::bad_input, "the client's extra group is not one polytls allows");
      }
      client_groups = client_groups + ':' + extra;
    }
    const KeyType key_type = c.identity->key_type;
    const bool rsa = key_type == KeyType::rsa2048 || key_type == KeyType::rsa3072 ||
                     key_type == KeyType::rsa4096;

    std::string suites;
    for (const SuiteName &suite : kSuites) {
      if (suite.version != c.version) continue;
      if (c.cipher_suite != 0 && suite.iana != c.cipher_suite) continue;
      if (!suites.empty()) suites += ':';
      suites += suite.name;
      if (c.cipher_suite != 0 && c.version == TlsVersion::tls12 && suite.ecdsa == rsa) {
        return Error(ErrorCode::unsupported, rsa ? "the cipher suite needs an ECDSA certificate"
                                                 : "the cipher suite needs an RSA certificate");
      }
    }
    if (suites.empty()) {
      return Error(ErrorCode::bad_input,
                   "the cipher suite is not one polytls allows for the version");
    }

    auto s = std::make_shared<Setup>();
    const bool tls13 = c.version == TlsVersion::tls13;
    s->server = wolfSSL_CTX_new(wolfSSLv23_server_method());
    s->client = wolfSSL_CTX_new(wolfSSLv23_client_method());
    if (s->server == nullptr || s->client == nullptr) {
      return Error(ErrorCode::internal, "wolfSSL_CTX_new failed", "wolfssl");
    }
    for (WOLFSSL_CTX *ctx : {s->server, s->client}) {
      const int version = tls13 ? TLS1_3_VERSION : TLS1_2_VERSION;
      int rc = wolfSSL_CTX_set_min_proto_version(ctx, version);
      if (rc == WOLFSSL_SUCCESS) rc = wolfSSL_CTX_set_max_proto_version(ctx, version);
      if (rc != WOLFSSL_SUCCESS) return library_error(ErrorCode::internal, "version range", rc);
      if (wolfSSL_CTX_set_cipher_list(ctx, suites.c_str()) != WOLFSSL_SUCCESS) {
        return Error(ErrorCode::unsupported, "this wolfSSL build lacks the cipher suites " + suites,
                     "wolfssl");
      }
      const std::string groups = ctx == s->client ? client_groups : std::string(group);
      if (wolfSSL_CTX_set1_curves_list(ctx, groups.c_str()) != WOLFSSL_SUCCESS) {
        return Error(ErrorCode::unsupported, "this wolfSSL build lacks the groups " + groups,
                     "wolfssl");
      }
      wolfSSL_CTX_SetIORecv(ctx, WolfPeer::receive_callback);
      wolfSSL_CTX_SetIOSend(ctx, WolfPeer::send_callback);
    }

    // The server: its certificate and key, no client authentication.
    const std::string &cert = c.identity->certificate_pem;
    const std::string &key = c.identity->key_pem;
    const auto *cert_bytes = reinterpret_cast<const unsigned char *>(cert.data());
    int rc = wolfSSL_CTX_use_certificate_chain_buffer_format(
        s->server, cert_bytes, static_cast<long>(cert.size()), WOLFSSL_FILETYPE_PEM);
    if (rc != WOLFSSL_SUCCESS) return library_error(ErrorCode::bad_input, "the certificate", rc);
    rc = wolfSSL_CTX_use_PrivateKey_buffer(s->server,
                                           reinterpret_cast<const unsigned char *>(key.data()),
                                           static_cast<long>(key.size()), WOLFSSL_FILETYPE_PEM);
    if (rc != WOLFSSL_SUCCESS) return library_error(ErrorCode::bad_input, "the private key", rc);
    rc = wolfSSL_CTX_check_private_key(s->server);
    if (rc != WOLFSSL_SUCCESS) {
      return library_error(ErrorCode::bad_input, "the key and certificate differ", rc);
    }
    wolfSSL_CTX_set_verify(s->server, WOLFSSL_VERIFY_NONE, nullptr);
    if (c.resumption) {
      wolfSSL_CTX_set_session_cache_mode(s->server, WOLFSSL_SESS_CACHE_NO_INTERNAL);
      wolfSSL_CTX_sess_set_new_cb(s->server, WolfPeer::new_session_callback);
      wolfSSL_CTX_sess_set_get_cb(s->server, WolfPeer::get_session_callback);
    } else {
      wolfSSL_CTX_set_session_cache_mode(s->server, WOLFSSL_SESS_CACHE_OFF);
      wolfSSL_CTX_NoTicketTLSv12(s->server);
      wolfSSL_CTX_no_ticket_TLSv13(s->server);
    }

    // The client: the case's certificate is its only trust anchor.
    rc = wolfSSL_CTX_load_verify_buffer(s->client, cert_bytes, static_cast<long>(cert.size()),
                                        WOLFSSL_FILETYPE_PEM);
    if (rc != WOLFSSL_SUCCESS) return library_error(ErrorCode::bad_input, "the trust anchor", rc);
    wolfSSL_CTX_set_verify(s->client, WOLFSSL_VERIFY_PEER, nullptr);

    setup_ = std::move(s);
    resumption_ = c.resumption;
    return ok();
  }

  Result<std::unique_ptr<Peer>> server(std::unique_ptr<Transport> io) override {
    return start(std::move(io), false, nullptr);
  }

  Result<std::unique_ptr<Peer>> client(std::unique_ptr<Transport> io,
                                       const Ticket *resume) override {
    WOLFSSL_SESSION *session = nullptr;
    if (resume != nullptr) {
      if (!resumption_) {
        return Error(ErrorCode::bad_input, "a ticket was given but the case has resumption off");
      }
      const auto *ticket = dynamic_cast<const WolfTicket *>(resume);
      if (ticket == nullptr) return Error(ErrorCode::bad_input, "not a wolfSSL ticket");
      session = ticket->session();
    }
    return start(std::move(io), true, session);
  }

  Result<std::unique_ptr<Ticket>> save(Peer &client) override {
    if (!resumption_) return Error(ErrorCode::bad_input, "the case has resumption off");
    auto *peer = dynamic_cast<WolfPeer *>(&client);
    if (peer == nullptr || !peer->is_client()) {
      return Error(ErrorCode::bad_input, "not a client of this engine");
    }
    if (!peer->handshake_done()) return Error(ErrorCode::bad_input, "the handshake is not done");
    WOLFSSL_SESSION *current = wolfSSL_get_session(peer->ssl());
    if (current == nullptr) return Error(ErrorCode::not_found, "the client has no session");
    if (wolfSSL_version(peer->ssl()) == TLS1_3_VERSION && !wolfSSL_SESSION_has_ticket(current)) {
      return Error(ErrorCode::not_found, "no TLS 1.3 ticket has arrived");
    }
    if (wolfSSL_SESSION_is_resumable(current) != 1) {
      return Error(ErrorCode::not_found, "the server gave neither a ticket nor a session ID");
    }
    WOLFSSL_SESSION *copy = wolfSSL_SESSION_dup(current);
    if (copy == nullptr) return Error(ErrorCode::internal, "wolfSSL_SESSION_dup failed", "wolfssl");
    return std::unique_ptr<Ticket>(std::make_unique<WolfTicket>(copy));
  }

 private:
  Result<std::unique_ptr<Peer>> start(std::unique_ptr<Transport> io, bool client,
                                      WOLFSSL_SESSION *resume) {
    if (!setup_) return Error(ErrorCode::bad_input, "prepare() has not succeeded");
    if (!io) return Error(ErrorCode::bad_input, "no transport");
    auto peer = std::make_unique<WolfPeer>(std::move(io), setup_, client);
    if (Result<void> r = peer->start(resume); !r) return r.error();
    return std::unique_ptr<Peer>(std::move(peer));
  }

  int init_rc_ = 0;
  std::shared_ptr<Setup> setup_;
  bool resumption_ = false;
};

}  // namespace

std::unique_ptr<Engine> make_direct_wolfssl() {
  return std::make_unique<WolfsslEngine>();
}

}  // namespace polytls::bench
