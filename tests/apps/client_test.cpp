// polytls-client end to end, on every backend and each TLS version it has,
// against a small HTTPS server in the test (the same backend, on
// 127.0.0.1, one canned answer per connection) and against
// `openssl s_server -www`: the body, -v, --trace, --pcap with key logs that
// tshark decrypts, every distinct exit code, client certificates.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>

#include "tls_support.hpp"

namespace polytls::test {
namespace {

using Param = std::tuple<std::string, TlsVersion>;
using namespace std::chrono_literals;

constexpr const char *kBody = "hello from the polytls-client test server\n";

// answer is a complete HTTP/1.1 response with a Content-Length.
std::string answer(int status, const std::string &reason, const std::string &body) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

// HttpsServer serves one canned answer per connection on 127.0.0.1 (a port
// the system chose), in a thread, until it is destroyed. Every wait is
// bounded: accept polls a stop flag, each connection has I/O timeouts.
class HttpsServer {
 public:
  HttpsServer(TlsContext context, TcpListener listener, std::string response)
      : context_(std::move(context)),
        listener_(std::move(listener)),
        response_(std::move(response)) {
    thread_ = std::thread([this] { serve(); });
  }
  HttpsServer(const HttpsServer &) = delete;
  HttpsServer &operator=(const HttpsServer &) = delete;
  ~HttpsServer() {
    stop_ = true;
    thread_.join();
  }

  uint16_t port() const { return listener_.port(); }
  std::string url(const std::string &path = "/", const std::string &host = "localhost") const {
    return "https://" + host + ":" + std::to_string(port()) + path;
  }
  // requests are the request heads received, one per connection that got that far.
  std::vector<std::string> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  // failures say how each failed connection ended on the server's side.
  std::vector<std::string> failures() const {
    std::lock_guard lock(mutex_);
    return failures_;
  }
  std::optional<SessionInfo> last_info() const {
    std::lock_guard lock(mutex_);
    return info_;
  }

 private:
  void serve() {
    while (!stop_) {
      auto stream = listener_.accept(100ms);
      if (!stream) continue;  // timeout: look at the stop flag again
      if (auto served = handle(std::move(stream).value()); !served) {
        std::lock_guard lock(mutex_);
        failures_.push_back(served.error().to_string());
      }
    }
  }

  Result<void> handle(TcpStream stream) {
    stream.set_io_timeout(10s);
    POLYTLS_TRY(Session session, context_.accept(std::make_unique<TcpStream>(std::move(stream))));
    if (auto done = session.handshake(); !done) {
      // Close as real servers do (a lingering close): read what the client
      // still sends until it closes, so the kernel does not reset the
      // connection and discard the alert before the client reads it.
      uint8_t sink[4096];
      auto &tcp = static_cast<TcpStream &>(session.transport());
      tcp.set_io_timeout(2s);
      for (int i = 0; i < 64; ++i) {
        auto n = tcp.recv(sink);
        if (!n || *n == 0) break;
      }
      return done.error();
    }
    {
      std::lock_guard lock(mutex_);
      info_ = session.info().value_or(SessionInfo{});
    }
    std::string request;
    uint8_t buf[4096];
    while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536) {
      POLYTLS_TRY(std::size_t n, session.read(buf));
      request.append(reinterpret_cast<char *>(buf), n);
    }
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
    }
    POLYTLS_CHECK(session.write_all(bytes(response_)));
    return session.close();
  }

  TlsContext context_;
  TcpListener listener_;
  std::string response_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
  std::vector<std::string> failures_;
  std::optional<SessionInfo> info_;
  std::thread thread_;
};

class ClientTest : public ::testing::TestWithParam<Param> {
 protected:
  void SetUp() override {
    write_text(dir_ / "ca.pem", p().ca.pem());
    write_text(dir_ / "other-ca.pem", p().other_ca.pem());
    write_text(dir_ / "self-signed.pem", p().self_signed.pem());
    write_text(dir_ / "client.pem", p().client.pem());
    write_text(dir_ / "client-key.pem", p().client_key.private_key_pem("client secret").value());
  }

