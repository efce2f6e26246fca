#include "matrix.hpp"

#include <chrono>
#include <thread>

namespace polytls::matrix {

std::string_view to_string(TransportKind kind) noexcept {
  return kind == TransportKind::memory ? "memory" : "tcp";
}

std::string_view to_string(Status status) noexcept {
  switch (status) {
    case Status::pass: return "pass";
    case Status::fail: return "fail";
    default: return "n/a";
  }
}

namespace {

bool has_version(const Backend &b, TlsVersion v) {
  return b.supports(v == TlsVersion::tls12 ? Capability::tls12 : Capability::tls13);
}

bool has_algorithm(const Backend &b, KeyType type) {
  const uint32_t bit = 1u << static_cast<uint32_t>(algorithm_of(type));
  return (b.capabilities().key_algorithms & bit) != 0;
}

Certificate copy(const Certificate &cert, const Backend &b) {
  return b.load_certificate(cert.der()).value();
}

}  // namespace

std::optional<std::string> not_applicable(const Backend &server, const Backend &client,
                                          TlsVersion version, KeyType key_type) {
  const std::string v(polytls::to_string(version));
  if (!has_version(server, version)) return server.name() + " has no " + v;
  if (!has_version(client, version)) return client.name() + " has no " + v;
  const std::string k(polytls::to_string(key_type));
  if (!server.supports(key_type)) return server.name() + " has no " + k + " keys";
  if (!has_algorithm(client, key_type)) return client.name() + " cannot verify " + k;
  return std::nullopt;
}

std::vector<Cell> cells(const std::vector<Backend> &backends,
                        const std::vector<TransportKind> &transports) {
  std::vector<Cell> out;
  for (const Backend &server : backends) {
    for (const Backend &client : backends) {
      for (TlsVersion version : {TlsVersion::tls12, TlsVersion::tls13}) {
        for (KeyType type : kKeyTypes) {
          for (TransportKind transport : transports) {
            out.push_back(Cell{server.name(), client.name(), version, type, transport});
          }
        }
      }
    }
  }
  return out;
}

Result<Pki> make_pki(const Backend &b, KeyType key_type) {
  POLYTLS_TRY(Key ca_key, b.generate_key(KeyType::ecdsa_p256));
  CertificateSpec ca;
  ca.subject.add(NameAttribute::common_name, "polytls matrix CA");
  ca.is_ca = true;
  ca.path_length = 0;
  POLYTLS_TRY(Certificate ca_cert, b.self_sign(ca, ca_key));
  POLYTLS_TRY(Key server_key, b.generate_key(key_type));
  CertificateSpec leaf;
  leaf.subject.add(NameAttribute::common_name, "localhost");
  for (const char *san : {"DNS:localhost", "IP:127.0.0.1", "IP:::1"}) {
    leaf.subject_alt_names.push_back(SubjectAltName::parse(san).value());
  }
  POLYTLS_TRY(Certificate server, b.issue(leaf, server_key, ca_cert, ca_key));
  return Pki{std::move(ca_cert), std::move(server), std::move(server_key)};
}

namespace {

using Clock = std::chrono::steady_clock;

bool is_want(const Error &e) {
  return e.code() == ErrorCode::want_read || e.code() == ErrorCode::want_write;
}

// drive_memory pumps both sides over a non-blocking in-memory pair; `us`
// is the wall time of the whole handshake, both sides included.
Result<void> drive_memory(Session &client, Session &server, int64_t &us) {
  bool client_done = false, server_done = false;
  const auto start = Clock::now();
  for (int round = 0; round < 1000 && !(client_done && server_done); ++round) {
    if (!client_done) {
      auto r = client.handshake();
      if (r) {
        client_done = true;
      } else if (!is_want(r.error())) {
        return r.error().with_context("client");
      }
    }
    if (!server_done) {
      auto r = server.handshake();
      if (r) {
        server_done = true;
      } else if (!is_want(r.error())) {
        return r.error().with_context("server");
      }
    }
  }
  if (!client_done || !server_done) return Error(ErrorCode::timeout, "handshake did not finish");
  us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
  return ok();
}

Result<std::vector<uint8_t>> move_bytes(Session &from, Session &to, std::span<const uint8_t> data) {
  std::vector<uint8_t> got;
  std::vector<uint8_t> buffer(16384);
  std::size_t sent = 0;
  for (int round = 0; got.size() < data.size(); ++round) {
    if (round > 200000) return Error(ErrorCode::timeout, "data did not arrive");
    if (sent < data.size()) {
      auto w = from.write(data.subspan(sent));
      if (w) {
        sent += *w;
      } else if (!is_want(w.error())) {
        return w.error();
      }
    }
    auto r = to.read(buffer);
    if (r) {
      got.insert(got.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*r));
    } else if (!is_want(r.error())) {
      return r.error();
    }
  }
  return got;
}

std::vector<uint8_t> pattern(std::size_t n) {
  std::vector<uint8_t> out(n);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = static_cast<uint8_t>((i * 131 + 7) & 0xff);
  return out;
}

Result<SessionInfo> run_memory(const TlsContext &cctx, const TlsContext &sctx,
                               std::span<const uint8_t> payload, int64_t &us) {
  auto [a, b] = make_memory_pair();
  POLYTLS_TRY(Session client, cctx.connect(std::move(a), {.host = "localhost"}));
  POLYTLS_TRY(Session server, sctx.accept(std::move(b)));
  POLYTLS_CHECK(drive_memory(client, server, us));
  POLYTLS_TRY(auto up, move_bytes(client, server, payload));
  POLYTLS_TRY(auto down, move_bytes(server, client, payload));
  if (!std::equal(up.begin(), up.end(), payload.begin(), payload.end()) ||
      !std::equal(down.begin(), down.end(), payload.begin(), payload.end())) {
    return Error(ErrorCode::internal, "the payload arrived changed");
  }
  POLYTLS_CHECK(client.close());
  POLYTLS_CHECK(server.close());
  return client.info();
}

Result<SessionInfo> run_tcp(const TlsContext &cctx, const TlsContext &sctx,
                            std::span<const uint8_t> payload, int64_t &us) {
  POLYTLS_TRY(TcpListener listener, TcpListener::bind("127.0.0.1", 0));
  Result<void> server_result = ok();
  std::thread server([&] {
    auto run = [&]() -> Result<void> {
      POLYTLS_TRY(TcpStream stream, listener.accept(std::chrono::seconds(10)));
      stream.set_io_timeout(std::chrono::seconds(10));
      POLYTLS_TRY(Session session, sctx.accept(std::make_unique<TcpStream>(std::move(stream))));
      POLYTLS_CHECK(session.handshake());
      std::vector<uint8_t> got;
      std::vector<uint8_t> buffer(16384);
      while (got.size() < payload.size()) {
        POLYTLS_TRY(std::size_t n, session.read(buffer));
        got.insert(got.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
      }
      POLYTLS_CHECK(session.write_all(got));
      return session.close();
    };
    server_result = run();
  });
  auto client_run = [&]() -> Result<SessionInfo> {
    POLYTLS_TRY(TcpStream stream,
                TcpStream::connect("127.0.0.1", listener.port(), std::chrono::seconds(10)));
    stream.set_io_timeout(std::chrono::seconds(10));
    POLYTLS_TRY(Session session, cctx.connect(std::make_unique<TcpStream>(std::move(stream)),
                                              {.host = "127.0.0.1"}));
    const auto start = Clock::now();
    POLYTLS_CHECK(session.handshake());
    us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
    POLYTLS_CHECK(session.write_all(payload));
    std::vector<uint8_t> got;
    std::vector<uint8_t> buffer(16384);
    while (got.size() < payload.size()) {
      POLYTLS_TRY(std::size_t n, session.read(buffer));
      got.insert(got.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
    }
    if (!std::equal(got.begin(), got.end(), payload.begin(), payload.end())) {
      return Error(ErrorCode::internal, "the payload arrived changed");
    }
    POLYTLS_CHECK(session.close());
    return session.info();
  };
  Result<SessionInfo> info = client_run();
  server.join();
  if (!info) return info.error().with_context("client");
  if (!server_result) return server_result.error().with_context("server");
  return info;
}

}  // namespace

CellResult run_cell(const Cell &cell, const Pki &pki, std::size_t payload_size) {
  CellResult result;
  result.cell = cell;
  auto server = find_backend(cell.server);
  auto client = find_backend(cell.client);
  if (!server || !client) {
    result.status = Status::fail;
    result.reason = (!server ? server.error() : client.error()).message();
    return result;
  }
  if (auto why = not_applicable(*server, *client, cell.version, cell.key_type)) {
    result.reason = *why;
    return result;
  }
  auto fail = [&result](const Error &e) {
    result.status = Status::fail;
    result.reason = e.to_string();
    return result;
  };

  TlsServerConfig sc;
  sc.chain.push_back(copy(pki.server, *server));
  auto key_pem = pki.server_key.private_key_pem();
  if (!key_pem) return fail(key_pem.error());
  auto key = server->load_key(*key_pem);
  if (!key) return fail(key.error());
  sc.key = std::move(key).value();
  sc.min_version = sc.max_version = cell.version;
  sc.alpn = {"http/1.1"};
  TlsClientConfig cc;
  cc.anchors.push_back(copy(pki.ca, *client));
  cc.min_version = cc.max_version = cell.version;
  cc.alpn = {"http/1.1"};
  auto sctx = server->make_server_context(std::move(sc));
  if (!sctx) return fail(sctx.error());
  auto cctx = client->make_client_context(std::move(cc));
  if (!cctx) return fail(cctx.error());

  const std::vector<uint8_t> payload = pattern(payload_size);
  int64_t us = 0;
  Result<SessionInfo> info = cell.transport == TransportKind::memory
                                 ? run_memory(*cctx, *sctx, payload, us)
                                 : run_tcp(*cctx, *sctx, payload, us);
  if (!info) return fail(info.error());
  result.negotiated_version = std::string(polytls::to_string(info->version));
  result.cipher_suite = info->cipher_suite_name;
  result.group = info->group_name;
  result.handshake_us = us;
  if (info->version != cell.version) {
    return fail(Error(ErrorCode::protocol_version, "negotiated " + result.negotiated_version));
  }
  if (info->alpn != "http/1.1") {
    return fail(Error(ErrorCode::no_application_protocol, "ALPN is '" + info->alpn + "'"));
  }
  result.status = Status::pass;
  return result;
}

}  // namespace polytls::matrix
