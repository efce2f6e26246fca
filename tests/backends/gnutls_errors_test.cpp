// Row-by-row checks of the GnuTLS backend's error mappings (errors.cpp).
#include <gnutls/gnutls.h>

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "../../plugins/gnutls/errors.hpp"

namespace {

using polytls::gnutls::alert_rows;
using polytls::gnutls::alert_status_for;
using polytls::gnutls::alert_to_send;
using polytls::gnutls::Domain;
using polytls::gnutls::error_rows;
using polytls::gnutls::fail;
using polytls::gnutls::fail_as;
using polytls::gnutls::send_alert_rows;
using polytls::gnutls::status_for;
using polytls::gnutls::verify_rows;
using polytls::gnutls::verify_status_for;

struct Row {
  int code;
  Domain domain;
  polytls_status status;
};

TEST(GnutlsErrors, SuccessAndUnknownCodesTakeTheFallback) {
  EXPECT_EQ(status_for(0, Domain::crypto, POLYTLS_ERR_INTERNAL), POLYTLS_ERR_INTERNAL);
  EXPECT_EQ(status_for(5, Domain::tls, POLYTLS_ERR_HANDSHAKE), POLYTLS_ERR_HANDSHAKE);
  EXPECT_EQ(status_for(-123456, Domain::crypto, POLYTLS_ERR_BAD_INPUT), POLYTLS_ERR_BAD_INPUT);
  EXPECT_EQ(status_for(GNUTLS_E_REHANDSHAKE, Domain::tls, POLYTLS_ERR_HANDSHAKE),
            POLYTLS_ERR_HANDSHAKE);
}

TEST(GnutlsErrors, ErrorTableRowByRow) {
  const Row rows[] = {
      {GNUTLS_E_MEMORY_ERROR, Domain::crypto, POLYTLS_ERR_INTERNAL},
      {GNUTLS_E_MEMORY_ERROR, Domain::tls, POLYTLS_ERR_INTERNAL},
      {GNUTLS_E_INTERNAL_ERROR, Domain::crypto, POLYTLS_ERR_INTERNAL},
      {GNUTLS_E_RANDOM_FAILED, Domain::crypto, POLYTLS_ERR_INTERNAL},
      {GNUTLS_E_RANDOM_DEVICE_ERROR, Domain::tls, POLYTLS_ERR_INTERNAL},
      {GNUTLS_E_LIB_IN_ERROR_STATE, Domain::crypto, POLYTLS_ERR_INTERNAL},
      {GNUTLS_E_CRYPTO_INIT_FAILED, Domain::crypto, POLYTLS_ERR_INTERNAL},
      {GNUTLS_E_LOCKING_ERROR, Domain::crypto, POLYTLS_ERR_INTERNAL},
      {GNUTLS_E_PK_GENERATION_ERROR, Domain::crypto, POLYTLS_ERR_INTERNAL},
      {GNUTLS_E_ASN1_DER_ERROR, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_ASN1_DER_OVERFLOW, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_ASN1_TAG_ERROR, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_ASN1_TAG_IMPLICIT, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_ASN1_TYPE_ANY_ERROR, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_ASN1_SYNTAX_ERROR, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_ASN1_ELEMENT_NOT_FOUND, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_ASN1_IDENTIFIER_NOT_FOUND, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_ASN1_VALUE_NOT_FOUND, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_ASN1_VALUE_NOT_VALID, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_ASN1_GENERIC_ERROR, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_ASN1_EMBEDDED_NULL_IN_STRING, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_ASN1_TIME_ERROR, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_BASE64_DECODING_ERROR, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_BASE64_UNEXPECTED_HEADER_ERROR, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_PARSING_ERROR, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_CERTIFICATE_ERROR, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_X509_DUPLICATE_EXTENSION, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_CERTIFICATE_TIME_ERROR, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_PK_INVALID_PUBKEY, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_PK_INVALID_PRIVKEY, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_PK_INVALID_PUBKEY_PARAMS, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_PRIVKEY_VERIFICATION_ERROR, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_CERTIFICATE_KEY_MISMATCH, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_INCOMPATIBLE_SIG_WITH_KEY, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_INVALID_UTF8_STRING, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_INVALID_REQUEST, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_SHORT_MEMORY_BUFFER, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_CONSTRAINT_ERROR, Domain::crypto, POLYTLS_ERR_BAD_INPUT},
      {GNUTLS_E_DECRYPTION_FAILED, Domain::crypto, POLYTLS_ERR_BAD_PASSPHRASE},
      {GNUTLS_E_INVALID_PASSWORD, Domain::crypto, POLYTLS_ERR_BAD_PASSPHRASE},
      {GNUTLS_E_INVALID_PASSWORD_STRING, Domain::crypto, POLYTLS_ERR_BAD_PASSPHRASE},
      {GNUTLS_E_UNKNOWN_PK_ALGORITHM, Domain::crypto, POLYTLS_ERR_UNSUPPORTED},
      {GNUTLS_E_UNKNOWN_HASH_ALGORITHM, Domain::crypto, POLYTLS_ERR_UNSUPPORTED},
      {GNUTLS_E_UNKNOWN_ALGORITHM, Domain::crypto, POLYTLS_ERR_UNSUPPORTED},
      {GNUTLS_E_UNKNOWN_CIPHER_TYPE, Domain::crypto, POLYTLS_ERR_UNSUPPORTED},
      {GNUTLS_E_UNSUPPORTED_SIGNATURE_ALGORITHM, Domain::crypto, POLYTLS_ERR_UNSUPPORTED},
      {GNUTLS_E_ECC_UNSUPPORTED_CURVE, Domain::crypto, POLYTLS_ERR_UNSUPPORTED},
      {GNUTLS_E_X509_UNSUPPORTED_OID, Domain::crypto, POLYTLS_ERR_UNSUPPORTED},
      {GNUTLS_E_UNKNOWN_PKCS_CONTENT_TYPE, Domain::crypto, POLYTLS_ERR_UNSUPPORTED},
      {GNUTLS_E_UNIMPLEMENTED_FEATURE, Domain::crypto, POLYTLS_ERR_UNSUPPORTED},
      {GNUTLS_E_INSUFFICIENT_SECURITY, Domain::crypto, POLYTLS_ERR_UNSUPPORTED},
      {GNUTLS_E_PK_SIG_VERIFY_FAILED, Domain::crypto, POLYTLS_ERR_BAD_SIGNATURE},
      {GNUTLS_E_EXPIRED, Domain::crypto, POLYTLS_ERR_EXPIRED},
      {GNUTLS_E_NOT_YET_ACTIVATED, Domain::crypto, POLYTLS_ERR_NOT_YET_VALID},
      {GNUTLS_E_AGAIN, Domain::tls, POLYTLS_ERR_WANT_READ},
      {GNUTLS_E_INTERRUPTED, Domain::tls, POLYTLS_ERR_WANT_READ},
      {GNUTLS_E_UNSUPPORTED_VERSION_PACKET, Domain::tls, POLYTLS_ERR_PROTOCOL_VERSION},
      {GNUTLS_E_INAPPROPRIATE_FALLBACK, Domain::tls, POLYTLS_ERR_PROTOCOL_VERSION},
      {GNUTLS_E_NO_CIPHER_SUITES, Domain::tls, POLYTLS_ERR_NO_SHARED_CIPHER},
      {GNUTLS_E_INSUFFICIENT_CREDENTIALS, Domain::tls, POLYTLS_ERR_NO_SHARED_CIPHER},
      {GNUTLS_E_NO_COMMON_KEY_SHARE, Domain::tls, POLYTLS_ERR_NO_SHARED_CIPHER},
      {GNUTLS_E_ECC_NO_SUPPORTED_CURVES, Domain::tls, POLYTLS_ERR_NO_SHARED_CIPHER},
      {GNUTLS_E_ECC_UNSUPPORTED_CURVE, Domain::tls, POLYTLS_ERR_NO_SHARED_CIPHER},
      {GNUTLS_E_UNSUPPORTED_SIGNATURE_ALGORITHM, Domain::tls, POLYTLS_ERR_NO_SHARED_CIPHER},
      {GNUTLS_E_INSUFFICIENT_SECURITY, Domain::tls, POLYTLS_ERR_NO_SHARED_CIPHER},
      {GNUTLS_E_NO_APPLICATION_PROTOCOL, Domain::tls, POLYTLS_ERR_NO_APPLICATION_PROTOCOL},
      {GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR, Domain::tls, POLYTLS_ERR_UNTRUSTED},
      {GNUTLS_E_CERTIFICATE_ERROR, Domain::tls, POLYTLS_ERR_UNTRUSTED},
      {GNUTLS_E_CERTIFICATE_REQUIRED, Domain::tls, POLYTLS_ERR_HANDSHAKE},
      {GNUTLS_E_NO_CERTIFICATE_FOUND, Domain::tls, POLYTLS_ERR_HANDSHAKE},
      {GNUTLS_E_PREMATURE_TERMINATION, Domain::tls, POLYTLS_ERR_IO},
      {GNUTLS_E_PUSH_ERROR, Domain::tls, POLYTLS_ERR_IO},
      {GNUTLS_E_PULL_ERROR, Domain::tls, POLYTLS_ERR_IO},
      {GNUTLS_E_TIMEDOUT, Domain::tls, POLYTLS_ERR_TIMEOUT},
      {GNUTLS_E_INVALID_REQUEST, Domain::tls, POLYTLS_ERR_INTERNAL},
      {GNUTLS_E_INVALID_SESSION, Domain::tls, POLYTLS_ERR_INTERNAL},
  };
  for (const Row &row : rows) {
    EXPECT_EQ(status_for(row.code, row.domain, POLYTLS_ERR_PLUGIN), row.status)
        << gnutls_strerror_name(row.code);
  }
  // Every row of the table is checked above.
  for (const auto &table_row : error_rows()) {
    bool checked = false;
    for (const Row &row : rows) {
      checked = checked || (row.code == table_row.code && row.status == table_row.status &&
                            (table_row.domain == Domain::any || row.domain == table_row.domain));
    }
    EXPECT_TRUE(checked) << gnutls_strerror_name(table_row.code);
  }
}

TEST(GnutlsErrors, DomainsKeepTheirMeaningsApart) {
  // A crypto row does not apply in a TLS session and the other way round.
  EXPECT_EQ(status_for(GNUTLS_E_DECRYPTION_FAILED, Domain::tls, POLYTLS_ERR_HANDSHAKE),
            POLYTLS_ERR_HANDSHAKE);
  EXPECT_EQ(status_for(GNUTLS_E_AGAIN, Domain::crypto, POLYTLS_ERR_INTERNAL), POLYTLS_ERR_INTERNAL);
  EXPECT_EQ(status_for(GNUTLS_E_ECC_UNSUPPORTED_CURVE, Domain::crypto, POLYTLS_ERR_BAD_INPUT),
            POLYTLS_ERR_UNSUPPORTED);
  EXPECT_EQ(status_for(GNUTLS_E_ECC_UNSUPPORTED_CURVE, Domain::tls, POLYTLS_ERR_HANDSHAKE),
            POLYTLS_ERR_NO_SHARED_CIPHER);
  EXPECT_EQ(status_for(GNUTLS_E_PREMATURE_TERMINATION, Domain::crypto, POLYTLS_ERR_BAD_INPUT),
            POLYTLS_ERR_BAD_INPUT);
}

TEST(GnutlsErrors, VerifyBits) {
  EXPECT_EQ(verify_status_for(0), POLYTLS_OK);
  const struct {
    unsigned bits;
    polytls_status status;
  } rows[] = {
      {GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_FOUND, POLYTLS_ERR_UNTRUSTED},
      {GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_CA, POLYTLS_ERR_UNTRUSTED},
      {GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNATURE_FAILURE, POLYTLS_ERR_UNTRUSTED},
      {GNUTLS_CERT_INVALID | GNUTLS_CERT_INSECURE_ALGORITHM, POLYTLS_ERR_UNTRUSTED},
      {GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE, POLYTLS_ERR_UNTRUSTED},
      {GNUTLS_CERT_INVALID | GNUTLS_CERT_UNKNOWN_CRIT_EXTENSIONS, POLYTLS_ERR_UNTRUSTED},
      {GNUTLS_CERT_INVALID | GNUTLS_CERT_PURPOSE_MISMATCH, POLYTLS_ERR_UNTRUSTED},
      {GNUTLS_CERT_INVALID | GNUTLS_CERT_MISMATCH, POLYTLS_ERR_UNTRUSTED},
      {GNUTLS_CERT_INVALID | GNUTLS_CERT_REVOKED, POLYTLS_ERR_UNTRUSTED},
      {GNUTLS_CERT_INVALID | GNUTLS_CERT_UNEXPECTED_OWNER, POLYTLS_ERR_UNTRUSTED},
      {GNUTLS_CERT_INVALID | GNUTLS_CERT_EXPIRED, POLYTLS_ERR_EXPIRED},
      {GNUTLS_CERT_INVALID | GNUTLS_CERT_NOT_ACTIVATED, POLYTLS_ERR_NOT_YET_VALID},
      // No path wins over dates; expired before not yet valid.
      {GNUTLS_CERT_INVALID | GNUTLS_CERT_EXPIRED | GNUTLS_CERT_SIGNER_NOT_FOUND,
       POLYTLS_ERR_UNTRUSTED},
      {GNUTLS_CERT_INVALID | GNUTLS_CERT_NOT_ACTIVATED | GNUTLS_CERT_SIGNATURE_FAILURE,
       POLYTLS_ERR_UNTRUSTED},
      {GNUTLS_CERT_INVALID | GNUTLS_CERT_EXPIRED | GNUTLS_CERT_NOT_ACTIVATED, POLYTLS_ERR_EXPIRED},
      // A bit no row names is still a failure.
      {GNUTLS_CERT_INVALID, POLYTLS_ERR_UNTRUSTED},
      {GNUTLS_CERT_INVALID_OCSP_STATUS, POLYTLS_ERR_UNTRUSTED},
  };
  for (const auto &row : rows) {
    EXPECT_EQ(verify_status_for(row.bits), row.status) << std::hex << row.bits;
  }
  EXPECT_EQ(verify_rows().size(), 12u);
}

TEST(GnutlsErrors, ReceivedAlerts) {
  const struct {
    int alert;
    polytls_status status;
  } rows[] = {
      {GNUTLS_A_CLOSE_NOTIFY, POLYTLS_ERR_PEER_CLOSED},
      {GNUTLS_A_HANDSHAKE_FAILURE, POLYTLS_ERR_HANDSHAKE},
      {GNUTLS_A_BAD_CERTIFICATE, POLYTLS_ERR_UNTRUSTED},
      {GNUTLS_A_UNSUPPORTED_CERTIFICATE, POLYTLS_ERR_UNTRUSTED},
      {GNUTLS_A_CERTIFICATE_REVOKED, POLYTLS_ERR_UNTRUSTED},
      {GNUTLS_A_CERTIFICATE_UNKNOWN, POLYTLS_ERR_UNTRUSTED},
      {GNUTLS_A_UNKNOWN_CA, POLYTLS_ERR_UNTRUSTED},
      {GNUTLS_A_CERTIFICATE_EXPIRED, POLYTLS_ERR_EXPIRED},
      {GNUTLS_A_PROTOCOL_VERSION, POLYTLS_ERR_PROTOCOL_VERSION},
      {GNUTLS_A_INAPPROPRIATE_FALLBACK, POLYTLS_ERR_PROTOCOL_VERSION},
      {GNUTLS_A_INSUFFICIENT_SECURITY, POLYTLS_ERR_NO_SHARED_CIPHER},
      {GNUTLS_A_CERTIFICATE_REQUIRED, POLYTLS_ERR_HANDSHAKE},
      {GNUTLS_A_NO_APPLICATION_PROTOCOL, POLYTLS_ERR_NO_APPLICATION_PROTOCOL},
  };
  for (const auto &row : rows) {
    EXPECT_EQ(alert_status_for(row.alert, POLYTLS_ERR_PLUGIN), row.status)
        << gnutls_alert_get_strname(static_cast<gnutls_alert_description_t>(row.alert));
  }
  EXPECT_EQ(alert_rows().size(), std::size(rows));
  // Unlisted alerts take the fallback.
  EXPECT_EQ(alert_status_for(GNUTLS_A_DECODE_ERROR, POLYTLS_ERR_HANDSHAKE), POLYTLS_ERR_HANDSHAKE);
  EXPECT_EQ(alert_status_for(GNUTLS_A_BAD_RECORD_MAC, POLYTLS_ERR_IO), POLYTLS_ERR_IO);
}

TEST(GnutlsErrors, AlertsToSend) {
  EXPECT_EQ(alert_to_send(POLYTLS_ERR_EXPIRED), GNUTLS_A_CERTIFICATE_EXPIRED);
  EXPECT_EQ(alert_to_send(POLYTLS_ERR_UNTRUSTED), GNUTLS_A_UNKNOWN_CA);
  EXPECT_EQ(alert_to_send(POLYTLS_ERR_NOT_YET_VALID), GNUTLS_A_BAD_CERTIFICATE);
  EXPECT_EQ(alert_to_send(POLYTLS_ERR_HOSTNAME_MISMATCH), GNUTLS_A_BAD_CERTIFICATE);
  EXPECT_EQ(alert_to_send(POLYTLS_ERR_PIN_MISMATCH), GNUTLS_A_BAD_CERTIFICATE);
  EXPECT_EQ(send_alert_rows().size(), 2u);
}

TEST(GnutlsErrors, FailRecordsCodeStatusAndWords) {
  polytls_error err{};
  err.struct_size = sizeof err;
  EXPECT_EQ(fail(&err, GNUTLS_E_ASN1_DER_ERROR, Domain::crypto, POLYTLS_ERR_INTERNAL, "parsing"),
            POLYTLS_ERR_BAD_INPUT);
  EXPECT_EQ(err.library_code, GNUTLS_E_ASN1_DER_ERROR);
  const std::string detail = err.detail;
  EXPECT_EQ(detail.rfind("parsing: ", 0), 0u) << detail;
  EXPECT_NE(detail.find(gnutls_strerror(GNUTLS_E_ASN1_DER_ERROR)), std::string::npos) << detail;
  EXPECT_NE(detail.find("GNUTLS_E_ASN1_DER_ERROR"), std::string::npos) << detail;

  // An unlisted code takes the fallback; fail_as forces the status.
  EXPECT_EQ(fail(&err, GNUTLS_E_REHANDSHAKE, Domain::tls, POLYTLS_ERR_HANDSHAKE, "x"),
            POLYTLS_ERR_HANDSHAKE);
  EXPECT_EQ(fail_as(&err, GNUTLS_E_DECRYPTION_FAILED, POLYTLS_ERR_BAD_INPUT, "cipher"),
            POLYTLS_ERR_BAD_INPUT);
  EXPECT_EQ(err.library_code, GNUTLS_E_DECRYPTION_FAILED);
  // A NULL error is allowed.
  EXPECT_EQ(fail(nullptr, GNUTLS_E_MEMORY_ERROR, Domain::any, POLYTLS_ERR_BAD_INPUT, "x"),
            POLYTLS_ERR_INTERNAL);
}

}  // namespace
