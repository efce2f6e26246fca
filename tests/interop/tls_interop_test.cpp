// Interop with outside peers on loopback: each backend's client against
// `openssl s_server`, each backend's server against `openssl s_client` and
// curl, verification on; and key logs that let tshark decrypt a capture.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstring>
#include <fstream>
#include <thread>

#include "tls_support.hpp"

namespace polytls::test {
namespace {

using Param = std::tuple<std::string, TlsVersion>;

std::string tag(TlsVersion v) {
  return v == TlsVersion::tls12 ? "1.2" : "1.3";
}

class TlsInteropTest : public ::testing::TestWithParam<Param> {
 protected:
  void SetUp() override {
    openssl_ = find_program("openssl");
    if (!openssl_) GTEST_SKIP() << "the openssl command-line tool is not installed";
    write_text(dir_ / "ca.pem", p().ca.pem());
    write_text(dir_ / "server.pem", p().server.pem());
    write_text(dir_ / "server-key.pem", p().server_key.private_key_pem().value());
  }
  Backend b() const { return backend(std::get<0>(GetParam())); }
  TlsVersion version() const { return std::get<1>(GetParam()); }
  const Pki &p() const { return pki(std::get<0>(GetParam()), KeyType::ecdsa_p256); }
  std::string version_flag() const {
    return version() == TlsVersion::tls12 ? "-tls1_2" : "-tls1_3";
  }

  TlsServerConfig server_config() const {
    TlsServerConfig c;
    c.chain = copies(p().server, b());
    c.key = copy_key(p().server_key, b());
    c.min_version = c.max_version = version();
    return c;
  }
  TlsClientConfig client_config() const {
    TlsClientConfig c;
    c.anchors = copies(p().ca, b());
    c.min_version = c.max_version = version();
    return c;
  }

  // serve_once accepts one connection on `listener`, reads a request and
  // answers it with a small HTTP response naming the backend.
  std::thread serve_once(const TlsContext &context, TcpListener &listener, Result<void> &result,
                         std::string &request) {
    return std::thread([&context, &listener, &result, &request, name = b().name()] {
      auto run = [&]() -> Result<void> {
        POLYTLS_TRY(TcpStream stream, listener.accept(std::chrono::seconds(20)));
        stream.set_io_timeout(std::chrono::seconds(20));
        POLYTLS_TRY(Session session,
                    context.accept(std::make_unique<TcpStream>(std::move(stream))));
        POLYTLS_CHECK(session.handshake());
        uint8_t buf[4096];
        while (request.find("\r\n\r\n") == std::string::npos &&
               request.find('\n') == std::string::npos) {
          POLYTLS_TRY(std::size_t n, session.read(buf));
          request.append(reinterpret_cast<char *>(buf), n);
        }
        const std::string body = "hello from " + name + "\n";
        const std::string response =
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
            std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
        POLYTLS_CHECK(session.write_all(bytes(response)));
        return session.close();
      };
      result = run();
    });
  }