  std::string name() const { return std::get<0>(GetParam()); }
  Backend b() const { return backend(name()); }
  TlsVersion version() const { return std::get<1>(GetParam()); }
  const Pki &p() const { return pki(name(), KeyType::ecdsa_p256); }
  std::string at(const std::string &file) const { return (dir_ / file).string(); }
  bool has(TlsVersion v) const { return supports_version(b(), v); }

  // server_config serves `version()` only, with the PKI's server certificate.
  TlsServerConfig server_config() const {
    TlsServerConfig c;
    c.chain = copies(p().server, b());
    c.key = copy_key(p().server_key, b());
    c.min_version = c.max_version = version();
    c.alpn = {"http/1.1"};
    return c;
  }

  std::unique_ptr<HttpsServer> serve(TlsServerConfig config,
                                     std::string response = answer(200, "OK", kBody)) {
    auto context = b().make_server_context(std::move(config));
    EXPECT_TRUE(context.has_value()) << context.error().to_string();
    auto listener = TcpListener::bind("127.0.0.1", 0);
    EXPECT_TRUE(listener.has_value()) << listener.error().to_string();
    if (!context || !listener) return nullptr;
    return std::make_unique<HttpsServer>(std::move(context).value(), std::move(listener).value(),
                                         std::move(response));
  }

  ProcessResult client(std::vector<std::string> args, const std::vector<std::string> &env = {}) {
    args.insert(args.begin(), {POLYTLS_CLIENT_PATH, "--backend", name(), "--timeout", "30"});
    return run(args, {}, 60s, env);
  }

  TempDir dir_;
};

