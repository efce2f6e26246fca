// The HTTPS server's event loop, on every backend: the status page, HTTP
// semantics (keep-alive, HEAD, 404/405/400, static files confined to the
// root), bad clients (garbage, plain HTTP, a cut ClientHello, many idle
// connections) that cost the others nothing, timeouts, several threads, and
// a clean stop.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>

#include <thread>

#include "server.hpp"
#include "tls_support.hpp"

namespace polytls::test {
namespace {

using namespace std::chrono_literals;

struct Answer {
  int status = 0;
  std::string head;
  std::string body;
};

// Client is a blocking HTTPS client connection made with the polytls API.
class Client {
 public:
  static Result<Client> connect(const Backend &b, uint16_t port, const Certificate &anchor,
                                std::chrono::milliseconds io_timeout = 10s,
                                const std::string &address = "127.0.0.1") {
    TlsClientConfig config;
    config.anchors = copies(anchor, b);
    POLYTLS_TRY(TlsContext context, b.make_client_context(std::move(config)));
    POLYTLS_TRY(TcpStream tcp, TcpStream::connect(address, port, 5s));
    tcp.set_io_timeout(io_timeout);
    POLYTLS_TRY(Session session, context.connect(std::make_unique<TcpStream>(std::move(tcp)),
                                                 {.host = "localhost"}));
    POLYTLS_CHECK(session.handshake());
    return Client(std::move(session));
  }

  // get sends one request and reads one answer (Content-Length framed).
  Result<Answer> request(const std::string &text) {
    POLYTLS_CHECK(send(text));
    return receive(text.starts_with("HEAD "));
  }

  Result<void> send(const std::string &text) { return session_.write_all(bytes(text)); }

  // receive reads one answer (Content-Length framed; no body for HEAD).
  Result<Answer> receive(bool head_request = false) {
    Answer a;
    for (;;) {
      const auto end = buffer_.find("\r\n\r\n");
      if (end != std::string::npos) {
        a.head = buffer_.substr(0, end + 4);
        a.status = std::stoi(a.head.substr(9, 3));
        std::size_t length = 0;
        const auto cl = a.head.find("Content-Length: ");
        if (cl != std::string::npos) length = std::stoul(a.head.substr(cl + 16));
        if (head_request) length = 0;
        if (buffer_.size() >= end + 4 + length) {
          a.body = buffer_.substr(end + 4, length);
          buffer_.erase(0, end + 4 + length);
          return a;
        }
      }
      uint8_t buf[16384];
      POLYTLS_TRY(std::size_t n, session_.read(buf));
      buffer_.append(reinterpret_cast<const char *>(buf), n);
    }
  }

  Result<Answer> get(const std::string &path, bool keep_alive = true) {
    return request("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" +
                   (keep_alive ? "" : "Connection: close\r\n") + "\r\n");
  }

  // closed tells whether the server ended the connection (close_notify or EOF).
  bool closed() {
    uint8_t buf[64];
    auto r = session_.read(buf);
    return !r && (r.error().code() == ErrorCode::peer_closed || r.error().code() == ErrorCode::io);
  }

 private:
  explicit Client(Session s) : session_(std::move(s)) {}
  Session session_;
  std::string buffer_;
};

// raw_connect opens a plain TCP connection to the server.
TcpStream raw_connect(uint16_t port) {
  auto tcp = TcpStream::connect("127.0.0.1", port, 5s);
  EXPECT_TRUE(tcp.has_value());
  tcp->set_io_timeout(5s);
  return std::move(tcp).value();
}

// read_until_closed reads what the server sends until it closes (bounded).
std::string read_until_closed(TcpStream &tcp) {
  std::string out;
  uint8_t buf[4096];
  for (int i = 0; i < 1000; ++i) {
    auto r = tcp.recv(buf);
    if (!r || *r == 0) break;
    out.append(reinterpret_cast<const char *>(buf), *r);
  }
  return out;
}

class ServerTest : public ::testing::TestWithParam<std::string> {
 protected:
  Backend b() const { return backend(GetParam()); }
  const Pki &p() const { return pki(GetParam(), KeyType::ecdsa_p256); }

  void SetUp() override {
    if (!has_tls(b())) GTEST_SKIP() << GetParam() << " has no TLS";
  }

