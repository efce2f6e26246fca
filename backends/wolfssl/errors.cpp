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
