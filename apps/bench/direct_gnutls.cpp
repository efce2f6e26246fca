// direct_gnutls.cpp: the direct GnuTLS reference of polytls-bench.
//
// Written straight against GnuTLS: prepare() makes one set of certificate
// credentials and one priority cache per side, with the settings polytls's
// GnuTLS backend uses (plugins/gnutls/tls.cpp) where they change the work
// done per connection, and every connection is one gnutls_session_t whose
// push and pull functions are the connection's polytls::Transport. The
// client checks the server's chain against the case's certificate and the
// host name "localhost" with GnuTLS's own verification
// (gnutls_session_set_verify_cert).
#include <gnutls/gnutls.h>

#include <sys/types.h>
#include <cerrno>
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
#include <vector>

#include "engine.hpp"

namespace polytls::bench {
namespace {

// Free calls a GnuTLS free function from a std::unique_ptr.
template <auto FreeFunction>
struct Free {
  template <class T>
  void operator()(T *p) const noexcept {
    FreeFunction(p);
  }
};

using CredentialsPtr =
    std::unique_ptr<gnutls_certificate_credentials_st, Free<gnutls_certificate_free_credentials>>;
using PriorityPtr = std::unique_ptr<gnutls_priority_st, Free<gnutls_priority_deinit>>;
using SessionPtr = std::unique_ptr<gnutls_session_int, Free<gnutls_deinit>>;

// Suite is one suite polytls allows, as GnuTLS priority words: a priority
// string enables key exchanges and ciphers, and one key exchange with one
// cipher is exactly one suite.
struct Suite {
  uint16_t iana;
  TlsVersion version;
  const char *key_exchange;  // TLS 1.2 only
  const char *cipher;
  const char *name;  // IANA
};

constexpr Suite kSuites[] = {
    {0x1301, TlsVersion::tls13, nullptr, "+AES-128-GCM", "TLS_AES_128_GCM_SHA256"},
    {0x1302, TlsVersion::tls13, nullptr, "+AES-256-GCM", "TLS_AES_256_GCM_SHA384"},
    {0x1303, TlsVersion::tls13, nullptr, "+CHACHA20-POLY1305", "TLS_CHACHA20_POLY1305_SHA256"},
    {0xC02B, TlsVersion::tls12, "+ECDHE-ECDSA", "+AES-128-GCM",
     "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
    {0xC02F, TlsVersion::tls12, "+ECDHE-RSA", "+AES-128-GCM",
     "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0xC02C, TlsVersion::tls12, "+ECDHE-ECDSA", "+AES-256-GCM",
     "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {0xC030, TlsVersion::tls12, "+ECDHE-RSA", "+AES-256-GCM",
     "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0xCCA9, TlsVersion::tls12, "+ECDHE-ECDSA", "+CHACHA20-POLY1305",
     "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xCCA8, TlsVersion::tls12, "+ECDHE-RSA", "+CHACHA20-POLY1305",
     "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
};

// The server's name: sent as SNI and checked in the server's certificate.
// GnuTLS keeps the pointer given to gnutls_session_set_verify_cert (no
// copy), so the name lives as long as the program.
constexpr char kHost[] = "localhost";

// The default words: every polytls suite (ECDHE with AEAD), by preference.
constexpr char kDefaultKeyExchanges[] = "+ECDHE-ECDSA:+ECDHE-RSA";
constexpr char kDefaultCiphers[] = "+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305";

const char *group_word(uint16_t iana) noexcept {
  switch (iana) {
    case 0x001d: return "+GROUP-X25519";
    case 0x0017: return "+GROUP-SECP256R1";
    case 0x0018: return "+GROUP-SECP384R1";
    default: return nullptr;
  }
}

std::string describe(int rc) {
  const char *name = gnutls_strerror_name(rc);
  return std::string(gnutls_strerror(rc)) + " (" + (name != nullptr ? name : "?") + ")";
}

Error gnutls_error(ErrorCode code, const std::string &what, int rc) {
  return Error(code, what + ": " + describe(rc), "gnutls", rc);
}

gnutls_datum_t datum_of(const std::string &text) {
  return {reinterpret_cast<unsigned char *>(const_cast<char *>(text.data())),
          static_cast<unsigned>(text.size())};
}

// SessionCache is a server's TLS 1.2 session-ID cache (the gnutls_db_*
// functions), bounded, shared by the server's connections on any thread.
class SessionCache {
 public:
  static int store(void *self, gnutls_datum_t key, gnutls_datum_t data) noexcept {
    auto *cache = static_cast<SessionCache *>(self);
    try {
      std::string id(reinterpret_cast<const char *>(key.data), key.size);
      std::string session(reinterpret_cast<const char *>(data.data), data.size);
      const std::lock_guard<std::mutex> lock(cache->mutex_);
      const bool added = cache->entries_.insert_or_assign(id, std::move(session)).second;
      if (added) cache->order_.push_back(std::move(id));
      while (cache->order_.size() > kMaxEntries) {
        cache->entries_.erase(cache->order_.front());
        cache->order_.pop_front();
      }
      return 0;
    } catch (...) {
      return -1;
    }
  }

  // retrieve returns a copy GnuTLS frees; an expired entry is dropped.
  static gnutls_datum_t retrieve(void *self, gnutls_datum_t key) noexcept {
    auto *cache = static_cast<SessionCache *>(self);
    gnutls_datum_t out{nullptr, 0};
    try {
      const std::string id(reinterpret_cast<const char *>(key.data), key.size);
      const std::lock_guard<std::mutex> lock(cache->mutex_);
      const auto found = cache->entries_.find(id);
      if (found == cache->entries_.end()) return out;
      gnutls_datum_t stored = datum_of(found->second);
      if (gnutls_db_check_entry_expire_time(&stored) <= std::time(nullptr)) {
        cache->erase(found);
        return out;
      }
      out.data = static_cast<unsigned char *>(gnutls_malloc(stored.size));
      if (out.data == nullptr) return out;
      std::memcpy(out.data, stored.data, stored.size);
      out.size = stored.size;
    } catch (...) {
    }
    return out;
  }

  static int remove(void *self, gnutls_datum_t key) noexcept {
    auto *cache = static_cast<SessionCache *>(self);
    try {
      const std::string id(reinterpret_cast<const char *>(key.data), key.size);
      const std::lock_guard<std::mutex> lock(cache->mutex_);
      const auto found = cache->entries_.find(id);
      if (found == cache->entries_.end()) return -1;
      cache->erase(found);
      return 0;
    } catch (...) {
      return -1;
    }
  }

 private:
  static constexpr std::size_t kMaxEntries = 20000;

  using Entries = std::unordered_map<std::string, std::string>;
  void erase(Entries::iterator entry) {
    for (auto it = order_.begin(); it != order_.end(); ++it) {
      if (*it == entry->first) {
        order_.erase(it);
        break;
      }
    }
    entries_.erase(entry);
  }

  std::mutex mutex_;
  Entries entries_;                // session ID -> session data
  std::deque<std::string> order_;  // session IDs, oldest first
};

// Contexts is what prepare() makes: shared by every connection of the case,
// and kept alive by them (GnuTLS sessions point into the credentials).
struct Contexts {
  bool resumption = false;
  CredentialsPtr server_credentials;
  CredentialsPtr client_credentials;
  PriorityPtr server_priority;            // the algorithms, for each side
  PriorityPtr client_priority;            // (the client may offer one more group)
  gnutls_datum_t ticket_key{nullptr, 0};  // the server's, with resumption
  mutable SessionCache cache;             // the server's, with resumption (locks itself)

  Contexts() = default;
  Contexts(const Contexts &) = delete;
  Contexts &operator=(const Contexts &) = delete;
  ~Contexts() {
    if (ticket_key.data != nullptr) {
      gnutls_memset(ticket_key.data, 0, ticket_key.size);
      gnutls_free(ticket_key.data);
    }
  }
};

// GnutlsPeer is one connection: a session whose transport is `io_`.
class GnutlsPeer final : public Peer {
 public:
  GnutlsPeer(std::shared_ptr<const Contexts> contexts, std::unique_ptr<Transport> io)
      : contexts_(std::move(contexts)), io_(std::move(io)) {}

  // start makes the session; a client sends SNI "localhost", verifies the
  // server against its trust list and that name, and offers `resume`.
  Result<void> start(bool client, const std::vector<unsigned char> *resume) {
    const Contexts &c = *contexts_;
    unsigned flags = (client ? GNUTLS_CLIENT : GNUTLS_SERVER) | GNUTLS_NONBLOCK;
    if (!c.resumption) flags |= GNUTLS_NO_TICKETS;
    gnutls_session_t raw = nullptr;
    int rc = gnutls_init(&raw, flags);
    if (rc < 0) return gnutls_error(ErrorCode::internal, "gnutls_init", rc);
    session_.reset(raw);
    gnutls_session_t session = session_.get();
    gnutls_transport_set_ptr(session, this);
    gnutls_transport_set_push_function(session, push);
    gnutls_transport_set_pull_function(session, pull);
    // No handshake time limit: the transport has its own, and GnuTLS would
    // read the clock around every handshake call.
    gnutls_handshake_set_timeout(session, 0);
    if ((rc = gnutls_priority_set(
             session, client ? c.client_priority.get() : c.server_priority.get())) < 0) {
      return gnutls_error(ErrorCode::internal, "gnutls_priority_set", rc);
    }
    gnutls_certificate_credentials_t credentials =
        client ? c.client_credentials.get() : c.server_credentials.get();
    if ((rc = gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, credentials)) < 0) {
      return gnutls_error(ErrorCode::internal, "gnutls_credentials_set", rc);
    }
    if (!client) {
      gnutls_certificate_server_set_request(session, GNUTLS_CERT_IGNORE);
      if (c.resumption) {
        if ((rc = gnutls_session_ticket_enable_server(session, &c.ticket_key)) < 0) {
          return gnutls_error(ErrorCode::internal, "gnutls_session_ticket_enable_server", rc);
        }
        gnutls_db_set_ptr(session, &c.cache);
        gnutls_db_set_store_function(session, SessionCache::store);
        gnutls_db_set_retrieve_function(session, SessionCache::retrieve);
        gnutls_db_set_remove_function(session, SessionCache::remove);
      }
      return ok();
    }
    if ((rc = gnutls_server_name_set(session, GNUTLS_NAME_DNS, kHost, sizeof kHost - 1)) < 0) {
      return gnutls_error(ErrorCode::internal, "gnutls_server_name_set", rc);
    }
    gnutls_session_set_verify_cert(session, kHost, 0);
    if (resume != nullptr) {
      if ((rc = gnutls_session_set_data(session, resume->data(), resume->size())) < 0) {
        return gnutls_error(ErrorCode::bad_input, "gnutls_session_set_data", rc);
      }
    }
    return ok();
  }

  Step handshake() override {
    for (int round = 0; round < kRounds; ++round) {
      begin_call();
      const int rc = gnutls_handshake(session_.get());
      if (rc == 0) return Step::done;
      if (!would_block(rc)) return failed("handshake", rc, true);
      if (blocked_ != Step::done) return blocked_;
      // GNUTLS_E_AGAIN without the transport blocking: call again now.
    }
    return Step::want_read;
  }

  Step write(std::span<const uint8_t> data, std::size_t &n) override {
    n = 0;
    for (int round = 0; round < kRounds; ++round) {
      begin_call();
      // One record per call. After GNUTLS_E_AGAIN, GnuTLS holds the sealed
      // record: the next call sends it and reports its size.
      const ssize_t rc = gnutls_record_send(session_.get(), data.data(), data.size());
      if (rc > 0) {
        n = static_cast<std::size_t>(rc);
        return Step::done;
      }
      if (!would_block(static_cast<int>(rc))) return failed("write", static_cast<int>(rc), false);
      if (blocked_ != Step::done) return blocked_;
    }
    return Step::want_write;
  }

  Step read(std::span<uint8_t> buffer, std::size_t &n) override {
    n = 0;
    for (int round = 0; round < kRounds; ++round) {
      begin_call();
      const ssize_t rc = gnutls_record_recv(session_.get(), buffer.data(), buffer.size());
      if (rc > 0) {
        n = static_cast<std::size_t>(rc);
        return Step::done;
      }
      if (rc == 0) {
        error_ = "GnuTLS read failed: the peer sent close_notify";
        return Step::failed;
      }
      const int code = static_cast<int>(rc);
      if (would_block(code)) {
        if (blocked_ != Step::done) return blocked_;
        continue;  // a post-handshake message (a TLS 1.3 ticket) was taken in
      }
      if (gnutls_error_is_fatal(code) == 0) continue;  // a warning alert
      return failed("read", code, false);
    }
    return Step::want_read;
  }

  bool resumed() const override { return gnutls_session_is_resumed(session_.get()) != 0; }
  std::string error() const override { return error_; }

  gnutls_session_t session() const noexcept { return session_.get(); }

 private:
  // A call retries GnuTLS's own GNUTLS_E_AGAIN (no transport block) at most
  // this many times before it reports want_*.
  static constexpr int kRounds = 64;

  static bool would_block(int rc) noexcept {
    return rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED;
  }

  void begin_call() noexcept {
    blocked_ = Step::done;
    eof_ = false;
  }

  Step failed(const char *what, int rc, bool in_handshake) {
    error_ = std::string("GnuTLS ") + what + " failed: " + describe(rc);
    if (!transport_error_.empty()) error_ += ": " + transport_error_;
    if (eof_) error_ += ": the peer closed the stream";
    if (rc == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR) {
      gnutls_datum_t text{nullptr, 0};
      const unsigned status = gnutls_session_get_verify_cert_status(session_.get());
      if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0) == 0) {
        error_ += ": " + std::string(reinterpret_cast<const char *>(text.data), text.size);
        gnutls_free(text.data);
      }
    }
    if (in_handshake && transport_error_.empty() && !eof_) {
      // GnuTLS sends no alert of its own when its handshake fails.
      (void)gnutls_alert_send_appropriate(session_.get(), rc);
    }
    return Step::failed;
  }

