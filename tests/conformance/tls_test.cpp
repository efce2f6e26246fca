// Conformance: TLS sessions on every backend (client and server on the same
// backend), over the in-memory transport and loopback TCP.
#include <gtest/gtest.h>

#include <thread>

#include "polytls/wire.hpp"
#include "tls_support.hpp"

namespace polytls::test {
namespace {

using TlsParam = std::tuple<std::string, TlsVersion>;

std::string version_tag(TlsVersion v) {
  return v == TlsVersion::tls12 ? "tls12" : "tls13";
}

class TlsTest : public ::testing::TestWithParam<TlsParam> {
 protected:
  Backend b() const { return backend(std::get<0>(GetParam())); }
  TlsVersion version() const { return std::get<1>(GetParam()); }
  const Pki &p(KeyType type = KeyType::ecdsa_p256) const {
    return pki(std::get<0>(GetParam()), type);
  }

  TlsServerConfig server_config(const Certificate &cert, const Key &key) const {
    TlsServerConfig c;
    c.chain = copies(cert, b());
    c.key = copy_key(key, b());
    c.min_version = c.max_version = version();
    c.alpn = {"h2", "http/1.1"};
    return c;
  }
  TlsServerConfig server_config() const { return server_config(p().server, p().server_key); }

  TlsClientConfig client_config(const Certificate *anchor = nullptr) const {
    TlsClientConfig c;
    c.anchors = copies(anchor != nullptr ? *anchor : p().ca, b());
    c.min_version = c.max_version = version();
    c.alpn = {"http/1.1", "h2"};
    return c;
  }

