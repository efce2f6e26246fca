// Interop: the openssl command-line tool as an outside referee. What each
// backend writes, OpenSSL accepts; what OpenSSL writes, each backend reads.
#include <gtest/gtest.h>

#include "support.hpp"

namespace polytls::test {
namespace {

class OpensslCliTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    openssl_ = find_program("openssl");
    if (!openssl_) GTEST_SKIP() << "the openssl command-line tool is not installed";
  }
  Backend b() const { return backend(GetParam()); }

  ProcessResult openssl(std::vector<std::string> args, const std::string &input = {}) const {
    args.insert(args.begin(), openssl_->string());
    return run(args, input, std::chrono::seconds(60));
  }

  std::optional<std::filesystem::path> openssl_;
  TempDir dir_;
};

TEST_P(OpensslCliTest, AcceptsEveryCertificateAndKeyWeWrite) {
  for (KeyType type :
       {KeyType::rsa2048, KeyType::ecdsa_p256, KeyType::ecdsa_p384, KeyType::ed25519}) {
    if (!b().supports(type)) continue;
    SCOPED_TRACE(std::string(to_string(type)));
    const Key &key = cached_key(GetParam(), type);
    ASSERT_OK_AND_ASSIGN(Certificate ca, b().self_sign(ca_spec(), key));
    const Key &leaf_key = cached_key(GetParam(), KeyType::ecdsa_p256);
    ASSERT_OK_AND_ASSIGN(Certificate leaf, b().issue(leaf_spec(), leaf_key, ca, key));
    ASSERT_OK_AND_ASSIGN(Certificate self, b().self_sign(leaf_spec(), key));
    write_text(dir_ / "ca.pem", ca.pem());
    write_text(dir_ / "leaf.pem", leaf.pem());
    write_text(dir_ / "self.pem", self.pem());

    ProcessResult text = openssl({"x509", "-in", (dir_ / "leaf.pem").string(), "-noout", "-text",
                                  "-nameopt", "utf8,sep_comma_plus_space"});
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("Version: 3 (0x2)"), std::string::npos);
    EXPECT_NE(text.out.find("Subject: C=BR, ST=Distrito Federal, L=Brasília, O=UnB, OU=CIC, "
                            "CN=localhost"),
              std::string::npos)
        << text.out;
    EXPECT_NE(text.out.find("Issuer: C=BR, O=polytls tests, CN=polytls Test CA"),
              std::string::npos);
    EXPECT_NE(text.out.find("X509v3 Basic Constraints: critical\n                CA:FALSE"),
              std::string::npos)
        << text.out;
    EXPECT_NE(text.out.find("X509v3 Key Usage: critical\n                Digital Signature\n"),
              std::string::npos)
        << text.out;
    EXPECT_NE(text.out.find("TLS Web Server Authentication, TLS Web Client Authentication"),
              std::string::npos);
    EXPECT_NE(text.out.find("DNS:localhost, DNS:*.example.test, IP Address:127.0.0.1, IP "
                            "Address:0:0:0:0:0:0:0:1"),
              std::string::npos)
        << text.out;
    EXPECT_NE(text.out.find("X509v3 Subject Key Identifier"), std::string::npos);
    EXPECT_NE(text.out.find("X509v3 Authority Key Identifier"), std::string::npos);

    ProcessResult ca_text = openssl({"x509", "-in", (dir_ / "ca.pem").string(), "-noout", "-text"});
    ASSERT_EQ(ca_text.exit_code, 0) << ca_text.err;
    EXPECT_NE(ca_text.out.find("CA:TRUE, pathlen:0"), std::string::npos) << ca_text.out;
    EXPECT_NE(ca_text.out.find("Certificate Sign, CRL Sign"), std::string::npos) << ca_text.out;

    ProcessResult verify =
        openssl({"verify", "-CAfile", (dir_ / "ca.pem").string(), (dir_ / "leaf.pem").string()});
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
    EXPECT_NE(verify.out.find(": OK"), std::string::npos);
    ProcessResult verify_self =
        openssl({"verify", "-CAfile", (dir_ / "self.pem").string(), (dir_ / "self.pem").string()});
    EXPECT_EQ(verify_self.exit_code, 0) << verify_self.out << verify_self.err;
    ProcessResult wrong =
        openssl({"verify", "-CAfile", (dir_ / "self.pem").string(), (dir_ / "leaf.pem").string()});
    EXPECT_NE(wrong.exit_code, 0) << "OpenSSL trusts a leaf from the wrong CA";
    ProcessResult names = openssl({"x509", "-in", (dir_ / "leaf.pem").string(), "-noout",
                                   "-checkhost", "localhost", "-checkip", "::1"});
    EXPECT_NE(names.out.find("Hostname localhost does match"), std::string::npos) << names.out;
    EXPECT_NE(names.out.find("IP ::1 does match"), std::string::npos) << names.out;

    // Keys: plain and encrypted PKCS#8, read by OpenSSL to the same public key.
    ASSERT_OK_AND_ASSIGN(std::string plain, key.private_key_pem());
    ASSERT_OK_AND_ASSIGN(std::string encrypted, key.private_key_pem("s3cret pass"));
    ASSERT_OK_AND_ASSIGN(std::string pub, key.public_key_pem());
    write_text(dir_ / "key.pem", plain);
    write_text(dir_ / "enc.pem", encrypted);
    ProcessResult from_plain = openssl({"pkey", "-in", (dir_ / "key.pem").string(), "-pubout"});
    EXPECT_EQ(from_plain.exit_code, 0) << from_plain.err;
    EXPECT_EQ(from_plain.out, pub);
    ProcessResult from_enc = openssl(
        {"pkey", "-in", (dir_ / "enc.pem").string(), "-passin", "pass:s3cret pass", "-pubout"});
    EXPECT_EQ(from_enc.exit_code, 0) << from_enc.err;
    EXPECT_EQ(from_enc.out, pub);
    ProcessResult wrong_pass =
        openssl({"pkey", "-in", (dir_ / "enc.pem").string(), "-passin", "pass:nope", "-noout"});
    EXPECT_NE(wrong_pass.exit_code, 0);
    ProcessResult parsed = openssl({"asn1parse", "-in", (dir_ / "enc.pem").string()});
    EXPECT_NE(parsed.out.find("PBES2"), std::string::npos) << parsed.out;
    EXPECT_NE(parsed.out.find("aes-256-cbc"), std::string::npos) << parsed.out;
  }
}

