// The registry validates every table before calling it; broken tables are
// refused with a message naming their origin and what is wrong.
#include "polytls/registry.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <vector>

#include "polytls/tls.hpp"

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

// A fake TLS backend: tls_context_new records what it was given; the
// session members are never reached.
struct FakeTls {
  int context_new_calls = 0;
  uint32_t struct_size = 0;
  uint32_t min_version = 0, max_version = 0;
  std::vector<uint8_t> suites, groups;
};
FakeTls g_tls;

polytls_status fake_tls_context_new(void *, const polytls_tls_config_v1 *config,
                                    polytls_tls_context **out, polytls_error *) {
  ++g_tls.context_new_calls;
  g_tls.struct_size = config->struct_size;
  g_tls.min_version = config->min_version;
  g_tls.max_version = config->max_version;
  g_tls.suites.assign(config->cipher_suites.data,
                      config->cipher_suites.data + config->cipher_suites.len);
  g_tls.groups.assign(config->groups.data, config->groups.data + config->groups.len);
  *out = reinterpret_cast<polytls_tls_context *>(&g_tls);
  return POLYTLS_OK;
}
void fake_tls_context_free(polytls_tls_context *) {}
polytls_status fake_tls_session_new(void *, polytls_tls_context *,
                                    const polytls_tls_session_params_v1 *, polytls_tls_session **,
                                    polytls_error *) {
  return POLYTLS_ERR_UNSUPPORTED;
}
polytls_status fake_tls_step(polytls_tls_session *, polytls_error *) {
  return POLYTLS_ERR_UNSUPPORTED;
}
polytls_status fake_tls_read(polytls_tls_session *, uint8_t *, size_t, size_t *, polytls_error *) {
  return POLYTLS_ERR_UNSUPPORTED;
}
polytls_status fake_tls_write(polytls_tls_session *, const uint8_t *, size_t, size_t *,
                              polytls_error *) {
  return POLYTLS_ERR_UNSUPPORTED;
}
polytls_status fake_tls_describe(polytls_tls_session *, polytls_tls_info_v1 *, polytls_error *) {
  return POLYTLS_ERR_UNSUPPORTED;
}
polytls_status fake_tls_peer_chain(polytls_tls_session *, const polytls_cert_der_visitor *,
                                   polytls_error *) {
  return POLYTLS_ERR_UNSUPPORTED;
}
polytls_status fake_tls_export(polytls_tls_session *, const polytls_sink *, polytls_error *) {
  return POLYTLS_ERR_UNSUPPORTED;
}
void fake_tls_session_free(polytls_tls_session *) {}

polytls_caps_v1 tls_caps(uint64_t features, uint32_t max_version) {
  polytls_caps_v1 c = caps(POLYTLS_FEATURE_TLS12 | features);
  if (max_version >= POLYTLS_TLS1_3) c.features |= POLYTLS_FEATURE_TLS13;
  c.tls_min_version = POLYTLS_TLS1_2;
  c.tls_max_version = max_version;
  return c;
}
const polytls_caps_v1 kTlsNoSelect = tls_caps(0, POLYTLS_TLS1_3);
const polytls_caps_v1 kTls12Select = tls_caps(POLYTLS_FEATURE_TLS_SELECT, POLYTLS_TLS1_2);