  std::optional<std::filesystem::path> openssl_;
  TempDir dir_;
};

TEST_P(TlsInteropTest, ClientTalksToOpensslServer) {
  auto server =
      Child::start({openssl_->string(), "s_server", "-accept", "127.0.0.1:0", "-cert",
                    (dir_ / "server.pem").string(), "-key", (dir_ / "server-key.pem").string(),
                    "-www", version_flag(), "-naccept", "1"});
  ASSERT_TRUE(server.has_value());
  ASSERT_TRUE(server->read_until("ACCEPT 127.0.0.1:", std::chrono::seconds(20))) << server->err();
  ASSERT_TRUE(server->read_until("\n", std::chrono::seconds(5)));
  const auto at = server->out().find("ACCEPT 127.0.0.1:");
  const uint16_t port =
      static_cast<uint16_t>(std::stoi(server->out().substr(at + std::strlen("ACCEPT 127.0.0.1:"))));

  ASSERT_OK_AND_ASSIGN(TlsContext ctx, b().make_client_context(client_config()));
  ASSERT_OK_AND_ASSIGN(TcpStream stream,
                       TcpStream::connect("127.0.0.1", port, std::chrono::seconds(10)));
  stream.set_io_timeout(std::chrono::seconds(20));
  ASSERT_OK_AND_ASSIGN(Session session, ctx.connect(std::make_unique<TcpStream>(std::move(stream)),
                                                    {.host = "localhost"}));
  ASSERT_OK(session.handshake());
  EXPECT_EQ(session.info().value().version, version());
  ASSERT_OK(session.write_all(bytes("GET / HTTP/1.0\r\n\r\n")));
  std::string response;
  uint8_t buf[4096];
  for (int i = 0; i < 1000; ++i) {
    auto n = session.read(buf);
    if (!n) break;  // peer_closed or the stream ended
    response.append(reinterpret_cast<char *>(buf), *n);
  }
  EXPECT_TRUE(response.starts_with("HTTP/1.0 200 ok")) << response.substr(0, 200);
  EXPECT_NE(response.find(version() == TlsVersion::tls12 ? "TLSv1.2" : "TLSv1.3"),
            std::string::npos);
}

TEST_P(TlsInteropTest, ServerTalksToOpensslClient) {
  ASSERT_OK_AND_ASSIGN(TlsContext ctx, b().make_server_context(server_config()));
  ASSERT_OK_AND_ASSIGN(TcpListener listener, TcpListener::bind("127.0.0.1", 0));
  Result<void> served = ok();
  std::string request;
  std::thread server = serve_once(ctx, listener, served, request);
  ProcessResult client = run(
      {openssl_->string(), "s_client", "-connect", "127.0.0.1:" + std::to_string(listener.port()),
       "-servername", "localhost", "-verify_return_error", "-verify_hostname", "localhost",
       "-CAfile", (dir_ / "ca.pem").string(), version_flag(), "-quiet"},
      "ping from s_client\n", std::chrono::seconds(30));
  server.join();
  EXPECT_OK(served);
  EXPECT_EQ(client.exit_code, 0) << client.err;
  EXPECT_NE(client.out.find("hello from " + b().name()), std::string::npos)
      << client.out << client.err;
  EXPECT_EQ(request, "ping from s_client\n");
}

TEST_P(TlsInteropTest, ServerAnswersCurl) {
  const auto curl = find_program("curl");
  if (!curl) GTEST_SKIP() << "curl is not installed";
  ASSERT_OK_AND_ASSIGN(TlsContext ctx, b().make_server_context(server_config()));
  ASSERT_OK_AND_ASSIGN(TcpListener listener, TcpListener::bind("127.0.0.1", 0));
  Result<void> served = ok();
  std::string request;
  std::thread server = serve_once(ctx, listener, served, request);
  const std::string port = std::to_string(listener.port());
  ProcessResult r =
      run({curl->string(), "--silent", "--show-error", "--max-time", "20", "--cacert",
           (dir_ / "ca.pem").string(), "--resolve", "localhost:" + port + ":127.0.0.1",
           version() == TlsVersion::tls12 ? "--tlsv1.2" : "--tlsv1.3", "--tls-max", tag(version()),
           "https://localhost:" + port + "/from-curl"},
          {}, std::chrono::seconds(30));
  server.join();
  EXPECT_OK(served);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "hello from " + b().name() + "\n");
  EXPECT_TRUE(request.starts_with("GET /from-curl HTTP/1.1\r\n")) << request;
}

// tshark decrypts a loopback capture with the key log written by the
// backend, as client and as server, on each version its key log supports.
TEST_P(TlsInteropTest, KeyLogLetsTsharkDecryptTheCapture) {
  const bool can_log = version() == TlsVersion::tls12 ? b().supports(Capability::keylog_tls12)
                                                      : b().supports(Capability::keylog_tls13);
  if (!can_log) return;  // TlsTest.KeyLogLinesAreNssFormat checks that this is `unsupported`
  const auto dumpcap = find_program("dumpcap");
  const auto tshark = find_program("tshark");
  if (!dumpcap || !tshark) GTEST_SKIP() << "tshark and dumpcap are not installed";

  for (const bool log_on_client : {true, false}) {
    SCOPED_TRACE(log_on_client ? "key log from the client" : "key log from the server");
    const std::filesystem::path keys = dir_ / (log_on_client ? "client.keys" : "server.keys");
    const std::filesystem::path capture =
        dir_ / (log_on_client ? "client.pcapng" : "server.pcapng");
    auto keylog = [keys](std::string_view line) {
      std::ofstream out(keys, std::ios::app);
      out << line << "\n";
    };
    TlsServerConfig sc = server_config();
    TlsClientConfig cc = client_config();
    (log_on_client ? cc.keylog : sc.keylog) = keylog;
    ASSERT_OK_AND_ASSIGN(TlsContext sctx, b().make_server_context(std::move(sc)));
    ASSERT_OK_AND_ASSIGN(TlsContext cctx, b().make_client_context(std::move(cc)));
    ASSERT_OK_AND_ASSIGN(TcpListener listener, TcpListener::bind("127.0.0.1", 0));
    const std::string port = std::to_string(listener.port());

    // A second port with nothing listening: connecting to it makes packets
    // (SYN, RST) that tell when dumpcap is really capturing ("Capturing on"
    // comes a little before that).
    uint16_t probe_port = 0;
    {
      ASSERT_OK_AND_ASSIGN(TcpListener probe, TcpListener::bind("127.0.0.1", 0));
      probe_port = probe.port();
    }
    auto capturer = Child::start({dumpcap->string(), "-i", "lo", "-f",
                                  "tcp port " + port + " or tcp port " + std::to_string(probe_port),
                                  "-w", capture.string()});
    ASSERT_TRUE(capturer.has_value());
    if (!capturer->read_until("Capturing on", std::chrono::seconds(20))) {
      GTEST_SKIP() << "cannot capture on the loopback interface here: " << capturer->err();
    }
    bool live = false;
    for (int attempt = 0; attempt < 50 && !live; ++attempt) {
      (void)TcpStream::connect("127.0.0.1", probe_port, std::chrono::seconds(1));
      live = capturer->read_until("Packets: ", std::chrono::milliseconds(200));
    }
    ASSERT_TRUE(live) << "dumpcap captured nothing: " << capturer->err();
    Result<void> served = ok();
    std::string request;
    std::thread server = serve_once(sctx, listener, served, request);
    {
      ASSERT_OK_AND_ASSIGN(TcpStream stream, TcpStream::connect("127.0.0.1", listener.port()));
      stream.set_io_timeout(std::chrono::seconds(20));
      ASSERT_OK_AND_ASSIGN(
          Session session,
          cctx.connect(std::make_unique<TcpStream>(std::move(stream)), {.host = "localhost"}));
      ASSERT_OK(session.handshake());
      ASSERT_OK(
          session.write_all(bytes("GET /polytls-secret-path HTTP/1.1\r\nHost: localhost\r\n\r\n")));
      uint8_t buf[1024];
      for (int i = 0; i < 100 && session.read(buf); ++i) {
      }
    }
    server.join();
    ASSERT_OK(served);
    // Let dumpcap write the last packets.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    capturer->signal(SIGINT);
    EXPECT_EQ(capturer->wait(std::chrono::seconds(20)), 0) << capturer->err();
    ASSERT_TRUE(std::filesystem::exists(keys)) << "no key log written";

    // The port is not 443: tell tshark it carries TLS, and HTTP inside it.
    auto tshark_args = [&](bool with_keys) {
      std::vector<std::string> args = {tshark->string(),
                                       "-r",
                                       capture.string(),
                                       "-d",
                                       "tcp.port==" + port + ",tls",
                                       "-d",
                                       "tls.port==" + port + ",http"};
      if (with_keys) args.insert(args.end(), {"-o", "tls.keylog_file:" + keys.string()});
      args.insert(args.end(), {"-Y", "http.request", "-T", "fields", "-e", "http.request.uri"});
      return args;
    };
    // Without the key log the request is not visible...
    ProcessResult blind = run(tshark_args(false), {}, std::chrono::seconds(60));
    EXPECT_EQ(blind.out.find("/polytls-secret-path"), std::string::npos);
    // ...with it, tshark decrypts it.
    ProcessResult seen = run(tshark_args(true), {}, std::chrono::seconds(60));
    EXPECT_EQ(seen.exit_code, 0) << seen.err;
    EXPECT_NE(seen.out.find("/polytls-secret-path"), std::string::npos)
        << "tshark saw: " << seen.out << seen.err << "\nkey log:\n"
        << read_text(keys);
  }
}

std::vector<Param> params() {
  std::vector<Param> out;
  for (const std::string &name : backend_names()) {
    for (TlsVersion v : {TlsVersion::tls12, TlsVersion::tls13}) {
      if (supports_version(backend(name), v)) out.emplace_back(name, v);
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Backends, TlsInteropTest, ::testing::ValuesIn(params()),
                         [](const ::testing::TestParamInfo<Param> &p) {
                           return param_name(
                               std::get<0>(p.param) +
                               (std::get<1>(p.param) == TlsVersion::tls12 ? "_tls12" : "_tls13"));
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(TlsInteropTest);

}  // namespace
}  // namespace polytls::test
