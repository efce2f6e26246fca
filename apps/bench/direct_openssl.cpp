// direct_openssl.cpp: the direct OpenSSL reference of polytls-bench.
//
// Written straight against libssl: one SSL_CTX per side, made by prepare()
// with the settings polytls's OpenSSL backend uses (backends/openssl/tls.cpp)
// where they change the work done per connection, and one SSL per
// connection. Each SSL reads and writes through the connection's
// polytls::Transport, hooked in as a custom BIO. The client checks the
// server's chain against the case's certificate and the host name
// "localhost" with OpenSSL's own verification (SSL_set1_host).
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "engine.hpp"

namespace polytls::bench {
namespace {

// Free calls an OpenSSL free function from a std::unique_ptr.
template <auto FreeFunction>
struct Free {
  template <class T>
  void operator()(T *p) const noexcept {
    FreeFunction(p);
  }
};

using BioPtr = std::unique_ptr<BIO, Free<BIO_free>>;
using CtxPtr = std::unique_ptr<SSL_CTX, Free<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, Free<SSL_free>>;
using SessionPtr = std::unique_ptr<SSL_SESSION, Free<SSL_SESSION_free>>;
using X509Ptr = std::unique_ptr<X509, Free<X509_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Free<EVP_PKEY_free>>;

struct Suite {
  uint16_t iana;
  TlsVersion version;
  const char *openssl_name;
};

// The suites polytls allows, in its default order of preference.
constexpr Suite kSuites[] = {
    {0x1301, TlsVersion::tls13, "TLS_AES_128_GCM_SHA256"},
    {0x1302, TlsVersion::tls13, "TLS_AES_256_GCM_SHA384"},
    {0x1303, TlsVersion::tls13, "TLS_CHACHA20_POLY1305_SHA256"},
    {0xC02B, TlsVersion::tls12, "ECDHE-ECDSA-AES128-GCM-SHA256"},
    {0xC02F, TlsVersion::tls12, "ECDHE-RSA-AES128-GCM-SHA256"},
    {0xC02C, TlsVersion::tls12, "ECDHE-ECDSA-AES256-GCM-SHA384"},
    {0xC030, TlsVersion::tls12, "ECDHE-RSA-AES256-GCM-SHA384"},
    {0xCCA9, TlsVersion::tls12, "ECDHE-ECDSA-CHACHA20-POLY1305"},
    {0xCCA8, TlsVersion::tls12, "ECDHE-RSA-CHACHA20-POLY1305"},
};

// suite_list joins the OpenSSL names of the suites of `version`, or names
// only `only` when it is not 0.
std::string suite_list(TlsVersion version, uint16_t only) {
  std::string list;
  for (const Suite &suite : kSuites) {
    if (suite.version != version || (only != 0 && suite.iana != only)) continue;
    if (!list.empty()) list += ':';
    list += suite.openssl_name;
  }
  return list;
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

// take_errors empties the thread's OpenSSL error queue into one line.
std::string take_errors() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char line[256];
    ERR_error_string_n(code, line, sizeof line);
    if (!text.empty()) text += "; ";
    text += line;
  }
  return text;
}

Error openssl_error(ErrorCode code, const std::string &what) {
  const std::string queued = take_errors();
  return Error(code, queued.empty() ? what : what + ": " + queued, "openssl");
}

// OpensslPeer is one connection: an SSL whose BIO is the transport.
class OpensslPeer final : public Peer {
 public:
  OpensslPeer(std::shared_ptr<const BIO_METHOD> method, std::unique_ptr<Transport> io)
      : method_(std::move(method)), io_(std::move(io)) {}

