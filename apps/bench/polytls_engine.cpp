// polytls_engine.cpp: the Engine that runs a case through polytls, on any
// registered backend (built in or a plugin).
#include "polytls_engine.hpp"

#include <optional>
#include <utility>

#include "app.hpp"

namespace polytls::bench {
namespace {

Step step_of(const Error &error) {
  if (error.code() == ErrorCode::want_read) return Step::want_read;
  if (error.code() == ErrorCode::want_write) return Step::want_write;
  return Step::failed;
}

class PolytlsPeer final : public Peer {
 public:
  explicit PolytlsPeer(Session session) : session_(std::move(session)) {}

  Step handshake() override {
    auto r = session_.handshake();
    return r ? Step::done : fail(r.error());
  }
  Step write(std::span<const uint8_t> data, std::size_t &n) override {
    auto r = session_.write(data);
    if (!r) return fail(r.error());
    n = *r;
    return Step::done;
  }
  Step read(std::span<uint8_t> buffer, std::size_t &n) override {
    auto r = session_.read(buffer);
    if (!r) return fail(r.error());
    n = *r;
    return Step::done;
  }
  bool resumed() const override {
    auto info = session_.info();
    return info && info->resumed;
  }
  std::string error() const override { return error_; }

  Session &session() noexcept { return session_; }

 private:
  Step fail(const Error &e) {
    Step s = step_of(e);
    if (s == Step::failed) error_ = e.to_string();
    return s;
  }
  Session session_;
  std::string error_;
};

class PolytlsTicket final : public Ticket {
 public:
  explicit PolytlsTicket(SessionTicket saved) : ticket(std::move(saved)) {}
  SessionTicket ticket;
};

class PolytlsEngine final : public Engine {
 public:
  explicit PolytlsEngine(Backend backend) : backend_(std::move(backend)) {}

  std::string backend() const override { return backend_.name(); }
  bool direct() const override { return false; }
  std::string library() const override { return app::library_text(backend_); }

  Result<void> prepare(const Case &c) override {
    server_.reset();
    client_.reset();
    // Certificates are move-only: one copy for the server, one for the client.
    POLYTLS_TRY(Certificate certificate, backend_.load_certificate(c.identity->certificate_pem));
    POLYTLS_TRY(Certificate anchor, backend_.load_certificate(c.identity->certificate_pem));
    POLYTLS_TRY(Key key, backend_.load_key(std::string_view(c.identity->key_pem)));
    std::vector<uint16_t> suites;
    if (c.cipher_suite != 0) suites.push_back(c.cipher_suite);

    TlsServerConfig server;
    server.chain.push_back(std::move(certificate));
    server.key = std::move(key);
    server.min_version = server.max_version = c.version;
    server.resumption = c.resumption;
    server.cipher_suites = suites;
    server.groups = {c.group};
    POLYTLS_TRY(TlsContext server_context, backend_.make_server_context(std::move(server)));

    TlsClientConfig client;
    client.anchors.push_back(std::move(anchor));
    client.min_version = client.max_version = c.version;
    client.resumption = c.resumption;
    client.cipher_suites = suites;
    client.groups = {c.group};
    if (c.client_extra_group != 0) client.groups.push_back(c.client_extra_group);
    POLYTLS_TRY(TlsContext client_context, backend_.make_client_context(std::move(client)));

    server_ = std::move(server_context);
    client_ = std::move(client_context);
    return {};
  }

  Result<std::unique_ptr<Peer>> server(std::unique_ptr<Transport> io) override {
    POLYTLS_TRY(Session session, server_->accept(std::move(io)));
    return std::unique_ptr<Peer>(std::make_unique<PolytlsPeer>(std::move(session)));
  }

  Result<std::unique_ptr<Peer>> client(std::unique_ptr<Transport> io,
                                       const Ticket *resume) override {
    ClientSessionOptions options;
    options.host = "localhost";
    if (resume != nullptr) options.resume = &static_cast<const PolytlsTicket *>(resume)->ticket;
    POLYTLS_TRY(Session session, client_->connect(std::move(io), options));
    return std::unique_ptr<Peer>(std::make_unique<PolytlsPeer>(std::move(session)));
  }

  Result<std::unique_ptr<Ticket>> save(Peer &client) override {
    POLYTLS_TRY(SessionTicket ticket, static_cast<PolytlsPeer &>(client).session().export_ticket());
    return std::unique_ptr<Ticket>(std::make_unique<PolytlsTicket>(std::move(ticket)));
  }

 private:
  Backend backend_;
  std::optional<TlsContext> server_;
  std::optional<TlsContext> client_;
};

}  // namespace

std::unique_ptr<Engine> make_polytls_engine(const Backend &backend) {
  return std::make_unique<PolytlsEngine>(backend);
}

std::unique_ptr<Engine> make_direct_engine(const std::string &backend) {
#ifdef POLYTLS_BENCH_DIRECT_OPENSSL
  if (backend == "openssl") return make_direct_openssl();
#endif
#ifdef POLYTLS_BENCH_DIRECT_MBEDTLS
  if (backend == "mbedtls") return make_direct_mbedtls();
#endif
#ifdef POLYTLS_BENCH_DIRECT_WOLFSSL
  if (backend == "wolfssl") return make_direct_wolfssl();
#endif
#ifdef POLYTLS_BENCH_DIRECT_GNUTLS
  if (backend == "gnutls") return make_direct_gnutls();
#endif
  (void)backend;
  return nullptr;
}

}  // namespace polytls::bench