  // run makes both contexts and pumps a handshake over memory.
  HandshakeOutcome run(TlsClientConfig client, TlsServerConfig server,
                       std::string host = "localhost",
                       std::optional<SessionPair> *keep = nullptr) const {
    auto cctx = b().make_client_context(std::move(client));
    auto sctx = b().make_server_context(std::move(server));
    if (!cctx || !sctx) {
      ADD_FAILURE() << (!cctx ? cctx.error().to_string() : sctx.error().to_string());
      return {Error(ErrorCode::internal, "context"), Error(ErrorCode::internal, "context")};
    }
    auto pair = connect_memory(*cctx, *sctx, {.host = host});
    if (!pair) {
      ADD_FAILURE() << pair.error().to_string();
      return {pair.error(), pair.error()};
    }
    HandshakeOutcome out = pump(pair->client, pair->server);
    if (keep != nullptr) keep->emplace(std::move(pair).value());
    return out;
  }
};

TEST_P(TlsTest, HandshakesMovesDataAndClosesCleanly) {
  std::optional<SessionPair> pair;
  HandshakeOutcome out = run(client_config(), server_config(), "localhost", &pair);
  ASSERT_OK(out.client);
  ASSERT_OK(out.server);
  Session &client = pair->client;
  Session &server = pair->server;

  ASSERT_OK_AND_ASSIGN(SessionInfo ci, client.info());
  ASSERT_OK_AND_ASSIGN(SessionInfo si, server.info());
  EXPECT_EQ(ci.version, version());
  EXPECT_EQ(si.version, version());
  EXPECT_EQ(ci.cipher_suite, si.cipher_suite);
  EXPECT_FALSE(ci.cipher_suite_name.empty()) << std::hex << ci.cipher_suite;
  if (version() == TlsVersion::tls13) {
    EXPECT_TRUE(ci.cipher_suite_name.starts_with("TLS_AES_") ||
                ci.cipher_suite_name.starts_with("TLS_CHACHA20"))
        << ci.cipher_suite_name;
  } else {
    EXPECT_TRUE(ci.cipher_suite_name.starts_with("TLS_ECDHE_ECDSA_WITH_")) << ci.cipher_suite_name;
    EXPECT_TRUE(ci.cipher_suite_name.find("GCM") != std::string::npos ||
                ci.cipher_suite_name.find("CHACHA20") != std::string::npos)
        << ci.cipher_suite_name;
  }
  if (ci.group != 0) {
    EXPECT_FALSE(ci.group_name.empty()) << ci.group;
  }
  EXPECT_EQ(ci.alpn, "h2") << "the server's preference wins";
  EXPECT_EQ(si.alpn, "h2");
  EXPECT_EQ(si.server_name, "localhost");
  EXPECT_FALSE(ci.resumed);

  ASSERT_OK_AND_ASSIGN(std::vector<Certificate> chain, client.peer_certificates());
  ASSERT_FALSE(chain.empty());
  EXPECT_EQ(chain.front().der(), p().server.der());

  const std::string hello = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
  ASSERT_OK_AND_ASSIGN(auto got, transfer(client, server, bytes(hello)));
  EXPECT_EQ(std::string(got.begin(), got.end()), hello);
  const std::vector<uint8_t> big = random_payload(1 << 20);
  ASSERT_OK_AND_ASSIGN(auto back, transfer(server, client, big));
  EXPECT_TRUE(back == big) << "1 MiB from the server arrived changed";
  ASSERT_OK_AND_ASSIGN(auto up, transfer(client, server, big));
  EXPECT_TRUE(up == big) << "1 MiB from the client arrived changed";

  // close_notify both ways.
  ASSERT_OK(client.close());
  uint8_t buf[64];
  Result<std::size_t> r = Error(ErrorCode::want_read, {});
  for (int i = 0; i < 50 && !r && r.error().code() == ErrorCode::want_read; ++i)
    r = server.read(buf);
  EXPECT_ERROR(r, ErrorCode::peer_closed);
  ASSERT_OK(server.close());
  r = Error(ErrorCode::want_read, {});
  for (int i = 0; i < 50 && !r && r.error().code() == ErrorCode::want_read; ++i)
    r = client.read(buf);
  EXPECT_ERROR(r, ErrorCode::peer_closed);

  // On the wire: the payload never appears in plaintext, and the hellos say
  // what was negotiated.
  const auto sent = pair->tap->bytes(TapTransport::Direction::sent);
  const auto received = pair->tap->bytes(TapTransport::Direction::received);
  EXPECT_EQ(std::search(sent.begin(), sent.end(), hello.begin(), hello.end()), sent.end());
  ASSERT_OK_AND_ASSIGN(wire::Records out_records, wire::split_records(sent));
  ASSERT_OK_AND_ASSIGN(auto out_messages, wire::plaintext_handshake(out_records.records));
  ASSERT_FALSE(out_messages.empty());
  ASSERT_EQ(out_messages[0].type, wire::kClientHello);
  ASSERT_OK_AND_ASSIGN(wire::ClientHello ch, wire::parse_client_hello(out_messages[0].body));
  EXPECT_EQ(ch.legacy_version, 0x0303);
  EXPECT_EQ(ch.server_name, "localhost");
  EXPECT_EQ(ch.alpn, (std::vector<std::string>{"http/1.1", "h2"}));
  ASSERT_OK_AND_ASSIGN(wire::Records in_records, wire::split_records(received));
  ASSERT_OK_AND_ASSIGN(auto in_messages, wire::plaintext_handshake(in_records.records));
  ASSERT_FALSE(in_messages.empty());
  ASSERT_EQ(in_messages[0].type, wire::kServerHello);
  ASSERT_OK_AND_ASSIGN(wire::ServerHello sh, wire::parse_server_hello(in_messages[0].body));
  EXPECT_EQ(sh.legacy_version, 0x0303);
  EXPECT_EQ(sh.negotiated_version(), static_cast<uint16_t>(version()));
  EXPECT_EQ(sh.cipher_suite, ci.cipher_suite);
  if (version() == TlsVersion::tls13) {
    EXPECT_EQ(sh.selected_version, 0x0304) << "TLS 1.3 is negotiated through supported_versions";
    if (ci.group != 0) {
      EXPECT_EQ(sh.key_share_group, ci.group);
    }
  } else if (ci.group != 0) {
    for (const wire::HandshakeMessage &m : in_messages) {
      if (m.type == wire::kServerKeyExchange) {
        EXPECT_EQ(wire::server_key_exchange_group(m.body).value_or(0), ci.group);
      }
    }
  }
  bool saw_application_data = false;
  for (const wire::Record &rec : out_records.records) {
    saw_application_data |= rec.content_type == wire::kApplicationData;
  }
  EXPECT_TRUE(saw_application_data);
}

TEST_P(TlsTest, EveryKeyTypeItSupportsServes) {
  for (KeyType type : {KeyType::rsa2048, KeyType::ecdsa_p384, KeyType::ed25519}) {
    if (!b().supports(type)) continue;
    SCOPED_TRACE(std::string(to_string(type)));
    const Pki &pk = p(type);
    HandshakeOutcome out = run(client_config(&pk.ca), server_config(pk.server, pk.server_key));
    EXPECT_OK(out.client);
    EXPECT_OK(out.server);
  }
}

TEST_P(TlsTest, VerificationFailsWithTheRightCategory) {
  // Wrong CA.
  HandshakeOutcome untrusted = run(client_config(&p().other_ca), server_config());
  EXPECT_ERROR(untrusted.client, ErrorCode::untrusted);
  EXPECT_FALSE(untrusted.server.has_value());
  // Right CA, wrong name.
  HandshakeOutcome wrong_name = run(client_config(), server_config(), "example.org");
  EXPECT_ERROR(wrong_name.client, ErrorCode::hostname_mismatch);
  EXPECT_FALSE(wrong_name.server.has_value());
  // An IP host never skips the chain check...
  HandshakeOutcome ip_untrusted = run(client_config(&p().other_ca), server_config(), "127.0.0.1");
  EXPECT_ERROR(ip_untrusted.client, ErrorCode::untrusted);
  // ...and must be among the IP SANs.
  HandshakeOutcome ip_missing = run(client_config(), server_config(), "10.9.9.9");
  EXPECT_ERROR(ip_missing.client, ErrorCode::hostname_mismatch);
  HandshakeOutcome ip_ok = run(client_config(), server_config(), "::1");
  EXPECT_OK(ip_ok.client);
  // Wildcard SAN.
  HandshakeOutcome wildcard = run(client_config(), server_config(), "api.example.test");
  EXPECT_OK(wildcard.client);
  // Expired server certificate.
  HandshakeOutcome expired = run(client_config(), server_config(p().expired, p().server_key));
  EXPECT_ERROR(expired.client, ErrorCode::expired);
  // A self-signed server certificate trusted directly.
  HandshakeOutcome direct =
      run(client_config(&p().self_signed), server_config(p().self_signed, p().server_key));
  EXPECT_OK(direct.client);
  EXPECT_OK(direct.server);
}

TEST_P(TlsTest, TurningVerificationOffAcceptsAnythingButPins) {
  TlsClientConfig insecure = client_config(&p().other_ca);
  insecure.verify = false;
  HandshakeOutcome out =
      run(std::move(insecure), server_config(p().expired, p().server_key), "example.org");
  EXPECT_OK(out.client);
  EXPECT_OK(out.server);

  TlsClientConfig pinned = client_config();
  pinned.pins.push_back(spki_pin(p().server).value());
  EXPECT_OK(run(std::move(pinned), server_config()).client);

  TlsClientConfig wrong_pin = client_config();
  wrong_pin.pins.push_back(spki_pin(p().ca).value());
  HandshakeOutcome mismatch = run(std::move(wrong_pin), server_config());
  EXPECT_ERROR(mismatch.client, ErrorCode::pin_mismatch);

  TlsClientConfig insecure_pinned = client_config(&p().other_ca);
  insecure_pinned.verify = false;
  insecure_pinned.pins.push_back(spki_pin(p().ca).value());
  EXPECT_ERROR(run(std::move(insecure_pinned), server_config(), "example.org").client,
               ErrorCode::pin_mismatch);
}

TEST_P(TlsTest, AlpnMismatchFailsBothSides) {
  TlsClientConfig client = client_config();
  client.alpn = {"spdy/3"};
  HandshakeOutcome out = run(std::move(client), server_config());
  EXPECT_ERROR(out.server, ErrorCode::no_application_protocol);
  EXPECT_ERROR(out.client, ErrorCode::no_application_protocol);
  // A client without ALPN talks to a server with ALPN: no protocol, no failure.
  TlsClientConfig plain = client_config();
  plain.alpn.clear();
  std::optional<SessionPair> pair;
  HandshakeOutcome ok_out = run(std::move(plain), server_config(), "localhost", &pair);
  ASSERT_OK(ok_out.client);
  EXPECT_EQ(pair->client.info().value().alpn, "");
}

TEST_P(TlsTest, ClientCertificates) {
  TlsServerConfig require = server_config();
  require.client_auth = ClientAuth::require;
  require.client_anchors = copies(p().ca, b());
  // Required but absent: the server refuses; the client learns it from the
  // server's alert (in TLS 1.3 only at its first read).
  std::optional<SessionPair> refused;
  HandshakeOutcome absent = run(client_config(), std::move(require), "localhost", &refused);
  EXPECT_ERROR(absent.server, ErrorCode::handshake);
  if (absent.client) {
    EXPECT_FALSE(first_read(refused->client).has_value());
  }
  // Required and present.
  TlsServerConfig require2 = server_config();
  require2.client_auth = ClientAuth::require;
  require2.client_anchors = copies(p().ca, b());
  TlsClientConfig with_cert = client_config();
  with_cert.chain = copies(p().client, b());
  with_cert.key = copy_key(p().client_key, b());
  std::optional<SessionPair> pair;
  HandshakeOutcome present = run(std::move(with_cert), std::move(require2), "localhost", &pair);
  ASSERT_OK(present.client);
  ASSERT_OK(present.server);
  ASSERT_OK_AND_ASSIGN(auto client_chain, pair->server.peer_certificates());
  ASSERT_FALSE(client_chain.empty());
  EXPECT_EQ(client_chain.front().der(), p().client.der());
  // Requested (optional) and absent.
  TlsServerConfig request = server_config();
  request.client_auth = ClientAuth::request;
  request.client_anchors = copies(p().ca, b());
  HandshakeOutcome optional = run(client_config(), std::move(request));
  EXPECT_OK(optional.client);
  EXPECT_OK(optional.server);
  // A client certificate from a CA the server does not trust.
  TlsServerConfig require3 = server_config();
  require3.client_auth = ClientAuth::require;
  require3.client_anchors = copies(p().other_ca, b());
  TlsClientConfig with_cert2 = client_config();
  with_cert2.chain = copies(p().client, b());
  with_cert2.key = copy_key(p().client_key, b());
  HandshakeOutcome rejected = run(std::move(with_cert2), std::move(require3));
  EXPECT_ERROR(rejected.server, ErrorCode::untrusted);
}

TEST_P(TlsTest, SessionsResume) {
  if (!b().supports(Capability::resumption)) {
    TlsClientConfig c = client_config();
    c.resumption = true;
    EXPECT_ERROR(b().make_client_context(std::move(c)), ErrorCode::unsupported);
    return;
  }
  ASSERT_OK_AND_ASSIGN(TlsContext cctx, b().make_client_context(client_config()));
  ASSERT_OK_AND_ASSIGN(TlsContext sctx, b().make_server_context(server_config()));
  ASSERT_OK_AND_ASSIGN(SessionPair first, connect_memory(cctx, sctx, {.host = "localhost"}));
  ASSERT_TRUE(pump(first.client, first.server).both_ok());
  // TLS 1.3 tickets arrive after the handshake: exchange data first.
  ASSERT_OK(transfer(first.server, first.client, bytes("ticket, please")));
  ASSERT_OK(transfer(first.client, first.server, bytes("thanks")));
  ASSERT_OK_AND_ASSIGN(SessionTicket ticket, first.client.export_ticket());
  EXPECT_EQ(ticket.backend, b().name());
  EXPECT_FALSE(ticket.data.empty());
  ASSERT_OK_AND_ASSIGN(SessionPair second,
                       connect_memory(cctx, sctx, {.host = "localhost", .resume = &ticket}));
  HandshakeOutcome out = pump(second.client, second.server);
  ASSERT_OK(out.client);
  ASSERT_OK(out.server);
  EXPECT_TRUE(second.client.info().value().resumed);
  EXPECT_TRUE(second.server.info().value().resumed);
  ASSERT_OK_AND_ASSIGN(auto echoed, transfer(second.client, second.server, bytes("again")));
  EXPECT_EQ(std::string(echoed.begin(), echoed.end()), "again");

  // The session is checked on every resumed connection: offered for a name
  // the server's certificate does not cover, it does not get the client
  // past the host-name check (whatever the backend does with it).
  ASSERT_OK_AND_ASSIGN(SessionPair elsewhere,
                       connect_memory(cctx, sctx, {.host = "other.invalid", .resume = &ticket}));
  EXPECT_ERROR(pump(elsewhere.client, elsewhere.server).client, ErrorCode::hostname_mismatch);
  // And the same session still resumes for its own name, more than once.
  for (int i = 0; i < 2; ++i) {
    ASSERT_OK_AND_ASSIGN(SessionPair again,
                         connect_memory(cctx, sctx, {.host = "localhost", .resume = &ticket}));
    HandshakeOutcome resumed = pump(again.client, again.server);
    ASSERT_OK(resumed.client);
    ASSERT_OK(resumed.server);
    EXPECT_TRUE(again.client.info().value().resumed) << "connection " << i;
  }
}

TEST_P(TlsTest, KeyLogLinesAreNssFormat) {
  const bool can_log = version() == TlsVersion::tls12 ? b().supports(Capability::keylog_tls12)
                                                      : b().supports(Capability::keylog_tls13);
  std::vector<std::string> lines;
  TlsClientConfig client = client_config();
  client.keylog = [&lines](std::string_view line) { lines.emplace_back(line); };
  if (!can_log) {
    auto refused = b().make_client_context(std::move(client));
    EXPECT_ERROR(refused, ErrorCode::unsupported);
    if (!refused) {
      EXPECT_NE(
          refused.error().message().find("key logging for " + std::string(to_string(version()))),
          std::string::npos)
          << refused.error().message();
    }
    return;
  }
  std::optional<SessionPair> pair;
  ASSERT_OK(run(std::move(client), server_config(), "localhost", &pair).client);
  // Application data makes sure every secret has been logged.
  ASSERT_OK(transfer(pair->client, pair->server, bytes("x")));
  ASSERT_FALSE(lines.empty());
  const std::string wanted =
      version() == TlsVersion::tls12 ? "CLIENT_RANDOM " : "CLIENT_TRAFFIC_SECRET_0 ";
  bool found = false;
  for (const std::string &line : lines) {
    found |= line.starts_with(wanted);
    // LABEL <64 hex client random> <hex secret>
    const auto first = line.find(' ');
    const auto second = line.find(' ', first + 1);
    ASSERT_NE(second, std::string::npos) << line;
    EXPECT_EQ(second - first - 1, 64u) << line;
    EXPECT_EQ(line.find_first_not_of("0123456789abcdef", first + 1), second) << line;
    EXPECT_GE(line.size() - second - 1, 64u) << line;
  }
  EXPECT_TRUE(found) << "no " << wanted << "line";
}

TEST_P(TlsTest, TheSystemStoreIsATrustSource) {
  TempDir dir;
  write_text(dir / "bundle.pem", p().other_ca.pem() + p().ca.pem());
  ::setenv("POLYTLS_CA_FILE", (dir / "bundle.pem").c_str(), 1);
  TlsClientConfig system = client_config();
  system.anchors.clear();
  system.use_system_store = true;
  HandshakeOutcome out = run(std::move(system), server_config());
  EXPECT_OK(out.client);
  ::setenv("POLYTLS_CA_FILE", (dir / "missing.pem").c_str(), 1);
  TlsClientConfig missing = client_config();
  missing.use_system_store = true;
  auto refused = b().make_client_context(std::move(missing));
  EXPECT_ERROR(refused, ErrorCode::not_found);
  if (!refused) {
    EXPECT_NE(refused.error().message().find("system trust store"), std::string::npos);
  }
  ::unsetenv("POLYTLS_CA_FILE");
}

TEST_P(TlsTest, WorksOverLoopbackTcpInBlockingMode) {
  ASSERT_OK_AND_ASSIGN(TlsContext sctx, b().make_server_context(server_config()));
  ASSERT_OK_AND_ASSIGN(TlsContext cctx, b().make_client_context(client_config()));
  for (const char *host : {"127.0.0.1", "::1"}) {
    SCOPED_TRACE(host);
    auto listener = TcpListener::bind(host, 0);
    if (!listener)
      GTEST_SKIP() << host << " is not available here: " << listener.error().to_string();
    std::string server_got;
    Result<void> server_result = ok();
    std::thread server([&] {
      auto stream = listener->accept(std::chrono::seconds(10));
      if (!stream) {
        server_result = stream.error();
        return;
      }
      stream->set_io_timeout(std::chrono::seconds(10));
      auto session = sctx.accept(std::make_unique<TcpStream>(std::move(stream).value()));
      if (!session) {
        server_result = session.error();
        return;
      }
      if (auto h = session->handshake(); !h) {
        server_result = h.error();
        return;
      }
      uint8_t buf[256];
      auto n = session->read(buf);
      if (!n) {
        server_result = n.error();
        return;
      }
      server_got.assign(reinterpret_cast<char *>(buf), *n);
      server_result = session->write_all(bytes("pong"));
      (void)session->close();
    });
    auto stream = TcpStream::connect(host, listener->port(), std::chrono::seconds(10));
    ASSERT_OK(stream);
    auto session =
        cctx.connect(std::make_unique<TcpStream>(std::move(stream).value()), {.host = host});
    ASSERT_OK(session);
    EXPECT_OK(session->handshake());
    EXPECT_OK(session->write_all(bytes("ping")));
    uint8_t buf[16];
    auto n = session->read(buf);
    server.join();
    ASSERT_OK(server_result);
    ASSERT_OK(n);
    EXPECT_EQ(std::string(reinterpret_cast<char *>(buf), *n), "pong");
    EXPECT_EQ(server_got, "ping");
  }
}

TEST_P(TlsTest, GarbageAndSilenceFailCleanly) {
  ASSERT_OK_AND_ASSIGN(TlsContext sctx, b().make_server_context(server_config()));
  {
    auto [a, c] = make_memory_pair();
    ASSERT_OK(a->send(bytes("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")));
    ASSERT_OK_AND_ASSIGN(Session s, sctx.accept(std::move(c)));
    Result<void> r = Error(ErrorCode::want_read, {});
    for (int i = 0; i < 20 && !r && r.error().code() == ErrorCode::want_read; ++i)
      r = s.handshake();
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().code(), ErrorCode::want_read);
    EXPECT_NE(r.error().code(), ErrorCode::internal) << r.error().to_string();
  }
  {
    // The client goes away mid-handshake.
    auto [a, c] = make_memory_pair();
    ASSERT_OK_AND_ASSIGN(Session s, sctx.accept(std::move(c)));
    a.reset();
    auto r = s.handshake();
    ASSERT_FALSE(r.has_value());
    EXPECT_TRUE(r.error().code() == ErrorCode::peer_closed || r.error().code() == ErrorCode::io)
        << r.error().to_string();
  }
  {
    // A transport failure's own category comes back.
    auto [a, c] = make_memory_pair({.blocking = true, .timeout = std::chrono::milliseconds(20)});
    ASSERT_OK_AND_ASSIGN(Session s, sctx.accept(std::move(c)));
    EXPECT_ERROR(s.handshake(), ErrorCode::timeout);
  }
}

// One client and one server context, with client certificates both ways,
// used by several threads at once: every backend says its contexts may be
// shared between threads (Mbed TLS lends each handshake its own copy of the
// keys and anchors, whose EC and RSA objects keep per-operation state).
TEST_P(TlsTest, OneContextPairServesSeveralThreadsAtOnce) {
  for (KeyType type : {KeyType::ecdsa_p256, KeyType::rsa2048}) {
    if (!b().supports(type)) continue;
    SCOPED_TRACE(std::string(to_string(type)));
    const Pki &pk = p(type);
    TlsServerConfig server = server_config(pk.server, pk.server_key);
    server.client_auth = ClientAuth::require;
    server.client_anchors = copies(pk.ca, b());
    TlsClientConfig client = client_config(&pk.ca);
    client.chain = copies(pk.client, b());
    client.key = copy_key(pk.client_key, b());
    ASSERT_OK_AND_ASSIGN(TlsContext sctx, b().make_server_context(std::move(server)));
    ASSERT_OK_AND_ASSIGN(TlsContext cctx, b().make_client_context(std::move(client)));

    constexpr int kThreads = 4;
    constexpr int kEach = 5;
    std::vector<std::string> failures(kThreads);
    std::vector<int> done(kThreads, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) {
          auto pair = connect_memory(cctx, sctx, {.host = "localhost"});
          if (!pair) {
            failures[t] = pair.error().to_string();
            return;
          }
          HandshakeOutcome out = pump(pair->client, pair->server);
          if (!out.both_ok()) {
            failures[t] =
                !out.client ? out.client.error().to_string() : out.server.error().to_string();
            return;
          }
          const std::vector<uint8_t> payload = random_payload(20000, static_cast<uint32_t>(t));
          auto got = transfer(pair->client, pair->server, payload);
          if (!got || *got != payload) {
            failures[t] = got ? "the payload arrived changed" : got.error().to_string();
            return;
          }
          ++done[t];
        }
      });
    }
    for (std::thread &thread : threads)
      thread.join();
    for (int t = 0; t < kThreads; ++t) {
      EXPECT_EQ(failures[t], "") << "thread " << t;
      EXPECT_EQ(done[t], kEach) << "thread " << t;
    }
  }
}