  // start makes the SSL on `ctx` with a transport BIO; a client sends SNI
  // "localhost", checks that name, and offers `resume`.
  Result<void> start(SSL_CTX *ctx, bool client, const SSL_SESSION *resume) {
    ERR_clear_error();
    ssl_.reset(SSL_new(ctx));
    if (!ssl_) return openssl_error(ErrorCode::internal, "SSL_new failed");
    BIO *bio = BIO_new(method_.get());
    if (bio == nullptr) return openssl_error(ErrorCode::internal, "BIO_new failed");
    BIO_set_data(bio, this);
    BIO_set_init(bio, 1);
    SSL_set_bio(ssl_.get(), bio, bio);  // the SSL owns the BIO now
    if (!client) {
      SSL_set_accept_state(ssl_.get());
      return ok();
    }
    SSL_set_connect_state(ssl_.get());
    if (SSL_set_tlsext_host_name(ssl_.get(), "localhost") != 1 ||
        SSL_set1_host(ssl_.get(), "localhost") != 1) {
      return openssl_error(ErrorCode::internal, "setting the server name failed");
    }
    if (resume != nullptr) {
      // Each connection resumes from a copy of the saved session: SSL_free
      // marks the SSL's session not resumable when the connection ended
      // without close_notify (as the bench's connections do), which would
      // spoil the saved one for the next connection.
      SessionPtr copy(SSL_SESSION_dup(resume));
      if (!copy || SSL_set_session(ssl_.get(), copy.get()) != 1) {
        return openssl_error(ErrorCode::internal, "restoring the session failed");
      }
    }
    return ok();
  }

  Step handshake() override {
    begin_call();
    return outcome(SSL_do_handshake(ssl_.get()), "handshake");
  }

  Step write(std::span<const uint8_t> data, std::size_t &n) override {
    n = 0;
    begin_call();
    // SSL_MODE_ENABLE_PARTIAL_WRITE: returns once one record is out.
    return outcome(SSL_write_ex(ssl_.get(), data.data(), data.size(), &n), "write");
  }

  Step read(std::span<uint8_t> buffer, std::size_t &n) override {
    n = 0;
    begin_call();
    return outcome(SSL_read_ex(ssl_.get(), buffer.data(), buffer.size(), &n), "read");
  }

  bool resumed() const override { return SSL_session_reused(ssl_.get()) == 1; }
  std::string error() const override { return error_; }

  SSL *ssl() const noexcept { return ssl_.get(); }

  // The transport BIO's functions (BIO_meth_set_write_ex and so on).
  static int bio_write(BIO *bio, const char *data, std::size_t len, std::size_t *written) {
    BIO_clear_retry_flags(bio);
    *written = 0;
    auto *peer = static_cast<OpensslPeer *>(BIO_get_data(bio));
    const Result<std::size_t> sent =
        peer->io_->send({reinterpret_cast<const uint8_t *>(data), len});
    if (sent) {
      *written = *sent;
      return 1;
    }
    if (sent.error().code() == ErrorCode::want_write ||
        sent.error().code() == ErrorCode::want_read) {
      BIO_set_retry_write(bio);
      return 0;
    }
    peer->transport_failed("send", sent.error());
    return 0;
  }

  static int bio_read(BIO *bio, char *buffer, std::size_t cap, std::size_t *read) {
    BIO_clear_retry_flags(bio);
    *read = 0;
    auto *peer = static_cast<OpensslPeer *>(BIO_get_data(bio));
    const Result<std::size_t> got = peer->io_->recv({reinterpret_cast<uint8_t *>(buffer), cap});
    if (got) {
      if (*got == 0) {
        peer->eof_ = true;  // the end of the stream, no retry
        return 0;
      }
      *read = *got;
      return 1;
    }
    if (got.error().code() == ErrorCode::want_read || got.error().code() == ErrorCode::want_write) {
      BIO_set_retry_read(bio);
      return 0;
    }
    peer->transport_failed("recv", got.error());
    return 0;
  }

  static long bio_ctrl(BIO *bio, int command, long, void *) {
    switch (command) {
      case BIO_CTRL_FLUSH: return 1;  // the transport keeps nothing back
      case BIO_CTRL_EOF: return static_cast<OpensslPeer *>(BIO_get_data(bio))->eof_ ? 1 : 0;
      default: return 0;
    }
  }

 private:
  void begin_call() {
    // SSL_get_error reads the thread's error queue: it must start empty.
    ERR_clear_error();
    transport_error_.clear();
    eof_ = false;
  }

  void transport_failed(const char *direction, const Error &error) {
    if (transport_error_.empty()) {
      transport_error_ =
          std::string("the transport's ") + direction + " failed: " + error.to_string();
    }
  }

