// Conformance: what the core was built without (POLYTLS_CERT_CREATE=OFF,
// POLYTLS_TLS_SERVER=OFF; docs/embedded.md) answers exactly `unsupported`
// on every backend, and what it was built with works.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "polytls/features.hpp"
#include "support.hpp"

namespace polytls::test {
namespace {

// A self-signed P-256 certificate for localhost (CA:TRUE, keyCertSign, valid
// until 2126) and its key, made once with the openssl command-line tool, so
// that this test needs no certificate creation.
constexpr std::string_view kCertPem = R"(-----BEGIN CERTIFICATE-----
MIIBqzCCAVGgAwIBAgIUM26RkD3XsrXAENWI06jCf2oeCGYwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNjEzNDU1NloYDzIxMjYxMTAy
MTM0NTU2WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAARC1Q1S3evQBzdj5PrIdPAMAcNRhRTDvWs71wj70ekqqJm+Rq6r+/mR
75vAhOmhtAXNLOuz9MBoiW5jyBu9aBNRo38wfTAdBgNVHQ4EFgQUyViFbyy7rG0w
3/v3zrzVBfL53MYwHwYDVR0jBBgwFoAUyViFbyy7rG0w3/v3zrzVBfL53MYwGgYD
VR0RBBMwEYIJbG9jYWxob3N0hwR/AAABMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0P
AQH/BAQDAgKEMAoGCCqGSM49BAMCA0gAMEUCIQC7n5Zveb9ET3EarZGGWLiyn+Hc
1JaAVOTuMo+/1uS8NAIgEXf+pstVR2yYlVrgLGPhHLovle0ss0hn1A67yiGDfW0=
-----END CERTIFICATE-----
)";
constexpr std::string_view kKeyPem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgjPqpzqzlZS/qDL88
XQxoP92OmMHF2p+R/ucVVtWjYu+hRANCAARC1Q1S3evQBzdj5PrIdPAMAcNRhRTD
vWs71wj70ekqqJm+Rq6r+/mR75vAhOmhtAXNLOuz9MBoiW5jyBu9aBNR
-----END PRIVATE KEY-----
)";

bool mentions(const Error &error, std::string_view text) {
  return error.to_string().find(text) != std::string::npos;
}

class BuildFeaturesTest : public ::testing::TestWithParam<std::string> {
 protected:
  Backend b() const { return backend(GetParam()); }
};

TEST_P(BuildFeaturesTest, CertificateCreationAsBuilt) {
  ASSERT_OK_AND_ASSIGN(Key key, b().load_key(kKeyPem));
  ASSERT_OK_AND_ASSIGN(Certificate ca, b().load_certificate(kCertPem));
  if (build_features().cert_create) {
    if (!b().supports(Capability::cert_create)) {
      EXPECT_ERROR(b().self_sign(leaf_spec(), key), ErrorCode::unsupported);
      return;
    }
    EXPECT_OK(b().self_sign(leaf_spec(), key));
    ASSERT_OK_AND_ASSIGN(Key leaf_key, b().generate_key(KeyType::ecdsa_p256));
    EXPECT_OK(b().issue(leaf_spec(), leaf_key, ca, key));
    return;
  }
  // Left out: exactly `unsupported`, saying why, for self-signed and issued.
  auto self_signed = b().self_sign(leaf_spec(), key);
  EXPECT_ERROR(self_signed, ErrorCode::unsupported);
  if (!self_signed) {
    EXPECT_TRUE(mentions(self_signed.error(), "POLYTLS_CERT_CREATE=OFF"))
        << self_signed.error().to_string();
  }
  EXPECT_ERROR(b().issue(leaf_spec(), key, ca, key), ErrorCode::unsupported);
  // A built-in Mbed TLS backend leaves its certificate writer out too.
  if (GetParam() == "mbedtls" && b().origin() == "built-in") {
    EXPECT_FALSE(b().supports(Capability::cert_create));
    EXPECT_EQ(b().table().cert_create, nullptr);
  }
}

TEST_P(BuildFeaturesTest, TlsServerAsBuilt) {
  if (!b().supports(Capability::tls12) && !b().supports(Capability::tls13)) GTEST_SKIP();
  const TlsVersion version =
      b().supports(Capability::tls12) ? TlsVersion::tls12 : TlsVersion::tls13;
  ASSERT_OK_AND_ASSIGN(Key key, b().load_key(kKeyPem));
  ASSERT_OK_AND_ASSIGN(Certificate cert, b().load_certificate(kCertPem));
  ASSERT_OK_AND_ASSIGN(Certificate anchor, b().load_certificate(kCertPem));
  TlsServerConfig server;
  server.chain.push_back(std::move(cert));
  server.key = std::move(key);
  server.min_version = version;
  server.max_version = version;
  auto context = b().make_server_context(std::move(server));
  if (build_features().tls_server) {
    EXPECT_OK(context);
  } else {
    EXPECT_ERROR(context, ErrorCode::unsupported);
    if (!context) {
      EXPECT_TRUE(mentions(context.error(), "POLYTLS_TLS_SERVER=OFF"))
          << context.error().to_string();
    }
  }
  // Clients are always there.
  TlsClientConfig client;
  client.anchors.push_back(std::move(anchor));
  client.min_version = version;
  client.max_version = version;
  EXPECT_OK(b().make_client_context(std::move(client)));
}

INSTANTIATE_TEST_SUITE_P(Backends, BuildFeaturesTest, ::testing::ValuesIn(backend_names()),
                         BackendParamName());

}  // namespace
}  // namespace polytls::test