  void transport_failed(const char *direction, const Error &error) {
    if (transport_error_.empty()) {
      transport_error_ =
          std::string("the transport's ") + direction + " failed: " + error.to_string();
    }
  }

  // push and pull are the session's transport functions: "would block"
  // becomes EAGAIN, other failures EIO.
  static ssize_t push(gnutls_transport_ptr_t self, const void *data, std::size_t len) noexcept {
    auto *peer = static_cast<GnutlsPeer *>(self);
    const Result<std::size_t> sent = peer->io_->send({static_cast<const uint8_t *>(data), len});
    if (sent) return static_cast<ssize_t>(*sent);
    return peer->transport_error(sent.error(), "send");
  }

  static ssize_t pull(gnutls_transport_ptr_t self, void *buffer, std::size_t cap) noexcept {
    auto *peer = static_cast<GnutlsPeer *>(self);
    const Result<std::size_t> got = peer->io_->recv({static_cast<uint8_t *>(buffer), cap});
    if (got) {
      if (*got == 0) peer->eof_ = true;
      return static_cast<ssize_t>(*got);
    }
    return peer->transport_error(got.error(), "recv");
  }

  ssize_t transport_error(const Error &error, const char *direction) noexcept {
    if (error.code() == ErrorCode::want_read || error.code() == ErrorCode::want_write) {
      blocked_ = error.code() == ErrorCode::want_read ? Step::want_read : Step::want_write;
      gnutls_transport_set_errno(session_.get(), EAGAIN);
      return -1;
    }
    try {
      transport_failed(direction, error);
    } catch (...) {
    }
    gnutls_transport_set_errno(session_.get(), EIO);
    return -1;
  }

