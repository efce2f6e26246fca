// polytls-menu driven through its standard input, as a script would: from
// certificate to server to answer to exit, on every backend; invalid
// choices; end of input with the server running; switching backends. After
// every run no server is left: the process is gone and its port answers no
// TLS handshake.
#include <gtest/gtest.h>

#include "tls_support.hpp"

namespace polytls::test {
namespace {

using namespace std::chrono_literals;

struct MenuRun {
  ProcessResult result;
  uint16_t last_port = 0;  // the port the server last ran on
};

MenuRun run_menu(const std::string &backend_name, const std::string &input,
                 const std::filesystem::path &state) {
  std::vector<std::string> argv = {POLYTLS_MENU_PATH, "--port",       "0",
                                   "--state-dir",     state.string(), "--no-browser"};
  if (!backend_name.empty()) argv.insert(argv.end(), {"--backend", backend_name});
  MenuRun run;
  run.result = ::polytls::test::run(argv, input, 60s);
  const std::string &out = run.result.out;
  const std::string marker = "running at https://127.0.0.1:";
  if (auto at = out.rfind(marker); at != std::string::npos) {
    run.last_port = static_cast<uint16_t>(std::stoi(out.substr(at + marker.size())));
  }
  return run;
}

// no_server_at tells that nothing completes a TLS handshake on the port.
bool no_server_at(const Backend &b, uint16_t port) {
  auto tcp = TcpStream::connect("127.0.0.1", port, 2s);
  if (!tcp) return true;
  tcp->set_io_timeout(2s);
  TlsClientConfig config;
  config.verify = false;
  auto context = b.make_client_context(std::move(config));
  if (!context) return false;
  auto session =
      context->connect(std::make_unique<TcpStream>(std::move(tcp).value()), {.host = "localhost"});
  return !session || !session->handshake().has_value();
}

class MenuTest : public ::testing::TestWithParam<std::string> {
 protected:
  Backend b() const { return backend(GetParam()); }
  void SetUp() override {
    if (!has_tls(b())) GTEST_SKIP() << GetParam() << " has no TLS";
  }
  TempDir dir_;
};

TEST_P(MenuTest, FromCertificateToAnswerToExit) {
  const MenuRun run = run_menu(GetParam(), "1\n2\n3\n6\n0\n", dir_ / "state");
  const std::string &out = run.result.out;
  EXPECT_EQ(run.result.exit_code, 0) << out << run.result.err;
  EXPECT_NE(out.find("made a self-signed certificate with " + GetParam()), std::string::npos)
      << out;
  EXPECT_NE(out.find("DNS:localhost, IP:127.0.0.1, IP:::1"), std::string::npos) << out;
  EXPECT_TRUE(std::filesystem::exists(dir_ / "state" / "localhost-cert.pem"));
  EXPECT_NE(out.find("the server is running at https://127.0.0.1:"), std::string::npos) << out;
  EXPECT_NE(out.find("fetched https://127.0.0.1:"), std::string::npos) << out;
  EXPECT_NE(out.find("HTTP/1.1 200 OK"), std::string::npos) << out;
  EXPECT_NE(out.find("Served by the " + GetParam() + " backend"), std::string::npos) << out;
  EXPECT_NE(out.find("negotiated   TLS 1."), std::string::npos) << out;
  EXPECT_NE(out.find("server       running at"), std::string::npos) << out;
  EXPECT_NE(out.find("the server stopped (1 requests"), std::string::npos) << out;
  EXPECT_NE(out.find("polytls-menu: bye"), std::string::npos) << out;
  ASSERT_NE(run.last_port, 0);
  EXPECT_TRUE(no_server_at(b(), run.last_port));
}

TEST_P(MenuTest, EndOfInputStopsTheRunningServer) {
  // No certificate made first: starting makes one. Then input just ends.
  const MenuRun run = run_menu(GetParam(), "2\n", dir_ / "state");
  EXPECT_EQ(run.result.exit_code, 0) << run.result.out << run.result.err;
  EXPECT_NE(run.result.out.find("no certificate yet: made one"), std::string::npos)
      << run.result.out;
  EXPECT_NE(run.result.out.find("end of input: exiting"), std::string::npos);
  EXPECT_NE(run.result.out.find("the server stopped"), std::string::npos) << run.result.out;
  ASSERT_NE(run.last_port, 0);
  EXPECT_TRUE(no_server_at(b(), run.last_port));
}

TEST_P(MenuTest, InvalidChoicesAreSaidAndIgnored) {
  const MenuRun run = run_menu(GetParam(), "x\n42\n\n3\n4\n5\nnope\nquit\n", dir_ / "state");
  const std::string &out = run.result.out;
  EXPECT_EQ(run.result.exit_code, 0) << out;
  EXPECT_NE(out.find("'x' is not a choice"), std::string::npos) << out;
  EXPECT_NE(out.find("'42' is not a choice"), std::string::npos) << out;
  EXPECT_NE(out.find("the server is not running: start it first"), std::string::npos) << out;
  EXPECT_NE(out.find("'nope' is not a backend; still " + GetParam()), std::string::npos) << out;
  EXPECT_NE(out.find("polytls-menu: bye"), std::string::npos) << out;
}

// Switching to every other backend with the server running: the server is
// stopped, restarted on the new backend, and serves the page from it.
TEST_P(MenuTest, SwitchesToEveryOtherBackend) {
  std::string input = "2\n";
  std::vector<std::string> others;
  for (const std::string &name : backend_names()) {
    if (name == GetParam() || !has_tls(backend(name))) continue;
    others.push_back(name);
    input += "5\n" + name + "\n2\n3\n";
  }
  if (others.empty()) GTEST_SKIP() << "only one backend with TLS";
  input += "0\n";
  const MenuRun run = run_menu(GetParam(), input, dir_ / "state");
  const std::string &out = run.result.out;
  EXPECT_EQ(run.result.exit_code, 0) << out << run.result.err;
  for (const std::string &name : others) {
    EXPECT_NE(out.find("now using " + name), std::string::npos) << out;
    EXPECT_NE(out.find("Served by the " + name + " backend"), std::string::npos) << out;
  }
  EXPECT_NE(out.find("stopping the server, which runs on " + GetParam()), std::string::npos);
  ASSERT_NE(run.last_port, 0);
  EXPECT_TRUE(no_server_at(b(), run.last_port));
}

INSTANTIATE_TEST_SUITE_P(Backends, MenuTest, ::testing::ValuesIn(backend_names()),
                         BackendParamName());
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(MenuTest);

}  // namespace
}  // namespace polytls::test
