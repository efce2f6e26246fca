// errors.cpp: wolfSSL / wolfCrypt error codes -> polytls categories.
#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/settings.h>

#include <wolfssl/error-ssl.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include "errors.hpp"

#include "polytls/kit/backend_kit.hpp"

namespace polytls::wolfssl {
namespace {

struct Row {
  int code;
  polytls_status status;
};

// General mapping, used for every operation except the two verification
// mappings below. Anything not listed takes the caller's fallback.
constexpr Row kGeneral[] = {
    // Malformed or unacceptable input.
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
    // Passphrases.
    {NO_PASSWORD, POLYTLS_ERR_BAD_PASSPHRASE},
    // What this wolfSSL build or wolfSSL itself cannot do.
    {NOT_COMPILED_IN, POLYTLS_ERR_UNSUPPORTED},
    {ECC_CURVE_OID_E, POLYTLS_ERR_UNSUPPORTED},
    {ASN_UNKNOWN_OID_E, POLYTLS_ERR_UNSUPPORTED},
    {ASN_SIG_OID_E, POLYTLS_ERR_UNSUPPORTED},
    {ASN_SIG_HASH_E, POLYTLS_ERR_UNSUPPORTED},
    {ASN_SIG_KEY_E, POLYTLS_ERR_UNSUPPORTED},
    {ALGO_ID_E, POLYTLS_ERR_UNSUPPORTED},
    {HASH_TYPE_E, POLYTLS_ERR_UNSUPPORTED},
    {SIG_TYPE_E, POLYTLS_ERR_UNSUPPORTED},
    // Signatures.
    {SIG_VERIFY_E, POLYTLS_ERR_BAD_SIGNATURE},
    {ASN_SIG_CONFIRM_E, POLYTLS_ERR_BAD_SIGNATURE},
    // Validity periods.
    {ASN_BEFORE_DATE_E, POLYTLS_ERR_NOT_YET_VALID},
    {ASN_AFTER_DATE_E, POLYTLS_ERR_EXPIRED},
    // Trust.
    {ASN_NO_SIGNER_E, POLYTLS_ERR_UNTRUSTED},
    {ASN_SELF_SIGNED_E, POLYTLS_ERR_UNTRUSTED},
    {NOT_CA_ERROR, POLYTLS_ERR_UNTRUSTED},
    {ASN_PATHLEN_INV_E, POLYTLS_ERR_UNTRUSTED},
    {ASN_NAME_INVALID_E, POLYTLS_ERR_UNTRUSTED},
    // Library failures.
    {MEMORY_E, POLYTLS_ERR_INTERNAL},
    {RNG_FAILURE_E, POLYTLS_ERR_INTERNAL},
    {MISSING_RNG_E, POLYTLS_ERR_INTERNAL},
    {WC_INIT_E, POLYTLS_ERR_INTERNAL},
    {BAD_MUTEX_E, POLYTLS_ERR_INTERNAL},
    {BAD_STATE_E, POLYTLS_ERR_INTERNAL},
    {PRIME_GEN_E, POLYTLS_ERR_INTERNAL},
    {BAD_CERT_MANAGER_ERROR, POLYTLS_ERR_INTERNAL},
};

// Certificate verification: dates are their own categories, resource
// failures are INTERNAL, and every other failure means the chain does not
// reach a trust anchor.
constexpr Row kVerify[] = {
    {ASN_BEFORE_DATE_E, POLYTLS_ERR_NOT_YET_VALID},
    {ASN_AFTER_DATE_E, POLYTLS_ERR_EXPIRED},
    {MEMORY_E, POLYTLS_ERR_INTERNAL},
    {BAD_MUTEX_E, POLYTLS_ERR_INTERNAL},
    {BAD_CERT_MANAGER_ERROR, POLYTLS_ERR_INTERNAL},
};
constexpr polytls_status kVerifyDefault = POLYTLS_ERR_UNTRUSTED;

// Signature checks: a signature that is malformed, of the wrong size or that
// does not verify is BAD_SIGNATURE; only resource failures differ.
constexpr Row kSignature[] = {
    {MEMORY_E, POLYTLS_ERR_INTERNAL},
    {BAD_MUTEX_E, POLYTLS_ERR_INTERNAL},
};
constexpr polytls_status kSignatureDefault = POLYTLS_ERR_BAD_SIGNATURE;

// TLS session calls: what wolfSSL_get_error reports after wolfSSL_connect,
// wolfSSL_accept, wolfSSL_read or wolfSSL_write. A failure the table does not
// name (malformed records or messages, bad MACs, ...) is HANDSHAKE. The
// session code looks at transport failures, its own verification result and
// received alerts before this table (see tls.cpp).
constexpr Row kTls[] = {
    // Non-blocking.
    {WANT_READ, POLYTLS_ERR_WANT_READ},
    {WOLFSSL_ERROR_WANT_READ, POLYTLS_ERR_WANT_READ},
    {WANT_WRITE, POLYTLS_ERR_WANT_WRITE},
    {WOLFSSL_ERROR_WANT_WRITE, POLYTLS_ERR_WANT_WRITE},
    // No version in common.
    {VERSION_ERROR, POLYTLS_ERR_PROTOCOL_VERSION},
    {UNSUPPORTED_PROTO_VERSION, POLYTLS_ERR_PROTOCOL_VERSION},
    // No cipher suite or group in common.
    {MATCH_SUITE_ERROR, POLYTLS_ERR_NO_SHARED_CIPHER},
    {UNSUPPORTED_SUITE, POLYTLS_ERR_NO_SHARED_CIPHER},
    {KEY_SHARE_ERROR, POLYTLS_ERR_NO_SHARED_CIPHER},
    {ECC_CURVE_ERROR, POLYTLS_ERR_NO_SHARED_CIPHER},
    // ALPN.
    {UNKNOWN_ALPN_PROTOCOL_NAME_E, POLYTLS_ERR_NO_APPLICATION_PROTOCOL},
    // The peer's certificate, as wolfSSL judged it.
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
    // A client certificate was required and none came.
    {NO_PEER_CERT, POLYTLS_ERR_HANDSHAKE},
    // The connection ended.
    {ZERO_RETURN, POLYTLS_ERR_PEER_CLOSED},
    {WOLFSSL_ERROR_ZERO_RETURN, POLYTLS_ERR_PEER_CLOSED},
    {SOCKET_PEER_CLOSED_E, POLYTLS_ERR_PEER_CLOSED},
    {SOCKET_ERROR_E, POLYTLS_ERR_IO},
    // Library failures.
    {MEMORY_E, POLYTLS_ERR_INTERNAL},
    {MEMORY_ERROR, POLYTLS_ERR_INTERNAL},
    {BAD_FUNC_ARG, POLYTLS_ERR_INTERNAL},
    {BAD_MUTEX_E, POLYTLS_ERR_INTERNAL},
    {RNG_FAILURE_E, POLYTLS_ERR_INTERNAL},
};
constexpr polytls_status kTlsDefault = POLYTLS_ERR_HANDSHAKE;

// Fatal alerts received from the peer (RFC 8446 section 6, RFC 7301).
constexpr Row kAlert[] = {
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
};
constexpr polytls_status kAlertDefault = POLYTLS_ERR_HANDSHAKE;

template <std::size_t N>
polytls_status lookup(const Row (&table)[N], int code, polytls_status fallback) noexcept {
  if (code == 0) return POLYTLS_OK;
  for (const Row &row : table) {
    if (row.code == code) return row.status;
  }
  return fallback;
}

}  // namespace

polytls_status status_for(int library_code, polytls_status fallback) noexcept {
  return lookup(kGeneral, library_code, fallback);
}

polytls_status verify_status_for(int library_code) noexcept {
  return lookup(kVerify, library_code, kVerifyDefault);
}

polytls_status signature_status_for(int library_code) noexcept {
  return lookup(kSignature, library_code, kSignatureDefault);
}

polytls_status tls_status_for(int library_code) noexcept {
  return lookup(kTls, library_code, kTlsDefault);
}

polytls_status alert_status_for(int description) noexcept {
  for (const Row &row : kAlert) {
    if (row.code == description) return row.status;
  }
  return kAlertDefault;
}

const char *error_text(int library_code) noexcept {
  // wolfCrypt codes are -1..-299 (MAX_CODE_E - WC_LAST_E); wolfSSL's own TLS
  // and certificate-manager codes lie below. wolfSSL_ERR_reason_error_string
  // knows both, wc_GetErrorString only the first.
  if (library_code <= MAX_CODE_E && library_code >= WC_LAST_E) {
    return wc_GetErrorString(library_code);
  }
  const char *text = wolfSSL_ERR_reason_error_string(static_cast<unsigned long>(library_code));
  return text != nullptr ? text : "unknown wolfSSL error";
}

polytls_status fail(polytls_error *err, int library_code, polytls_status fallback,
                    const char *what) noexcept {
  const polytls_status status = status_for(library_code, fallback);
  return kit::set_error(err, status, library_code, "%s: %s (wolfSSL error %d)", what,
                        error_text(library_code), library_code);
}

}  // namespace polytls::wolfssl