  Step outcome(int rc, const char *what) {
    if (rc == 1) return Step::done;
    const int code = SSL_get_error(ssl_.get(), rc);
    switch (code) {
      case SSL_ERROR_WANT_READ: return Step::want_read;
      case SSL_ERROR_WANT_WRITE: return Step::want_write;
      default: break;
    }
    error_ = std::string("OpenSSL ") + what + " failed";
    if (code == SSL_ERROR_ZERO_RETURN) error_ += ": the peer sent close_notify";
    if (!transport_error_.empty()) error_ += ": " + transport_error_;
    if (eof_) error_ += ": the peer closed the stream";
    if (const long verify = SSL_get_verify_result(ssl_.get()); verify != X509_V_OK) {
      error_ += std::string(": certificate verification: ") + X509_verify_cert_error_string(verify);
    }
    if (const std::string queued = take_errors(); !queued.empty()) error_ += ": " + queued;
    error_ += " (SSL_get_error " + std::to_string(code) + ")";
    return Step::failed;
  }

  // method_ and io_ are declared before ssl_, so the SSL (and its BIO) goes
  // first.
  std::shared_ptr<const BIO_METHOD> method_;
  std::unique_ptr<Transport> io_;
  SslPtr ssl_;
  std::string transport_error_;  // the transport's first failure in the current call
  bool eof_ = false;             // the transport ended during the current call
  std::string error_;
};

// OpensslTicket is a client's session, kept with a reference of its own.
class OpensslTicket final : public Ticket {
 public:
  explicit OpensslTicket(SessionPtr session) : session_(std::move(session)) {}
  SSL_SESSION *session() const noexcept { return session_.get(); }

 private:
  SessionPtr session_;
};

// The server's session id context: OpenSSL wants one to resume sessions on
// a server (polytls's backend sets this one).
constexpr unsigned char kSessionIdContext[] = {'p', 'o', 'l', 'y', 't', 'l', 's'};

class OpensslEngine final : public Engine {
 public:
  std::string backend() const override { return "openssl"; }
  bool direct() const override { return true; }
  std::string library() const override {
    return std::string("OpenSSL ") + OpenSSL_version(OPENSSL_VERSION_STRING);
  }

