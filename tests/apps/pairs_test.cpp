// polytls-server and polytls-client, the programs, against each other in
// every pairing of the backends available: the client verifies the
// server's self-made certificate (--cacert), gets the page, and the page
// names the server's backend while -v names the client's.
#include <gtest/gtest.h>
#include <signal.h>

#include "tls_support.hpp"

namespace polytls::test {
namespace {

using namespace std::chrono_literals;

class AppPairsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(AppPairsTest, EveryClientBackendFetchesFromThisServerBackend) {
  const std::string server_backend = GetParam();
  if (!has_tls(backend(server_backend))) GTEST_SKIP() << server_backend << " has no TLS";
  TempDir dir;
  std::string plugin_path = "POLYTLS_PLUGIN_PATH=";
  if (const char *pp = std::getenv("POLYTLS_PLUGIN_PATH")) plugin_path += pp;
  auto server = Child::start({POLYTLS_SERVER_PATH, "--backend", server_backend, "--port", "0"}, {},
                             {"POLYTLS_STATE_DIR=" + (dir / "state").string(), plugin_path});
  ASSERT_TRUE(server.has_value());
  ASSERT_TRUE(server->read_until("; Ctrl-C stops", 30s)) << server->err();
  const std::string err = server->err();
  const auto at = err.find("serving https://");
  ASSERT_NE(at, std::string::npos) << err;
  const std::string url = err.substr(at + 8, err.find(' ', at + 8) - at - 8);
  const std::string cert = (dir / "state" / "localhost-cert.pem").string();

  int pairs = 0;
  for (const std::string &client_backend : backend_names()) {
    if (!has_tls(backend(client_backend))) continue;
    SCOPED_TRACE(server_backend + " server, " + client_backend + " client");
    ProcessResult r = run(
        {POLYTLS_CLIENT_PATH, "--backend", client_backend, "--cacert", cert, "-v", url}, {}, 60s);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("Served by the <b id=\"backend\">" + server_backend + "</b>"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.err.find(client_backend), std::string::npos) << r.err;
    ++pairs;
  }
  EXPECT_GE(pairs, 1);
  server->signal(SIGTERM);
  EXPECT_EQ(server->wait(15s), 0) << server->err();
  EXPECT_NE(server->err().find("stopped after " + std::to_string(pairs) + " requests"),
            std::string::npos)
      << server->err();
}

INSTANTIATE_TEST_SUITE_P(Backends, AppPairsTest, ::testing::ValuesIn(backend_names()),
                         BackendParamName());
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(AppPairsTest);

}  // namespace
}  // namespace polytls::test