  std::shared_ptr<const Contexts> contexts_;  // outlives the session
  std::unique_ptr<Transport> io_;
  SessionPtr session_;         // declared last: deinitialised first
  Step blocked_ = Step::done;  // the transport would block in the current call (want_*)
  bool eof_ = false;           // the transport ended during the current call
  std::string transport_error_;
  std::string error_;
};

// GnutlsTicket is a client's session data (gnutls_session_get_data2).
class GnutlsTicket final : public Ticket {
 public:
  explicit GnutlsTicket(std::vector<unsigned char> data) : data_(std::move(data)) {}
  ~GnutlsTicket() override {
    if (!data_.empty()) gnutls_memset(data_.data(), 0, data_.size());
  }
  GnutlsTicket(const GnutlsTicket &) = delete;
  GnutlsTicket &operator=(const GnutlsTicket &) = delete;
  const std::vector<unsigned char> &data() const noexcept { return data_; }

 private:
  std::vector<unsigned char> data_;
};

class GnutlsEngine final : public Engine {
 public:
  std::string backend() const override { return "gnutls"; }
  bool direct() const override { return true; }
  std::string library() const override {
    return std::string("GnuTLS ") + gnutls_check_version(nullptr);
  }

  Result<void> prepare(const Case &c) override {
    contexts_.reset();
    if (c.identity == nullptr) return Error(ErrorCode::bad_input, "the case has no identity");
    // The groups: the case's, which alone the server enables, and the
    // client's extra one, which it offers after it.
    const char *group = group_word(c.group);
    if (group == nullptr) {
      return Error(ErrorCode::bad_input, "group " + std::to_string(c.group) +
                                             " is not one polytls allows (x25519, secp256r1, "
                                             "secp384r1)");
    }
    std::string client_groups = group;
    if (c.client_extra_group != 0 && c.client_extra_group != c.group) {
      const char *extra = group_word(c.client_extra_group);
      if (extra == nullptr) {
        return Error(ErrorCode::bad_input, "the client's extra group " +
                                               std::to_string(c.client_extra_group) +
                                               " is not one polytls allows");
      }
      client_groups = client_groups + ':' + extra;
    }
    std::string key_exchanges = kDefaultKeyExchanges;
    std::string ciphers = kDefaultCiphers;
    if (auto checked = check_case(c); !checked) return checked.error();
    if (c.cipher_suite != 0) {
      const Suite *suite = nullptr;
      for (const Suite &s : kSuites) {
        if (s.iana == c.cipher_suite && s.version == c.version) suite = &s;
      }
      if (suite == nullptr) return Error(ErrorCode::internal, "a polytls suite without its words");
      if (suite->key_exchange != nullptr) key_exchanges = suite->key_exchange;
      ciphers = suite->cipher;
    }
    // Exactly these algorithms and one version, whatever the system-wide
    // defaults say; no SHA-1 signatures; the server's preference wins.
    const auto priority_for = [&](const std::string &groups) {
      return "NORMAL:-VERS-ALL:-KX-ALL:" + key_exchanges + ":-CIPHER-ALL:" + ciphers +
             ":-MAC-ALL:+AEAD:-GROUP-ALL:" + groups +
             ":-SIGN-RSA-SHA1:-SIGN-ECDSA-SHA1:%SERVER_PRECEDENCE" +
             (c.version == TlsVersion::tls13 ? ":+VERS-TLS1.3" : ":+VERS-TLS1.2");
    };

    auto contexts = std::make_shared<Contexts>();
    contexts->resumption = c.resumption;
    for (const bool server : {true, false}) {
      const std::string priority = priority_for(server ? group : client_groups);
      gnutls_priority_t raw = nullptr;
      const char *error_at = nullptr;
      const int rc = gnutls_priority_init(&raw, priority.c_str(), &error_at);
      if (rc < 0) {
        return gnutls_error(ErrorCode::internal, "gnutls_priority_init(\"" + priority + "\")", rc);
      }
      (server ? contexts->server_priority : contexts->client_priority).reset(raw);
    }
    for (CredentialsPtr *credentials :
         {&contexts->server_credentials, &contexts->client_credentials}) {
      gnutls_certificate_credentials_t raw = nullptr;
      const int rc = gnutls_certificate_allocate_credentials(&raw);
      if (rc < 0) {
        return gnutls_error(ErrorCode::internal, "gnutls_certificate_allocate_credentials", rc);
      }
      credentials->reset(raw);
    }
    const gnutls_datum_t certificate = datum_of(c.identity->certificate_pem);
    const gnutls_datum_t key = datum_of(c.identity->key_pem);
    int rc = gnutls_certificate_set_x509_key_mem2(contexts->server_credentials.get(), &certificate,
                                                  &key, GNUTLS_X509_FMT_PEM, nullptr, 0);
    if (rc < 0) {
      return gnutls_error(ErrorCode::bad_input, "reading the certificate and key", rc);
    }
    rc = gnutls_certificate_set_x509_trust_mem(contexts->client_credentials.get(), &certificate,
                                               GNUTLS_X509_FMT_PEM);
    if (rc != 1) {
      return rc < 0 ? gnutls_error(ErrorCode::bad_input, "setting the trust anchor", rc)
                    : Error(ErrorCode::bad_input, "the certificate PEM holds " +
                                                      std::to_string(rc) + " certificates, not 1");
    }
    if (c.resumption) {
      rc = gnutls_session_ticket_key_generate(&contexts->ticket_key);
      if (rc < 0)
        return gnutls_error(ErrorCode::internal, "gnutls_session_ticket_key_generate", rc);
    }
    contexts_ = std::move(contexts);
    return ok();
  }

