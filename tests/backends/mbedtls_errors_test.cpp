// Unit test of the Mbed TLS backend's error mapping (backends/mbedtls/errors.cpp).
#include <gtest/gtest.h>
#include <mbedtls/asn1.h>
#include <mbedtls/bignum.h>
#include <mbedtls/cipher.h>
#include <mbedtls/ecp.h>
#include <mbedtls/md.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/rsa.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <string>

#include "../../backends/mbedtls/errors.hpp"

namespace {

using polytls::mbedtls::alert_for_verify_flags;
using polytls::mbedtls::alert_name;
using polytls::mbedtls::alert_table;
using polytls::mbedtls::error_table;
using polytls::mbedtls::status_for;
using polytls::mbedtls::status_for_alert;
using polytls::mbedtls::status_for_verify_flags;
using polytls::mbedtls::verify_alert_table;
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
    // TLS.
    {MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION, POLYTLS_ERR_PROTOCOL_VERSION},
    {MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN, POLYTLS_ERR_NO_SHARED_CIPHER},
    {MBEDTLS_ERR_SSL_NO_USABLE_CIPHERSUITE, POLYTLS_ERR_NO_SHARED_CIPHER},
    {MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY, POLYTLS_ERR_PEER_CLOSED},
    {MBEDTLS_ERR_SSL_CONN_EOF, POLYTLS_ERR_PEER_CLOSED},
    {MBEDTLS_ERR_SSL_WANT_READ, POLYTLS_ERR_WANT_READ},
    {MBEDTLS_ERR_SSL_WANT_WRITE, POLYTLS_ERR_WANT_WRITE},
    {MBEDTLS_ERR_SSL_TIMEOUT, POLYTLS_ERR_TIMEOUT},
    {MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE, POLYTLS_ERR_HANDSHAKE},
    {MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE, POLYTLS_ERR_HANDSHAKE},
    {MBEDTLS_ERR_SSL_PEER_VERIFY_FAILED, POLYTLS_ERR_UNTRUSTED},
    {MBEDTLS_ERR_SSL_CA_CHAIN_REQUIRED, POLYTLS_ERR_UNTRUSTED},
    {MBEDTLS_ERR_SSL_BAD_HS_CLIENT_HELLO, POLYTLS_ERR_HANDSHAKE},
    {MBEDTLS_ERR_SSL_BAD_HS_SERVER_HELLO, POLYTLS_ERR_HANDSHAKE},
    {MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE, POLYTLS_ERR_HANDSHAKE},
    {MBEDTLS_ERR_SSL_BAD_HS_FINISHED, POLYTLS_ERR_HANDSHAKE},
    {MBEDTLS_ERR_SSL_INVALID_RECORD, POLYTLS_ERR_HANDSHAKE},
    {MBEDTLS_ERR_SSL_INVALID_MAC, POLYTLS_ERR_HANDSHAKE},
    {MBEDTLS_ERR_SSL_UNEXPECTED_MESSAGE, POLYTLS_ERR_HANDSHAKE},
    {MBEDTLS_ERR_SSL_UNEXPECTED_RECORD, POLYTLS_ERR_HANDSHAKE},
    {MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE, POLYTLS_ERR_UNSUPPORTED},
    {MBEDTLS_ERR_SSL_BAD_INPUT_DATA, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_SSL_BAD_CONFIG, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_SSL_VERSION_MISMATCH, POLYTLS_ERR_BAD_INPUT},
    {MBEDTLS_ERR_SSL_ALLOC_FAILED, POLYTLS_ERR_INTERNAL},
    {MBEDTLS_ERR_SSL_INTERNAL_ERROR, POLYTLS_ERR_INTERNAL},
    {MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL, POLYTLS_ERR_INTERNAL},
    {MBEDTLS_ERR_NET_SEND_FAILED, POLYTLS_ERR_IO},
    {MBEDTLS_ERR_NET_RECV_FAILED, POLYTLS_ERR_IO},
    {MBEDTLS_ERR_NET_CONN_RESET, POLYTLS_ERR_IO},
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
  // An unlisted high-level part falls through to the low-level part
  // (0x5800 is in the gap no Mbed TLS 2.28 module uses, error.h).
  EXPECT_EQ(status_for(-0x5800 + MBEDTLS_ERR_ASN1_INVALID_DATA, kSentinel), POLYTLS_ERR_BAD_INPUT);
}

