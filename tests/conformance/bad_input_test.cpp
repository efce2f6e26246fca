// Conformance: bad input on every backend is a clear error, never a crash
// and never a silent success.
#include <gtest/gtest.h>

#include "support.hpp"

namespace polytls::test {
namespace {

class BadInputTest : public ::testing::TestWithParam<std::string> {
 protected:
  Backend b() const { return backend(GetParam()); }
  const Key &key() const { return cached_key(GetParam(), KeyType::ecdsa_p256); }
};

TEST_P(BadInputTest, GarbageIsBadInput) {
  for (const std::string &garbage :
       {std::string("hello, world"), std::string("\x30\x03\x02\x01", 4),
        std::string("-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n"),
        std::string("-----BEGIN PRIVATE KEY-----\nMIIB\n"),
        std::string("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
        std::string("-----BEGIN PRIVATE KEY-----\nMAMCAQA=\n-----END PRIVATE KEY-----\n")}) {
    EXPECT_ERROR(b().load_key(garbage), ErrorCode::bad_input) << garbage;
    EXPECT_ERROR(b().load_certificate(garbage), ErrorCode::bad_input) << garbage;
  }
  EXPECT_ERROR(b().load_key(std::string()), ErrorCode::bad_input);
  EXPECT_ERROR(b().load_certificate(std::string()), ErrorCode::bad_input);
}

TEST_P(BadInputTest, WrongKindOfPemIsBadInput) {
  ASSERT_OK_AND_ASSIGN(Certificate cert, b().self_sign(leaf_spec(), key()));
  ASSERT_OK_AND_ASSIGN(std::string key_pem, key().private_key_pem());
  EXPECT_ERROR(b().load_key(cert.pem()), ErrorCode::bad_input);
  EXPECT_ERROR(b().load_certificate(key_pem), ErrorCode::bad_input);
  // A key DER handed over as a certificate, and the other way round.
  ASSERT_OK_AND_ASSIGN(auto key_der, key().private_key_der());
  EXPECT_ERROR(b().load_certificate(key_der), ErrorCode::bad_input);
  EXPECT_ERROR(b().load_key(cert.der()), ErrorCode::bad_input);
  // A PEM label that lies about its contents.
  std::string lying = key_pem;
  lying.replace(lying.find("BEGIN PRIVATE KEY"), 17, "BEGIN PUBLIC KEY");
  lying.replace(lying.find("END PRIVATE KEY"), 15, "END PUBLIC KEY");
  EXPECT_ERROR(b().load_key(lying), ErrorCode::bad_input);
}

TEST_P(BadInputTest, EveryTruncationOfAKeyFails) {
  ASSERT_OK_AND_ASSIGN(auto der, key().private_key_der());
  for (std::size_t n = 0; n < der.size(); ++n) {
    const std::vector<uint8_t> cut(der.begin(), der.begin() + static_cast<std::ptrdiff_t>(n));
    auto result = b().load_key(cut);
    EXPECT_FALSE(result.has_value()) << "a key cut to " << n << " bytes was accepted";
  }
  ASSERT_OK_AND_ASSIGN(auto spki, key().public_key_der());
  for (std::size_t n = 0; n < spki.size(); ++n) {
    const std::vector<uint8_t> cut(spki.begin(), spki.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_FALSE(b().load_key(cut).has_value()) << "a public key cut to " << n << " bytes";
  }
}

TEST_P(BadInputTest, EveryTruncationOfACertificateFails) {
  ASSERT_OK_AND_ASSIGN(Certificate cert, b().self_sign(leaf_spec(), key()));
  const std::vector<uint8_t> &der = cert.der();
  for (std::size_t n = 0; n < der.size(); ++n) {
    const std::vector<uint8_t> cut(der.begin(), der.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_FALSE(b().load_certificate(cut).has_value())
        << "a certificate cut to " << n << " bytes was accepted";
  }
  // Truncated PEM: a block cut anywhere inside fails too.
  const std::string pem = cert.pem();
  for (std::size_t n = 30; n < pem.size() - 1; n += 7) {
    EXPECT_FALSE(b().load_certificate(pem.substr(0, n)).has_value()) << "PEM cut to " << n;
  }
}

TEST_P(BadInputTest, TrailingBytesAreRefused) {
  ASSERT_OK_AND_ASSIGN(Certificate cert, b().self_sign(leaf_spec(), key()));
  std::vector<uint8_t> longer = cert.der();
  longer.push_back(0x00);
  EXPECT_ERROR(b().load_certificate(longer), ErrorCode::bad_input);
  ASSERT_OK_AND_ASSIGN(auto der, key().private_key_der());
  der.push_back(0x00);
  EXPECT_ERROR(b().load_key(der), ErrorCode::bad_input);
}

TEST_P(BadInputTest, FlippedSignatureBitIsUntrusted) {
  ASSERT_OK_AND_ASSIGN(Certificate cert, b().self_sign(leaf_spec(), key()));
  std::vector<uint8_t> der = cert.der();
  der[der.size() - 5] ^= 0x01;  // inside the signature value
  auto tampered = b().load_certificate(der);
  if (!tampered) {
    EXPECT_EQ(tampered.error().code(), ErrorCode::bad_input) << tampered.error().to_string();
    return;
  }
  std::vector<Certificate> anchors;
  anchors.push_back(b().load_certificate(cert.der()).value());
  EXPECT_ERROR(b().verify(*tampered, anchors), ErrorCode::untrusted);
}

TEST_P(BadInputTest, MissingFilesAreNotFound) {
  TempDir dir;
  EXPECT_ERROR(b().load_key_file(dir / "absent.pem"), ErrorCode::not_found);
  EXPECT_ERROR(b().load_certificate_file(dir / "absent.pem"), ErrorCode::not_found);
}

TEST_P(BadInputTest, ForeignObjectsAreRefusedByName) {
  for (const std::string &other : backend_names()) {
    if (other == GetParam()) continue;
    const Key &foreign = cached_key(other, KeyType::ecdsa_p256);
    auto result = b().self_sign(leaf_spec(), foreign);
    EXPECT_ERROR(result, ErrorCode::bad_input);
    if (!result) {
      EXPECT_NE(result.error().message().find(other), std::string::npos);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, BadInputTest, ::testing::ValuesIn(backend_names()),
                         BackendParamName());

}  // namespace
}  // namespace polytls::test