  std::unique_ptr<server::Server> start(server::Options options = {},
                                        const std::string &host = "127.0.0.1") {
    TlsServerConfig config;
    config.chain = copies(p().server, b());
    config.key = copy_key(p().server_key, b());
    auto context = b().make_server_context(std::move(config));
    EXPECT_TRUE(context.has_value()) << context.error().to_string();
    if (!context) return nullptr;
    options.host = host;
    options.port = 0;
    options.log = [this](const std::string &line) {
      std::lock_guard lock(log_mutex_);
      log_.push_back(line);
    };
    auto s = server::Server::start(*context, std::move(options));
    EXPECT_TRUE(s.has_value()) << s.error().to_string();
    return s ? std::move(s).value() : nullptr;
  }

  std::vector<std::string> log() {
    std::lock_guard lock(log_mutex_);
    return log_;
  }

  // wait_for polls `done` for at most `limit`.
  template <class F>
  static bool wait_for(F &&done, std::chrono::milliseconds limit = 10s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (done()) return true;
      std::this_thread::sleep_for(20ms);
    }
    return done();
  }

 private:
  std::mutex log_mutex_;
  std::vector<std::string> log_;
};

TEST_P(ServerTest, StatusPageSaysWhatWasNegotiated) {
  auto srv = start();
  ASSERT_NE(srv, nullptr);
  EXPECT_EQ(srv->url(), "https://127.0.0.1:" + std::to_string(srv->port()) + "/");
  ASSERT_OK_AND_ASSIGN(Client c, Client::connect(b(), srv->port(), p().ca));
  ASSERT_OK_AND_ASSIGN(Answer a, c.get("/"));
  EXPECT_EQ(a.status, 200) << a.head;
  EXPECT_NE(a.head.find("Strict-Transport-Security: max-age="), std::string::npos);
  EXPECT_NE(a.head.find("Content-Type: text/html; charset=utf-8"), std::string::npos);
  EXPECT_NE(a.body.find("up, and this connection is secure"), std::string::npos);
  EXPECT_NE(a.body.find("<b id=\"backend\">" + GetParam() + "</b>"), std::string::npos) << a.body;
  EXPECT_NE(a.body.find(b().capabilities().library_name), std::string::npos);
  EXPECT_NE(a.body.find("<td id=\"version\">TLS 1."), std::string::npos) << a.body;
  EXPECT_NE(a.body.find("<td id=\"cipher-suite\">TLS_"), std::string::npos) << a.body;
  EXPECT_NE(a.body.find("<td id=\"sni\">localhost</td>"), std::string::npos) << a.body;

  // Keep-alive: the same connection answers again; HEAD has no body.
  ASSERT_OK_AND_ASSIGN(Answer head, c.request("HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_NE(head.head.find("Content-Length: " + std::to_string(a.body.size())), std::string::npos);
  ASSERT_OK_AND_ASSIGN(Answer missing, c.get("/nothing-here"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.head.find("Strict-Transport-Security"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(
      Answer post,
      c.request("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello"));
  EXPECT_EQ(post.status, 405);
  EXPECT_NE(post.head.find("Allow: GET, HEAD"), std::string::npos);
  // The body of the refused POST was skipped: the connection still works.
  ASSERT_OK_AND_ASSIGN(Answer again, c.get("/", false));
  EXPECT_EQ(again.status, 200);
  EXPECT_NE(again.head.find("Connection: close"), std::string::npos);
  EXPECT_TRUE(c.closed());

  // One access-log line per request.
  ASSERT_TRUE(wait_for([&] { return srv->stats().requests == 5; })) << srv->stats().requests;
  const auto lines = log();
  ASSERT_GE(lines.size(), 5u);
  EXPECT_NE(lines[0].find(" " + GetParam() + " TLS 1."), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("\"GET / HTTP/1.1\" 200 "), std::string::npos) << lines[0];
  EXPECT_NE(lines[2].find("\"GET /nothing-here HTTP/1.1\" 404 "), std::string::npos) << lines[2];
}

TEST_P(ServerTest, ServesStaticFilesWithoutLeavingTheRoot) {
  TempDir dir;
  const auto root = dir / "www";
  std::filesystem::create_directories(root / "css");
  write_text(root / "index.html", "<h1>static home</h1>");
  write_text(root / "css" / "site.css", "body{}");
  write_text(dir / "secret.txt", "top secret");
  server::Options o;
  o.root = root;
  auto srv = start(o);
  ASSERT_NE(srv, nullptr);
  ASSERT_OK_AND_ASSIGN(Client c, Client::connect(b(), srv->port(), p().ca));
  ASSERT_OK_AND_ASSIGN(Answer home, c.get("/"));
  EXPECT_EQ(home.body, "<h1>static home</h1>");
  ASSERT_OK_AND_ASSIGN(Answer css, c.get("/css/site.css"));
  EXPECT_EQ(css.status, 200);
  EXPECT_NE(css.head.find("Content-Type: text/css"), std::string::npos) << css.head;
  for (const char *escape : {"/../secret.txt", "/css/../../secret.txt", "/%2e%2e/secret.txt"}) {
    ASSERT_OK_AND_ASSIGN(Answer a, c.get(escape));
    EXPECT_EQ(a.status, 400) << escape;
    EXPECT_EQ(a.body.find("top secret"), std::string::npos);
  }
  ASSERT_OK_AND_ASSIGN(Answer none, c.get("/css/none.css"));
  EXPECT_EQ(none.status, 404);
}

TEST_P(ServerTest, BadClientsCostTheOthersNothing) {
  server::Options o;
  o.handshake_timeout = 1500ms;
  auto srv = start(o);
  ASSERT_NE(srv, nullptr);
  const uint16_t port = srv->port();
  auto normal_request_works = [&] {
    auto c = Client::connect(b(), port, p().ca);
    if (!c) return ::testing::AssertionFailure() << c.error().to_string();
    auto a = c->get("/");
    if (!a) return ::testing::AssertionFailure() << a.error().to_string();
    if (a->status != 200) return ::testing::AssertionFailure() << a->status;
    return ::testing::AssertionSuccess();
  };

  // Garbage bytes: the server closes that connection.
  {
    TcpStream tcp = raw_connect(port);
    ASSERT_OK(tcp.send(bytes(std::string(512, '\x17'))));
    (void)read_until_closed(tcp);
  }
  EXPECT_TRUE(normal_request_works());
  // Plain HTTP on the TLS port.
  {
    TcpStream tcp = raw_connect(port);
    ASSERT_OK(tcp.send(bytes("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")));
    const std::string got = read_until_closed(tcp);
    EXPECT_EQ(got.find("HTTP/1.1 200"), std::string::npos);
  }
  EXPECT_TRUE(normal_request_works());
  // A ClientHello cut off, then the client goes away.
  {
    TlsClientConfig cc;
    cc.verify = false;
    ASSERT_OK_AND_ASSIGN(TlsContext cctx, b().make_client_context(std::move(cc)));
    auto [mine, theirs] = make_memory_pair();
    auto *raw = mine.get();
    ASSERT_OK_AND_ASSIGN(Session hello, cctx.connect(std::move(mine), {.host = "localhost"}));
    (void)hello.handshake();  // writes the ClientHello into the pair
    uint8_t buf[4096];
    ASSERT_OK_AND_ASSIGN(std::size_t n, theirs->recv(buf));
    (void)raw;
    TcpStream tcp = raw_connect(port);
    ASSERT_OK(tcp.send({buf, std::min<std::size_t>(n, 40)}));
  }
  EXPECT_TRUE(normal_request_works());
  // Many idle connections that never say anything.
  std::vector<TcpStream> idle;
  for (int i = 0; i < 100; ++i)
    idle.push_back(raw_connect(port));
  EXPECT_TRUE(normal_request_works());
  ASSERT_TRUE(wait_for([&] { return srv->stats().open <= 1; }, 15s))
      << "idle connections were not timed out: " << srv->stats().open << " open";
  EXPECT_GE(srv->stats().timeouts, 100u);
  EXPECT_GE(srv->stats().handshake_failures, 103u);
  EXPECT_TRUE(normal_request_works());
}

TEST_P(ServerTest, SlowRequestsGet408AndIdleConnectionsClose) {
  server::Options o;
  o.request_timeout = 500ms;
  o.idle_timeout = 500ms;
  auto srv = start(o);
  ASSERT_NE(srv, nullptr);
  ASSERT_OK_AND_ASSIGN(Client slow, Client::connect(b(), srv->port(), p().ca));
  // Half a request head, then nothing: 408 and the connection closes.
  auto a = slow.request("GET / HTTP/1.1\r\nHost: loc");
  ASSERT_OK(a);
  EXPECT_EQ(a->status, 408);
  EXPECT_NE(a->head.find("Connection: close"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(Client idle, Client::connect(b(), srv->port(), p().ca));
  EXPECT_TRUE(idle.closed()) << "an idle kept-alive connection stays open";
}

TEST_P(ServerTest, SeveralThreadsServeConcurrentClients) {
  server::Options o;
  o.threads = 3;
  auto srv = start(o);
  ASSERT_NE(srv, nullptr);
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < 6; ++i) {
    clients.emplace_back([&] {
      auto c = Client::connect(b(), srv->port(), p().ca);
      if (!c) return;
      for (int j = 0; j < 5; ++j) {
        auto a = c->get("/");
        if (a && a->status == 200) ok++;
      }
    });
  }
  for (auto &t : clients)
    t.join();
  EXPECT_EQ(ok.load(), 30);
  EXPECT_TRUE(wait_for([&] { return srv->stats().requests == 30; })) << srv->stats().requests;
}

TEST_P(ServerTest, ListensOnIpv6) {
  auto srv = start({}, "::1");
  if (srv == nullptr) GTEST_SKIP() << "no IPv6 loopback here";
  EXPECT_EQ(srv->url(), "https://[::1]:" + std::to_string(srv->port()) + "/");
  ASSERT_OK_AND_ASSIGN(Client c, Client::connect(b(), srv->port(), p().ca, 10s, "::1"));
  ASSERT_OK_AND_ASSIGN(Answer a, c.get("/"));
  EXPECT_EQ(a.status, 200);
  EXPECT_NE(a.body.find("<td id=\"client\">[::1]:"), std::string::npos) << a.body;
}

// Stopping lets an answer in flight finish: a 32 MiB file still being read
// by a client arrives whole, with Connection: close.
TEST_P(ServerTest, StopFinishesTheAnswerInFlight) {
  TempDir dir;
  std::filesystem::create_directories(dir / "www");
  const std::string big(32u << 20, 'x');  // more than the socket buffers hold
  write_text(dir / "www" / "big.txt", big);
  server::Options o;
  o.root = dir / "www";
  o.drain_timeout = 60s;  // slow sanitizer builds still finish
  auto srv = start(o);
  ASSERT_NE(srv, nullptr);
  ASSERT_OK_AND_ASSIGN(Client c, Client::connect(b(), srv->port(), p().ca));
  // The request goes out but the client reads nothing yet: the answer is
  // stuck in flight (socket buffers full) when stop() begins.
  ASSERT_OK(c.send("GET /big.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  std::this_thread::sleep_for(200ms);
  std::thread stopper([&] { srv->stop(); });
  std::this_thread::sleep_for(200ms);
  EXPECT_TRUE(srv->running()) << "stop() returned with an answer in flight";
  auto a = c.receive();
  stopper.join();
  ASSERT_OK(a);
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(a->body.size(), big.size());
  EXPECT_FALSE(srv->running());
}

TEST_P(ServerTest, StopClosesIdleConnectionsAndEnds) {
  auto srv = start();
  ASSERT_NE(srv, nullptr);
  ASSERT_OK_AND_ASSIGN(Client c, Client::connect(b(), srv->port(), p().ca));
  ASSERT_OK_AND_ASSIGN(Answer a, c.get("/"));
  EXPECT_EQ(a.status, 200);
  const auto before = std::chrono::steady_clock::now();
  srv->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 4s) << "idle connections held the stop";
  EXPECT_FALSE(srv->running());
  EXPECT_TRUE(c.closed());
  // Nobody answers there any more. (A plain TCP connect can still succeed:
  // Linux may connect a socket to itself when the port it picks is the
  // freed one. A TLS handshake cannot.)
  EXPECT_FALSE(Client::connect(b(), srv->port(), p().ca, 2s).has_value());
  srv->stop();  // again: nothing happens
}

// polytls-server itself: it makes its certificate, curl trusts it with
// --cacert, every request is logged, and SIGTERM stops it with exit 0.
TEST_P(ServerTest, AppServesCurlAndStopsOnSigterm) {
  const auto curl = find_program("curl");
  if (!curl) GTEST_SKIP() << "curl is not installed (.ci/setup installs it)";
  TempDir dir;
  const std::string state = "POLYTLS_STATE_DIR=" + (dir / "state").string();
  std::string plugin_path = "POLYTLS_PLUGIN_PATH=";
  if (const char *pp = std::getenv("POLYTLS_PLUGIN_PATH")) plugin_path += pp;
  auto child = Child::start({POLYTLS_SERVER_PATH, "--backend", GetParam(), "--port", "0"}, {},
                            {state, plugin_path});
  ASSERT_TRUE(child.has_value());
  ASSERT_TRUE(child->read_until("; Ctrl-C stops", 30s)) << child->err();
  const std::string err = child->err();
  EXPECT_NE(err.find("made a self-signed certificate"), std::string::npos) << err;
  const auto at = err.find("serving https://127.0.0.1:");
  ASSERT_NE(at, std::string::npos) << err;
  const std::string url = err.substr(at + 8, err.find('/', at + 27) - at - 8 + 1);
  const std::string cert = (dir / "state" / "localhost-cert.pem").string();

  ProcessResult got = run({curl->string(), "-sS", "--cacert", cert, url}, {}, 30s);
  EXPECT_EQ(got.exit_code, 0) << got.err;
  EXPECT_NE(got.out.find("<b id=\"backend\">" + GetParam() + "</b>"), std::string::npos) << got.out;
  // Without the certificate curl refuses the server.
  ProcessResult untrusted = run({curl->string(), "-sS", url}, {}, 30s);
  EXPECT_NE(untrusted.exit_code, 0);

  child->signal(SIGTERM);
  EXPECT_EQ(child->wait(15s), 0) << child->err();
  EXPECT_NE(child->out().find("\"GET / HTTP/1.1\" 200 "), std::string::npos) << child->out();
  EXPECT_NE(child->err().find("stopped after 1 requests"), std::string::npos) << child->err();
}

// --ciphers and --groups: a client restricted to one of the server's suites
// gets it; one restricted to a suite the server does not allow is refused.
TEST_P(ServerTest, AppServesOnlyTheCiphersItIsGiven) {
  TempDir dir;
  const std::string state = "POLYTLS_STATE_DIR=" + (dir / "state").string();
  std::string plugin_path = "POLYTLS_PLUGIN_PATH=";
  if (const char *pp = std::getenv("POLYTLS_PLUGIN_PATH")) plugin_path += pp;
  // The local identity is RSA: ECDHE-RSA suites for TLS 1.2. (The same
  // cipher for both versions: a GnuTLS priority string enables ciphers.)
  auto child = Child::start(
      {POLYTLS_SERVER_PATH, "--backend", GetParam(), "--port", "0", "--ciphers",
       "TLS_AES_256_GCM_SHA384,ECDHE-RSA-AES256-GCM-SHA384", "--groups", "secp384r1,x25519"},
      {}, {state, plugin_path});
  ASSERT_TRUE(child.has_value());
  ASSERT_TRUE(child->read_until("; Ctrl-C stops", 30s)) << child->err();
  const std::string err = child->err();
  const auto at = err.find("serving https://127.0.0.1:");
  ASSERT_NE(at, std::string::npos) << err;
  const auto port = static_cast<uint16_t>(std::stoi(err.substr(at + 26)));
  const std::string cert = (dir / "state" / "localhost-cert.pem").string();
  const auto fetch = [&](uint16_t suite) -> Result<std::string> {
    TlsClientConfig config;
    POLYTLS_TRY(config.anchors, b().load_certificates_file(cert));
    config.min_version = config.max_version = TlsVersion::tls12;
    config.cipher_suites = {suite};
    POLYTLS_TRY(TlsContext context, b().make_client_context(std::move(config)));
    POLYTLS_TRY(TcpStream tcp, TcpStream::connect("127.0.0.1", port, 5s));
    tcp.set_io_timeout(10s);
    POLYTLS_TRY(Session session, context.connect(std::make_unique<TcpStream>(std::move(tcp)),
                                                 {.host = "localhost"}));
    POLYTLS_CHECK(session.handshake());
    POLYTLS_CHECK(
        session.write_all(bytes("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")));
    std::string page;
    uint8_t buf[16384];
    for (;;) {
      auto n = session.read(buf);
      if (!n) break;
      page.append(reinterpret_cast<const char *>(buf), *n);
    }
    return page;
  };
  ASSERT_OK_AND_ASSIGN(std::string page, fetch(0xC030));
  EXPECT_NE(page.find("<td id=\"cipher-suite\">TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
            std::string::npos)
      << page;
  auto refused = fetch(0xC02F);
  EXPECT_ERROR(refused, ErrorCode::handshake) << "ECDHE-RSA-AES128-GCM-SHA256 is not allowed";
  // A bad list stops the app before it listens.
  ProcessResult bad = run({POLYTLS_SERVER_PATH, "--backend", GetParam(), "--port", "0", "--ciphers",
                           "TLS_AES_128_GCM_SHA256,nope"},
                          {}, 30s, {state, plugin_path});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("unknown cipher suite 'nope'"), std::string::npos) << bad.err;
  child->signal(SIGTERM);
  EXPECT_EQ(child->wait(15s), 0) << child->err();
}

// --no-resumption: the server issues no tickets and resumes no session IDs,
// so a client that saved its session gets a full handshake the second time,
// with TLS 1.2 and 1.3. Without the option the same client resumes (the
// control: the client and the check are able to see a resumption).
TEST_P(ServerTest, AppResumesSessionsUnlessToldNotTo) {
  if (!b().supports(Capability::resumption)) GTEST_SKIP() << GetParam() << " has no resumption";
  TempDir dir;
  const std::string state = "POLYTLS_STATE_DIR=" + (dir / "state").string();
  std::string plugin_path = "POLYTLS_PLUGIN_PATH=";
  if (const char *pp = std::getenv("POLYTLS_PLUGIN_PATH")) plugin_path += pp;
  const std::string cert = (dir / "state" / "localhost-cert.pem").string();

  // One request on a new connection: whether the handshake resumed (as the
  // client and the server's page say), and the session saved after it.
  struct Visit {
    bool resumed = false;
    std::string page;
    std::optional<SessionTicket> ticket;
  };
  const auto visit = [&](uint16_t port, TlsVersion version,
                         const SessionTicket *resume) -> Result<Visit> {
    TlsClientConfig config;
    POLYTLS_TRY(config.anchors, b().load_certificates_file(cert));
    config.min_version = config.max_version = version;
    config.resumption = true;
    POLYTLS_TRY(TlsContext context, b().make_client_context(std::move(config)));
    POLYTLS_TRY(TcpStream tcp, TcpStream::connect("127.0.0.1", port, 5s));
    tcp.set_io_timeout(10s);
    POLYTLS_TRY(Session session, context.connect(std::make_unique<TcpStream>(std::move(tcp)),
                                                 {.host = "localhost", .resume = resume}));
    POLYTLS_CHECK(session.handshake());
    POLYTLS_CHECK(
        session.write_all(bytes("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")));
    Visit v;
    uint8_t buf[16384];
    for (;;) {
      auto n = session.read(buf);
      if (!n) break;
      v.page.append(reinterpret_cast<const char *>(buf), *n);
    }
    POLYTLS_TRY(SessionInfo info, session.info());
    v.resumed = info.resumed;
    // A server without resumption may give nothing to save (no ticket, no
    // session ID): then there is nothing to offer next time.
    if (auto t = session.export_ticket()) v.ticket = std::move(t).value();
    return v;
  };

  for (const bool resumption : {true, false}) {
    SCOPED_TRACE(resumption ? "resumption on (the default)" : "--no-resumption");
    std::vector<std::string> argv = {
        POLYTLS_SERVER_PATH, "--backend", GetParam(), "--port", "0", "--quiet"};
    if (!resumption) argv.push_back("--no-resumption");
    auto child = Child::start(argv, {}, {state, plugin_path});
    ASSERT_TRUE(child.has_value());
    ASSERT_TRUE(child->read_until("; Ctrl-C stops", 30s)) << child->err();
    const std::string err = child->err();
    const auto at = err.find("serving https://127.0.0.1:");
    ASSERT_NE(at, std::string::npos) << err;
    const auto port = static_cast<uint16_t>(std::stoi(err.substr(at + 26)));
    for (const TlsVersion version : {TlsVersion::tls12, TlsVersion::tls13}) {
      if (!supports_version(b(), version)) continue;
      SCOPED_TRACE(to_string(version));
      ASSERT_OK_AND_ASSIGN(Visit first, visit(port, version, nullptr));
      EXPECT_FALSE(first.resumed);
      EXPECT_NE(first.page.find("<td id=\"resumed\">no</td>"), std::string::npos) << first.page;
      if (resumption) {
        ASSERT_TRUE(first.ticket.has_value()) << "the server gave nothing to resume";
      } else if (!first.ticket) {
        continue;  // nothing offered, nothing resumed
      }
      ASSERT_OK_AND_ASSIGN(Visit second, visit(port, version, &*first.ticket));
      EXPECT_EQ(second.resumed, resumption);
      const std::string row = std::string("<td id=\"resumed\">") + (resumption ? "yes" : "no");
      EXPECT_NE(second.page.find(row), std::string::npos) << second.page;
    }
    child->signal(SIGTERM);
    EXPECT_EQ(child->wait(15s), 0) << child->err();
  }
}

// A real browser: headless Chromium trusts the server's key through an SPKI
// pin and renders the page; the DOM it dumps names this backend.
TEST_P(ServerTest, HeadlessChromiumRendersThePage) {
  const auto chromium = find_program("chromium");
  if (!chromium) GTEST_SKIP() << "chromium is not installed (.ci/run installs it)";
  auto srv = start();
  ASSERT_NE(srv, nullptr);
  ASSERT_OK_AND_ASSIGN(auto pin, spki_pin(p().server));
  // Base64 of the pin: the body of a PEM armour of its bytes.
  const std::string armour = pem_encode("PIN", pin);
  const auto first = armour.find('\n') + 1;
  const std::string pin64 = armour.substr(first, armour.find('\n', first) - first);
  TempDir profile;
  ProcessResult r =
      run({chromium->string(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--user-data-dir=" + profile.path().string(),
           "--ignore-certificate-errors-spki-list=" + pin64, "--dump-dom", srv->url()},
          {}, 90s);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("<b id=\"backend\">" + GetParam() + "</b>"), std::string::npos)
      << "chromium rendered:\n"
      << r.out << "\n"
      << r.err;
  EXPECT_NE(r.out.find("<td id=\"version\">TLS 1."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("<td id=\"sni\">"), std::string::npos) << r.out;
  EXPECT_GE(srv->stats().requests, 1u);
}

TEST(Server, RefusesAClientContextAndBadThreadCounts) {
  const Backend b = backend(backend_names().front());
  TlsClientConfig config;
  config.verify = false;
  ASSERT_OK_AND_ASSIGN(TlsContext client, b.make_client_context(std::move(config)));
  EXPECT_ERROR(server::Server::start(client, server::Options{}), ErrorCode::bad_input);
}

TEST(Server, LocalIdentityIsMadeOnceAndReused) {
  const Backend b = backend(backend_names().front());
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(server::LocalIdentity first, server::local_identity(b, dir.path()));
  EXPECT_TRUE(first.made);
  ASSERT_EQ(first.chain.size(), 1u);
  ASSERT_OK_AND_ASSIGN(CertificateInfo info, first.chain.front().inspect());
  EXPECT_EQ(info.subject_alt_names.size(), 3u);
  EXPECT_EQ(
      std::filesystem::status(first.key_file).permissions() & std::filesystem::perms::others_read,
      std::filesystem::perms::none);
  ASSERT_OK_AND_ASSIGN(server::LocalIdentity second, server::local_identity(b, dir.path()));
  EXPECT_FALSE(second.made);
  EXPECT_EQ(second.chain.front().der(), first.chain.front().der());
  // A damaged certificate is made anew, not trusted.
  write_text(first.cert_file, "not a certificate");
  ASSERT_OK_AND_ASSIGN(server::LocalIdentity third, server::local_identity(b, dir.path()));
  EXPECT_TRUE(third.made);
}

INSTANTIATE_TEST_SUITE_P(Backends, ServerTest, ::testing::ValuesIn(backend_names()),
                         BackendParamName());
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ServerTest);

}  // namespace
}  // namespace polytls::test
