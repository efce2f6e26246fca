// Conformance: every backend describes itself truthfully.
#include <gtest/gtest.h>

#include "support.hpp"

namespace polytls::test {
namespace {

class CapabilitiesTest : public ::testing::TestWithParam<std::string> {
 protected:
  Backend b() const { return backend(GetParam()); }
};

TEST_P(CapabilitiesTest, TableIsVersionedAndNamed) {
  const polytls_backend_v1 &table = b().table();
  EXPECT_EQ(table.abi_version, POLYTLS_ABI_VERSION);
  EXPECT_GE(table.struct_size, POLYTLS_BACKEND_V1_MIN_SIZE);
  EXPECT_STREQ(table.name, GetParam().c_str());
  ASSERT_NE(table.caps, nullptr);
  EXPECT_EQ(table.caps->struct_size, sizeof(polytls_caps_v1));
  EXPECT_FALSE(b().capabilities().library_name.empty());
  EXPECT_FALSE(b().capabilities().build_version.empty());
  EXPECT_FALSE(b().capabilities().runtime_version.empty());
  EXPECT_TRUE(b().origin() == "built-in" ||
              b().origin().ends_with("/libpolytls-" + GetParam() + ".so"))
      << b().origin();
}

TEST_P(CapabilitiesTest, EveryCapabilityBitMatchesItsMember) {
  const polytls_backend_v1 &t = b().table();
  const Capabilities &caps = b().capabilities();
  EXPECT_EQ(caps.has(Capability::key_generate), t.key_generate != nullptr);
  EXPECT_EQ(caps.has(Capability::cert_create), t.cert_create != nullptr);
  EXPECT_EQ(caps.has(Capability::cert_verify), t.cert_verify != nullptr);
  EXPECT_EQ(caps.has(Capability::pbkdf2), t.pbkdf2_hmac != nullptr);
  EXPECT_EQ(caps.has(Capability::cipher), t.cipher != nullptr);
  // TLS: a version bit promises every tls_* member, and the members promise a version.
  const bool tls = caps.has(Capability::tls12) || caps.has(Capability::tls13);
  const bool members = t.tls_context_new != nullptr && t.tls_context_free != nullptr &&
                       t.tls_session_new != nullptr && t.tls_handshake != nullptr &&
                       t.tls_read != nullptr && t.tls_write != nullptr && t.tls_close != nullptr &&
                       t.tls_describe != nullptr && t.tls_peer_chain != nullptr &&
                       t.tls_export_session != nullptr && t.tls_session_free != nullptr;
  EXPECT_EQ(tls, members);
  if (tls) {
    EXPECT_EQ(caps.has(Capability::tls12), caps.tls_min_version <= 0x0303);
    EXPECT_EQ(caps.has(Capability::tls13), caps.tls_max_version >= 0x0304);
  } else {
    for (Capability c :
         {Capability::alpn, Capability::sni, Capability::resumption, Capability::keylog_tls12,
          Capability::keylog_tls13, Capability::client_auth, Capability::tls_select}) {
      EXPECT_FALSE(caps.has(c)) << to_string(c);
    }
  }
  // Every backend reads and writes keys and certificates in some way.
  EXPECT_NE(t.key_import, nullptr);
  EXPECT_NE(t.key_export, nullptr);
  EXPECT_NE(t.cert_import, nullptr);
  EXPECT_NE(t.cert_export, nullptr);
  EXPECT_NE(t.cert_inspect, nullptr);
  EXPECT_NE(t.digest, nullptr);
}

TEST_P(CapabilitiesTest, KeyTypesFollowAlgorithmBits) {
  const Capabilities &caps = b().capabilities();
  for (KeyType type : kAllKeyTypes) {
    const bool algorithm_bit =
        ((caps.key_algorithms >> static_cast<uint32_t>(algorithm_of(type))) & 1u) != 0;
    if (!algorithm_bit) {
      EXPECT_FALSE(caps.supports(type)) << to_string(type);
    }
  }
  // RSA 2048 and both NIST curves are the floor every backend must reach.
  EXPECT_TRUE(caps.supports(KeyType::rsa2048));
  EXPECT_TRUE(caps.supports(KeyType::ecdsa_p256));
  EXPECT_TRUE(caps.supports(KeyType::ecdsa_p384));
}

TEST_P(CapabilitiesTest, DigestsAreCorrect) {
  // SHA-256("abc"), FIPS 180-2 appendix B.1.
  const std::string abc = "abc";
  ASSERT_OK_AND_ASSIGN(auto digest, b().digest(DigestAlgorithm::sha256, bytes(abc)));
  const std::vector<uint8_t> expected = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
                                         0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
                                         0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
                                         0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
  EXPECT_EQ(digest, expected);
  for (auto [d, size] : {std::pair{DigestAlgorithm::sha1, 20u},
                         {DigestAlgorithm::sha384, 48u},
                         {DigestAlgorithm::sha512, 64u}}) {
    ASSERT_OK_AND_ASSIGN(auto out, b().digest(d, bytes(abc)));
    EXPECT_EQ(out.size(), size) << to_string(d);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, CapabilitiesTest, ::testing::ValuesIn(backend_names()),
                         BackendParamName());

}  // namespace
}  // namespace polytls::test
