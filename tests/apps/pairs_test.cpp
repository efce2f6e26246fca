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

// The server's TLS options, seen from the client program: a required
// client certificate, the highest version, and the key log.
TEST_P(AppPairsTest, ServerOptionsClientCertificateVersionAndKeyLog) {
  const Backend b = backend(GetParam());
  if (!has_tls(b)) GTEST_SKIP() << GetParam() << " has no TLS";
  const Pki &p = pki(GetParam(), KeyType::ecdsa_p256);
  TempDir dir;
  write_text(dir / "ca.pem", p.ca.pem());
  write_text(dir / "server.pem", p.server.pem());
  write_text(dir / "server-key.pem", p.server_key.private_key_pem().value());
  write_text(dir / "client.pem", p.client.pem());
  write_text(dir / "client-key.pem", p.client_key.private_key_pem().value());
  std::string plugin_path = "POLYTLS_PLUGIN_PATH=";
  if (const char *pp = std::getenv("POLYTLS_PLUGIN_PATH")) plugin_path += pp;
  auto server =
      Child::start({POLYTLS_SERVER_PATH, "--backend", GetParam(), "--port", "0", "--cert",
                    (dir / "server.pem").string(), "--key", (dir / "server-key.pem").string(),
                    "--require-client-cert", (dir / "ca.pem").string(), "--tls-max", "1.2",
                    "--keylog", (dir / "keys.log").string()},
                   {}, {plugin_path});
  ASSERT_TRUE(server.has_value());
  ASSERT_TRUE(server->read_until("; Ctrl-C stops", 30s)) << server->err();
  const std::string err = server->err();
  const auto at = err.find("serving https://127.0.0.1:");
  ASSERT_NE(at, std::string::npos) << err;
  const std::string port = err.substr(at + 26, err.find('/', at + 26) - at - 26);
  const std::string url = "https://localhost:" + port + "/";

  ProcessResult without = run(
      {POLYTLS_CLIENT_PATH, "--backend", GetParam(), "--cacert", (dir / "ca.pem").string(), url},
      {}, 60s);
  EXPECT_EQ(without.exit_code, 17) << "no client certificate: " << without.err;
  ProcessResult with = run({POLYTLS_CLIENT_PATH, "--backend", GetParam(), "--cacert",
                            (dir / "ca.pem").string(), "--cert", (dir / "client.pem").string(),
                            "--key", (dir / "client-key.pem").string(), "-v", url},
                           {}, 60s);
  EXPECT_EQ(with.exit_code, 0) << with.err;
  EXPECT_NE(with.err.find("* TLS         TLS 1.2"), std::string::npos) << with.err;
  server->signal(SIGTERM);
  EXPECT_EQ(server->wait(15s), 0) << server->err();
  const std::string keys = read_text(dir / "keys.log");
  EXPECT_NE(keys.find("CLIENT_RANDOM "), std::string::npos) << keys;
}

INSTANTIATE_TEST_SUITE_P(Backends, AppPairsTest, ::testing::ValuesIn(backend_names()),
                         BackendParamName());
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(AppPairsTest);

}  // namespace
}  // namespace polytls::test