// Many handshakes in flight on one context pair at once (more than a backend
// might keep for reuse), then data on every connection after all of them
// completed, then the connections go in another order than they came.
TEST_P(TlsTest, ManyHandshakesInFlightOnOneContext) {
  ASSERT_OK_AND_ASSIGN(TlsContext sctx, b().make_server_context(server_config()));
  ASSERT_OK_AND_ASSIGN(TlsContext cctx, b().make_client_context(client_config()));
  constexpr int kPairs = 80;
  std::vector<std::optional<SessionPair>> pairs;
  for (int i = 0; i < kPairs; ++i) {
    ASSERT_OK_AND_ASSIGN(SessionPair pair, connect_memory(cctx, sctx, {.host = "localhost"}));
    pairs.emplace_back(std::move(pair));
  }
  // Every client's first flight before any server answers.
  for (auto &pair : pairs) {
    auto r = pair->client.handshake();
    ASSERT_FALSE(r.has_value());
    ASSERT_EQ(r.error().code(), ErrorCode::want_read) << r.error().to_string();
  }
  for (auto &pair : pairs) {
    HandshakeOutcome out = pump(pair->client, pair->server);
    ASSERT_OK(out.client);
    ASSERT_OK(out.server);
  }
  for (int i = 0; i < kPairs; ++i) {
    const std::vector<uint8_t> payload = random_payload(3000, static_cast<uint32_t>(i));
    ASSERT_OK_AND_ASSIGN(auto got, transfer(pairs[i]->server, pairs[i]->client, payload));
    EXPECT_TRUE(got == payload) << "connection " << i;
  }
  // Every other connection first, then the rest, with a new handshake between.
  for (int i = 0; i < kPairs; i += 2)
    pairs[i].reset();
  {
    ASSERT_OK_AND_ASSIGN(SessionPair pair, connect_memory(cctx, sctx, {.host = "localhost"}));
    HandshakeOutcome out = pump(pair.client, pair.server);
    EXPECT_OK(out.client);
    EXPECT_OK(out.server);
  }
  for (int i = 1; i < kPairs; i += 2) {
    ASSERT_OK_AND_ASSIGN(auto got,
                         transfer(pairs[i]->client, pairs[i]->server, bytes("still here")));
    EXPECT_EQ(std::string(got.begin(), got.end()), "still here") << "connection " << i;
  }
  pairs.clear();
}