  Result<void> prepare(const Case &c) override {
    server_.reset();
    client_.reset();
    ERR_clear_error();
    if (c.identity == nullptr) return Error(ErrorCode::bad_input, "the case has no identity");
    // The groups: the case's, which alone the server enables, and the
    // client's extra one, which it offers after it.
    const char *group = openssl_group(c.group);
    if (group == nullptr) {
      return Error(ErrorCode::bad_input, "group " + std::to_string(c.group) +
                                             " is not one polytls allows (x25519, secp256r1, "
                                             "secp384r1)");
    }
    std::string client_groups = group;
    uint16_t extra = 0;
    if (c.client_extra_group != 0 && c.client_extra_group != c.group) {
      const char *extra_name = openssl_group(c.client_extra_group);
      if (extra_name == nullptr) {
        return Error(ErrorCode::bad_input, "the client's extra group " +
                                               std::to_string(c.client_extra_group) +
                                               " is not one polytls allows");
      }
      client_groups = client_groups + ':' + extra_name;
      extra = c.client_extra_group;
    }
    if (auto checked = check_case(c); !checked) return checked.error();
    // In TLS 1.2, OpenSSL uses an ECDSA certificate only when the client's
    // supported groups list the certificate's curve (RFC 8422; a server
    // finds no shared cipher, a client rejects the certificate with "wrong
    // curve").
    if (c.version == TlsVersion::tls12) {
      uint16_t curve = 0;
      if (c.identity->key_type == KeyType::ecdsa_p256) curve = 0x0017;
      if (c.identity->key_type == KeyType::ecdsa_p384) curve = 0x0018;
      if (curve != 0 && curve != c.group && curve != extra) {
        return Error(ErrorCode::unsupported,
                     "in TLS 1.2 OpenSSL uses an ECDSA certificate only on a curve among the "
                     "client's groups, and the client offers only " +
                         client_groups + " for this " +
                         std::string(to_string(c.identity->key_type)) + " key");
      }
    }
    if (!method_) {
      method_ = make_bio_method();
      if (!method_) return openssl_error(ErrorCode::internal, "making the transport BIO failed");
    }

    // The case's certificate and key.
    X509Ptr certificate;
    KeyPtr key;
    {
      BioPtr pem(BIO_new_mem_buf(c.identity->certificate_pem.data(),
                                 static_cast<int>(c.identity->certificate_pem.size())));
      if (pem) certificate.reset(PEM_read_bio_X509(pem.get(), nullptr, nullptr, nullptr));
      if (!certificate) {
        return openssl_error(ErrorCode::bad_input, "reading the certificate failed");
      }
    }
    {
      BioPtr pem(BIO_new_mem_buf(c.identity->key_pem.data(),
                                 static_cast<int>(c.identity->key_pem.size())));
      if (pem) key.reset(PEM_read_bio_PrivateKey(pem.get(), nullptr, nullptr, nullptr));
      if (!key) return openssl_error(ErrorCode::bad_input, "reading the private key failed");
    }

    CtxPtr server(SSL_CTX_new(TLS_server_method()));
    CtxPtr client(SSL_CTX_new(TLS_client_method()));
    if (!server || !client) return openssl_error(ErrorCode::internal, "SSL_CTX_new failed");
    const int version = static_cast<int>(c.version);
    const std::string list12 =
        suite_list(TlsVersion::tls12, c.version == TlsVersion::tls12 ? c.cipher_suite : 0);
    const std::string list13 =
        suite_list(TlsVersion::tls13, c.version == TlsVersion::tls13 ? c.cipher_suite : 0);
    for (SSL_CTX *ctx : {server.get(), client.get()}) {
      const bool is_server = ctx == server.get();
      // Exactly one version, the suites, the groups.
      if (SSL_CTX_set_min_proto_version(ctx, version) != 1 ||
          SSL_CTX_set_max_proto_version(ctx, version) != 1 ||
          SSL_CTX_set_cipher_list(ctx, list12.c_str()) != 1 ||
          SSL_CTX_set_ciphersuites(ctx, list13.c_str()) != 1 ||
          SSL_CTX_set1_groups_list(ctx, is_server ? group : client_groups.c_str()) != 1) {
        return openssl_error(ErrorCode::internal, "setting the version, suites or group failed");
      }
      // No renegotiation; the server picks by its own order; no tickets
      // unless resumption is on.
      uint64_t options = SSL_OP_NO_RENEGOTIATION;
      if (is_server) options |= SSL_OP_CIPHER_SERVER_PREFERENCE;
      if (!c.resumption) options |= SSL_OP_NO_TICKET;
      SSL_CTX_set_options(ctx, options);
      // write() takes one record at a time (partial writes); the chain is
      // sent as given (no completion from the trust store).
      SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                SSL_MODE_AUTO_RETRY | SSL_MODE_NO_AUTO_CHAIN);
    }

    // The server: the case's certificate and key, no client certificates,
    // a session cache and tickets (TLS 1.2 and 1.3) only with resumption.
    if (SSL_CTX_use_certificate(server.get(), certificate.get()) != 1 ||
        SSL_CTX_use_PrivateKey(server.get(), key.get()) != 1 ||
        SSL_CTX_check_private_key(server.get()) != 1) {
      return openssl_error(ErrorCode::bad_input, "using the certificate and key failed");
    }
    SSL_CTX_set_verify(server.get(), SSL_VERIFY_NONE, nullptr);
    if (SSL_CTX_set_session_id_context(server.get(), kSessionIdContext, sizeof kSessionIdContext) !=
        1) {
      return openssl_error(ErrorCode::internal, "setting the session id context failed");
    }
    if (c.resumption) {
      SSL_CTX_set_session_cache_mode(server.get(), SSL_SESS_CACHE_SERVER);
    } else {
      SSL_CTX_set_session_cache_mode(server.get(), SSL_SESS_CACHE_OFF);
      if (SSL_CTX_set_num_tickets(server.get(), 0) != 1) {
        return openssl_error(ErrorCode::internal, "turning TLS 1.3 tickets off failed");
      }
    }

