// Row-by-row checks of the wolfSSL backend's error mapping (errors.cpp).
#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/settings.h>

#include <wolfssl/error-ssl.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include <gtest/gtest.h>

#include <string>

#include "../../backends/wolfssl/errors.hpp"

namespace {

using polytls::wolfssl::alert_status_for;
using polytls::wolfssl::error_text;
using polytls::wolfssl::fail;
using polytls::wolfssl::signature_status_for;
using polytls::wolfssl::status_for;
using polytls::wolfssl::tls_status_for;
using polytls::wolfssl::verify_status_for;

struct Row {
  int code;
  polytls_status status;
};

TEST(WolfsslErrors, ZeroIsOk) {
  EXPECT_EQ(status_for(0, POLYTLS_ERR_INTERNAL), POLYTLS_OK);
  EXPECT_EQ(verify_status_for(0), POLYTLS_OK);
  EXPECT_EQ(signature_status_for(0), POLYTLS_OK);
  EXPECT_EQ(tls_status_for(0), POLYTLS_OK);
}

TEST(WolfsslErrors, GeneralTable) {
  const Row rows[] = {
      {BAD_FUNC_ARG, POLYTLS_ERR_BAD_INPUT},
      {BUFFER_E, POLYTLS_ERR_BAD_INPUT},
      {ASN_PARSE_E, POLYTLS_ERR_BAD_INPUT},
      {ASN_VERSION_E, POLYTLS_ERR_BAD_INPUT},
      {ASN_GETINT_E, POLYTLS_ERR_BAD_INPUT},
      {ASN_RSA_KEY_E, POLYTLS_ERR_BAD_INPUT},
      {ASN_OBJECT_ID_E, POLYTLS_ERR_BAD_INPUT},
      {ASN_TAG_NULL_E, POLYTLS_ERR_BAD_INPUT},
      {ASN_EXPECT_0_E, POLYTLS_ERR_BAD_INPUT},
      {ASN_BITSTR_E, POLYTLS_ERR_BAD_INPUT},
      {ASN_DATE_SZ_E, POLYTLS_ERR_BAD_INPUT},
      {ASN_TIME_E, POLYTLS_ERR_BAD_INPUT},
      {ASN_INPUT_E, POLYTLS_ERR_BAD_INPUT},
      {ASN_DH_KEY_E, POLYTLS_ERR_BAD_INPUT},
      {ASN_ECC_KEY_E, POLYTLS_ERR_BAD_INPUT},
      {ASN_ALT_NAME_E, POLYTLS_ERR_BAD_INPUT},
      {ALT_NAME_E, POLYTLS_ERR_BAD_INPUT},
      {BER_INDEF_E, POLYTLS_ERR_BAD_INPUT},
      {ECC_BAD_ARG_E, POLYTLS_ERR_BAD_INPUT},
      {ECC_PRIV_KEY_E, POLYTLS_ERR_BAD_INPUT},
      {ECC_OUT_OF_RANGE_E, POLYTLS_ERR_BAD_INPUT},
      {IS_POINT_E, POLYTLS_ERR_BAD_INPUT},
      {ECC_INF_E, POLYTLS_ERR_BAD_INPUT},
      {PUBLIC_KEY_E, POLYTLS_ERR_BAD_INPUT},
      {WC_KEY_SIZE_E, POLYTLS_ERR_BAD_INPUT},
      {RSA_KEY_PAIR_E, POLYTLS_ERR_BAD_INPUT},
      {BAD_PADDING_E, POLYTLS_ERR_BAD_INPUT},
      {ASN_COUNTRY_SIZE_E, POLYTLS_ERR_BAD_INPUT},
      {ASN_PATHLEN_SIZE_E, POLYTLS_ERR_BAD_INPUT},
      {KEYUSAGE_E, POLYTLS_ERR_BAD_INPUT},
      {EXTKEYUSAGE_E, POLYTLS_ERR_BAD_INPUT},
      {SKID_E, POLYTLS_ERR_BAD_INPUT},
      {AKID_E, POLYTLS_ERR_BAD_INPUT},
      {DATE_E, POLYTLS_ERR_BAD_INPUT},
      {SUBJECT_E, POLYTLS_ERR_BAD_INPUT},
      {ISSUER_E, POLYTLS_ERR_BAD_INPUT},
      {EXTENSIONS_E, POLYTLS_ERR_BAD_INPUT},
      {ASN_CRIT_EXT_E, POLYTLS_ERR_BAD_INPUT},
      {NO_PASSWORD, POLYTLS_ERR_BAD_PASSPHRASE},
      {NOT_COMPILED_IN, POLYTLS_ERR_UNSUPPORTED},
      {ECC_CURVE_OID_E, POLYTLS_ERR_UNSUPPORTED},
      {ASN_UNKNOWN_OID_E, POLYTLS_ERR_UNSUPPORTED},
      {ASN_SIG_OID_E, POLYTLS_ERR_UNSUPPORTED},
      {ASN_SIG_HASH_E, POLYTLS_ERR_UNSUPPORTED},
      {ASN_SIG_KEY_E, POLYTLS_ERR_UNSUPPORTED},
      {ALGO_ID_E, POLYTLS_ERR_UNSUPPORTED},
      {HASH_TYPE_E, POLYTLS_ERR_UNSUPPORTED},
      {SIG_TYPE_E, POLYTLS_ERR_UNSUPPORTED},
      {SIG_VERIFY_E, POLYTLS_ERR_BAD_SIGNATURE},
      {ASN_SIG_CONFIRM_E, POLYTLS_ERR_BAD_SIGNATURE},
      {ASN_BEFORE_DATE_E, POLYTLS_ERR_NOT_YET_VALID},
      {ASN_AFTER_DATE_E, POLYTLS_ERR_EXPIRED},
      {ASN_NO_SIGNER_E, POLYTLS_ERR_UNTRUSTED},
      {ASN_SELF_SIGNED_E, POLYTLS_ERR_UNTRUSTED},
      {NOT_CA_ERROR, POLYTLS_ERR_UNTRUSTED},
      {ASN_PATHLEN_INV_E, POLYTLS_ERR_UNTRUSTED},
      {ASN_NAME_INVALID_E, POLYTLS_ERR_UNTRUSTED},
      {MEMORY_E, POLYTLS_ERR_INTERNAL},
      {RNG_FAILURE_E, POLYTLS_ERR_INTERNAL},
      {MISSING_RNG_E, POLYTLS_ERR_INTERNAL},
      {WC_INIT_E, POLYTLS_ERR_INTERNAL},
      {BAD_MUTEX_E, POLYTLS_ERR_INTERNAL},
      {BAD_STATE_E, POLYTLS_ERR_INTERNAL},
      {PRIME_GEN_E, POLYTLS_ERR_INTERNAL},
      {BAD_CERT_MANAGER_ERROR, POLYTLS_ERR_INTERNAL},
  };
  for (const Row &row : rows) {
    // The fallback must not leak into a listed row.
    EXPECT_EQ(status_for(row.code, POLYTLS_ERR_PLUGIN), row.status) << "code " << row.code;
  }
}

TEST(WolfsslErrors, GeneralFallback) {
  // Codes the table does not list take the caller's fallback.
  EXPECT_EQ(status_for(MP_EXPTMOD_E, POLYTLS_ERR_INTERNAL), POLYTLS_ERR_INTERNAL);
  EXPECT_EQ(status_for(RSA_PAD_E, POLYTLS_ERR_BAD_INPUT), POLYTLS_ERR_BAD_INPUT);
  EXPECT_EQ(status_for(-12345, POLYTLS_ERR_IO), POLYTLS_ERR_IO);
}

TEST(WolfsslErrors, VerifyTable) {
  const Row rows[] = {
      {ASN_BEFORE_DATE_E, POLYTLS_ERR_NOT_YET_VALID},
      {ASN_AFTER_DATE_E, POLYTLS_ERR_EXPIRED},
      {MEMORY_E, POLYTLS_ERR_INTERNAL},
      {BAD_MUTEX_E, POLYTLS_ERR_INTERNAL},
      {BAD_CERT_MANAGER_ERROR, POLYTLS_ERR_INTERNAL},
      // Everything else: no path to a trust anchor.
      {ASN_NO_SIGNER_E, POLYTLS_ERR_UNTRUSTED},
      {ASN_SIG_CONFIRM_E, POLYTLS_ERR_UNTRUSTED},
      {ASN_SELF_SIGNED_E, POLYTLS_ERR_UNTRUSTED},
      {NOT_CA_ERROR, POLYTLS_ERR_UNTRUSTED},
      {ASN_PATHLEN_INV_E, POLYTLS_ERR_UNTRUSTED},
      {ASN_CRIT_EXT_E, POLYTLS_ERR_UNTRUSTED},
      {ASN_PARSE_E, POLYTLS_ERR_UNTRUSTED},
  };
  for (const Row &row : rows) {
    EXPECT_EQ(verify_status_for(row.code), row.status) << "code " << row.code;
  }
}

TEST(WolfsslErrors, SignatureTable) {
  const Row rows[] = {
      {MEMORY_E, POLYTLS_ERR_INTERNAL},
      {BAD_MUTEX_E, POLYTLS_ERR_INTERNAL},
      // A malformed, mis-sized or wrong signature: BAD_SIGNATURE.
      {SIG_VERIFY_E, POLYTLS_ERR_BAD_SIGNATURE},
      {BAD_FUNC_ARG, POLYTLS_ERR_BAD_SIGNATURE},
      {ASN_PARSE_E, POLYTLS_ERR_BAD_SIGNATURE},
      {RSA_BUFFER_E, POLYTLS_ERR_BAD_SIGNATURE},
      {BAD_PADDING_E, POLYTLS_ERR_BAD_SIGNATURE},
      {MP_CMP_E, POLYTLS_ERR_BAD_SIGNATURE},
  };
  for (const Row &row : rows) {
    EXPECT_EQ(signature_status_for(row.code), row.status) << "code " << row.code;
  }
}

TEST(WolfsslErrors, TlsTable) {
  const Row rows[] = {
      {WANT_READ, POLYTLS_ERR_WANT_READ},
      {WOLFSSL_ERROR_WANT_READ, POLYTLS_ERR_WANT_READ},
      {WANT_WRITE, POLYTLS_ERR_WANT_WRITE},
      {WOLFSSL_ERROR_WANT_WRITE, POLYTLS_ERR_WANT_WRITE},
      {VERSION_ERROR, POLYTLS_ERR_PROTOCOL_VERSION},
      {UNSUPPORTED_PROTO_VERSION, POLYTLS_ERR_PROTOCOL_VERSION},
      {MATCH_SUITE_ERROR, POLYTLS_ERR_NO_SHARED_CIPHER},
      {UNSUPPORTED_SUITE, POLYTLS_ERR_NO_SHARED_CIPHER},
      {KEY_SHARE_ERROR, POLYTLS_ERR_NO_SHARED_CIPHER},
      {ECC_CURVE_ERROR, POLYTLS_ERR_NO_SHARED_CIPHER},
      {UNKNOWN_ALPN_PROTOCOL_NAME_E, POLYTLS_ERR_NO_APPLICATION_PROTOCOL},
      {ASN_NO_SIGNER_E, POLYTLS_ERR_UNTRUSTED},
      {ASN_SELF_SIGNED_E, POLYTLS_ERR_UNTRUSTED},
      {ASN_SIG_CONFIRM_E, POLYTLS_ERR_UNTRUSTED},
      {NOT_CA_ERROR, POLYTLS_ERR_UNTRUSTED},
      {VERIFY_CERT_ERROR, POLYTLS_ERR_UNTRUSTED},
      {KEYUSE_SIGNATURE_E, POLYTLS_ERR_UNTRUSTED},
      {KEYUSE_ENCIPHER_E, POLYTLS_ERR_UNTRUSTED},
      {EXTKEYUSE_AUTH_E, POLYTLS_ERR_UNTRUSTED},
      {ASN_AFTER_DATE_E, POLYTLS_ERR_EXPIRED},
      {ASN_BEFORE_DATE_E, POLYTLS_ERR_NOT_YET_VALID},
      {DOMAIN_NAME_MISMATCH, POLYTLS_ERR_HOSTNAME_MISMATCH},
      {IPADDR_MISMATCH, POLYTLS_ERR_HOSTNAME_MISMATCH},
      {NO_PEER_CERT, POLYTLS_ERR_HANDSHAKE},
      {ZERO_RETURN, POLYTLS_ERR_PEER_CLOSED},
      {WOLFSSL_ERROR_ZERO_RETURN, POLYTLS_ERR_PEER_CLOSED},
      {SOCKET_PEER_CLOSED_E, POLYTLS_ERR_PEER_CLOSED},
      {SOCKET_ERROR_E, POLYTLS_ERR_IO},
      {MEMORY_E, POLYTLS_ERR_INTERNAL},
      {MEMORY_ERROR, POLYTLS_ERR_INTERNAL},
      {BAD_FUNC_ARG, POLYTLS_ERR_INTERNAL},
      {BAD_MUTEX_E, POLYTLS_ERR_INTERNAL},
      {RNG_FAILURE_E, POLYTLS_ERR_INTERNAL},
      // Everything else failed the handshake: malformed records and
      // messages, bad MACs, a received fatal alert (looked at separately).
      {PARSE_ERROR, POLYTLS_ERR_HANDSHAKE},
      {UNKNOWN_RECORD_TYPE, POLYTLS_ERR_HANDSHAKE},
      {BUFFER_ERROR, POLYTLS_ERR_HANDSHAKE},
      {LENGTH_ERROR, POLYTLS_ERR_HANDSHAKE},
      {HANDSHAKE_SIZE_ERROR, POLYTLS_ERR_HANDSHAKE},
      {VERIFY_MAC_ERROR, POLYTLS_ERR_HANDSHAKE},
      {DECRYPT_ERROR, POLYTLS_ERR_HANDSHAKE},
      {OUT_OF_ORDER_E, POLYTLS_ERR_HANDSHAKE},
      {SANITY_MSG_E, POLYTLS_ERR_HANDSHAKE},
      {FATAL_ERROR, POLYTLS_ERR_HANDSHAKE},
      {-12345, POLYTLS_ERR_HANDSHAKE},
  };
  for (const Row &row : rows) {
    EXPECT_EQ(tls_status_for(row.code), row.status) << "code " << row.code;
  }
}

TEST(WolfsslErrors, AlertTable) {
  const Row rows[] = {
      {close_notify, POLYTLS_ERR_PEER_CLOSED},
      {handshake_failure, POLYTLS_ERR_HANDSHAKE},
      {bad_certificate, POLYTLS_ERR_UNTRUSTED},
      {unsupported_certificate, POLYTLS_ERR_UNTRUSTED},
      {certificate_revoked, POLYTLS_ERR_UNTRUSTED},
      {certificate_unknown, POLYTLS_ERR_UNTRUSTED},
      {unknown_ca, POLYTLS_ERR_UNTRUSTED},
      {certificate_expired, POLYTLS_ERR_EXPIRED},
      {wolfssl_alert_protocol_version, POLYTLS_ERR_PROTOCOL_VERSION},
      {certificate_required, POLYTLS_ERR_HANDSHAKE},
      {no_application_protocol, POLYTLS_ERR_NO_APPLICATION_PROTOCOL},
      // Anything else: the handshake failed.
      {unexpected_message, POLYTLS_ERR_HANDSHAKE},
      {illegal_parameter, POLYTLS_ERR_HANDSHAKE},
      {decode_error, POLYTLS_ERR_HANDSHAKE},
      {insufficient_security, POLYTLS_ERR_HANDSHAKE},
      {internal_error, POLYTLS_ERR_HANDSHAKE},
      {255, POLYTLS_ERR_HANDSHAKE},
  };
  for (const Row &row : rows) {
    EXPECT_EQ(alert_status_for(row.code), row.status) << "alert " << row.code;
  }
}

TEST(WolfsslErrors, TextComesFromWolfssl) {
  EXPECT_NE(std::string(error_text(ASN_PARSE_E)).find("ASN"), std::string::npos);
  EXPECT_FALSE(std::string(error_text(NOT_CA_ERROR)).empty());
  EXPECT_FALSE(std::string(error_text(-99999)).empty());
}

TEST(WolfsslErrors, FailFillsError) {
  polytls_error err{};
  err.struct_size = sizeof err;
  EXPECT_EQ(fail(&err, ASN_PARSE_E, POLYTLS_ERR_INTERNAL, "decoding"), POLYTLS_ERR_BAD_INPUT);
  EXPECT_EQ(err.library_code, ASN_PARSE_E);
  const std::string detail = err.detail;
  EXPECT_EQ(detail.rfind("decoding: ", 0), 0u) << detail;
  EXPECT_NE(detail.find("-140"), std::string::npos) << detail;
  EXPECT_EQ(fail(nullptr, MEMORY_E, POLYTLS_ERR_BAD_INPUT, "x"), POLYTLS_ERR_INTERNAL);
}

}  // namespace