polytls_backend_v1 fake_tls_table(const char *name, const polytls_caps_v1 *tls) {
  polytls_backend_v1 t = fake_table(name);
  t.caps = tls;
  t.tls_context_new = fake_tls_context_new;
  t.tls_context_free = fake_tls_context_free;
  t.tls_session_new = fake_tls_session_new;
  t.tls_handshake = fake_tls_step;
  t.tls_read = fake_tls_read;
  t.tls_write = fake_tls_write;
  t.tls_close = fake_tls_step;
  t.tls_describe = fake_tls_describe;
  t.tls_peer_chain = fake_tls_peer_chain;
  t.tls_export_session = fake_tls_export;
  t.tls_session_free = fake_tls_session_free;
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

TEST(Registry, ASelectionNeedsTheTlsSelectCapability) {
  // A backend built against a header without the selection fields would
  // ignore them: the core refuses instead of calling it.
  auto t = fake_tls_table("fake", &kTlsNoSelect);
  Registry registry;
  ASSERT_OK_AND_ASSIGN(Backend b, registry.add(&t, "built-in"));
  g_tls = {};
  const auto client = [](std::vector<uint16_t> suites, std::vector<uint16_t> groups) {
    TlsClientConfig c;
    c.verify = false;
    c.cipher_suites = std::move(suites);
    c.groups = std::move(groups);
    return c;
  };
  auto refused = b.make_client_context(client({0x1301, 0xC02B}, {}));
  EXPECT_ERROR(refused, ErrorCode::unsupported);
  if (!refused) {
    EXPECT_NE(refused.error().message().find("choosing cipher suites or key exchange groups: not "
                                             "supported by the fake backend"),
              std::string::npos)
        << refused.error().message();
    EXPECT_EQ(refused.error().backend(), "fake");
  }
  EXPECT_ERROR(b.make_client_context(client({}, {0x001d})), ErrorCode::unsupported);
  EXPECT_EQ(g_tls.context_new_calls, 0);
  // Bad input is bad input on any backend, before it is called.
  EXPECT_ERROR(b.make_client_context(client({0x002F}, {})), ErrorCode::bad_input);
  EXPECT_EQ(g_tls.context_new_calls, 0);
  // Without a selection the backend is called, and gets none.
  EXPECT_OK(b.make_client_context(client({}, {})));
  EXPECT_EQ(g_tls.context_new_calls, 1);
  EXPECT_EQ(g_tls.struct_size, sizeof(polytls_tls_config_v1));
  EXPECT_TRUE(g_tls.suites.empty());
  EXPECT_TRUE(g_tls.groups.empty());
}

TEST(Registry, ASelectionIsCheckedThenPassedForTheVersionsServed) {
  auto t = fake_tls_table("fake", &kTls12Select);  // TLS 1.2 only
  Registry registry;
  ASSERT_OK_AND_ASSIGN(Backend b, registry.add(&t, "built-in"));
  g_tls = {};
  const auto bad = [&b](std::vector<uint16_t> suites, std::vector<uint16_t> groups, TlsVersion min,
                        TlsVersion max, std::string_view words) {
    TlsClientConfig c;
    c.verify = false;
    c.cipher_suites = std::move(suites);
    c.groups = std::move(groups);
    c.min_version = min;
    c.max_version = max;
    auto made = b.make_client_context(std::move(c));
    EXPECT_ERROR(made, ErrorCode::bad_input);
    if (!made) {
      EXPECT_NE(made.error().message().find(words), std::string::npos) << made.error().message();
    }
  };
  const TlsVersion v12 = TlsVersion::tls12, v13 = TlsVersion::tls13;
  bad({0x1301, 0x9999}, {}, v12, v13, "0x9999 is not one polytls allows");
  bad({0x1301, 0x00FF}, {}, v12, v13, "0x00FF is not one polytls allows");
  bad({0xC02B}, {}, v13, v13, "the cipher suites include none for TLS 1.3");
  bad({0x1302}, {}, v12, v12, "none for TLS 1.2");
  bad({0x1301, 0xC02B, 0xC02B}, {}, v12, v13,
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (0xC02B) is listed twice");
  bad({}, {0x0017, 0x0018, 0x0017}, v12, v13, "secp256r1 (0x0017) is listed twice");
  bad({}, {0x0100}, v12, v13, "ffdhe2048 (0x0100) is not one polytls allows");
  EXPECT_EQ(g_tls.context_new_calls, 0) << "refused before the backend was called";
  // The default range is served as TLS 1.2 here: only the 1.2 suites go
  // down, in order, as big-endian numbers; the groups as given.
  TlsClientConfig c;
  c.verify = false;
  c.cipher_suites = {0x1301, 0xCCA8, 0xC02B};
  c.groups = {0x0018, 0x001d};
  EXPECT_OK(b.make_client_context(std::move(c)));
  EXPECT_EQ(g_tls.context_new_calls, 1);
  EXPECT_EQ(g_tls.max_version, POLYTLS_TLS1_2);
  EXPECT_EQ(g_tls.suites, (std::vector<uint8_t>{0xCC, 0xA8, 0xC0, 0x2B}));
  EXPECT_EQ(g_tls.groups, (std::vector<uint8_t>{0x00, 0x18, 0x00, 0x1d}));
}

TEST(Registry, GlobalHoldsBuiltInsAndPlugins) {
  for (const Backend &b : available_backends()) {
    EXPECT_TRUE(b.origin() == "built-in" || b.origin().ends_with(".so")) << b.origin();
    EXPECT_EQ(find_backend(b.name()).value(), b);
  }
}

}  // namespace
}  // namespace polytls