    // The client: trusts exactly the case's certificate (as given, even
    // without an issuer above it), verifies the chain, keeps no session
    // cache of its own (save() hands sessions out).
    X509_STORE *store = SSL_CTX_get_cert_store(client.get());
    if (X509_STORE_add_cert(store, certificate.get()) != 1 ||
        X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN) != 1 ||
        X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(client.get()), X509_V_FLAG_PARTIAL_CHAIN) !=
            1) {
      return openssl_error(ErrorCode::internal, "setting the trust anchor failed");
    }
    SSL_CTX_set_verify(client.get(), SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_session_cache_mode(client.get(), SSL_SESS_CACHE_OFF);

    server_ = std::move(server);
    client_ = std::move(client);
    resumption_ = c.resumption;
    return ok();
  }

  Result<std::unique_ptr<Peer>> server(std::unique_ptr<Transport> io) override {
    if (!server_) return Error(ErrorCode::bad_input, "prepare() has not succeeded");
    auto peer = std::make_unique<OpensslPeer>(method_, std::move(io));
    POLYTLS_CHECK(peer->start(server_.get(), false, nullptr));
    return std::unique_ptr<Peer>(std::move(peer));
  }

  Result<std::unique_ptr<Peer>> client(std::unique_ptr<Transport> io,
                                       const Ticket *resume) override {
    if (!client_) return Error(ErrorCode::bad_input, "prepare() has not succeeded");
    SSL_SESSION *session = nullptr;
    if (resume != nullptr) {
      if (!resumption_) return Error(ErrorCode::bad_input, "resumption is off in this case");
      const auto *ticket = dynamic_cast<const OpensslTicket *>(resume);
      if (ticket == nullptr) return Error(ErrorCode::bad_input, "not an OpenSSL ticket");
      session = ticket->session();
    }
    auto peer = std::make_unique<OpensslPeer>(method_, std::move(io));
    POLYTLS_CHECK(peer->start(client_.get(), true, session));
    return std::unique_ptr<Peer>(std::move(peer));
  }

  Result<std::unique_ptr<Ticket>> save(Peer &client) override {
    if (!resumption_) return Error(ErrorCode::bad_input, "resumption is off in this case");
    auto *peer = dynamic_cast<OpensslPeer *>(&client);
    if (peer == nullptr) return Error(ErrorCode::bad_input, "not an OpenSSL peer");
    // TLS 1.3 sessions become resumable once a NewSessionTicket was read.
    SSL_SESSION *current = SSL_get0_session(peer->ssl());
    if (current == nullptr || SSL_SESSION_is_resumable(current) != 1) {
      return Error(ErrorCode::bad_input, "the server sent no session ticket or id yet");
    }
    // A copy, for the same reason as in start(): this connection's own
    // session is spoilt when the connection is freed.
    SessionPtr session(SSL_SESSION_dup(current));
    if (!session) return openssl_error(ErrorCode::internal, "SSL_SESSION_dup failed");
    return std::unique_ptr<Ticket>(std::make_unique<OpensslTicket>(std::move(session)));
  }

 private:
  // make_bio_method makes the transport BIO's method table, kept alive by
  // the engine and by every peer whose BIO uses it.
  static std::shared_ptr<BIO_METHOD> make_bio_method() {
    // One BIO type number per process is enough (and their supply is small).
    static const int index = BIO_get_new_index();
    if (index == -1) return nullptr;
    std::shared_ptr<BIO_METHOD> method(
        BIO_meth_new(index | BIO_TYPE_SOURCE_SINK, "polytls-bench transport"), BIO_meth_free);
    if (!method || BIO_meth_set_write_ex(method.get(), OpensslPeer::bio_write) != 1 ||
        BIO_meth_set_read_ex(method.get(), OpensslPeer::bio_read) != 1 ||
        BIO_meth_set_ctrl(method.get(), OpensslPeer::bio_ctrl) != 1) {
      return nullptr;
    }
    return method;
  }

  std::shared_ptr<BIO_METHOD> method_;  // made once per engine, shared by all its BIOs
  CtxPtr server_;
  CtxPtr client_;
  bool resumption_ = false;
};

}  // namespace

std::unique_ptr<Engine> make_direct_openssl() {
  return std::make_unique<OpensslEngine>();
}

}  // namespace polytls::bench
