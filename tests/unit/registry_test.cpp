// The registry validates every table before calling it; broken tables are
// refused with a message naming their origin and what is wrong.
#include "polytls/registry.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "support.hpp"

namespace polytls {
namespace {

int g_live_contexts = 0;

const char *fake_version() {
  return "Fake 1.0";
}
polytls_status fake_init(const polytls_host_v1 *, void **ctx, polytls_error *) {
  ++g_live_contexts;
  *ctx = &g_live_contexts;
  return POLYTLS_OK;
}
polytls_status failing_init(const polytls_host_v1 *, void **, polytls_error *err) {
  std::snprintf(err->detail, sizeof err->detail, "no entropy");
  err->library_code = -42;
  return POLYTLS_ERR_INTERNAL;
}
void fake_shutdown(void *) {
  --g_live_contexts;
}
void fake_key_free(polytls_key *) {}
void fake_cert_free(polytls_cert *) {}

polytls_caps_v1 caps(uint64_t features) {
  polytls_caps_v1 c{};
  c.struct_size = sizeof c;
  c.features = features;
  c.key_algorithms = 1u << POLYTLS_KEY_RSA;
  c.rsa_min_bits = 2048;
  c.rsa_max_bits = 4096;
  c.library_name = "Fake";
  c.build_version = "1.0";
  return c;
}
const polytls_caps_v1 kNoCaps = caps(0);
const polytls_caps_v1 kLyingCaps = caps(POLYTLS_FEATURE_KEY_GENERATE);

polytls_backend_v1 fake_table(const char *name) {
  polytls_backend_v1 t{};
  t.abi_version = POLYTLS_ABI_VERSION;
  t.struct_size = sizeof(polytls_backend_v1);
  t.name = name;
  t.caps = &kNoCaps;
  t.library_version = fake_version;
  t.init = fake_init;
  t.shutdown = fake_shutdown;
  t.key_free = fake_key_free;
  t.cert_free = fake_cert_free;
  return t;
}

void expect_refused(Registry &registry, const polytls_backend_v1 *table, const char *why) {
  auto result = registry.add(table, "/plugins/libbroken.so");
  ASSERT_FALSE(result.has_value()) << why;
  EXPECT_EQ(result.error().code(), ErrorCode::plugin) << result.error().to_string();
  EXPECT_NE(result.error().message().find("/plugins/libbroken.so"), std::string::npos);
  EXPECT_NE(result.error().message().find(why), std::string::npos) << result.error().message();
}

TEST(Registry, RefusesBrokenTables) {
  Registry registry;
  expect_refused(registry, nullptr, "no dispatch table");
  auto t = fake_table("fake");
  t.abi_version = 2;
  expect_refused(registry, &t, "ABI version 2, this polytls speaks version 1");
  t = fake_table("fake");
  t.struct_size = 64;
  expect_refused(registry, &t, "smaller than the v1 minimum");
  t = fake_table(nullptr);
  expect_refused(registry, &t, "name is missing");
  t = fake_table("Bad Name");
  expect_refused(registry, &t, "name is missing or not a short lowercase word");
  t = fake_table("fake");
  t.caps = nullptr;
  expect_refused(registry, &t, "no valid capability set");
  t = fake_table("fake");
  t.init = nullptr;
  expect_refused(registry, &t, "lacks a required member");
  t = fake_table("fake");
  t.caps = &kLyingCaps;
  expect_refused(registry, &t, "claims a capability but has no key_generate");
  EXPECT_TRUE(registry.backends().empty());
  EXPECT_EQ(g_live_contexts, 0) << "nothing refused was initialised";
}

TEST(Registry, RefusesADuplicateName) {
  auto t = fake_table("fake");  // outlives the registry, which shuts it down
  Registry registry;
  ASSERT_OK(registry.add(&t, "built-in"));
  auto again = registry.add(&t, "/plugins/libfake.so");
  EXPECT_ERROR(again, ErrorCode::plugin);
  EXPECT_NE(again.error().message().find("already registered (built-in)"), std::string::npos);
  EXPECT_EQ(registry.names(), std::vector<std::string>{"fake"});
}

TEST(Registry, KeepsTheBackendsOwnInitError) {
  auto t = fake_table("fake");
  Registry registry;
  t.init = failing_init;
  auto result = registry.add(&t, "built-in");
  EXPECT_ERROR(result, ErrorCode::internal);
  EXPECT_EQ(result.error().library_detail(), "no entropy");
  EXPECT_EQ(result.error().library_code(), -42);
}

TEST(Registry, MissingMembersAreUnsupportedNamingBackendAndFeature) {
  const int before = g_live_contexts;
  auto t = fake_table("fake");
  {
    Registry registry;
    ASSERT_OK_AND_ASSIGN(Backend b, registry.add(&t, "built-in"));
    EXPECT_EQ(g_live_contexts, before + 1);
    EXPECT_EQ(b.capabilities().runtime_version, "Fake 1.0");
    auto key = b.generate_key(KeyType::rsa2048);
    EXPECT_ERROR(key, ErrorCode::unsupported);
    EXPECT_NE(key.error().message().find("fake backend"), std::string::npos);
    EXPECT_EQ(key.error().backend(), "fake");
    EXPECT_ERROR(b.load_key(std::string("x")), ErrorCode::unsupported);
    EXPECT_ERROR(b.load_certificate(std::string("x")), ErrorCode::unsupported);
    EXPECT_ERROR(b.digest(DigestAlgorithm::sha256, {}), ErrorCode::unsupported);
  }
  EXPECT_EQ(g_live_contexts, before) << "the backend was shut down with its registry";
}

TEST(Registry, FindsByNameAndListsTheNamesOnAMiss) {
  auto a = fake_table("alpha");
  auto b = fake_table("beta");
  Registry registry;
  ASSERT_OK(registry.add(&a, "built-in"));
  ASSERT_OK(registry.add(&b, "built-in"));
  EXPECT_EQ(registry.find("beta").value().name(), "beta");
  auto missing = registry.find("gamma");
  EXPECT_ERROR(missing, ErrorCode::not_found);
  EXPECT_NE(missing.error().message().find("unknown backend 'gamma' (available: alpha, beta)"),
            std::string::npos)
      << missing.error().message();
}

TEST(Registry, PreferredFollowsPolytlsBackend) {
  auto a = fake_table("alpha");
  auto b = fake_table("beta");
  Registry registry;
  ASSERT_OK(registry.add(&a, "built-in"));
  ASSERT_OK(registry.add(&b, "built-in"));
  ::unsetenv("POLYTLS_BACKEND");
  EXPECT_EQ(registry.preferred().value().name(), "alpha");
  ::setenv("POLYTLS_BACKEND", "beta", 1);
  EXPECT_EQ(registry.preferred().value().name(), "beta");
  ::setenv("POLYTLS_BACKEND", "gamma", 1);
  auto wrong = registry.preferred();
  EXPECT_ERROR(wrong, ErrorCode::not_found);
  EXPECT_NE(wrong.error().message().find("POLYTLS_BACKEND"), std::string::npos);
  ::unsetenv("POLYTLS_BACKEND");
  Registry empty;
  EXPECT_ERROR(empty.preferred(), ErrorCode::not_found);
}

TEST(Registry, GlobalHoldsBuiltInsAndPlugins) {
  for (const Backend &b : available_backends()) {
    EXPECT_TRUE(b.origin() == "built-in" || b.origin().ends_with(".so")) << b.origin();
    EXPECT_EQ(find_backend(b.name()).value(), b);
  }
}

}  // namespace
}  // namespace polytls
