// What the core was built with (polytls/features.hpp), and the plugin
// loader answering `unsupported` when it was left out.
#include <gtest/gtest.h>

#include <string>

#include "polytls/features.hpp"
#include "polytls/registry.hpp"

namespace polytls {
namespace {

static_assert(build_features().plugin_loader == (POLYTLS_HAS_PLUGIN_LOADER != 0));
static_assert(build_features().cert_create == (POLYTLS_HAS_CERT_CREATE != 0));
static_assert(build_features().tls_server == (POLYTLS_HAS_TLS_SERVER != 0));

TEST(BuildFeatures, PluginLoaderAsBuilt) {
  Registry registry;
  auto loaded = registry.load_plugin("/nonexistent/libpolytls-nothing.so");
  ASSERT_FALSE(loaded);
  if (build_features().plugin_loader) {
    EXPECT_EQ(loaded.error().code(), ErrorCode::plugin) << loaded.error().to_string();
  } else {
    EXPECT_EQ(loaded.error().code(), ErrorCode::unsupported) << loaded.error().to_string();
    EXPECT_NE(loaded.error().message().find("POLYTLS_PLUGIN_LOADER=OFF"), std::string::npos)
        << loaded.error().message();
    EXPECT_NE(loaded.error().message().find("/nonexistent/libpolytls-nothing.so"),
              std::string::npos)
        << loaded.error().message();
    // load_plugins refuses each plugin file it finds the same way; a missing
    // directory is still no error.
    EXPECT_TRUE(registry.load_plugins("/nonexistent").empty());
    EXPECT_TRUE(Registry::global().problems().empty());
  }
}

}  // namespace
}  // namespace polytls