// base64 encodes bytes (for curl-style pins).
std::string base64(std::span<const uint8_t> data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < data.size(); i += 3) {
    const uint32_t n = static_cast<uint32_t>(data[i]) << 16 |
                       (i + 1 < data.size() ? static_cast<uint32_t>(data[i + 1]) << 8 : 0) |
                       (i + 2 < data.size() ? data[i + 2] : 0);
    out += kAlphabet[n >> 18 & 63];
    out += kAlphabet[n >> 12 & 63];
    out += i + 1 < data.size() ? kAlphabet[n >> 6 & 63] : '=';
    out += i + 2 < data.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

std::size_t count_lines(const std::string &text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST_P(ClientTest, PrintsTheBodyVerifiedWithTheCa) {
  auto server = serve(server_config());
  ASSERT_TRUE(server);
  ProcessResult r = client({"--cacert", at("ca.pem"), server->url("/some/path?x=1")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, kBody);
  EXPECT_EQ(r.err, "");
  ASSERT_EQ(server->requests().size(), 1u);
  EXPECT_TRUE(server->requests()[0].starts_with(
      "GET /some/path?x=1 HTTP/1.1\r\nHost: localhost:" + std::to_string(server->port()) + "\r\n"))
      << server->requests()[0];
  // An IP address in the URL is checked against the IP SANs.
  ProcessResult ip = client({"--cacert", at("ca.pem"), server->url("/", "127.0.0.1")});
  EXPECT_EQ(ip.exit_code, 0) << ip.err;
  EXPECT_EQ(ip.out, kBody);
}

TEST_P(ClientTest, VerboseShowsWhatWasNegotiatedTheCertificateAndTimings) {
  auto server = serve(server_config());
  ASSERT_TRUE(server);
  ProcessResult r = client({"-v", "--cacert", at("ca.pem"), server->url()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, kBody) << "-v output goes to stderr";
  const std::optional<SessionInfo> info = server->last_info();
  ASSERT_TRUE(info.has_value());
  ASSERT_OK_AND_ASSIGN(CertificateInfo cert, p().server.inspect());
  for (const std::string &needle :
       {"backend     " + name() + " (" + b().capabilities().library_name,
        "connected   127.0.0.1:" + std::to_string(server->port()),
        "TLS         " + std::string(to_string(version())),
        "suite       " + info->cipher_suite_name, std::string("ALPN        http/1.1"),
        std::string("resumed     no"), "subject      " + cert.subject.to_string(),
        "issuer       " + cert.issuer.to_string(), cert.fingerprint_hex(),
        std::string("DNS:localhost"), std::string("< HTTP/1.1 200 OK"),
        std::string("timings     connect "), std::string("handshake "),
        std::string("first byte ")}) {
    EXPECT_NE(r.err.find(needle), std::string::npos) << needle << "\n" << r.err;
  }
  EXPECT_FALSE(info->cipher_suite_name.empty());
}

TEST_P(ClientTest, CiphersAndGroupsRestrictWhatIsOffered) {
  // Not the suite and group a server picks by default.
  const bool tls13 = version() == TlsVersion::tls13;
  const std::string v = tls13 ? "1.3" : "1.2";
  const std::string suite =
      tls13 ? "TLS_CHACHA20_POLY1305_SHA256" : "ECDHE-ECDSA-AES256-GCM-SHA384";
  const std::string iana = tls13 ? suite : "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
  // In TLS 1.2 the group is also the ECDSA certificate's curve (RFC 8422).
  const std::string group = tls13 ? "P-384" : "P-256";
  const std::string group_name = tls13 ? "secp384r1" : "secp256r1";
  auto server = serve(server_config());
  ASSERT_TRUE(server);
  ProcessResult r = client({"-v", "--tls-min", v, "--tls-max", v, "--ciphers", suite, "--groups",
                            group, "--cacert", at("ca.pem"), server->url()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, kBody);
  EXPECT_NE(r.err.find("suite       " + iana + " (0x"), std::string::npos) << r.err;
  if (server->last_info().has_value() && server->last_info()->group != 0) {
    EXPECT_NE(r.err.find("group       " + group_name), std::string::npos) << r.err;
  }
  ASSERT_TRUE(server->last_info().has_value());
  EXPECT_EQ(server->last_info()->cipher_suite_name, iana);
  // Mistakes are refused before connecting, saying what is wrong.
  ProcessResult unknown =
      client({"--ciphers", "AES-128-GCM", "--cacert", at("ca.pem"), server->url()});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("unknown cipher suite 'AES-128-GCM'"), std::string::npos)
      << unknown.err;
  ProcessResult one_version =
      client({"--ciphers", "TLS_AES_128_GCM_SHA256", "--cacert", at("ca.pem"), server->url()});
  EXPECT_NE(one_version.exit_code, 0);
  EXPECT_NE(one_version.err.find("none for TLS 1.2"), std::string::npos) << one_version.err;
  ProcessResult weak = client(
      {"--tls-max", "1.2", "--ciphers", "AES128-SHA", "--cacert", at("ca.pem"), server->url()});
  EXPECT_NE(weak.exit_code, 0);
  EXPECT_NE(weak.err.find("TLS_RSA_WITH_AES_128_CBC_SHA (0x002F) is not one polytls allows"),
            std::string::npos)
      << weak.err;
  EXPECT_EQ(server->requests().size(), 1u) << "only the first fetch connected";
}

TEST_P(ClientTest, TraceShowsTheHandshakeAndNoPlaintext) {
  auto server = serve(server_config());
  ASSERT_TRUE(server);
  ProcessResult r = client({"--trace", "--cacert", at("ca.pem"), server->url("/trace-secret")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, kBody);
  for (const char *needle :
       {"client > server  Handshake (22)", "ClientHello (1)", "ServerHello (2)",
        "server_name         localhost", "alpn                http/1.1",
        "server > client  ApplicationData (23)"}) {
    EXPECT_NE(r.err.find(needle), std::string::npos) << needle << "\n" << r.err;
  }
  EXPECT_NE(r.err.find("=> TLS 1." + std::string(version() == TlsVersion::tls12 ? "2" : "3")),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("trace-secret"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("hello from"), std::string::npos) << r.err;
}

TEST_P(ClientTest, PcapOpensInTsharkAndTheKeyLogDecryptsIt) {
  auto server = serve(server_config());
  ASSERT_TRUE(server);
  const bool can_log = version() == TlsVersion::tls12 ? b().supports(Capability::keylog_tls12)
                                                      : b().supports(Capability::keylog_tls13);
  // TLS 1.2 connections are limited to it, so wolfSSL (which cannot log
  // TLS 1.3) can log them.
  std::vector<std::string> limit;
  if (version() == TlsVersion::tls12) limit = {"--tls-max", "1.2"};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), limit.begin(), limit.end());
    args.insert(args.end(), {"--cacert", at("ca.pem"), server->url("/pcap-secret-path")});
    return args;
  };

  ProcessResult r = client(with({"--pcap", at("conn.pcap"), "--keylog", at("keys.log")}));
  if (!can_log) {
    // Asking for a key log the backend cannot write is refused, not ignored...
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_NE(r.err.find("key logging for TLS 1.3"), std::string::npos) << r.err;
    // ...but $SSLKEYLOGFILE, often set for a whole session, only warns.
    r = client(with({"--pcap", at("conn.pcap")}), {"SSLKEYLOGFILE=" + at("keys.log")});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("warning: " + name() + " cannot log TLS 1.3 keys"), std::string::npos)
        << r.err;
    EXPECT_FALSE(std::filesystem::exists(at("keys.log")));
  }
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, kBody);
  ASSERT_TRUE(std::filesystem::exists(at("conn.pcap")));
  // The pcap is never overwritten without --force.
  ProcessResult again = client(with({"--pcap", at("conn.pcap")}));
  EXPECT_EQ(again.exit_code, 3) << again.err;

  const auto tshark = find_program("tshark");
  if (!tshark) GTEST_SKIP() << "tshark is not installed (.ci/setup installs it)";
  const std::string port = std::to_string(server->port());
  auto tshark_args = [&](const std::string &file, const std::string &keys) {
    std::vector<std::string> args = {tshark->string(),
                                     "-r",
                                     file,
                                     "-d",
                                     "tcp.port==" + port + ",tls",
                                     "-d",
                                     "tls.port==" + port + ",http"};
    if (!keys.empty()) args.insert(args.end(), {"-o", "tls.keylog_file:" + keys});
    args.insert(args.end(), {"-Y", "http.request", "-T", "fields", "-e", "http.request.uri"});
    return args;
  };
  // tshark reads the file and sees the handshake on the real port...
  ProcessResult hello =
      run({tshark->string(), "-r", at("conn.pcap"), "-d", "tcp.port==" + port + ",tls", "-T",
           "fields", "-e", "tls.handshake.type"},
          {}, 60s);
  ASSERT_EQ(hello.exit_code, 0) << hello.err;
  EXPECT_NE(hello.out.find('1'), std::string::npos) << hello.out;
  // ...not the request without the keys...
  ProcessResult blind = run(tshark_args(at("conn.pcap"), ""), {}, 60s);
  EXPECT_EQ(blind.out.find("/pcap-secret-path"), std::string::npos) << blind.out;
  if (!can_log) GTEST_SKIP() << name() << " writes no key log for this version";
  // ...and the request with them, from --keylog and from $SSLKEYLOGFILE.
  ProcessResult seen = run(tshark_args(at("conn.pcap"), at("keys.log")), {}, 60s);
  EXPECT_EQ(seen.exit_code, 0) << seen.err;
  EXPECT_NE(seen.out.find("/pcap-secret-path"), std::string::npos)
      << seen.out << seen.err << "\nkey log:\n"
      << read_text(at("keys.log"));

  ProcessResult env = client(with({"--pcap", at("env.pcap")}), {"SSLKEYLOGFILE=" + at("env.log")});
  ASSERT_EQ(env.exit_code, 0) << env.err;
  EXPECT_EQ(env.err, "");
  ProcessResult env_seen = run(tshark_args(at("env.pcap"), at("env.log")), {}, 60s);
  EXPECT_NE(env_seen.out.find("/pcap-secret-path"), std::string::npos)
      << env_seen.out << env_seen.err;
}

TEST_P(ClientTest, NothingListeningIsCannotConnect) {
  uint16_t port = 0;
  {
    ASSERT_OK_AND_ASSIGN(TcpListener probe, TcpListener::bind("127.0.0.1", 0));
    port = probe.port();
  }
  ProcessResult r =
      client({"--cacert", at("ca.pem"), "https://127.0.0.1:" + std::to_string(port) + "/"});
  EXPECT_EQ(r.exit_code, 10) << r.err;
  EXPECT_TRUE(r.err.starts_with("polytls-client: cannot connect: ")) << r.err;
  EXPECT_EQ(count_lines(r.err), 1u) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_P(ClientTest, UntrustedCaIsRefused) {
  auto server = serve(server_config());
  ASSERT_TRUE(server);
  ProcessResult r = client({"--cacert", at("other-ca.pem"), server->url()});
  EXPECT_EQ(r.exit_code, 11) << r.err;
  EXPECT_TRUE(r.err.starts_with("polytls-client: untrusted certificate: ")) << r.err;
  EXPECT_NE(r.err.find("[untrusted"), std::string::npos) << r.err;
  EXPECT_EQ(count_lines(r.err), 1u) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(server->requests().empty());
}

TEST_P(ClientTest, WrongHostNameIsRefused) {
  auto server = serve(server_config());
  ASSERT_TRUE(server);
  // The certificate names localhost, 127.0.0.1, ::1 and *.example.test.
  ProcessResult r = client(
      {"--cacert", at("ca.pem"), "--connect-to", "127.0.0.1", server->url("/", "wrong.test")});
  EXPECT_EQ(r.exit_code, 12) << r.err;
  EXPECT_TRUE(r.err.starts_with("polytls-client: host name mismatch: ")) << r.err;
  EXPECT_NE(r.err.find("[hostname_mismatch"), std::string::npos) << r.err;
  // A name the wildcard covers passes, through the same --connect-to.
  ProcessResult good =
      client({"--cacert", at("ca.pem"), "--connect-to",
              "127.0.0.1:" + std::to_string(server->port()), "https://api.example.test:1/"});
  EXPECT_EQ(good.exit_code, 0) << good.err;
  EXPECT_EQ(good.out, kBody);
}

TEST_P(ClientTest, ExpiredCertificateIsRefused) {
  TlsServerConfig config = server_config();
  config.chain = copies(p().expired, b());
  auto server = serve(std::move(config));
  ASSERT_TRUE(server);
  ProcessResult r = client({"--cacert", at("ca.pem"), server->url()});
  EXPECT_EQ(r.exit_code, 13) << r.err;
  EXPECT_TRUE(r.err.starts_with("polytls-client: certificate expired: ")) << r.err;
  EXPECT_NE(r.err.find("[expired"), std::string::npos) << r.err;
}

TEST_P(ClientTest, NoVersionInCommonIsAVersionMismatch) {
  auto server = serve(server_config());
  ASSERT_TRUE(server);
  std::vector<std::string> args = {"--cacert", at("ca.pem"), server->url()};
  if (version() == TlsVersion::tls12) {
    args.insert(args.begin(), {"--tls-min", "1.3"});
    ProcessResult r = client(args);
    if (!has(TlsVersion::tls13)) {
      // The backend has no TLS 1.3: asking for it alone is unsupported.
      EXPECT_EQ(r.exit_code, 5) << r.err;
      EXPECT_NE(r.err.find("[unsupported"), std::string::npos) << r.err;
      return;
    }
    EXPECT_EQ(r.exit_code, 14) << r.err;
    EXPECT_TRUE(r.err.starts_with("polytls-client: no TLS version in common: ")) << r.err;
    EXPECT_NE(r.err.find("[protocol_version"), std::string::npos) << r.err;
  } else {
    args.insert(args.begin(), {"--tls-max", "1.2"});
    ProcessResult r = client(args);
    EXPECT_EQ(r.exit_code, 14) << r.err;
    EXPECT_NE(r.err.find("[protocol_version"), std::string::npos) << r.err;
  }
}

TEST_P(ClientTest, PinsAreEnforced) {
  auto server = serve(server_config());
  ASSERT_TRUE(server);
  auto pin_of = [](const Certificate &cert) {
    const std::array<uint8_t, 32> pin = spki_pin(cert).value();
    return "sha256//" + base64(pin);
  };
  ProcessResult wrong =
      client({"--cacert", at("ca.pem"), "--pin", pin_of(p().other_ca), server->url()});
  EXPECT_EQ(wrong.exit_code, 15) << wrong.err;
  EXPECT_TRUE(wrong.err.starts_with("polytls-client: public key pin mismatch: ")) << wrong.err;
  EXPECT_NE(wrong.err.find("[pin_mismatch"), std::string::npos) << wrong.err;

  // The right pin passes, also in a list with a wrong one, and with --insecure.
  ProcessResult right = client({"--cacert", at("ca.pem"), "--pin",
                                pin_of(p().other_ca) + ";" + pin_of(p().server), server->url()});
  EXPECT_EQ(right.exit_code, 0) << right.err;
  EXPECT_EQ(right.out, kBody);
  ProcessResult insecure_wrong =
      client({"--insecure", "--pin", pin_of(p().other_ca), server->url()});
  EXPECT_EQ(insecure_wrong.exit_code, 15)
      << insecure_wrong.err << "pins apply without verification";

  ProcessResult malformed =
      client({"--cacert", at("ca.pem"), "--pin", "sha256//!!", server->url()});
  EXPECT_EQ(malformed.exit_code, 7) << malformed.err;
}

TEST_P(ClientTest, HttpErrorStatusStillPrintsTheBody) {
  auto server = serve(server_config(), answer(404, "Not Found", "no such page\n"));
  ASSERT_TRUE(server);
  ProcessResult r = client({"--cacert", at("ca.pem"), server->url("/missing")});
  EXPECT_EQ(r.exit_code, 16) << r.err;
  EXPECT_EQ(r.out, "no such page\n");
  EXPECT_EQ(r.err, "polytls-client: HTTP error: the server answered 404 Not Found for /missing\n");
}

TEST_P(ClientTest, InsecureAcceptsAnUntrustedCertificateAndSaysSo) {
  TlsServerConfig config = server_config();
  config.chain = copies(p().self_signed, b());
  auto server = serve(std::move(config));
  ASSERT_TRUE(server);
  // Verified by default: the self-signed certificate is untrusted...
  ProcessResult refused = client({server->url()}, {"POLYTLS_CA_FILE=" + at("ca.pem")});
  EXPECT_EQ(refused.exit_code, 11) << refused.err;
  // ...unless --cacert trusts it directly...
  ProcessResult direct = client({"--cacert", at("self-signed.pem"), server->url()});
  EXPECT_EQ(direct.exit_code, 0) << direct.err;
  EXPECT_EQ(direct.out, kBody);
  // ...or --insecure turns verification off, with exactly one warning.
  ProcessResult r =
      client({"--insecure", server->url("/", "wrong.test"), "--connect-to", "127.0.0.1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, kBody);
  EXPECT_EQ(count_lines(r.err), 1u) << r.err;
  EXPECT_TRUE(r.err.starts_with("polytls-client: warning: --insecure: ")) << r.err;
  EXPECT_NE(r.err.find("NOT verified"), std::string::npos) << r.err;
}

TEST_P(ClientTest, ClientCertificates) {
  TlsServerConfig config = server_config();
  config.client_auth = ClientAuth::require;
  config.client_anchors = copies(p().ca, b());
  auto server = serve(std::move(config));
  ASSERT_TRUE(server);
  const std::vector<std::string> identity = {
      "--cert",     at("client.pem"), "--key", at("client-key.pem"), "--key-passphrase-env",
      "CLIENT_PASS"};
  std::vector<std::string> args = identity;
  args.insert(args.end(), {"--cacert", at("ca.pem"), server->url("/with-cert")});
  ProcessResult with = client(args, {"CLIENT_PASS=client secret"});
  EXPECT_EQ(with.exit_code, 0) << with.err;
  EXPECT_EQ(with.out, kBody);
  ASSERT_EQ(server->requests().size(), 1u) << ::testing::PrintToString(server->failures());

  ProcessResult wrong = client(args, {"CLIENT_PASS=wrong"});
  EXPECT_EQ(wrong.exit_code, 4) << wrong.err;
  EXPECT_NE(wrong.err.find("[bad_passphrase"), std::string::npos) << wrong.err;

  // Without one the server refuses: in TLS 1.2 during the handshake, in
  // TLS 1.3 with an alert the client reads after its handshake.
  ProcessResult without = client({"--cacert", at("ca.pem"), server->url("/without")});
  EXPECT_EQ(without.exit_code, 17) << without.err;
  EXPECT_TRUE(without.err.starts_with("polytls-client: TLS failure: ")) << without.err;
  EXPECT_EQ(without.out, "");
  EXPECT_EQ(server->requests().size(), 1u);

  ProcessResult half =
      client({"--cert", at("client.pem"), "--cacert", at("ca.pem"), server->url()});
  EXPECT_EQ(half.exit_code, 7) << half.err;
  EXPECT_NE(half.err.find("go together"), std::string::npos) << half.err;
}

TEST_P(ClientTest, ReadsChunkedBodiesAndRefusesBrokenResponses) {
  {
    auto server = serve(server_config(),
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "6\r\nhello \r\nc\r\nfrom chunks\n\r\n0\r\n\r\n");
    ASSERT_TRUE(server);
    ProcessResult r = client({"--cacert", at("ca.pem"), server->url()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "hello from chunks\n");
  }
  {
    // No length: the body ends with the server's close_notify.
    auto server = serve(server_config(), "HTTP/1.0 200 OK\r\n\r\nuntil the end\n");
    ASSERT_TRUE(server);
    ProcessResult r = client({"--cacert", at("ca.pem"), server->url()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "until the end\n");
  }
  {
    auto server =
        serve(server_config(), "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten.\n");
    ASSERT_TRUE(server);
    ProcessResult r = client({"--cacert", at("ca.pem"), server->url()});
    EXPECT_EQ(r.exit_code, 18) << r.err;
    EXPECT_NE(r.err.find("after 10 of 100 body bytes"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
  {
    auto server = serve(server_config(), "SSH-2.0-OpenSSH_9.2\r\n\r\n");
    ASSERT_TRUE(server);
    ProcessResult r = client({"--cacert", at("ca.pem"), server->url()});
    EXPECT_EQ(r.exit_code, 18) << r.err;
    EXPECT_TRUE(r.err.starts_with("polytls-client: bad response: ")) << r.err;
  }
  {
    auto server = serve(server_config(), answer(200, "OK", std::string(5000, 'x')));
    ASSERT_TRUE(server);
    ProcessResult r = client({"--max-body", "4096", "--cacert", at("ca.pem"), server->url()});
    EXPECT_EQ(r.exit_code, 18) << r.err;
    EXPECT_NE(r.err.find("exceeds the limit of 4096 bytes"), std::string::npos) << r.err;
  }
}

TEST_P(ClientTest, OutputFileAndHead) {
  auto server = serve(server_config());
  ASSERT_TRUE(server);
  ProcessResult r = client({"-o", at("body.txt"), "--cacert", at("ca.pem"), server->url()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(read_text(at("body.txt")), kBody);

  write_text(at("body.txt"), "precious");
  ProcessResult exists = client({"-o", at("body.txt"), "--cacert", at("ca.pem"), server->url()});
  EXPECT_EQ(exists.exit_code, 3) << exists.err;
  EXPECT_NE(exists.err.find("use --force"), std::string::npos) << exists.err;
  EXPECT_EQ(read_text(at("body.txt")), "precious");
  const std::size_t served = server->requests().size();
  EXPECT_EQ(served, 1u) << "nothing is fetched when the output exists";

  ProcessResult forced =
      client({"-o", at("body.txt"), "--force", "--cacert", at("ca.pem"), server->url()});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(read_text(at("body.txt")), kBody);

  ProcessResult head = client({"-i", "--cacert", at("ca.pem"), server->url()});
  EXPECT_EQ(head.exit_code, 0) << head.err;
  EXPECT_EQ(head.out, answer(200, "OK", kBody));
}

TEST_P(ClientTest, FetchesTheStatusPageOfOpensslSServer) {
  const auto openssl = find_program("openssl");
  if (!openssl) GTEST_SKIP() << "the openssl command-line tool is not installed";
  write_text(dir_ / "server.pem", p().server.pem());
  write_text(dir_ / "server-key.pem", p().server_key.private_key_pem().value());
  auto server =
      Child::start({openssl->string(), "s_server", "-accept", "127.0.0.1:0", "-cert",
                    at("server.pem"), "-key", at("server-key.pem"), "-www",
                    version() == TlsVersion::tls12 ? "-tls1_2" : "-tls1_3", "-naccept", "1"});
  ASSERT_TRUE(server.has_value());
  ASSERT_TRUE(server->read_until("ACCEPT 127.0.0.1:", 20s)) << server->err();
  ASSERT_TRUE(server->read_until("\n", 5s));
  const auto pos = server->out().find("ACCEPT 127.0.0.1:");
  const std::string port = std::to_string(std::stoi(server->out().substr(pos + 17)));
  ProcessResult r = client({"-v", "--cacert", at("ca.pem"), "https://localhost:" + port + "/"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(version() == TlsVersion::tls12 ? "TLSv1.2" : "TLSv1.3"), std::string::npos)
      << r.out.substr(0, 400);
  EXPECT_NE(r.err.find("< HTTP/1.0 200 ok"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("then close_notify"), std::string::npos) << r.err;
}

std::vector<Param> params() {
  std::vector<Param> out;
  for (const std::string &n : backend_names()) {
    for (TlsVersion v : {TlsVersion::tls12, TlsVersion::tls13}) {
      if (supports_version(backend(n), v)) out.emplace_back(n, v);
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Backends, ClientTest, ::testing::ValuesIn(params()),
                         [](const ::testing::TestParamInfo<Param> &p) {
                           return param_name(
                               std::get<0>(p.param) +
                               (std::get<1>(p.param) == TlsVersion::tls12 ? "_tls12" : "_tls13"));
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ClientTest);

// The command line itself, on the default backend.
TEST(ClientGlobal, UsageAndFileErrors) {
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    const char *says;
  };
  const Case cases[] = {
      {{}, 2, "give the URL"},
      {{"--no-such-option", "https://localhost/"}, 2, "no-such-option"},
      {{"--timeout", "0", "https://localhost/"}, 2, "--timeout"},
      {{"http://localhost/"}, 7, "it must start with https://"},
      {{"--cacert", "/nonexistent/ca.pem", "https://localhost/"}, 6, "/nonexistent/ca.pem"},
      {{"--backend", "no-such-backend", "https://localhost/"}, 6, "no-such-backend"},
      {{"--tls-min", "1.1", "https://localhost/"}, 7, "1.1"},
      {{"--connect-to", "[::1", "https://localhost/"}, 7, "--connect-to"},
      {{"--key-passphrase-env", "POLYTLS_CLIENT_TEST_UNSET", "https://localhost/"},
       4,
       "POLYTLS_CLIENT_TEST_UNSET"},
  };
  for (const Case &c : cases) {
    std::vector<std::string> args = c.args;
    args.insert(args.begin(), POLYTLS_CLIENT_PATH);
    ProcessResult r = run(args, {}, 60s);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.says << "\n" << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "") << c.says;
  }
}

TEST(ClientGlobal, HelpListsTheExitCodesAndListBackendsWorks) {
  ProcessResult help = run({POLYTLS_CLIENT_PATH, "--help"}, {}, 60s);
  EXPECT_EQ(help.exit_code, 0);
  for (const char *needle :
       {"10 cannot connect", "11 untrusted certificate", "12 host name mismatch",
        "14 no TLS version in common", "15 public key pin mismatch", "16 HTTP status >= 400",
        "18 bad response", "--cacert", "--insecure", "--pin", "--pcap", "--trace", "--keylog"}) {
    EXPECT_NE(help.out.find(needle), std::string::npos) << needle;
  }
  ProcessResult list = run({POLYTLS_CLIENT_PATH, "--list-backends"}, {}, 60s);
  EXPECT_EQ(list.exit_code, 0) << list.err;
  for (const std::string &n : backend_names())
    EXPECT_NE(list.out.find(n), std::string::npos) << n;
}

}  // namespace
}  // namespace polytls::test
