// errors.cpp: GnuTLS's codes -> polytls categories, in four tables (library
// error codes, certificate-verification status bits, alerts received, and the
// alert sent when our side rejects the peer's certificate).
#include "errors.hpp"

#include <gnutls/gnutls.h>

#include "polytls/kit/backend_kit.hpp"

namespace polytls::gnutls {
namespace {

// Library errors. The first row whose code matches and whose domain is `any`
// or the caller's wins; codes no row names take the caller's fallback, the
// category of the operation that failed (BAD_INPUT when decoding, INTERNAL
// when generating, HANDSHAKE in a handshake, ...).
constexpr ErrorRow kErrorRows[] = {
    // Resource and library failures anywhere.
    {GNUTLS_E_MEMORY_ERROR, Domain::any, POLYTLS_ERR_INTERNAL},
    {GNUTLS_E_INTERNAL_ERROR, Domain::any, POLYTLS_ERR_INTERNAL},
    {GNUTLS_E_RANDOM_FAILED, Domain::any, POLYTLS_ERR_INTERNAL},
    {GNUTLS_E_RANDOM_DEVICE_ERROR, Domain::any, POLYTLS_ERR_INTERNAL},
    {GNUTLS_E_LIB_IN_ERROR_STATE, Domain::any, POLYTLS_ERR_INTERNAL},
    {GNUTLS_E_CRYPTO_INIT_FAILED, Domain::any, POLYTLS_ERR_INTERNAL},
    {GNUTLS_E_LOCKING_ERROR, Domain::any, POLYTLS_ERR_INTERNAL},
    {GNUTLS_E_PK_GENERATION_ERROR, Domain::any, POLYTLS_ERR_INTERNAL},

    // ---- Keys, certificates and primitives.
    // Malformed DER, PEM or values.
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
    // Passphrases: a wrong one shows as a failed decryption (key_import
    // says BAD_PASSPHRASE for any failure after decrypting; `cipher` keeps
    // its own BAD_INPUT).
    {GNUTLS_E_DECRYPTION_FAILED, Domain::crypto, POLYTLS_ERR_BAD_PASSPHRASE},
    {GNUTLS_E_INVALID_PASSWORD, Domain::crypto, POLYTLS_ERR_BAD_PASSPHRASE},
    {GNUTLS_E_INVALID_PASSWORD_STRING, Domain::crypto, POLYTLS_ERR_BAD_PASSPHRASE},
    // What GnuTLS (or this build of it) does not offer.
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
    // Signatures.
    {GNUTLS_E_PK_SIG_VERIFY_FAILED, Domain::crypto, POLYTLS_ERR_BAD_SIGNATURE},
    // Validity periods.
    {GNUTLS_E_EXPIRED, Domain::crypto, POLYTLS_ERR_EXPIRED},
    {GNUTLS_E_NOT_YET_ACTIVATED, Domain::crypto, POLYTLS_ERR_NOT_YET_VALID},

    // ---- TLS sessions. Unlisted failures take the caller's fallback:
    // HANDSHAKE in the handshake, IO when reading or writing.
    // Non-blocking: GnuTLS says which way through gnutls_record_get_direction;
    // the session code checks that first, these rows are the default.
    {GNUTLS_E_AGAIN, Domain::tls, POLYTLS_ERR_WANT_READ},
    {GNUTLS_E_INTERRUPTED, Domain::tls, POLYTLS_ERR_WANT_READ},
    // No version in common.
    {GNUTLS_E_UNSUPPORTED_VERSION_PACKET, Domain::tls, POLYTLS_ERR_PROTOCOL_VERSION},
    {GNUTLS_E_INAPPROPRIATE_FALLBACK, Domain::tls, POLYTLS_ERR_PROTOCOL_VERSION},
    // No cipher suite, group or signature algorithm in common.
    {GNUTLS_E_NO_CIPHER_SUITES, Domain::tls, POLYTLS_ERR_NO_SHARED_CIPHER},
    {GNUTLS_E_INSUFFICIENT_CREDENTIALS, Domain::tls, POLYTLS_ERR_NO_SHARED_CIPHER},
    {GNUTLS_E_NO_COMMON_KEY_SHARE, Domain::tls, POLYTLS_ERR_NO_SHARED_CIPHER},
    {GNUTLS_E_ECC_NO_SUPPORTED_CURVES, Domain::tls, POLYTLS_ERR_NO_SHARED_CIPHER},
    {GNUTLS_E_ECC_UNSUPPORTED_CURVE, Domain::tls, POLYTLS_ERR_NO_SHARED_CIPHER},
    {GNUTLS_E_UNSUPPORTED_SIGNATURE_ALGORITHM, Domain::tls, POLYTLS_ERR_NO_SHARED_CIPHER},
    {GNUTLS_E_INSUFFICIENT_SECURITY, Domain::tls, POLYTLS_ERR_NO_SHARED_CIPHER},
    // ALPN.
    {GNUTLS_E_NO_APPLICATION_PROTOCOL, Domain::tls, POLYTLS_ERR_NO_APPLICATION_PROTOCOL},
    // Certificates: our verification failed (the session code maps the
    // precise GNUTLS_CERT_* bits first; this row is the backstop).
    {GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR, Domain::tls, POLYTLS_ERR_UNTRUSTED},
    {GNUTLS_E_CERTIFICATE_ERROR, Domain::tls, POLYTLS_ERR_UNTRUSTED},
    // A client certificate was required and none came.
    {GNUTLS_E_CERTIFICATE_REQUIRED, Domain::tls, POLYTLS_ERR_HANDSHAKE},
    {GNUTLS_E_NO_CERTIFICATE_FOUND, Domain::tls, POLYTLS_ERR_HANDSHAKE},
    // The stream ended without close_notify (truncation), or the transport failed.
    {GNUTLS_E_PREMATURE_TERMINATION, Domain::tls, POLYTLS_ERR_IO},
    {GNUTLS_E_PUSH_ERROR, Domain::tls, POLYTLS_ERR_IO},
    {GNUTLS_E_PULL_ERROR, Domain::tls, POLYTLS_ERR_IO},
    {GNUTLS_E_TIMEDOUT, Domain::tls, POLYTLS_ERR_TIMEOUT},
    // A session used the wrong way (a bug on our side).
    {GNUTLS_E_INVALID_REQUEST, Domain::tls, POLYTLS_ERR_INTERNAL},
    {GNUTLS_E_INVALID_SESSION, Domain::tls, POLYTLS_ERR_INTERNAL},
};

// Certificate-verification status bits (gnutls_x509_trust_list_verify_crt2).
// Every bit about the path is UNTRUSTED; the two date bits have their own
// categories. GNUTLS_CERT_INVALID accompanies every failure and says nothing
// by itself, so it is not a row.
constexpr VerifyRow kVerifyRows[] = {
    {GNUTLS_CERT_SIGNER_NOT_FOUND, POLYTLS_ERR_UNTRUSTED},
    {GNUTLS_CERT_SIGNER_NOT_CA, POLYTLS_ERR_UNTRUSTED},
    {GNUTLS_CERT_SIGNATURE_FAILURE, POLYTLS_ERR_UNTRUSTED},
    {GNUTLS_CERT_INSECURE_ALGORITHM, POLYTLS_ERR_UNTRUSTED},
    {GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE, POLYTLS_ERR_UNTRUSTED},
    {GNUTLS_CERT_UNKNOWN_CRIT_EXTENSIONS, POLYTLS_ERR_UNTRUSTED},
    {GNUTLS_CERT_PURPOSE_MISMATCH, POLYTLS_ERR_UNTRUSTED},
    {GNUTLS_CERT_MISMATCH, POLYTLS_ERR_UNTRUSTED},
    {GNUTLS_CERT_REVOKED, POLYTLS_ERR_UNTRUSTED},
    {GNUTLS_CERT_UNEXPECTED_OWNER, POLYTLS_ERR_UNTRUSTED},
    {GNUTLS_CERT_EXPIRED, POLYTLS_ERR_EXPIRED},
    {GNUTLS_CERT_NOT_ACTIVATED, POLYTLS_ERR_NOT_YET_VALID},
};

// Fatal alerts received from the peer (RFC 8446 section 6, RFC 7301), in
// the categories the other backends use. Unlisted alerts take the caller's
// fallback (HANDSHAKE).
constexpr AlertRow kAlertRows[] = {
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

// The alert our side sends when it rejects the peer's certificate.
constexpr SendAlertRow kSendAlertRows[] = {
    {POLYTLS_ERR_EXPIRED, GNUTLS_A_CERTIFICATE_EXPIRED},
    {POLYTLS_ERR_UNTRUSTED, GNUTLS_A_UNKNOWN_CA},
};
constexpr int kSendAlertDefault = GNUTLS_A_BAD_CERTIFICATE;

}  // namespace

std::span<const ErrorRow> error_rows() noexcept {
  return kErrorRows;
}
std::span<const VerifyRow> verify_rows() noexcept {
  return kVerifyRows;
}
std::span<const AlertRow> alert_rows() noexcept {
  return kAlertRows;
}
std::span<const SendAlertRow> send_alert_rows() noexcept {
  return kSendAlertRows;
}

polytls_status status_for(int code, Domain domain, polytls_status fallback) noexcept {
  if (code >= 0) return fallback;
  for (const ErrorRow &row : kErrorRows) {
    if (row.code == code && (row.domain == Domain::any || row.domain == domain)) {
      return row.status;
    }
  }
  return fallback;
}

polytls_status verify_status_for(unsigned status) noexcept {
  if (status == 0) return POLYTLS_OK;
  // No path wins over dates: the UNTRUSTED rows first, then the dates in
  // table order (EXPIRED before NOT_YET_VALID).
  for (const VerifyRow &row : kVerifyRows) {
    if ((status & row.flag) != 0 && row.status == POLYTLS_ERR_UNTRUSTED) return row.status;
  }
  for (const VerifyRow &row : kVerifyRows) {
    if ((status & row.flag) != 0) return row.status;
  }
  return POLYTLS_ERR_UNTRUSTED;
}

polytls_status alert_status_for(int alert, polytls_status fallback) noexcept {
  for (const AlertRow &row : kAlertRows) {
    if (row.alert == alert) return row.status;
  }
  return fallback;
}

int alert_to_send(polytls_status status) noexcept {
  for (const SendAlertRow &row : kSendAlertRows) {
    if (row.status == status) return row.alert;
  }
  return kSendAlertDefault;
}

polytls_status fail(polytls_error *err, int code, Domain domain, polytls_status fallback,
                    const char *what) noexcept {
  return fail_as(err, code, status_for(code, domain, fallback), what);
}

polytls_status fail_as(polytls_error *err, int code, polytls_status status,
                       const char *what) noexcept {
  const char *name = gnutls_strerror_name(code);
  return kit::set_error(err, status, code, "%s: %s (%s)", what, gnutls_strerror(code),
                        name != nullptr ? name : "unknown GnuTLS error");
}

}  // namespace polytls::gnutls
