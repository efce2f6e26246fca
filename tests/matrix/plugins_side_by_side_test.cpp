// OpenSSL and wolfSSL (whose compat layer defines many of OpenSSL's names)
// loaded as plugins into one process work side by side: local symbol scope
// keeps the libraries apart.
#include <gtest/gtest.h>

#include "polytls/registry.hpp"
#include "tls_support.hpp"

namespace polytls::test {
namespace {

TEST(PluginsSideBySide, OpensslAndWolfsslPluginsHandshakeBothWays) {
  const std::filesystem::path dir = POLYTLS_TEST_PLUGIN_DIR;
  for (const char *name : {"openssl", "wolfssl"}) {
    if (!std::filesystem::exists(dir / ("libpolytls-" + std::string(name) + ".so"))) {
      GTEST_SKIP() << "this build has no " << name << " plugin";
    }
  }
  Registry registry;  // a registry of its own: no built-in backend in it
  ASSERT_OK_AND_ASSIGN(Backend openssl, registry.load_plugin(dir / "libpolytls-openssl.so"));
  ASSERT_OK_AND_ASSIGN(Backend wolfssl, registry.load_plugin(dir / "libpolytls-wolfssl.so"));
  EXPECT_TRUE(openssl.origin().ends_with("libpolytls-openssl.so"));

  for (const auto &[server, client] : {std::pair{openssl, wolfssl}, std::pair{wolfssl, openssl}}) {
    SCOPED_TRACE(server.name() + " serves " + client.name());
    ASSERT_OK_AND_ASSIGN(Key ca_key, server.generate_key(KeyType::ecdsa_p256));
    ASSERT_OK_AND_ASSIGN(Certificate ca, server.self_sign(ca_spec(), ca_key));
    ASSERT_OK_AND_ASSIGN(Key key, server.generate_key(KeyType::ecdsa_p256));
    ASSERT_OK_AND_ASSIGN(Certificate cert, server.issue(leaf_spec(), key, ca, ca_key));
    for (TlsVersion version : {TlsVersion::tls12, TlsVersion::tls13}) {
      TlsServerConfig sc;
      sc.chain.push_back(std::move(server.load_certificate(cert.der()).value()));
      sc.key = server.load_key(key.private_key_pem().value()).value();
      sc.min_version = sc.max_version = version;
      TlsClientConfig cc;
      cc.anchors.push_back(client.load_certificate(ca.der()).value());
      cc.min_version = cc.max_version = version;
      ASSERT_OK_AND_ASSIGN(TlsContext sctx, server.make_server_context(std::move(sc)));
      ASSERT_OK_AND_ASSIGN(TlsContext cctx, client.make_client_context(std::move(cc)));
      ASSERT_OK_AND_ASSIGN(SessionPair pair, connect_memory(cctx, sctx, {.host = "localhost"}));
      HandshakeOutcome out = pump(pair.client, pair.server);
      ASSERT_OK(out.client);
      ASSERT_OK(out.server);
      EXPECT_EQ(pair.client.info().value().version, version);
      ASSERT_OK_AND_ASSIGN(auto got, transfer(pair.client, pair.server, bytes("side by side")));
      EXPECT_EQ(std::string(got.begin(), got.end()), "side by side");
    }
  }
}

}  // namespace
}  // namespace polytls::test
