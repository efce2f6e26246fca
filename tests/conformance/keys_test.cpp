// Conformance: keys on every backend, for every key type.
#include <gtest/gtest.h>

#include "support.hpp"

namespace polytls::test {
namespace {

using KeyParam = std::tuple<std::string, KeyType>;

class KeyTest : public ::testing::TestWithParam<KeyParam> {
 protected:
  const std::string &backend_name() const { return std::get<0>(GetParam()); }
  KeyType type() const { return std::get<1>(GetParam()); }
  Backend b() const { return backend(backend_name()); }
  bool supported() const { return b().supports(type()); }
  const Key &key() const { return cached_key(backend_name(), type()); }

  static const std::vector<uint8_t> &message() {
    static const std::vector<uint8_t> m = [] {
      const std::string text = "polytls: the same signature on every backend";
      return std::vector<uint8_t>(text.begin(), text.end());
    }();
    return m;
  }
};

// KeyCapabilityTest runs over every (backend, key type) pair: generation
// works exactly when the capabilities say so, and is `unsupported` otherwise.
class KeyCapabilityTest : public KeyTest {};

TEST_P(KeyCapabilityTest, GeneratesWhatCapabilitiesSayElseUnsupported) {
  if (!supported()) {
    auto result = b().generate_key(type());
    EXPECT_ERROR(result, ErrorCode::unsupported);
    if (!result) {
      EXPECT_EQ(result.error().backend(), backend_name());
      EXPECT_NE(result.error().message().find(backend_name()), std::string::npos)
          << result.error().message();
      EXPECT_NE(result.error().message().find(std::string(to_string(type()))), std::string::npos)
          << result.error().message();
    }
    return;
  }
  const Key &k = key();
  EXPECT_TRUE(k.has_private());
  EXPECT_EQ(k.type(), type());
  EXPECT_EQ(k.algorithm(), algorithm_of(type()));
  EXPECT_EQ(k.curve(), curve_of(type()));
  EXPECT_EQ(k.backend().name(), backend_name());
  switch (algorithm_of(type())) {
    case KeyAlgorithm::rsa: EXPECT_EQ(k.bits(), rsa_bits_of(type())); break;
    case KeyAlgorithm::ec: EXPECT_EQ(k.bits(), type() == KeyType::ecdsa_p256 ? 256u : 384u); break;
    case KeyAlgorithm::ed25519: EXPECT_EQ(k.bits(), 256u); break;
  }
}

TEST_P(KeyTest, SignsAndVerifies) {
  ASSERT_OK_AND_ASSIGN(auto signature, key().sign(message()));
  EXPECT_OK(key().verify(message(), signature));

  auto tampered_message = message();
  tampered_message[3] ^= 0x01;
  EXPECT_ERROR(key().verify(tampered_message, signature), ErrorCode::bad_signature);
  auto tampered_signature = signature;
  tampered_signature[tampered_signature.size() / 2] ^= 0x40;
  EXPECT_ERROR(key().verify(message(), tampered_signature), ErrorCode::bad_signature);
  EXPECT_ERROR(key().verify(message(), std::vector<uint8_t>{}), ErrorCode::bad_signature);

  if (algorithm_of(type()) == KeyAlgorithm::ed25519) {
    EXPECT_EQ(signature.size(), 64u);
    EXPECT_ERROR(key().sign(message(), DigestAlgorithm::sha256), ErrorCode::bad_input);
  } else {
    ASSERT_OK_AND_ASSIGN(auto sig512, key().sign(message(), DigestAlgorithm::sha512));
    EXPECT_OK(key().verify(message(), sig512, DigestAlgorithm::sha512));
    EXPECT_ERROR(key().verify(message(), sig512, DigestAlgorithm::sha256),
                 ErrorCode::bad_signature);
    EXPECT_ERROR(key().sign(message(), DigestAlgorithm::sha1), ErrorCode::bad_input);
  }
  if (algorithm_of(type()) == KeyAlgorithm::rsa) {
    EXPECT_EQ(signature.size(), rsa_bits_of(type()) / 8);
  }
}

TEST_P(KeyTest, PrivateKeyPemRoundTrips) {
  ASSERT_OK_AND_ASSIGN(std::string pem, key().private_key_pem());
  EXPECT_TRUE(pem.starts_with("-----BEGIN PRIVATE KEY-----\n")) << pem.substr(0, 40);
  ASSERT_OK_AND_ASSIGN(Key loaded, b().load_key(pem));
  EXPECT_TRUE(loaded.has_private());
  EXPECT_EQ(loaded.type(), type());
  ASSERT_OK_AND_ASSIGN(auto original_spki, key().public_key_der());
  ASSERT_OK_AND_ASSIGN(auto loaded_spki, loaded.public_key_der());
  EXPECT_EQ(original_spki, loaded_spki);
  // The loaded key signs for the original and the other way round.
  ASSERT_OK_AND_ASSIGN(auto signature, loaded.sign(message()));
  EXPECT_OK(key().verify(message(), signature));
  // DER works as well as PEM.
  ASSERT_OK_AND_ASSIGN(auto der, key().private_key_der());
  ASSERT_OK_AND_ASSIGN(Key from_der, b().load_key(der));
  ASSERT_OK_AND_ASSIGN(auto der_spki, from_der.public_key_der());
  EXPECT_EQ(original_spki, der_spki);
}

TEST_P(KeyTest, EncryptedPrivateKeyRoundTrips) {
  const std::string passphrase = "pässwörd with spaces";
  ASSERT_OK_AND_ASSIGN(std::string pem, key().private_key_pem(passphrase));
  EXPECT_TRUE(pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n")) << pem.substr(0, 40);
  ASSERT_OK_AND_ASSIGN(Key loaded, b().load_key(pem, passphrase));
  ASSERT_OK_AND_ASSIGN(auto original_spki, key().public_key_der());
  ASSERT_OK_AND_ASSIGN(auto loaded_spki, loaded.public_key_der());
  EXPECT_EQ(original_spki, loaded_spki);

  EXPECT_ERROR(b().load_key(pem, "wrong passphrase"), ErrorCode::bad_passphrase);
  EXPECT_ERROR(b().load_key(pem, "pässwörd with space"), ErrorCode::bad_passphrase);
  EXPECT_ERROR(b().load_key(pem), ErrorCode::bad_passphrase);
}

TEST_P(KeyTest, PublicKeyRoundTripsAndCannotSign) {
  ASSERT_OK_AND_ASSIGN(std::string pem, key().public_key_pem());
  EXPECT_TRUE(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
  ASSERT_OK_AND_ASSIGN(Key pub, b().load_key(pem));
  EXPECT_FALSE(pub.has_private());
  EXPECT_EQ(pub.type(), type());
  ASSERT_OK_AND_ASSIGN(auto signature, key().sign(message()));
  EXPECT_OK(pub.verify(message(), signature));
  EXPECT_ERROR(pub.sign(message()), ErrorCode::bad_input);
  EXPECT_ERROR(pub.private_key_pem(), ErrorCode::bad_input);
  ASSERT_OK_AND_ASSIGN(std::string again, pub.public_key_pem());
  EXPECT_EQ(again, pem);
}

// KeysDifferTest: two fresh keys are never the same.
class KeysDifferTest : public ::testing::TestWithParam<std::string> {};

TEST_P(KeysDifferTest, TwoGeneratedKeysDiffer) {
  const Backend b = backend(GetParam());
  for (KeyType type : {KeyType::rsa2048, KeyType::ecdsa_p256}) {
    ASSERT_OK_AND_ASSIGN(Key first, b.generate_key(type));
    ASSERT_OK_AND_ASSIGN(Key second, b.generate_key(type));
    ASSERT_OK_AND_ASSIGN(auto a, first.public_key_der());
    ASSERT_OK_AND_ASSIGN(auto c, second.public_key_der());
    EXPECT_NE(a, c) << to_string(type);
  }
}

std::vector<KeyParam> params(bool only_supported) {
  std::vector<KeyParam> out;
  for (const std::string &name : backend_names()) {
    for (KeyType type : kAllKeyTypes) {
      if (!only_supported || backend(name).supports(type)) out.emplace_back(name, type);
    }
  }
  return out;
}

std::string key_param_name(const ::testing::TestParamInfo<KeyParam> &p) {
  return param_name(std::get<0>(p.param) + "_" + std::string(to_string(std::get<1>(p.param))));
}

INSTANTIATE_TEST_SUITE_P(Backends, KeyCapabilityTest, ::testing::ValuesIn(params(false)),
                         key_param_name);
INSTANTIATE_TEST_SUITE_P(Backends, KeyTest, ::testing::ValuesIn(params(true)), key_param_name);
INSTANTIATE_TEST_SUITE_P(Backends, KeysDifferTest, ::testing::ValuesIn(backend_names()),
                         BackendParamName());

}  // namespace
}  // namespace polytls::test
