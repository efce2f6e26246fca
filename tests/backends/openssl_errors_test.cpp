// The OpenSSL backend's error mapping, checked row by row.
#include <gtest/gtest.h>
#include <openssl/asn1err.h>
#include <openssl/ecerr.h>
#include <openssl/err.h>
#include <openssl/evperr.h>
#include <openssl/pkcs12err.h>
#include <openssl/proverr.h>
#include <openssl/rsaerr.h>
#include <openssl/sslerr.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509err.h>

#include <cstddef>
#include <cstring>
#include <string>

#include "../../backends/openssl/errors.hpp"

namespace {

using polytls::openssl::error_rows;
using polytls::openssl::ErrorQueueScope;
using polytls::openssl::fail;
using polytls::openssl::status_for;
using polytls::openssl::verify_rows;
using polytls::openssl::verify_status_for;

constexpr polytls_status kFallback = POLYTLS_ERR_PLUGIN;  // a status no row uses

unsigned long code(int lib, int reason) {
  return ERR_PACK(lib, 0, reason);
}

struct Case {
  unsigned long code;
  polytls_status status;
};

// One case per table row, in table order.
const Case kCases[] = {
    {code(ERR_LIB_EVP, ERR_R_MALLOC_FAILURE), POLYTLS_ERR_INTERNAL},
    {code(ERR_LIB_PROV, ERR_R_INTERNAL_ERROR), POLYTLS_ERR_INTERNAL},
    {code(ERR_LIB_OSSL_DECODER, ERR_R_UNSUPPORTED), POLYTLS_ERR_BAD_INPUT},
    {code(ERR_LIB_EVP, ERR_R_UNSUPPORTED), POLYTLS_ERR_UNSUPPORTED},
    {code(ERR_LIB_EVP, EVP_R_UNSUPPORTED_ALGORITHM), POLYTLS_ERR_UNSUPPORTED},
    {code(ERR_LIB_EVP, EVP_R_UNSUPPORTED_CIPHER), POLYTLS_ERR_UNSUPPORTED},
    {code(ERR_LIB_EVP, EVP_R_UNKNOWN_CIPHER), POLYTLS_ERR_UNSUPPORTED},
    {code(ERR_LIB_EVP, EVP_R_UNKNOWN_DIGEST), POLYTLS_ERR_UNSUPPORTED},
    {code(ERR_LIB_EVP, EVP_R_UNKNOWN_PBE_ALGORITHM), POLYTLS_ERR_UNSUPPORTED},
    {code(ERR_LIB_EVP, EVP_R_UNSUPPORTED_KEY_DERIVATION_FUNCTION), POLYTLS_ERR_UNSUPPORTED},
    {code(ERR_LIB_EVP, EVP_R_UNSUPPORTED_PRF), POLYTLS_ERR_UNSUPPORTED},
    {code(ERR_LIB_EVP, EVP_R_UNSUPPORTED_KEYLENGTH), POLYTLS_ERR_UNSUPPORTED},
    {code(ERR_LIB_EVP, EVP_R_UNSUPPORTED_PRIVATE_KEY_ALGORITHM), POLYTLS_ERR_UNSUPPORTED},
    {code(ERR_LIB_EVP, EVP_R_UNSUPPORTED_KEY_TYPE), POLYTLS_ERR_UNSUPPORTED},
    {code(ERR_LIB_EVP, EVP_R_UNKNOWN_KEY_TYPE), POLYTLS_ERR_UNSUPPORTED},
    {code(ERR_LIB_PKCS12, PKCS12_R_UNKNOWN_DIGEST_ALGORITHM), POLYTLS_ERR_UNSUPPORTED},
    {code(ERR_LIB_PKCS12, PKCS12_R_UNSUPPORTED_PKCS12_MODE), POLYTLS_ERR_UNSUPPORTED},
    {code(ERR_LIB_X509, X509_R_UNSUPPORTED_ALGORITHM), POLYTLS_ERR_UNSUPPORTED},
    {code(ERR_LIB_X509, X509_R_UNKNOWN_KEY_TYPE), POLYTLS_ERR_UNSUPPORTED},
    {code(ERR_LIB_EC, EC_R_UNKNOWN_GROUP), POLYTLS_ERR_UNSUPPORTED},
    {code(ERR_LIB_EC, EC_R_INVALID_CURVE), POLYTLS_ERR_UNSUPPORTED},
    {code(ERR_LIB_EVP, EVP_R_BAD_DECRYPT), POLYTLS_ERR_BAD_INPUT},
    {code(ERR_LIB_PROV, PROV_R_BAD_DECRYPT), POLYTLS_ERR_BAD_INPUT},
    {code(ERR_LIB_EVP, EVP_R_WRONG_FINAL_BLOCK_LENGTH), POLYTLS_ERR_BAD_INPUT},
    {code(ERR_LIB_PROV, PROV_R_WRONG_FINAL_BLOCK_LENGTH), POLYTLS_ERR_BAD_INPUT},
    {code(ERR_LIB_EVP, EVP_R_DATA_NOT_MULTIPLE_OF_BLOCK_LENGTH), POLYTLS_ERR_BAD_INPUT},
    {code(ERR_LIB_EVP, EVP_R_INVALID_KEY_LENGTH), POLYTLS_ERR_BAD_INPUT},
    {code(ERR_LIB_PROV, PROV_R_INVALID_KEY_LENGTH), POLYTLS_ERR_BAD_INPUT},
    {code(ERR_LIB_EVP, EVP_R_INVALID_IV_LENGTH), POLYTLS_ERR_BAD_INPUT},
    {code(ERR_LIB_PROV, PROV_R_INVALID_IV_LENGTH), POLYTLS_ERR_BAD_INPUT},
    {code(ERR_LIB_PKCS12, PKCS12_R_PKCS12_CIPHERFINAL_ERROR), POLYTLS_ERR_BAD_INPUT},
    {code(ERR_LIB_PKCS12, PKCS12_R_DECODE_ERROR), POLYTLS_ERR_BAD_INPUT},
    {code(ERR_LIB_EVP, EVP_R_DECODE_ERROR), POLYTLS_ERR_BAD_INPUT},
    {code(ERR_LIB_EVP, EVP_R_PRIVATE_KEY_DECODE_ERROR), POLYTLS_ERR_BAD_INPUT},
    {code(ERR_LIB_X509, X509_R_KEY_VALUES_MISMATCH), POLYTLS_ERR_BAD_INPUT},
    {code(ERR_LIB_EC, EC_R_INVALID_PRIVATE_KEY), POLYTLS_ERR_BAD_INPUT},
    {code(ERR_LIB_EC, EC_R_POINT_IS_NOT_ON_CURVE), POLYTLS_ERR_BAD_INPUT},
    {code(ERR_LIB_EC, EC_R_INVALID_ENCODING), POLYTLS_ERR_BAD_INPUT},
    {code(ERR_LIB_RSA, RSA_R_KEY_SIZE_TOO_SMALL), POLYTLS_ERR_BAD_INPUT},
    {code(ERR_LIB_RSA, RSA_R_INVALID_KEY_LENGTH), POLYTLS_ERR_BAD_INPUT},
    {code(ERR_LIB_PROV, PROV_R_INVALID_DIGEST), POLYTLS_ERR_BAD_INPUT},
    {code(ERR_LIB_PROV, PROV_R_NOT_A_PRIVATE_KEY), POLYTLS_ERR_BAD_INPUT},
    {code(ERR_LIB_PROV, PROV_R_INVALID_ITERATION_COUNT), POLYTLS_ERR_BAD_INPUT},
    {code(ERR_LIB_PROV, PROV_R_INVALID_SALT_LENGTH), POLYTLS_ERR_BAD_INPUT},
    {code(ERR_LIB_ASN1, ASN1_R_WRONG_TAG), POLYTLS_ERR_BAD_INPUT},
    // TLS: versions.
    {code(ERR_LIB_SSL, SSL_R_UNSUPPORTED_PROTOCOL), POLYTLS_ERR_PROTOCOL_VERSION},
    {code(ERR_LIB_SSL, SSL_R_NO_PROTOCOLS_AVAILABLE), POLYTLS_ERR_PROTOCOL_VERSION},
    {code(ERR_LIB_SSL, SSL_R_VERSION_TOO_LOW), POLYTLS_ERR_PROTOCOL_VERSION},
    {code(ERR_LIB_SSL, SSL_R_VERSION_TOO_HIGH), POLYTLS_ERR_PROTOCOL_VERSION},
    {code(ERR_LIB_SSL, SSL_R_WRONG_SSL_VERSION), POLYTLS_ERR_PROTOCOL_VERSION},
    {code(ERR_LIB_SSL, SSL_R_INAPPROPRIATE_FALLBACK), POLYTLS_ERR_PROTOCOL_VERSION},
    {code(ERR_LIB_SSL, SSL_R_TLSV1_ALERT_PROTOCOL_VERSION), POLYTLS_ERR_PROTOCOL_VERSION},
    {code(ERR_LIB_SSL, SSL_R_TLSV1_ALERT_INAPPROPRIATE_FALLBACK), POLYTLS_ERR_PROTOCOL_VERSION},
    // TLS: suites, groups, signature algorithms.
    {code(ERR_LIB_SSL, SSL_R_NO_SHARED_CIPHER), POLYTLS_ERR_NO_SHARED_CIPHER},
    {code(ERR_LIB_SSL, SSL_R_NO_CIPHERS_AVAILABLE), POLYTLS_ERR_NO_SHARED_CIPHER},
    {code(ERR_LIB_SSL, SSL_R_NO_SHARED_GROUPS), POLYTLS_ERR_NO_SHARED_CIPHER},
    {code(ERR_LIB_SSL, SSL_R_NO_SUITABLE_GROUPS), POLYTLS_ERR_NO_SHARED_CIPHER},
    {code(ERR_LIB_SSL, SSL_R_NO_SUITABLE_KEY_SHARE), POLYTLS_ERR_NO_SHARED_CIPHER},
    {code(ERR_LIB_SSL, SSL_R_NO_SHARED_SIGNATURE_ALGORITHMS), POLYTLS_ERR_NO_SHARED_CIPHER},
    {code(ERR_LIB_SSL, SSL_R_NO_SUITABLE_SIGNATURE_ALGORITHM), POLYTLS_ERR_NO_SHARED_CIPHER},
    {code(ERR_LIB_SSL, SSL_R_TLSV1_ALERT_INSUFFICIENT_SECURITY), POLYTLS_ERR_NO_SHARED_CIPHER},
    // TLS: ALPN.
    {code(ERR_LIB_SSL, SSL_R_NO_APPLICATION_PROTOCOL), POLYTLS_ERR_NO_APPLICATION_PROTOCOL},
    {code(ERR_LIB_SSL, SSL_R_TLSV1_ALERT_NO_APPLICATION_PROTOCOL),
     POLYTLS_ERR_NO_APPLICATION_PROTOCOL},
    // TLS: certificates, ours verified or the peer's alert.
    {code(ERR_LIB_SSL, SSL_R_CERTIFICATE_VERIFY_FAILED), POLYTLS_ERR_UNTRUSTED},
    {code(ERR_LIB_SSL, SSL_R_SSLV3_ALERT_BAD_CERTIFICATE), POLYTLS_ERR_UNTRUSTED},
    {code(ERR_LIB_SSL, SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE), POLYTLS_ERR_UNTRUSTED},
    {code(ERR_LIB_SSL, SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED), POLYTLS_ERR_UNTRUSTED},
    {code(ERR_LIB_SSL, SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN), POLYTLS_ERR_UNTRUSTED},
    {code(ERR_LIB_SSL, SSL_R_TLSV1_ALERT_UNKNOWN_CA), POLYTLS_ERR_UNTRUSTED},
    {code(ERR_LIB_SSL, SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED), POLYTLS_ERR_EXPIRED},
    // TLS: other handshake failures (also when tls_read meets them).
    {code(ERR_LIB_SSL, SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE), POLYTLS_ERR_HANDSHAKE},
    {code(ERR_LIB_SSL, SSL_R_SSLV3_ALERT_NO_CERTIFICATE), POLYTLS_ERR_HANDSHAKE},
    {code(ERR_LIB_SSL, SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED), POLYTLS_ERR_HANDSHAKE},
    {code(ERR_LIB_SSL, SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE), POLYTLS_ERR_HANDSHAKE},
};

TEST(OpenSSLErrors, EveryRowHasACase) {
  EXPECT_EQ(error_rows().size(), std::size(kCases));
}

TEST(OpenSSLErrors, EachRowMapsItsCode) {
  for (std::size_t i = 0; i < std::size(kCases); ++i) {
    SCOPED_TRACE("row " + std::to_string(i));
    EXPECT_EQ(status_for(kCases[i].code, kFallback), kCases[i].status);
    // The case exercises its own row: the row's lib/reason match the code.
    const auto &row = error_rows()[i];
    EXPECT_TRUE(row.lib == polytls::openssl::kAny || row.lib == ERR_GET_LIB(kCases[i].code));
    EXPECT_TRUE(row.reason == polytls::openssl::kAny ||
                row.reason == ERR_GET_REASON(kCases[i].code));
    EXPECT_EQ(row.status, kCases[i].status);
  }
}

TEST(OpenSSLErrors, WildcardsMatchAnyLibraryOrReason) {
  EXPECT_EQ(status_for(code(ERR_LIB_X509, ERR_R_MALLOC_FAILURE), kFallback), POLYTLS_ERR_INTERNAL);
  EXPECT_EQ(status_for(code(ERR_LIB_PROV, ERR_R_UNSUPPORTED), kFallback), POLYTLS_ERR_UNSUPPORTED);
  EXPECT_EQ(status_for(code(ERR_LIB_ASN1, ASN1_R_TOO_LONG), kFallback), POLYTLS_ERR_BAD_INPUT);
  EXPECT_EQ(status_for(code(ERR_LIB_ASN1, ASN1_R_HEADER_TOO_LONG), kFallback),
            POLYTLS_ERR_BAD_INPUT);
}

TEST(OpenSSLErrors, UnknownCodesTakeTheFallback) {
  EXPECT_EQ(status_for(0, kFallback), kFallback);
  EXPECT_EQ(status_for(code(ERR_LIB_BN, 100), kFallback), kFallback);
  EXPECT_EQ(status_for(code(ERR_LIB_EVP, ERR_R_EVP_LIB), POLYTLS_ERR_INTERNAL),
            POLYTLS_ERR_INTERNAL);
  // The same reason number in another library is another error.
  EXPECT_EQ(status_for(code(ERR_LIB_BIO, EVP_R_BAD_DECRYPT), kFallback), kFallback);
  EXPECT_EQ(status_for(code(ERR_LIB_EVP, SSL_R_NO_SHARED_CIPHER), kFallback), kFallback);
  // TLS failures no row names take the caller's fallback (HANDSHAKE during
  // the handshake, IO when reading and writing).
  EXPECT_EQ(status_for(code(ERR_LIB_SSL, SSL_R_WRONG_VERSION_NUMBER), kFallback), kFallback);
  EXPECT_EQ(status_for(code(ERR_LIB_SSL, SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC), kFallback),
            kFallback);
  EXPECT_EQ(status_for(code(ERR_LIB_SSL, SSL_R_UNEXPECTED_EOF_WHILE_READING), kFallback),
            kFallback);
  EXPECT_EQ(status_for(code(ERR_LIB_SSL, SSL_R_TLSV1_ALERT_DECODE_ERROR), kFallback), kFallback);
}

TEST(OpenSSLErrors, VerifyResults) {
  EXPECT_EQ(verify_status_for(X509_V_OK), POLYTLS_OK);
  EXPECT_EQ(verify_status_for(X509_V_ERR_CERT_HAS_EXPIRED), POLYTLS_ERR_EXPIRED);
  EXPECT_EQ(verify_status_for(X509_V_ERR_CERT_NOT_YET_VALID), POLYTLS_ERR_NOT_YET_VALID);
  EXPECT_EQ(verify_status_for(X509_V_ERR_OUT_OF_MEM), POLYTLS_ERR_INTERNAL);
  const int untrusted[] = {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
                           X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
                           X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE,
                           X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
                           X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
                           X509_V_ERR_CERT_SIGNATURE_FAILURE,
                           X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE,
                           X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY,
                           X509_V_ERR_INVALID_CA,
                           X509_V_ERR_INVALID_NON_CA,
                           X509_V_ERR_KEYUSAGE_NO_CERTSIGN,
                           X509_V_ERR_PATH_LENGTH_EXCEEDED,
                           X509_V_ERR_CERT_CHAIN_TOO_LONG,
                           X509_V_ERR_CERT_UNTRUSTED,
                           X509_V_ERR_CERT_REJECTED,
                           X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION,
                           X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD,
                           X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD,
                           X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM,
                           X509_V_ERR_SIGNATURE_ALGORITHM_MISMATCH,
                           X509_V_ERR_UNSPECIFIED};
  for (int v : untrusted) {
    SCOPED_TRACE(X509_verify_cert_error_string(v));
    EXPECT_EQ(verify_status_for(v), POLYTLS_ERR_UNTRUSTED);
  }
  EXPECT_EQ(verify_rows().size(), 4 + std::size(untrusted));
  // Anything unlisted is about the chain: UNTRUSTED.
  EXPECT_EQ(verify_status_for(X509_V_ERR_PATH_LOOP), POLYTLS_ERR_UNTRUSTED);
  EXPECT_EQ(verify_status_for(12345), POLYTLS_ERR_UNTRUSTED);
}

polytls_error fresh_error() {
  polytls_error e{};
  e.struct_size = sizeof(e);
  return e;
}

TEST(OpenSSLErrors, FailDrainsTheQueue) {
  ERR_clear_error();
  ERR_raise(ERR_LIB_PROV, PROV_R_BAD_DECRYPT);
  ERR_raise(ERR_LIB_PKCS12, PKCS12_R_PKCS12_CIPHERFINAL_ERROR);
  polytls_error e = fresh_error();
  EXPECT_EQ(fail(&e, POLYTLS_ERR_INTERNAL, "decrypting"), POLYTLS_ERR_BAD_INPUT);
  EXPECT_EQ(e.library_code, static_cast<int64_t>(code(ERR_LIB_PROV, PROV_R_BAD_DECRYPT)));
  EXPECT_EQ(std::strncmp(e.detail, "decrypting: ", 12), 0) << e.detail;
  EXPECT_NE(std::strstr(e.detail, "bad decrypt"), nullptr) << e.detail;
  EXPECT_NE(std::strstr(e.detail, "; "), nullptr) << e.detail;
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(OpenSSLErrors, FailUsesTheFirstMappedError) {
  ERR_clear_error();
  ERR_raise(ERR_LIB_BN, 100);  // unmapped, but the library code
  ERR_raise(ERR_LIB_EVP, EVP_R_UNSUPPORTED_ALGORITHM);
  polytls_error e = fresh_error();
  EXPECT_EQ(fail(&e, POLYTLS_ERR_INTERNAL, "x"), POLYTLS_ERR_UNSUPPORTED);
  EXPECT_EQ(e.library_code, static_cast<int64_t>(code(ERR_LIB_BN, 100)));
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(OpenSSLErrors, FailWithAnEmptyQueue) {
  ERR_clear_error();
  polytls_error e = fresh_error();
  e.library_code = 99;
  EXPECT_EQ(fail(&e, POLYTLS_ERR_BAD_INPUT, "nothing queued"), POLYTLS_ERR_BAD_INPUT);
  EXPECT_EQ(e.library_code, 0);
  EXPECT_STREQ(e.detail, "nothing queued");
  // A NULL err is allowed and the queue is still drained.
  ERR_raise(ERR_LIB_ASN1, ASN1_R_WRONG_TAG);
  EXPECT_EQ(fail(nullptr, POLYTLS_ERR_INTERNAL, "x"), POLYTLS_ERR_BAD_INPUT);
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(OpenSSLErrors, FailTruncatesLongDetail) {
  ERR_clear_error();
  for (int i = 0; i < 20; ++i)
    ERR_raise(ERR_LIB_ASN1, ASN1_R_WRONG_TAG);
  polytls_error e = fresh_error();
  EXPECT_EQ(fail(&e, POLYTLS_ERR_INTERNAL, "many"), POLYTLS_ERR_BAD_INPUT);
  EXPECT_LT(std::strlen(e.detail), sizeof(e.detail));
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(OpenSSLErrors, ScopeClearsOnEntryAndExit) {
  ERR_raise(ERR_LIB_EVP, EVP_R_BAD_DECRYPT);
  {
    const ErrorQueueScope scope;
    EXPECT_EQ(ERR_peek_error(), 0u);
    ERR_raise(ERR_LIB_EVP, EVP_R_BAD_DECRYPT);
  }
  EXPECT_EQ(ERR_peek_error(), 0u);
}

}  // namespace
