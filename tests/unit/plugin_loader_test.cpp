// The plugin loader refuses every kind of broken plugin, naming the file and
// the reason, and loads good ones; the template plugin answers `unsupported`.
#include <gtest/gtest.h>

#include <algorithm>

#include "polytls/registry.hpp"
#include "support.hpp"

namespace polytls {
namespace {

std::filesystem::path broken(int kind) {
  return std::filesystem::path(POLYTLS_TEST_BROKEN_DIR) /
         ("libpolytls-broken" + std::to_string(kind) + ".so");
}

void expect_refused(Registry &registry, const std::filesystem::path &file, const std::string &why) {
  auto result = registry.load_plugin(file);
  ASSERT_FALSE(result.has_value()) << file;
  EXPECT_EQ(result.error().code(), ErrorCode::plugin) << result.error().to_string();
  EXPECT_NE(result.error().message().find(file.string()), std::string::npos)
      << result.error().message();
  EXPECT_NE(result.error().message().find(why), std::string::npos) << result.error().message();
}

TEST(PluginLoader, LoadsAGoodPluginWithItsPathAsOrigin) {
  Registry registry;
  ASSERT_OK_AND_ASSIGN(Backend b, registry.load_plugin(broken(0)));
  EXPECT_EQ(b.name(), "broken");
  EXPECT_EQ(b.origin(), broken(0).string());
  EXPECT_EQ(registry.find("broken").value(), b);
}

TEST(PluginLoader, RefusesEveryKindOfBrokenPlugin) {
  Registry registry;
  expect_refused(registry, broken(1), "it speaks ABI version 2, this polytls speaks version 1");
  expect_refused(registry, broken(2), "smaller than the v1 minimum");
  expect_refused(registry, broken(4), "it has no polytls_backend_entry entry point");
  expect_refused(registry, broken(5), "it cannot serve ABI version 1");
  expect_refused(registry, "/nonexistent/libpolytls-ghost.so", "cannot load it");
  test::TempDir dir;
  test::write_text(dir / "libpolytls-junk.so", "this is not a shared library");
  expect_refused(registry, dir / "libpolytls-junk.so", "cannot load it");
  EXPECT_TRUE(registry.backends().empty()) << "nothing refused was registered";
}

TEST(PluginLoader, RefusesANameThatIsTaken) {
  auto openssl = find_backend("openssl");
  if (!openssl) GTEST_SKIP() << "this build has no openssl backend to clash with";
  Registry registry;
  ASSERT_OK(registry.add(&openssl->table(), "built-in"));
  expect_refused(registry, broken(3), "a backend named openssl is already registered (built-in)");
  ASSERT_OK(registry.load_plugin(broken(0)));
  expect_refused(registry, broken(0), "a backend named broken is already registered");
}

TEST(PluginLoader, LoadsADirectoryAndReportsTheRefusals) {
  Registry registry;
  const std::vector<Error> refused = registry.load_plugins(POLYTLS_TEST_BROKEN_DIR);
  // broken0 loads; 1, 2, 4 and 5 are refused; 3 ("openssl") loads here: nothing clashes.
  EXPECT_EQ(refused.size(), 4u);
  EXPECT_TRUE(registry.find("broken").has_value());
  EXPECT_TRUE(registry.load_plugins("/nonexistent/dir").empty());
}

TEST(PluginLoader, PluginPathListsEveryDirectoryInOrder) {
  const char *old = std::getenv("POLYTLS_PLUGIN_PATH");
  const std::string saved = old != nullptr ? old : "";
  ::setenv("POLYTLS_PLUGIN_PATH", "/a:/b::/c", 1);
  const auto dirs = Registry::plugin_directories();
  ASSERT_GE(dirs.size(), 3u);
  EXPECT_EQ(dirs[0], "/a");
  EXPECT_EQ(dirs[1], "/b");
  EXPECT_EQ(dirs[2], "/c");
  EXPECT_TRUE(dirs.back().string().ends_with("/polytls")) << "the install's plugin directory";
  // This test program lives in <build>/tests: <build>/plugins is searched.
  const auto beside =
      std::filesystem::read_symlink("/proc/self/exe").parent_path().parent_path() / "plugins";
  if (std::filesystem::is_directory(beside)) {
    EXPECT_NE(std::find(dirs.begin(), dirs.end(), beside), dirs.end()) << beside;
  }
  if (old != nullptr) {
    ::setenv("POLYTLS_PLUGIN_PATH", saved.c_str(), 1);
  } else {
    ::unsetenv("POLYTLS_PLUGIN_PATH");
  }
}

TEST(TemplatePlugin, LoadsAndAnswersUnsupportedEverywhere) {
  Registry registry;
  ASSERT_OK_AND_ASSIGN(Backend b, registry.load_plugin(POLYTLS_TEST_TEMPLATE));
  EXPECT_EQ(b.name(), "template");
  EXPECT_EQ(b.capabilities().features, 0u);
  EXPECT_TRUE(b.capabilities().key_types().empty());
  auto unsupported = [](const auto &result, const char *what) {
    ASSERT_FALSE(result.has_value()) << what;
    EXPECT_EQ(result.error().code(), ErrorCode::unsupported) << result.error().to_string();
    EXPECT_EQ(result.error().backend(), "template") << what;
  };
  unsupported(b.generate_key(KeyType::ecdsa_p256), "generate_key");
  unsupported(b.digest(DigestAlgorithm::sha256, test::bytes("x")), "digest");
  // Real inputs, so the core's checks pass and the template itself answers.
  auto real = find_backend("openssl");
  if (!real) real = default_backend();
  ASSERT_OK(real);
  ASSERT_OK_AND_ASSIGN(Key key, real->generate_key(KeyType::ecdsa_p256));
  ASSERT_OK_AND_ASSIGN(std::string pem, key.private_key_pem());
  unsupported(b.load_key(pem), "load_key");
  ASSERT_OK_AND_ASSIGN(Certificate cert, real->self_sign(test::leaf_spec(), key));
  unsupported(b.load_certificate(cert.pem()), "load_certificate");
  TlsClientConfig client;
  client.verify = false;
  unsupported(b.make_client_context(std::move(client)), "make_client_context");
  TlsServerConfig server;
  unsupported(b.make_server_context(std::move(server)), "make_server_context");
}

}  // namespace
}  // namespace polytls