TEST_P(OpensslCliTest, ReadsKeysOpensslWrites) {
  struct Case {
    std::vector<std::string> genpkey;
    KeyType type;
  };
  const Case cases[] = {
      {{"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"}, KeyType::rsa2048},
      {{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"}, KeyType::ecdsa_p256},
      {{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"}, KeyType::ecdsa_p384},
      {{"-algorithm", "ED25519"}, KeyType::ed25519},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(std::string(to_string(c.type)));
    std::vector<std::string> args = {"genpkey", "-out", (dir_ / "k.pem").string()};
    args.insert(args.end(), c.genpkey.begin(), c.genpkey.end());
    ASSERT_EQ(openssl(args).exit_code, 0);
    const std::string pub = openssl({"pkey", "-in", (dir_ / "k.pem").string(), "-pubout"}).out;
    const uint32_t algorithm_bit = 1u << static_cast<uint32_t>(algorithm_of(c.type));
    if ((b().capabilities().key_algorithms & algorithm_bit) == 0) {
      EXPECT_ERROR(b().load_key_file(dir_ / "k.pem"), ErrorCode::unsupported);
      continue;
    }
    ASSERT_OK_AND_ASSIGN(Key plain, b().load_key_file(dir_ / "k.pem"));
    EXPECT_EQ(plain.type(), c.type);
    EXPECT_EQ(plain.public_key_pem().value(), pub);

    // Encrypted PKCS#8 in the schemes OpenSSL users meet.
    for (std::vector<std::string> scheme :
         {std::vector<std::string>{"-v2", "aes-256-cbc"},
          std::vector<std::string>{"-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA1"},
          std::vector<std::string>{"-v2", "des3"}}) {
      SCOPED_TRACE(scheme[1]);
      std::vector<std::string> p8 = {
          "pkcs8",    "-topk8", "-in", (dir_ / "k.pem").string(), "-out", (dir_ / "e.pem").string(),
          "-passout", "pass:pw"};
      p8.insert(p8.end(), scheme.begin(), scheme.end());
      ASSERT_EQ(openssl(p8).exit_code, 0);
      ASSERT_OK_AND_ASSIGN(Key decrypted, b().load_key_file(dir_ / "e.pem", "pw"));
      EXPECT_EQ(decrypted.public_key_pem().value(), pub);
      EXPECT_ERROR(b().load_key_file(dir_ / "e.pem", "wrong"), ErrorCode::bad_passphrase);
    }
    // The traditional PKCS#1 / SEC1 forms, where they exist.
    if (algorithm_of(c.type) != KeyAlgorithm::ed25519) {
      ASSERT_EQ(openssl({"pkey", "-in", (dir_ / "k.pem").string(), "-traditional", "-out",
                         (dir_ / "t.pem").string()})
                    .exit_code,
                0);
      ASSERT_OK_AND_ASSIGN(Key traditional, b().load_key_file(dir_ / "t.pem"));
      EXPECT_EQ(traditional.public_key_pem().value(), pub);
    }
  }
}

TEST_P(OpensslCliTest, InspectsCertificatesOpensslMakes) {
  ASSERT_EQ(openssl({"req",
                     "-x509",
                     "-newkey",
                     "ec",
                     "-pkeyopt",
                     "ec_paramgen_curve:P-256",
                     "-nodes",
                     "-keyout",
                     (dir_ / "k.pem").string(),
                     "-out",
                     (dir_ / "c.pem").string(),
                     "-days",
                     "10",
                     "-subj",
                     "/C=BR/L=Brasília/CN=openssl.test",
                     "-utf8",
                     "-addext",
                     "subjectAltName=DNS:openssl.test,IP:10.1.2.3",
                     "-set_serial",
                     "0x1234abcd"})
                .exit_code,
            0);
  ASSERT_OK_AND_ASSIGN(Certificate cert, b().load_certificate_file(dir_ / "c.pem"));
  ASSERT_OK_AND_ASSIGN(CertificateInfo info, cert.inspect());
  EXPECT_EQ(info.subject.common_name(), "openssl.test");
  EXPECT_EQ(info.subject.find(NameAttribute::locality), "Brasília");
  EXPECT_EQ(info.serial, (std::vector<uint8_t>{0x12, 0x34, 0xab, 0xcd}));
  ASSERT_EQ(info.subject_alt_names.size(), 2u);
  EXPECT_EQ(info.subject_alt_names[0].to_string(), "DNS:openssl.test");
  EXPECT_EQ(info.subject_alt_names[1].to_string(), "IP:10.1.2.3");
  EXPECT_EQ(info.key_type(), KeyType::ecdsa_p256);
  EXPECT_EQ(info.signature_algorithm, SignatureAlgorithm::ecdsa_sha256);
  EXPECT_EQ(info.not_after - info.not_before, std::chrono::days(10));
  std::vector<Certificate> anchors;
  anchors.push_back(b().load_certificate_file(dir_ / "c.pem").value());
  EXPECT_OK(b().verify(cert, anchors, {.host = "10.1.2.3"}));
  EXPECT_ERROR(b().verify(cert, anchors, {.host = "10.1.2.4"}), ErrorCode::hostname_mismatch);
  ASSERT_OK_AND_ASSIGN(Key key, b().load_key_file(dir_ / "k.pem"));
  ASSERT_OK_AND_ASSIGN(Key certified, cert.public_key());
  EXPECT_EQ(key.public_key_der().value(), certified.public_key_der().value());
}

INSTANTIATE_TEST_SUITE_P(Backends, OpensslCliTest, ::testing::ValuesIn(backend_names()),
                         BackendParamName());

}  // namespace
}  // namespace polytls::test