  Result<std::unique_ptr<Peer>> server(std::unique_ptr<Transport> io) override {
    if (!contexts_) return Error(ErrorCode::bad_input, "prepare() has not succeeded");
    auto peer = std::make_unique<GnutlsPeer>(contexts_, std::move(io));
    POLYTLS_CHECK(peer->start(false, nullptr));
    return std::unique_ptr<Peer>(std::move(peer));
  }

  Result<std::unique_ptr<Peer>> client(std::unique_ptr<Transport> io,
                                       const Ticket *resume) override {
    if (!contexts_) return Error(ErrorCode::bad_input, "prepare() has not succeeded");
    const std::vector<unsigned char> *data = nullptr;
    if (resume != nullptr) {
      if (!contexts_->resumption) {
        return Error(ErrorCode::bad_input, "resumption is off in this case");
      }
      const auto *ticket = dynamic_cast<const GnutlsTicket *>(resume);
      if (ticket == nullptr) return Error(ErrorCode::bad_input, "not a GnuTLS ticket");
      data = &ticket->data();
    }
    auto peer = std::make_unique<GnutlsPeer>(contexts_, std::move(io));
    POLYTLS_CHECK(peer->start(true, data));
    return std::unique_ptr<Peer>(std::move(peer));
  }

  Result<std::unique_ptr<Ticket>> save(Peer &client) override {
    if (!contexts_ || !contexts_->resumption) {
      return Error(ErrorCode::bad_input, "resumption is off in this case");
    }
    auto *peer = dynamic_cast<GnutlsPeer *>(&client);
    if (peer == nullptr) return Error(ErrorCode::bad_input, "not a GnuTLS peer");
    gnutls_session_t session = peer->session();
    // A TLS 1.3 session is resumable once a NewSessionTicket was read; a
    // TLS 1.2 one with a ticket or a session ID.
    const bool ticket = (gnutls_session_get_flags(session) & GNUTLS_SFLAGS_SESSION_TICKET) != 0;
    if (!ticket) {
      gnutls_datum_t id{nullptr, 0};
      if (gnutls_protocol_get_version(session) == GNUTLS_TLS1_3 ||
          gnutls_session_get_id2(session, &id) < 0 || id.size == 0) {
        return Error(ErrorCode::bad_input, "the server sent no session ticket or id yet");
      }
    }
    gnutls_datum_t data{nullptr, 0};
    const int rc = gnutls_session_get_data2(session, &data);
    if (rc < 0) return gnutls_error(ErrorCode::internal, "gnutls_session_get_data2", rc);
    std::vector<unsigned char> bytes(data.data, data.data + data.size);
    gnutls_memset(data.data, 0, data.size);
    gnutls_free(data.data);
    return std::unique_ptr<Ticket>(std::make_unique<GnutlsTicket>(std::move(bytes)));
  }

 private:
  std::shared_ptr<const Contexts> contexts_;
};

}  // namespace

std::unique_ptr<Engine> make_direct_gnutls() {
  return std::make_unique<GnutlsEngine>();
}

}  // namespace polytls::bench