TEST_P(TlsTest, NoCommonVersionIsProtocolVersion) {
  const TlsVersion other = version() == TlsVersion::tls12 ? TlsVersion::tls13 : TlsVersion::tls12;
  if (!supports_version(b(), other)) {
    TlsClientConfig c = client_config();
    c.min_version = c.max_version = other;
    EXPECT_ERROR(b().make_client_context(std::move(c)), ErrorCode::unsupported);
    return;
  }
  TlsClientConfig client = client_config();
  client.min_version = client.max_version = other;
  HandshakeOutcome out = run(std::move(client), server_config());
  EXPECT_ERROR(out.client, ErrorCode::protocol_version);
  EXPECT_ERROR(out.server, ErrorCode::protocol_version);
}

std::vector<TlsParam> tls_params() {
  std::vector<TlsParam> out;
  for (const std::string &name : backend_names()) {
    for (TlsVersion v : {TlsVersion::tls12, TlsVersion::tls13}) {
      if (supports_version(backend(name), v)) out.emplace_back(name, v);
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Backends, TlsTest, ::testing::ValuesIn(tls_params()),
                         [](const ::testing::TestParamInfo<TlsParam> &p) {
                           return param_name(std::get<0>(p.param) + "_" +
                                             version_tag(std::get<1>(p.param)));
                         });
// A build may hold no backend with TLS (one still being written): then
// TlsCapabilityTest below checks that each says so.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(TlsTest);

// ---- Choosing cipher suites and groups ----------------------------------

// offered drops the signalling values a ClientHello may carry besides its
// suites and groups (renegotiation SCSV, GREASE).
std::vector<uint16_t> offered(const std::vector<uint16_t> &values) {
  std::vector<uint16_t> out;
  for (uint16_t v : values) {
    if (v == 0x00FF || v == 0x5600 || (v & 0x0F0F) == 0x0A0A) continue;
    out.push_back(v);
  }
  return out;
}

// Hellos is what the tap saw of a handshake.
struct Hellos {
  wire::ClientHello client;
  wire::ServerHello server;
  std::optional<uint16_t> server_key_exchange_group;  // TLS 1.2
};

Result<Hellos> hellos(const SessionPair &pair) {
  const auto sent = pair.tap->bytes(TapTransport::Direction::sent);
  const auto received = pair.tap->bytes(TapTransport::Direction::received);
  POLYTLS_TRY(wire::Records out_records, wire::split_records(sent));
  POLYTLS_TRY(auto out_messages, wire::plaintext_handshake(out_records.records));
  POLYTLS_TRY(wire::Records in_records, wire::split_records(received));
  POLYTLS_TRY(auto in_messages, wire::plaintext_handshake(in_records.records));
  if (out_messages.empty() || out_messages[0].type != wire::kClientHello || in_messages.empty() ||
      in_messages[0].type != wire::kServerHello) {
    return Error(ErrorCode::bad_input, "no ClientHello / ServerHello on the wire");
  }
  Hellos h;
  POLYTLS_TRY(h.client, wire::parse_client_hello(out_messages[0].body));
  POLYTLS_TRY(h.server, wire::parse_server_hello(in_messages[0].body));
  for (const wire::HandshakeMessage &m : in_messages) {
    if (m.type == wire::kServerKeyExchange) {
      if (auto g = wire::server_key_exchange_group(m.body)) h.server_key_exchange_group = *g;
    }
  }
  return h;
}

// key_type_for is the certificate a TLS 1.2 suite needs (TLS 1.3: any).
KeyType key_type_for(uint16_t suite) {
  const std::string_view name = cipher_suite_name(suite);
  return name.find("_RSA_") != std::string_view::npos ? KeyType::rsa2048 : KeyType::ecdsa_p256;
}

class TlsSelectTest : public TlsTest {
 protected:
  // pair_for makes a client and server config on the PKI of `type`.
  std::pair<TlsClientConfig, TlsServerConfig> configs(KeyType type) const {
    const Pki &pk = p(type);
    return {client_config(&pk.ca), server_config(pk.server, pk.server_key)};
  }
};

TEST_P(TlsSelectTest, EachAllowedSuiteNegotiatesExactlyThatSuite) {
  ASSERT_TRUE(b().supports(Capability::tls_select));
  for (uint16_t suite : secure_cipher_suites(version())) {
    SCOPED_TRACE(std::string(cipher_suite_name(suite)));
    auto [client, server] = configs(key_type_for(suite));
    client.cipher_suites = {suite};
    server.cipher_suites = {suite};
    std::optional<SessionPair> pair;
    HandshakeOutcome out = run(std::move(client), std::move(server), "localhost", &pair);
    ASSERT_OK(out.client);
    ASSERT_OK(out.server);
    ASSERT_OK_AND_ASSIGN(SessionInfo ci, pair->client.info());
    ASSERT_OK_AND_ASSIGN(SessionInfo si, pair->server.info());
    EXPECT_EQ(ci.cipher_suite, suite);
    EXPECT_EQ(si.cipher_suite, suite);
    EXPECT_EQ(ci.cipher_suite_name, cipher_suite_name(suite));
    ASSERT_OK_AND_ASSIGN(Hellos h, hellos(*pair));
    EXPECT_EQ(h.server.cipher_suite, suite);
    EXPECT_EQ(offered(h.client.cipher_suites), std::vector<uint16_t>{suite})
        << "the client offers exactly the one suite";
    ASSERT_OK_AND_ASSIGN(auto echoed, transfer(pair->client, pair->server, bytes("restricted")));
    EXPECT_EQ(std::string(echoed.begin(), echoed.end()), "restricted");
  }
}

TEST_P(TlsSelectTest, EachGroupNegotiatesExactlyThatGroup) {
  // TLS 1.2 with an RSA certificate: there the groups also limit the curve
  // of an ECDSA certificate (RFC 8422), which is not what is tested here.
  const KeyType type = version() == TlsVersion::tls12 ? KeyType::rsa2048 : KeyType::ecdsa_p256;
  for (uint16_t group : secure_groups()) {
    SCOPED_TRACE(std::string(group_name(group)));
    auto [client, server] = configs(type);
    client.groups = {group};
    server.groups = {group};
    std::optional<SessionPair> pair;
    HandshakeOutcome out = run(std::move(client), std::move(server), "localhost", &pair);
    ASSERT_OK(out.client);
    ASSERT_OK(out.server);
    ASSERT_OK_AND_ASSIGN(SessionInfo ci, pair->client.info());
    ASSERT_OK_AND_ASSIGN(SessionInfo si, pair->server.info());
    if (ci.group != 0) {
      EXPECT_EQ(ci.group, group);
    }
    if (si.group != 0) {
      EXPECT_EQ(si.group, group);
    }
    ASSERT_OK_AND_ASSIGN(Hellos h, hellos(*pair));
    EXPECT_EQ(offered(h.client.groups), std::vector<uint16_t>{group});
    if (version() == TlsVersion::tls13) {
      EXPECT_FALSE(h.server.hello_retry_request);
      EXPECT_EQ(offered(h.client.key_share_groups), std::vector<uint16_t>{group});
      EXPECT_EQ(h.server.key_share_group.value_or(0), group);
    } else {
      EXPECT_EQ(h.server_key_exchange_group.value_or(0), group);
    }
  }
}

TEST_P(TlsSelectTest, TheFirstGroupGetsTheKeyShare) {
  if (version() != TlsVersion::tls13) GTEST_SKIP() << "key shares are TLS 1.3";
  for (uint16_t first : secure_groups()) {
    SCOPED_TRACE(std::string(group_name(first)));
    auto [client, server] = configs(KeyType::ecdsa_p256);
    client.groups = {first};
    for (uint16_t g : secure_groups()) {
      if (g != first) client.groups.push_back(g);
    }
    server.groups = {first};
    std::optional<SessionPair> pair;
    HandshakeOutcome out = run(std::move(client), std::move(server), "localhost", &pair);
    ASSERT_OK(out.client);
    ASSERT_OK(out.server);
    ASSERT_OK_AND_ASSIGN(Hellos h, hellos(*pair));
    EXPECT_EQ(offered(h.client.groups).front(), first);
    ASSERT_FALSE(h.client.key_share_groups.empty());
    EXPECT_EQ(h.client.key_share_groups.front(), first);
    EXPECT_FALSE(h.server.hello_retry_request) << "no HelloRetryRequest for the first group";
    EXPECT_EQ(h.server.key_share_group.value_or(0), first);
    const uint16_t reported = pair->client.info().value().group;
    if (reported != 0) {
      EXPECT_EQ(reported, first);
    }
  }
}

// A server knows there is nothing in common (`no_shared_cipher`); the client
// only sees its handshake_failure alert, which in TLS 1.2 also stands for
// other refusals (a missing client certificate): `handshake`, on every backend.
TEST_P(TlsSelectTest, DisjointSelectionsHaveNoSharedCipher) {
  const auto suites = secure_cipher_suites(version());
  // Two suites the same certificate can serve.
  const uint16_t a = suites[0];
  const uint16_t other = version() == TlsVersion::tls13 ? suites[1] : suites[2];
  ASSERT_EQ(key_type_for(a), key_type_for(other));
  {
    auto [client, server] = configs(key_type_for(a));
    client.cipher_suites = {a};
    server.cipher_suites = {other};
    HandshakeOutcome out = run(std::move(client), std::move(server));
    EXPECT_ERROR(out.server, ErrorCode::no_shared_cipher);
    EXPECT_ERROR(out.client, ErrorCode::handshake);
  }
  {
    const KeyType type = version() == TlsVersion::tls12 ? KeyType::rsa2048 : KeyType::ecdsa_p256;
    auto [client, server] = configs(type);
    client.groups = {0x001d};
    server.groups = {0x0017, 0x0018};
    HandshakeOutcome out = run(std::move(client), std::move(server));
    EXPECT_ERROR(out.server, ErrorCode::no_shared_cipher);
    EXPECT_ERROR(out.client, ErrorCode::handshake);
  }
}

TEST_P(TlsSelectTest, TheServersOrderWins) {
  // AES-128-GCM and AES-256-GCM with the same certificate, in both orders.
  const uint16_t aes128 = version() == TlsVersion::tls13 ? 0x1301 : 0xC02B;
  const uint16_t aes256 = version() == TlsVersion::tls13 ? 0x1302 : 0xC02C;
  for (const auto &[server_order, client_order] :
       {std::pair{std::vector<uint16_t>{aes256, aes128}, std::vector<uint16_t>{aes128, aes256}},
        std::pair{std::vector<uint16_t>{aes128, aes256}, std::vector<uint16_t>{aes256, aes128}}}) {
    const uint16_t expected = server_order.front();
    SCOPED_TRACE(std::string(cipher_suite_name(expected)));
    auto [client, server] = configs(KeyType::ecdsa_p256);
    client.cipher_suites = client_order;
    server.cipher_suites = server_order;
    std::optional<SessionPair> pair;
    HandshakeOutcome out = run(std::move(client), std::move(server), "localhost", &pair);
    ASSERT_OK(out.client);
    ASSERT_OK(out.server);
    EXPECT_EQ(pair->server.info().value().cipher_suite, expected);
    ASSERT_OK_AND_ASSIGN(Hellos h, hellos(*pair));
    EXPECT_EQ(offered(h.client.cipher_suites), client_order) << "the client's order as given";
    EXPECT_EQ(h.server.cipher_suite, expected);
  }
}

TEST_P(TlsSelectTest, SuitesOfBothVersionsAndMixedSetsWhereTheLibraryCan) {
  // Within its range a context gets one list for both versions.
  if (supports_version(b(), TlsVersion::tls12) && supports_version(b(), TlsVersion::tls13)) {
    auto [client, server] = configs(KeyType::ecdsa_p256);
    client.min_version = server.min_version = TlsVersion::tls12;
    client.max_version = server.max_version = TlsVersion::tls13;
    client.cipher_suites = {0x1303, 0xCCA9};
    server.cipher_suites = {0x1303, 0xCCA9};
    client.max_version = version();  // the client decides the version here
    std::optional<SessionPair> pair;
    HandshakeOutcome out = run(std::move(client), std::move(server), "localhost", &pair);
    ASSERT_OK(out.client);
    EXPECT_EQ(pair->client.info().value().cipher_suite,
              version() == TlsVersion::tls13 ? 0x1303 : 0xCCA9);
  }
  // A set that is not every key exchange times every cipher: OpenSSL, Mbed
  // TLS and wolfSSL take any list; a GnuTLS priority string enables key
  // exchanges and ciphers, not single suites, so GnuTLS cannot offer it.
  if (version() != TlsVersion::tls12) return;
  TlsClientConfig client = client_config();
  client.cipher_suites = {0xC02B, 0xC030};
  auto made = b().make_client_context(std::move(client));
  if (b().name() == "gnutls") {
    EXPECT_ERROR(made, ErrorCode::unsupported);
    if (!made) {
      EXPECT_NE(made.error().to_string().find("would also enable TLS_ECDHE_"), std::string::npos)
          << made.error().to_string();
    }
  } else {
    EXPECT_OK(made);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, TlsSelectTest, ::testing::ValuesIn(tls_params()),
                         [](const ::testing::TestParamInfo<TlsParam> &p) {
                           return param_name(std::get<0>(p.param) + "_" +
                                             version_tag(std::get<1>(p.param)));
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(TlsSelectTest);

// TlsCapabilityTest: what a backend lacks is `unsupported`, by name.
class TlsCapabilityTest : public ::testing::TestWithParam<std::string> {};

TEST_P(TlsCapabilityTest, MissingVersionsAndFeaturesAreUnsupported) {
  const Backend b = backend(GetParam());
  const Pki &pk = pki(GetParam(), KeyType::ecdsa_p256);
  for (TlsVersion v : {TlsVersion::tls12, TlsVersion::tls13}) {
    if (supports_version(b, v)) continue;
    TlsClientConfig c;
    c.anchors = copies(pk.ca, b);
    c.min_version = c.max_version = v;
    auto refused = b.make_client_context(std::move(c));
    EXPECT_ERROR(refused, ErrorCode::unsupported);
    if (!refused) {
      EXPECT_NE(refused.error().message().find(std::string(to_string(v))), std::string::npos);
      EXPECT_EQ(refused.error().backend(), GetParam());
    }
  }
  // The default range (1.2 to 1.3) works on any backend with some TLS.
  TlsClientConfig defaults;
  defaults.anchors = copies(pk.ca, b);
  if (has_tls(b)) {
    EXPECT_OK(b.make_client_context(std::move(defaults)));
  } else {
    EXPECT_ERROR(b.make_client_context(std::move(defaults)), ErrorCode::unsupported);
  }
}

TEST_P(TlsCapabilityTest, ConfigurationMistakesAreBadInput) {
  const Backend b = backend(GetParam());
  if (!has_tls(b)) return;
  const Pki &pk = pki(GetParam(), KeyType::ecdsa_p256);
  TlsClientConfig no_anchors;
  EXPECT_ERROR(b.make_client_context(std::move(no_anchors)), ErrorCode::bad_input);
  TlsServerConfig no_cert;
  EXPECT_ERROR(b.make_server_context(std::move(no_cert)), ErrorCode::bad_input);
  TlsServerConfig wrong_key;
  wrong_key.chain = copies(pk.server, b);
  wrong_key.key = copy_key(pk.client_key, b);
  EXPECT_ERROR(b.make_server_context(std::move(wrong_key)), ErrorCode::bad_input);
  TlsClientConfig backwards;
  backwards.anchors = copies(pk.ca, b);
  backwards.min_version = TlsVersion::tls13;
  backwards.max_version = TlsVersion::tls12;
  EXPECT_ERROR(b.make_client_context(std::move(backwards)), ErrorCode::bad_input);
  TlsClientConfig bad_alpn;
  bad_alpn.anchors = copies(pk.ca, b);
  bad_alpn.alpn = {""};
  EXPECT_ERROR(b.make_client_context(std::move(bad_alpn)), ErrorCode::bad_input);
  // Cipher suite and group selections the core refuses on every backend.
  const auto refused = [&b, &pk](std::vector<uint16_t> suites, std::vector<uint16_t> groups,
                                 TlsVersion min, TlsVersion max, std::string_view words) {
    TlsClientConfig c;
    c.anchors = copies(pk.ca, b);
    c.cipher_suites = std::move(suites);
    c.groups = std::move(groups);
    c.min_version = min;
    c.max_version = max;
    auto made = b.make_client_context(std::move(c));
    EXPECT_ERROR(made, ErrorCode::bad_input);
    if (!made) {
      EXPECT_NE(made.error().message().find(words), std::string::npos) << made.error().message();
    }
  };
  const TlsVersion v12 = TlsVersion::tls12, v13 = TlsVersion::tls13;
  refused({0x0035}, {}, v12, v13, "TLS_RSA_WITH_AES_256_CBC_SHA (0x0035) is not one polytls");
  refused({0x9999}, {}, v12, v13, "0x9999 is not one polytls allows");
  refused({0xC02B}, {}, v13, v13, "none for TLS 1.3");
  refused({0x1301}, {}, v12, v13, "none for TLS 1.2");
  refused({0x1301, 0xC02B, 0x1301}, {}, v12, v13, "listed twice");
  refused({}, {0x0019}, v12, v13, "secp521r1 (0x0019) is not one polytls allows");
  refused({}, {0x001d, 0x001d}, v12, v13, "x25519 (0x001d) is listed twice");
  // A verifying client must be told which host it talks to.
  TlsClientConfig fine;
  fine.anchors = copies(pk.ca, b);
  ASSERT_OK_AND_ASSIGN(TlsContext ctx, b.make_client_context(std::move(fine)));
  auto [a, c] = make_memory_pair();
  EXPECT_ERROR(ctx.connect(std::move(a), {}), ErrorCode::bad_input);
  EXPECT_ERROR(ctx.accept(std::move(c)), ErrorCode::bad_input);
}

INSTANTIATE_TEST_SUITE_P(Backends, TlsCapabilityTest, ::testing::ValuesIn(backend_names()),
                         BackendParamName());

}  // namespace
}  // namespace polytls::test