TEST(MbedtlsErrors, ZeroUnknownAndPositiveCodes) {
  EXPECT_EQ(status_for(0, kSentinel), POLYTLS_OK);
  EXPECT_EQ(status_for(-0x5800, kSentinel), kSentinel);  // no such module
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

TEST(MbedtlsErrors, EverySslCodeIsListed) {
  // Every MBEDTLS_ERR_SSL_* code of 2.28 has its own row (none falls back).
  const int codes[] = {
      MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE,
      MBEDTLS_ERR_SSL_BAD_INPUT_DATA,
      MBEDTLS_ERR_SSL_INVALID_MAC,
      MBEDTLS_ERR_SSL_INVALID_RECORD,
      MBEDTLS_ERR_SSL_CONN_EOF,
      MBEDTLS_ERR_SSL_UNKNOWN_CIPHER,
      MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN,
      MBEDTLS_ERR_SSL_NO_RNG,
      MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE,
      MBEDTLS_ERR_SSL_CERTIFICATE_TOO_LARGE,
      MBEDTLS_ERR_SSL_CERTIFICATE_REQUIRED,
      MBEDTLS_ERR_SSL_PRIVATE_KEY_REQUIRED,
      MBEDTLS_ERR_SSL_CA_CHAIN_REQUIRED,
      MBEDTLS_ERR_SSL_UNEXPECTED_MESSAGE,
      MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE,
      MBEDTLS_ERR_SSL_PEER_VERIFY_FAILED,
      MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY,
      MBEDTLS_ERR_SSL_BAD_HS_CLIENT_HELLO,
      MBEDTLS_ERR_SSL_BAD_HS_SERVER_HELLO,
      MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE,
      MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE_REQUEST,
      MBEDTLS_ERR_SSL_BAD_HS_SERVER_KEY_EXCHANGE,
      MBEDTLS_ERR_SSL_BAD_HS_SERVER_HELLO_DONE,
      MBEDTLS_ERR_SSL_BAD_HS_CLIENT_KEY_EXCHANGE,
      MBEDTLS_ERR_SSL_BAD_HS_CLIENT_KEY_EXCHANGE_RP,
      MBEDTLS_ERR_SSL_BAD_HS_CLIENT_KEY_EXCHANGE_CS,
      MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE_VERIFY,
      MBEDTLS_ERR_SSL_BAD_HS_CHANGE_CIPHER_SPEC,
      MBEDTLS_ERR_SSL_BAD_HS_FINISHED,
      MBEDTLS_ERR_SSL_ALLOC_FAILED,
      MBEDTLS_ERR_SSL_HW_ACCEL_FAILED,
      MBEDTLS_ERR_SSL_HW_ACCEL_FALLTHROUGH,
      MBEDTLS_ERR_SSL_COMPRESSION_FAILED,
      MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION,
      MBEDTLS_ERR_SSL_BAD_HS_NEW_SESSION_TICKET,
      MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED,
      MBEDTLS_ERR_SSL_PK_TYPE_MISMATCH,
      MBEDTLS_ERR_SSL_UNKNOWN_IDENTITY,
      MBEDTLS_ERR_SSL_INTERNAL_ERROR,
      MBEDTLS_ERR_SSL_COUNTER_WRAPPING,
      MBEDTLS_ERR_SSL_WAITING_SERVER_HELLO_RENEGO,
      MBEDTLS_ERR_SSL_HELLO_VERIFY_REQUIRED,
      MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL,
      MBEDTLS_ERR_SSL_NO_USABLE_CIPHERSUITE,
      MBEDTLS_ERR_SSL_WANT_READ,
      MBEDTLS_ERR_SSL_WANT_WRITE,
      MBEDTLS_ERR_SSL_TIMEOUT,
      MBEDTLS_ERR_SSL_CLIENT_RECONNECT,
      MBEDTLS_ERR_SSL_UNEXPECTED_RECORD,
      MBEDTLS_ERR_SSL_NON_FATAL,
      MBEDTLS_ERR_SSL_INVALID_VERIFY_HASH,
      MBEDTLS_ERR_SSL_CONTINUE_PROCESSING,
      MBEDTLS_ERR_SSL_ASYNC_IN_PROGRESS,
      MBEDTLS_ERR_SSL_EARLY_MESSAGE,
      MBEDTLS_ERR_SSL_UNEXPECTED_CID,
      MBEDTLS_ERR_SSL_VERSION_MISMATCH,
      MBEDTLS_ERR_SSL_CRYPTO_IN_PROGRESS,
      MBEDTLS_ERR_SSL_BAD_CONFIG,
  };
  for (int code : codes) {
    EXPECT_NE(status_for(code, kSentinel), kSentinel) << "-0x" << std::hex << -code;
  }
}

TEST(MbedtlsErrors, ReceivedAlerts) {
  struct AlertExpect {
    uint8_t alert;
    polytls_status status;
  };
  // The categories the brief promises for alerts received in a handshake.
  constexpr AlertExpect expected[] = {
      {MBEDTLS_SSL_ALERT_MSG_PROTOCOL_VERSION, POLYTLS_ERR_PROTOCOL_VERSION},
      {MBEDTLS_SSL_ALERT_MSG_NO_APPLICATION_PROTOCOL, POLYTLS_ERR_NO_APPLICATION_PROTOCOL},
      {MBEDTLS_SSL_ALERT_MSG_BAD_CERT, POLYTLS_ERR_UNTRUSTED},
      {MBEDTLS_SSL_ALERT_MSG_UNKNOWN_CA, POLYTLS_ERR_UNTRUSTED},
      {MBEDTLS_SSL_ALERT_MSG_UNSUPPORTED_CERT, POLYTLS_ERR_UNTRUSTED},
      {MBEDTLS_SSL_ALERT_MSG_CERT_UNKNOWN, POLYTLS_ERR_UNTRUSTED},
      {MBEDTLS_SSL_ALERT_MSG_CERT_REVOKED, POLYTLS_ERR_UNTRUSTED},
      {MBEDTLS_SSL_ALERT_MSG_CERT_EXPIRED, POLYTLS_ERR_EXPIRED},
      {MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE, POLYTLS_ERR_HANDSHAKE},
      {116, POLYTLS_ERR_HANDSHAKE},  // certificate_required (TLS 1.3)
      {MBEDTLS_SSL_ALERT_MSG_DECODE_ERROR, POLYTLS_ERR_HANDSHAKE},
      {MBEDTLS_SSL_ALERT_MSG_ILLEGAL_PARAMETER, POLYTLS_ERR_HANDSHAKE},
      {MBEDTLS_SSL_ALERT_MSG_INTERNAL_ERROR, POLYTLS_ERR_HANDSHAKE},
      {MBEDTLS_SSL_ALERT_MSG_INSUFFICIENT_SECURITY, POLYTLS_ERR_HANDSHAKE},
      {MBEDTLS_SSL_ALERT_MSG_ACCESS_DENIED, POLYTLS_ERR_HANDSHAKE},
      {200, POLYTLS_ERR_HANDSHAKE},  // unassigned
  };
  for (const AlertExpect &e : expected) {
    EXPECT_EQ(status_for_alert(e.alert), e.status) << static_cast<int>(e.alert);
  }
  EXPECT_STREQ(alert_name(MBEDTLS_SSL_ALERT_MSG_NO_APPLICATION_PROTOCOL),
               "no_application_protocol");
  EXPECT_STREQ(alert_name(116), "certificate_required");
  EXPECT_STREQ(alert_name(200), "unknown");
  // Every row as written; no alert twice; every name set.
  std::set<int> seen;
  for (const auto &row : alert_table()) {
    EXPECT_TRUE(seen.insert(row.alert).second) << static_cast<int>(row.alert);
    EXPECT_EQ(status_for_alert(row.alert), row.status) << static_cast<int>(row.alert);
    EXPECT_NE(row.status, POLYTLS_OK);
    ASSERT_NE(row.name, nullptr);
    EXPECT_STREQ(alert_name(row.alert), row.name);
  }
}

TEST(MbedtlsErrors, AlertsSentForRejectedCertificates) {
  // The peer check's marker first, then "not trusted" before the dates, as
  // status_for_verify_flags ranks them.
  EXPECT_EQ(alert_for_verify_flags(MBEDTLS_X509_BADCERT_CN_MISMATCH),
            MBEDTLS_SSL_ALERT_MSG_BAD_CERT);
  EXPECT_EQ(alert_for_verify_flags(MBEDTLS_X509_BADCERT_NOT_TRUSTED),
            MBEDTLS_SSL_ALERT_MSG_UNKNOWN_CA);
  EXPECT_EQ(alert_for_verify_flags(MBEDTLS_X509_BADCERT_NOT_TRUSTED | MBEDTLS_X509_BADCERT_EXPIRED),
            MBEDTLS_SSL_ALERT_MSG_UNKNOWN_CA);
  EXPECT_EQ(alert_for_verify_flags(MBEDTLS_X509_BADCERT_EXPIRED),
            MBEDTLS_SSL_ALERT_MSG_CERT_EXPIRED);
  EXPECT_EQ(alert_for_verify_flags(MBEDTLS_X509_BADCERT_FUTURE), MBEDTLS_SSL_ALERT_MSG_BAD_CERT);
  EXPECT_EQ(alert_for_verify_flags(MBEDTLS_X509_BADCERT_REVOKED),
            MBEDTLS_SSL_ALERT_MSG_CERT_REVOKED);
  EXPECT_EQ(alert_for_verify_flags(MBEDTLS_X509_BADCERT_EXT_KEY_USAGE),
            MBEDTLS_SSL_ALERT_MSG_UNSUPPORTED_CERT);
  EXPECT_EQ(alert_for_verify_flags(MBEDTLS_X509_BADCERT_BAD_MD),
            MBEDTLS_SSL_ALERT_MSG_UNSUPPORTED_CERT);
  EXPECT_EQ(alert_for_verify_flags(MBEDTLS_X509_BADCERT_OTHER), MBEDTLS_SSL_ALERT_MSG_CERT_UNKNOWN);
  // The alert sent and the category kept agree for each single flag row.
  for (const auto &row : verify_alert_table()) {
    EXPECT_EQ(alert_for_verify_flags(row.flags), row.alert) << std::hex << row.flags;
    const polytls_status ours = status_for_verify_flags(row.flags);
    const polytls_status theirs = status_for_alert(row.alert);
    if (ours != POLYTLS_ERR_NOT_YET_VALID) {  // TLS has no alert for "not yet valid"
      EXPECT_EQ(theirs, ours) << std::hex << row.flags;
    }
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
