// Cross-backend: what one library makes, every other library reads,
// inspects the same way and verifies.
#include <gtest/gtest.h>

#include "support.hpp"

namespace polytls::test {
namespace {

using Pair = std::tuple<std::string, std::string, KeyType>;  // maker, reader, key type

class CrossBackendTest : public ::testing::TestWithParam<Pair> {
 protected:
  Backend maker() const { return backend(std::get<0>(GetParam())); }
  Backend reader() const { return backend(std::get<1>(GetParam())); }
  KeyType type() const { return std::get<2>(GetParam()); }
  const Key &key() const { return cached_key(std::get<0>(GetParam()), type()); }
  bool reader_has_type() const {
    const Capabilities &caps = reader().capabilities();
    return ((caps.key_algorithms >> static_cast<uint32_t>(algorithm_of(type()))) & 1u) != 0;
  }
};

TEST_P(CrossBackendTest, CertificatesAreReadInspectedAndVerifiedAlike) {
  ASSERT_OK_AND_ASSIGN(Certificate ca, maker().self_sign(ca_spec(), key()));
  const Key &leaf_key = cached_key(std::get<0>(GetParam()), KeyType::ecdsa_p256);
  ASSERT_OK_AND_ASSIGN(Certificate leaf, maker().issue(leaf_spec(), leaf_key, ca, key()));

  auto ca_there = reader().load_certificate(ca.pem());
  if (!reader_has_type()) {
    // A certificate whose key the reader's library cannot handle is
    // refused as `unsupported` (Ed25519 on Mbed TLS 2.28), not misread.
    EXPECT_ERROR(ca_there, ErrorCode::unsupported);
    return;
  }
  ASSERT_OK(ca_there);
  ASSERT_OK_AND_ASSIGN(Certificate leaf_there, reader().load_certificate(leaf.pem()));

  // Both libraries see the same fields.
  const std::pair<const Certificate *, const Certificate *> same_certs[] = {{&ca, &*ca_there},
                                                                            {&leaf, &leaf_there}};
  for (const auto &[mine, theirs] : same_certs) {
    ASSERT_OK_AND_ASSIGN(CertificateInfo here, mine->inspect());
    ASSERT_OK_AND_ASSIGN(CertificateInfo there, theirs->inspect());
    EXPECT_EQ(there.subject, here.subject);
    EXPECT_EQ(there.issuer, here.issuer);
    EXPECT_EQ(there.serial, here.serial);
    EXPECT_EQ(there.not_before, here.not_before);
    EXPECT_EQ(there.not_after, here.not_after);
    EXPECT_EQ(there.subject_alt_names, here.subject_alt_names);
    EXPECT_EQ(there.key_algorithm, here.key_algorithm);
    EXPECT_EQ(there.key_bits, here.key_bits);
    EXPECT_EQ(there.signature_algorithm, here.signature_algorithm);
    EXPECT_EQ(there.fingerprint_sha256, here.fingerprint_sha256);
    EXPECT_EQ(there.is_ca, here.is_ca);
    EXPECT_EQ(there.path_length, here.path_length);
    EXPECT_EQ(there.key_usage, here.key_usage);
    EXPECT_EQ(there.ext_key_usage, here.ext_key_usage);
    EXPECT_EQ(there.subject_key_id, here.subject_key_id);
    EXPECT_EQ(there.authority_key_id, here.authority_key_id);
  }

  std::vector<Certificate> anchors;
  anchors.push_back(std::move(ca_there).value());
  EXPECT_OK(reader().verify(leaf_there, anchors, {.host = "localhost"}));
  EXPECT_OK(reader().verify(leaf_there, anchors, {.host = "::1"}));
  EXPECT_ERROR(reader().verify(leaf_there, anchors, {.host = "example.org"}),
               ErrorCode::hostname_mismatch);
  // Certificates held by the maker are accepted too (read over by DER).
  EXPECT_OK(reader().verify(leaf, anchors, {.host = "127.0.0.1"}));
}

TEST_P(CrossBackendTest, PrivateKeysMoveBetweenLibraries) {
  ASSERT_OK_AND_ASSIGN(std::string plain, key().private_key_pem());
  ASSERT_OK_AND_ASSIGN(std::string encrypted, key().private_key_pem("correct horse"));
  if (!reader_has_type()) {
    EXPECT_ERROR(reader().load_key(plain), ErrorCode::unsupported);
    return;
  }
  ASSERT_OK_AND_ASSIGN(Key there, reader().load_key(plain));
  ASSERT_OK_AND_ASSIGN(Key there_too, reader().load_key(encrypted, "correct horse"));
  EXPECT_ERROR(reader().load_key(encrypted, "battery staple"), ErrorCode::bad_passphrase);
  ASSERT_OK_AND_ASSIGN(auto spki, key().public_key_der());
  EXPECT_EQ(there.public_key_der().value(), spki);
  EXPECT_EQ(there_too.public_key_der().value(), spki);

  // What the reader signs, the maker verifies, and the other way round.
  const std::string message = "moved across libraries";
  ASSERT_OK_AND_ASSIGN(auto sig_there, there.sign(bytes(message)));
  EXPECT_OK(key().verify(bytes(message), sig_there));
  ASSERT_OK_AND_ASSIGN(auto sig_here, key().sign(bytes(message)));
  EXPECT_OK(there.verify(bytes(message), sig_here));
}

std::vector<Pair> pairs() {
  std::vector<Pair> out;
  const std::vector<std::string> names = backend_names();
  for (const std::string &maker : names) {
    for (const std::string &reader : names) {
      for (KeyType type : {KeyType::rsa2048, KeyType::ecdsa_p384, KeyType::ed25519}) {
        if (backend(maker).supports(type)) out.emplace_back(maker, reader, type);
      }
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Backends, CrossBackendTest, ::testing::ValuesIn(pairs()),
                         [](const ::testing::TestParamInfo<Pair> &p) {
                           return param_name(std::get<0>(p.param) + "_to_" + std::get<1>(p.param) +
                                             "_" + std::string(to_string(std::get<2>(p.param))));
                         });

}  // namespace
}  // namespace polytls::test
