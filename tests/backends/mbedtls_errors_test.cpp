// Unit test of the Mbed TLS backend's error mapping (backends/mbedtls/errors.cpp).
#include <gtest/gtest.h>
#include <mbedtls/asn1.h>
#include <mbedtls/bignum.h>
#include <mbedtls/cipher.h>
#include <mbedtls/ecp.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/rsa.h>
#include <mbedtls/x509.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <string>

#include "../../backends/mbedtls/errors.hpp"

namespace {

using polytls::mbedtls::error_table;
using polytls::mbedtls::status_for;
using polytls::mbedtls::status_for_verify_flags;
using polytls::mbedtls::verify_table;

// A fallback no row maps to, so a test can tell "listed" from "fell back".
constexpr polytls_status kSentinel = 999;

struct Expect {
  int code;
  polytls_status status;
};

// The categories the backend promises, written out independently of errors.cpp.
constexpr Expect kExpected[] = {
    {MBEDTLS_ERR_PK_PASSWORD_REQUIRED, POLYTLS_ERR_BAD_PASSPHRASE},
    {MBEDTLS_ERR_PK_PASSWORD_MISMATCH, POLYTLS_ERR_BAD_PASSPHRASE},
    {MBEDTLS_ERR_PKCS5_PASSWORD_MISMATCH, POLYTLS_ERR_BAD_PASSPHRASE},
    {MBEDTLS_ERR_PK_KEY_INVALID_FORMAT, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_PK_KEY_INVALID_VERSION, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_PK_INVALID_PUBKEY, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_PK_TYPE_MISMATCH, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_PK_BAD_INPUT_DATA, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_PK_UNKNOWN_PK_ALG, POLYTLS_ERR_UNSUPPORTED},
    {MBEDTLS_ERR_PK_UNKNOWN_NAMED_CURVE, POLYTLS_ERR_UNSUPPORTED},
    {MBEDTLS_ERR_PK_FEATURE_UNAVAILABLE, POLYTLS_ERR_UNSUPPORTED},
    {MBEDTLS_ERR_PK_SIG_LEN_MISMATCH, POLYTLS_ERR_BAD_SIGNATURE},
    {MBEDTLS_ERR_PK_ALLOC_FAILED, POLYTLS_ERR_INTERNAL},
    {MBEDTLS_ERR_X509_INVALID_FORMAT, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_X509_INVALID_VERSION, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_X509_INVALID_SERIAL, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_X509_INVALID_NAME, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_X509_INVALID_DATE, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_X509_INVALID_SIGNATURE, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_X509_INVALID_EXTENSIONS, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_X509_SIG_MISMATCH, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_X509_UNKNOWN_SIG_ALG, POLYTLS_ERR_UNSUPPORTED},
    {MBEDTLS_ERR_X509_FEATURE_UNAVAILABLE, POLYTLS_ERR_UNSUPPORTED},
    {MBEDTLS_ERR_X509_CERT_VERIFY_FAILED, POLYTLS_ERR_UNTRUSTED},
    {MBEDTLS_ERR_X509_BUFFER_TOO_SMALL, POLYTLS_ERR_INTERNAL},
    {MBEDTLS_ERR_X509_FATAL_ERROR, POLYTLS_ERR_INTERNAL},
    {MBEDTLS_ERR_PKCS5_INVALID_FORMAT, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_PKCS5_FEATURE_UNAVAILABLE, POLYTLS_ERR_UNSUPPORTED},
    {MBEDTLS_ERR_CIPHER_INVALID_PADDING, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_CIPHER_FULL_BLOCK_EXPECTED, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_CIPHER_BAD_INPUT_DATA, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_CIPHER_FEATURE_UNAVAILABLE, POLYTLS_ERR_UNSUPPORTED},
    {MBEDTLS_ERR_MD_FEATURE_UNAVAILABLE, POLYTLS_ERR_UNSUPPORTED},
    {MBEDTLS_ERR_MD_BAD_INPUT_DATA, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_RSA_VERIFY_FAILED, POLYTLS_ERR_BAD_SIGNATURE},
    {MBEDTLS_ERR_RSA_INVALID_PADDING, POLYTLS_ERR_BAD_SIGNATURE},
    {MBEDTLS_ERR_RSA_BAD_INPUT_DATA, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_RSA_KEY_CHECK_FAILED, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_RSA_KEY_GEN_FAILED, POLYTLS_ERR_INTERNAL},
    {MBEDTLS_ERR_RSA_RNG_FAILED, POLYTLS_ERR_INTERNAL},
    {MBEDTLS_ERR_ECP_VERIFY_FAILED, POLYTLS_ERR_BAD_SIGNATURE},
    {MBEDTLS_ERR_ECP_SIG_LEN_MISMATCH, POLYTLS_ERR_BAD_SIGNATURE},
    {MBEDTLS_ERR_ECP_INVALID_KEY, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_ECP_BAD_INPUT_DATA, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_ECP_FEATURE_UNAVAILABLE, POLYTLS_ERR_UNSUPPORTED},
    {MBEDTLS_ERR_ECP_RANDOM_FAILED, POLYTLS_ERR_INTERNAL},
    {MBEDTLS_ERR_ASN1_OUT_OF_DATA, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_ASN1_UNEXPECTED_TAG, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_ASN1_INVALID_LENGTH, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_ASN1_LENGTH_MISMATCH, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_ASN1_INVALID_DATA, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_ASN1_ALLOC_FAILED, POLYTLS_ERR_INTERNAL},
    {MBEDTLS_ERR_ASN1_BUF_TOO_SMALL, POLYTLS_ERR_INTERNAL},
    {MBEDTLS_ERR_OID_NOT_FOUND, POLYTLS_ERR_UNSUPPORTED},
    {MBEDTLS_ERR_MPI_ALLOC_FAILED, POLYTLS_ERR_INTERNAL},
};

TEST(MbedtlsErrors, ExpectedCategories) {
  for (const Expect &e : kExpected) {
    EXPECT_EQ(status_for(e.code, kSentinel), e.status) << "code -0x" << std::hex << -e.code;
  }
}

TEST(MbedtlsErrors, EveryTableRowIsReachable) {
  // A duplicate code would shadow a later row; every row must map as written.
  std::set<int> seen;
  for (const auto &row : error_table()) {
    EXPECT_LT(row.code, 0);
    EXPECT_TRUE(seen.insert(row.code).second) << "duplicate -0x" << std::hex << -row.code;
    EXPECT_EQ(status_for(row.code, kSentinel), row.status) << "-0x" << std::hex << -row.code;
    EXPECT_NE(row.status, POLYTLS_OK);
  }
}

TEST(MbedtlsErrors, ExpectedRowsAreInTheTable) {
  for (const Expect &e : kExpected) {
    bool found = false;
    for (const auto &row : error_table())
      found = found || row.code == e.code;
    EXPECT_TRUE(found) << "-0x" << std::hex << -e.code;
  }
}

TEST(MbedtlsErrors, ComposedCodesUseTheHighLevelPartFirst) {
  // High-level + low-level, as the parsers return them.
  EXPECT_EQ(
      status_for(MBEDTLS_ERR_PK_KEY_INVALID_FORMAT + MBEDTLS_ERR_ASN1_UNEXPECTED_TAG, kSentinel),
      POLYTLS_ERR_BAD_INPUT);
  EXPECT_EQ(status_for(MBEDTLS_ERR_X509_UNKNOWN_SIG_ALG + MBEDTLS_ERR_OID_NOT_FOUND, kSentinel),
            POLYTLS_ERR_UNSUPPORTED);
  EXPECT_EQ(status_for(MBEDTLS_ERR_X509_INVALID_FORMAT + MBEDTLS_ERR_ASN1_OUT_OF_DATA, kSentinel),
            POLYTLS_ERR_BAD_INPUT);
  EXPECT_EQ(status_for(MBEDTLS_ERR_PK_INVALID_PUBKEY + MBEDTLS_ERR_ASN1_LENGTH_MISMATCH, kSentinel),
            POLYTLS_ERR_BAD_INPUT);
  EXPECT_EQ(status_for(MBEDTLS_ERR_PK_UNKNOWN_PK_ALG + MBEDTLS_ERR_OID_NOT_FOUND, kSentinel),
            POLYTLS_ERR_UNSUPPORTED);
  // An unlisted high-level part falls through to the low-level part.
  EXPECT_EQ(status_for(-0x7F00 + MBEDTLS_ERR_ASN1_INVALID_DATA, kSentinel), POLYTLS_ERR_BAD_INPUT);
}

TEST(MbedtlsErrors, ZeroUnknownAndPositiveCodes) {
  EXPECT_EQ(status_for(0, kSentinel), POLYTLS_OK);
  EXPECT_EQ(status_for(-0x7F80, kSentinel), kSentinel);  // no such module
  EXPECT_EQ(status_for(-0x0001, POLYTLS_ERR_INTERNAL), POLYTLS_ERR_INTERNAL);
  EXPECT_EQ(status_for(42, POLYTLS_ERR_BAD_INPUT), POLYTLS_ERR_BAD_INPUT);
}

TEST(MbedtlsErrors, VerifyFlagsEachAlone) {
  EXPECT_EQ(status_for_verify_flags(0), POLYTLS_OK);
  EXPECT_EQ(status_for_verify_flags(MBEDTLS_X509_BADCERT_EXPIRED), POLYTLS_ERR_EXPIRED);
  EXPECT_EQ(status_for_verify_flags(MBEDTLS_X509_BADCERT_FUTURE), POLYTLS_ERR_NOT_YET_VALID);
  const uint32_t untrusted[] = {
      MBEDTLS_X509_BADCERT_NOT_TRUSTED,  MBEDTLS_X509_BADCERT_REVOKED,
      MBEDTLS_X509_BADCERT_CN_MISMATCH,  MBEDTLS_X509_BADCERT_MISSING,
      MBEDTLS_X509_BADCERT_SKIP_VERIFY,  MBEDTLS_X509_BADCERT_OTHER,
      MBEDTLS_X509_BADCERT_KEY_USAGE,    MBEDTLS_X509_BADCERT_EXT_KEY_USAGE,
      MBEDTLS_X509_BADCERT_NS_CERT_TYPE, MBEDTLS_X509_BADCERT_BAD_MD,
      MBEDTLS_X509_BADCERT_BAD_PK,       MBEDTLS_X509_BADCERT_BAD_KEY,
  };
  for (uint32_t flag : untrusted) {
    EXPECT_EQ(status_for_verify_flags(flag), POLYTLS_ERR_UNTRUSTED) << std::hex << flag;
  }
  EXPECT_EQ(status_for_verify_flags(0x40000000u), POLYTLS_ERR_UNTRUSTED);  // unknown bit
}

TEST(MbedtlsErrors, VerifyFlagsPrecedence) {
  // A chain that is not trusted is UNTRUSTED whatever the dates say.
  EXPECT_EQ(
      status_for_verify_flags(MBEDTLS_X509_BADCERT_NOT_TRUSTED | MBEDTLS_X509_BADCERT_EXPIRED),
      POLYTLS_ERR_UNTRUSTED);
  EXPECT_EQ(status_for_verify_flags(MBEDTLS_X509_BADCERT_NOT_TRUSTED | MBEDTLS_X509_BADCERT_FUTURE),
            POLYTLS_ERR_UNTRUSTED);
  EXPECT_EQ(status_for_verify_flags(MBEDTLS_X509_BADCERT_BAD_MD | MBEDTLS_X509_BADCERT_EXPIRED),
            POLYTLS_ERR_UNTRUSTED);
  // Expired before not-yet-valid when both dates are wrong in one chain.
  EXPECT_EQ(status_for_verify_flags(MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE),
            POLYTLS_ERR_EXPIRED);
  // verify_table() lists every row in that order: date rows last.
  const auto rows = verify_table();
  ASSERT_GE(rows.size(), 3u);
  EXPECT_EQ(rows.front().flags, static_cast<uint32_t>(MBEDTLS_X509_BADCERT_NOT_TRUSTED));
  EXPECT_EQ(rows[rows.size() - 2].status, POLYTLS_ERR_EXPIRED);
  EXPECT_EQ(rows.back().status, POLYTLS_ERR_NOT_YET_VALID);
  for (const auto &row : rows) {
    EXPECT_EQ(status_for_verify_flags(row.flags), row.status) << std::hex << row.flags;
  }
}

TEST(MbedtlsErrors, FailWritesLibraryTextAndCode) {
  polytls_error err{};
  err.struct_size = sizeof(err);
  EXPECT_EQ(polytls::mbedtls::fail(&err, MBEDTLS_ERR_PK_PASSWORD_MISMATCH, POLYTLS_ERR_INTERNAL,
                                   "reading the key"),
            POLYTLS_ERR_BAD_PASSPHRASE);
  EXPECT_EQ(err.library_code, MBEDTLS_ERR_PK_PASSWORD_MISMATCH);
  const std::string detail(err.detail);
  EXPECT_NE(detail.find("reading the key"), std::string::npos) << detail;
  EXPECT_NE(detail.find("-0x3B80"), std::string::npos) << detail;  // the code in hex
  EXPECT_NE(detail.find("PK - "), std::string::npos) << detail;    // mbedtls_strerror's text

  // Unlisted codes take the caller's fallback; fail_as forces the category.
  EXPECT_EQ(polytls::mbedtls::fail(&err, -0x7F80, POLYTLS_ERR_INTERNAL, "x"), POLYTLS_ERR_INTERNAL);
  EXPECT_EQ(polytls::mbedtls::fail_as(
                &err, POLYTLS_ERR_BAD_SIGNATURE,
                MBEDTLS_ERR_RSA_PUBLIC_FAILED + MBEDTLS_ERR_MPI_BAD_INPUT_DATA, "verify"),
            POLYTLS_ERR_BAD_SIGNATURE);
  EXPECT_EQ(err.library_code, MBEDTLS_ERR_RSA_PUBLIC_FAILED + MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
  EXPECT_NE(std::string(err.detail).find("-0x4284"), std::string::npos) << err.detail;

  // A NULL error is allowed; the status still comes back.
  EXPECT_EQ(
      polytls::mbedtls::fail(nullptr, MBEDTLS_ERR_X509_INVALID_FORMAT, POLYTLS_ERR_INTERNAL, "x"),
      POLYTLS_ERR_BAD_INPUT);
}

}  // namespace
