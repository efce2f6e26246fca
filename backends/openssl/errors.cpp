// errors.cpp: OpenSSL error codes -> polytls categories, in two tables.
#include "errors.hpp"

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

#include <cstdio>
#include <cstring>
#include <optional>

#include "polytls/kit/backend_kit.hpp"

namespace polytls::openssl {
namespace {

// Library errors. The first matching row wins, so specific rows come before
// the wildcards. Codes that no row names take the caller's fallback, which
// is the category of the operation that failed (BAD_INPUT for decoding,
// INTERNAL for generation, ...).
constexpr ErrorRow kErrorRows[] = {
    // Resource exhaustion anywhere.
    {kAny, ERR_R_MALLOC_FAILURE, POLYTLS_ERR_INTERNAL},
    {kAny, ERR_R_INTERNAL_ERROR, POLYTLS_ERR_INTERNAL},
    // The decoder framework says "unsupported" when no decoder could read
    // the bytes at all: that is malformed input, not a missing feature.
    {ERR_LIB_OSSL_DECODER, ERR_R_UNSUPPORTED, POLYTLS_ERR_BAD_INPUT},
    {kAny, ERR_R_UNSUPPORTED, POLYTLS_ERR_UNSUPPORTED},
    // Algorithms OpenSSL (or this build of it) does not offer.
    {ERR_LIB_EVP, EVP_R_UNSUPPORTED_ALGORITHM, POLYTLS_ERR_UNSUPPORTED},
    {ERR_LIB_EVP, EVP_R_UNSUPPORTED_CIPHER, POLYTLS_ERR_UNSUPPORTED},
    {ERR_LIB_EVP, EVP_R_UNKNOWN_CIPHER, POLYTLS_ERR_UNSUPPORTED},
    {ERR_LIB_EVP, EVP_R_UNKNOWN_DIGEST, POLYTLS_ERR_UNSUPPORTED},
    {ERR_LIB_EVP, EVP_R_UNKNOWN_PBE_ALGORITHM, POLYTLS_ERR_UNSUPPORTED},
    {ERR_LIB_EVP, EVP_R_UNSUPPORTED_KEY_DERIVATION_FUNCTION, POLYTLS_ERR_UNSUPPORTED},
    {ERR_LIB_EVP, EVP_R_UNSUPPORTED_PRF, POLYTLS_ERR_UNSUPPORTED},
    {ERR_LIB_EVP, EVP_R_UNSUPPORTED_KEYLENGTH, POLYTLS_ERR_UNSUPPORTED},
    {ERR_LIB_EVP, EVP_R_UNSUPPORTED_PRIVATE_KEY_ALGORITHM, POLYTLS_ERR_UNSUPPORTED},
    {ERR_LIB_EVP, EVP_R_UNSUPPORTED_KEY_TYPE, POLYTLS_ERR_UNSUPPORTED},
    {ERR_LIB_EVP, EVP_R_UNKNOWN_KEY_TYPE, POLYTLS_ERR_UNSUPPORTED},
    {ERR_LIB_PKCS12, PKCS12_R_UNKNOWN_DIGEST_ALGORITHM, POLYTLS_ERR_UNSUPPORTED},
    {ERR_LIB_PKCS12, PKCS12_R_UNSUPPORTED_PKCS12_MODE, POLYTLS_ERR_UNSUPPORTED},
    {ERR_LIB_X509, X509_R_UNSUPPORTED_ALGORITHM, POLYTLS_ERR_UNSUPPORTED},
    {ERR_LIB_X509, X509_R_UNKNOWN_KEY_TYPE, POLYTLS_ERR_UNSUPPORTED},
    {ERR_LIB_EC, EC_R_UNKNOWN_GROUP, POLYTLS_ERR_UNSUPPORTED},
    {ERR_LIB_EC, EC_R_INVALID_CURVE, POLYTLS_ERR_UNSUPPORTED},
    // Bad ciphertext, padding, key or IV sizes. (A failed decryption of an
    // encrypted PKCS#8 key is reported as BAD_PASSPHRASE by key_import,
    // which knows the context; for `cipher` it is bad input.)
    {ERR_LIB_EVP, EVP_R_BAD_DECRYPT, POLYTLS_ERR_BAD_INPUT},
    {ERR_LIB_PROV, PROV_R_BAD_DECRYPT, POLYTLS_ERR_BAD_INPUT},
    {ERR_LIB_EVP, EVP_R_WRONG_FINAL_BLOCK_LENGTH, POLYTLS_ERR_BAD_INPUT},
    {ERR_LIB_PROV, PROV_R_WRONG_FINAL_BLOCK_LENGTH, POLYTLS_ERR_BAD_INPUT},
    {ERR_LIB_EVP, EVP_R_DATA_NOT_MULTIPLE_OF_BLOCK_LENGTH, POLYTLS_ERR_BAD_INPUT},
    {ERR_LIB_EVP, EVP_R_INVALID_KEY_LENGTH, POLYTLS_ERR_BAD_INPUT},
    {ERR_LIB_PROV, PROV_R_INVALID_KEY_LENGTH, POLYTLS_ERR_BAD_INPUT},
    {ERR_LIB_EVP, EVP_R_INVALID_IV_LENGTH, POLYTLS_ERR_BAD_INPUT},
    {ERR_LIB_PROV, PROV_R_INVALID_IV_LENGTH, POLYTLS_ERR_BAD_INPUT},
    {ERR_LIB_PKCS12, PKCS12_R_PKCS12_CIPHERFINAL_ERROR, POLYTLS_ERR_BAD_INPUT},
    {ERR_LIB_PKCS12, PKCS12_R_DECODE_ERROR, POLYTLS_ERR_BAD_INPUT},
    // Malformed or mismatched keys and encodings.
    {ERR_LIB_EVP, EVP_R_DECODE_ERROR, POLYTLS_ERR_BAD_INPUT},
    {ERR_LIB_EVP, EVP_R_PRIVATE_KEY_DECODE_ERROR, POLYTLS_ERR_BAD_INPUT},
    {ERR_LIB_X509, X509_R_KEY_VALUES_MISMATCH, POLYTLS_ERR_BAD_INPUT},
    {ERR_LIB_EC, EC_R_INVALID_PRIVATE_KEY, POLYTLS_ERR_BAD_INPUT},
    {ERR_LIB_EC, EC_R_POINT_IS_NOT_ON_CURVE, POLYTLS_ERR_BAD_INPUT},
    {ERR_LIB_EC, EC_R_INVALID_ENCODING, POLYTLS_ERR_BAD_INPUT},
    {ERR_LIB_RSA, RSA_R_KEY_SIZE_TOO_SMALL, POLYTLS_ERR_BAD_INPUT},
    {ERR_LIB_RSA, RSA_R_INVALID_KEY_LENGTH, POLYTLS_ERR_BAD_INPUT},
    {ERR_LIB_PROV, PROV_R_INVALID_DIGEST, POLYTLS_ERR_BAD_INPUT},
    {ERR_LIB_PROV, PROV_R_NOT_A_PRIVATE_KEY, POLYTLS_ERR_BAD_INPUT},
    {ERR_LIB_PROV, PROV_R_INVALID_ITERATION_COUNT, POLYTLS_ERR_BAD_INPUT},
    {ERR_LIB_PROV, PROV_R_INVALID_SALT_LENGTH, POLYTLS_ERR_BAD_INPUT},
    // Anything else the DER parser rejects.
    {ERR_LIB_ASN1, kAny, POLYTLS_ERR_BAD_INPUT},

    // ---- TLS. Our side's failures and the alerts the peer sent (OpenSSL
    // reports a received alert as SSL_R_SSLV3_ALERT_* / SSL_R_TLSV1_ALERT_*,
    // 1000 + the alert number). Unlisted TLS failures take the caller's
    // fallback: HANDSHAKE during the handshake, IO when reading or writing.
    // No TLS version in common, found by us or by the peer.
    {ERR_LIB_SSL, SSL_R_UNSUPPORTED_PROTOCOL, POLYTLS_ERR_PROTOCOL_VERSION},
    {ERR_LIB_SSL, SSL_R_NO_PROTOCOLS_AVAILABLE, POLYTLS_ERR_PROTOCOL_VERSION},
    {ERR_LIB_SSL, SSL_R_VERSION_TOO_LOW, POLYTLS_ERR_PROTOCOL_VERSION},
    {ERR_LIB_SSL, SSL_R_VERSION_TOO_HIGH, POLYTLS_ERR_PROTOCOL_VERSION},
    {ERR_LIB_SSL, SSL_R_WRONG_SSL_VERSION, POLYTLS_ERR_PROTOCOL_VERSION},
    {ERR_LIB_SSL, SSL_R_INAPPROPRIATE_FALLBACK, POLYTLS_ERR_PROTOCOL_VERSION},
    {ERR_LIB_SSL, SSL_R_TLSV1_ALERT_PROTOCOL_VERSION, POLYTLS_ERR_PROTOCOL_VERSION},
    {ERR_LIB_SSL, SSL_R_TLSV1_ALERT_INAPPROPRIATE_FALLBACK, POLYTLS_ERR_PROTOCOL_VERSION},
    // No cipher suite, group or signature algorithm in common.
    {ERR_LIB_SSL, SSL_R_NO_SHARED_CIPHER, POLYTLS_ERR_NO_SHARED_CIPHER},
    {ERR_LIB_SSL, SSL_R_NO_CIPHERS_AVAILABLE, POLYTLS_ERR_NO_SHARED_CIPHER},
    {ERR_LIB_SSL, SSL_R_NO_SHARED_GROUPS, POLYTLS_ERR_NO_SHARED_CIPHER},
    {ERR_LIB_SSL, SSL_R_NO_SUITABLE_GROUPS, POLYTLS_ERR_NO_SHARED_CIPHER},
    {ERR_LIB_SSL, SSL_R_NO_SUITABLE_KEY_SHARE, POLYTLS_ERR_NO_SHARED_CIPHER},
    {ERR_LIB_SSL, SSL_R_NO_SHARED_SIGNATURE_ALGORITHMS, POLYTLS_ERR_NO_SHARED_CIPHER},
    {ERR_LIB_SSL, SSL_R_NO_SUITABLE_SIGNATURE_ALGORITHM, POLYTLS_ERR_NO_SHARED_CIPHER},
    {ERR_LIB_SSL, SSL_R_TLSV1_ALERT_INSUFFICIENT_SECURITY, POLYTLS_ERR_NO_SHARED_CIPHER},
    // ALPN: our server found no protocol in common, or the peer's did.
    {ERR_LIB_SSL, SSL_R_NO_APPLICATION_PROTOCOL, POLYTLS_ERR_NO_APPLICATION_PROTOCOL},
    {ERR_LIB_SSL, SSL_R_TLSV1_ALERT_NO_APPLICATION_PROTOCOL, POLYTLS_ERR_NO_APPLICATION_PROTOCOL},
    // Certificates: our verification failed (the TLS code itself maps the
    // precise X509_V_ERR_* result first; this row is the backstop), or the
    // peer rejected ours.
    {ERR_LIB_SSL, SSL_R_CERTIFICATE_VERIFY_FAILED, POLYTLS_ERR_UNTRUSTED},
    {ERR_LIB_SSL, SSL_R_SSLV3_ALERT_BAD_CERTIFICATE, POLYTLS_ERR_UNTRUSTED},
    {ERR_LIB_SSL, SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE, POLYTLS_ERR_UNTRUSTED},
    {ERR_LIB_SSL, SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED, POLYTLS_ERR_UNTRUSTED},
    {ERR_LIB_SSL, SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN, POLYTLS_ERR_UNTRUSTED},
    {ERR_LIB_SSL, SSL_R_TLSV1_ALERT_UNKNOWN_CA, POLYTLS_ERR_UNTRUSTED},
    {ERR_LIB_SSL, SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED, POLYTLS_ERR_EXPIRED},
    // Handshake failures that may surface after our side's handshake is
    // complete (a TLS 1.3 server rejects the client's certificate after the
    // client finished): HANDSHAKE even when met by tls_read.
    {ERR_LIB_SSL, SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE, POLYTLS_ERR_HANDSHAKE},
    {ERR_LIB_SSL, SSL_R_SSLV3_ALERT_NO_CERTIFICATE, POLYTLS_ERR_HANDSHAKE},
    {ERR_LIB_SSL, SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED, POLYTLS_ERR_HANDSHAKE},
    {ERR_LIB_SSL, SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE, POLYTLS_ERR_HANDSHAKE},
};

// Certificate-verification results (X509_STORE_CTX_get_error). Values not
// listed are UNTRUSTED: every other failure is about building or checking
// the chain.
constexpr VerifyRow kVerifyRows[] = {
    {X509_V_OK, POLYTLS_OK},
    {X509_V_ERR_CERT_HAS_EXPIRED, POLYTLS_ERR_EXPIRED},
    {X509_V_ERR_CERT_NOT_YET_VALID, POLYTLS_ERR_NOT_YET_VALID},
    {X509_V_ERR_OUT_OF_MEM, POLYTLS_ERR_INTERNAL},
    {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, POLYTLS_ERR_UNTRUSTED},
    {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, POLYTLS_ERR_UNTRUSTED},
    {X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, POLYTLS_ERR_UNTRUSTED},
    {X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, POLYTLS_ERR_UNTRUSTED},
    {X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, POLYTLS_ERR_UNTRUSTED},
    {X509_V_ERR_CERT_SIGNATURE_FAILURE, POLYTLS_ERR_UNTRUSTED},
    {X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE, POLYTLS_ERR_UNTRUSTED},
    {X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY, POLYTLS_ERR_UNTRUSTED},
    {X509_V_ERR_INVALID_CA, POLYTLS_ERR_UNTRUSTED},
    {X509_V_ERR_INVALID_NON_CA, POLYTLS_ERR_UNTRUSTED},
    {X509_V_ERR_KEYUSAGE_NO_CERTSIGN, POLYTLS_ERR_UNTRUSTED},
    {X509_V_ERR_PATH_LENGTH_EXCEEDED, POLYTLS_ERR_UNTRUSTED},
    {X509_V_ERR_CERT_CHAIN_TOO_LONG, POLYTLS_ERR_UNTRUSTED},
    {X509_V_ERR_CERT_UNTRUSTED, POLYTLS_ERR_UNTRUSTED},
    {X509_V_ERR_CERT_REJECTED, POLYTLS_ERR_UNTRUSTED},
    {X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION, POLYTLS_ERR_UNTRUSTED},
    {X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD, POLYTLS_ERR_UNTRUSTED},
    {X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD, POLYTLS_ERR_UNTRUSTED},
    {X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM, POLYTLS_ERR_UNTRUSTED},
    {X509_V_ERR_SIGNATURE_ALGORITHM_MISMATCH, POLYTLS_ERR_UNTRUSTED},
    {X509_V_ERR_UNSPECIFIED, POLYTLS_ERR_UNTRUSTED},
};
constexpr polytls_status kVerifyDefault = POLYTLS_ERR_UNTRUSTED;

std::optional<polytls_status> lookup(unsigned long code) noexcept {
  if (code == 0) return std::nullopt;
  const int lib = ERR_GET_LIB(code);
  const int reason = ERR_GET_REASON(code);
  for (const ErrorRow &row : kErrorRows) {
    if ((row.lib == kAny || row.lib == lib) && (row.reason == kAny || row.reason == reason)) {
      return row.status;
    }
  }
  return std::nullopt;
}

// append adds `text` to the NUL-terminated `buf` of `cap` bytes, truncating.
void append(char *buf, std::size_t cap, const char *text) noexcept {
  const std::size_t used = std::strlen(buf);
  if (used + 1 >= cap) return;
  std::snprintf(buf + used, cap - used, "%s", text);
}

}  // namespace

std::span<const ErrorRow> error_rows() noexcept {
  return kErrorRows;
}
std::span<const VerifyRow> verify_rows() noexcept {
  return kVerifyRows;
}

polytls_status status_for(unsigned long library_code, polytls_status fallback) noexcept {
  return lookup(library_code).value_or(fallback);
}

polytls_status verify_status_for(int verify_error) noexcept {
  for (const VerifyRow &row : kVerifyRows) {
    if (row.verify_error == verify_error) return row.status;
  }
  return kVerifyDefault;
}

polytls_status fail(polytls_error *err, polytls_status fallback, const char *what) noexcept {
  char detail[sizeof(polytls_error::detail)];
  std::snprintf(detail, sizeof(detail), "%s", what);
  unsigned long first = 0;
  std::optional<polytls_status> mapped;
  const char *data = nullptr;
  int flags = 0;
  for (unsigned long code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags); code != 0;
       code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
    const bool is_first = first == 0;
    if (is_first) first = code;
    if (!mapped) mapped = lookup(code);
    char text[160];
    ERR_error_string_n(code, text, sizeof(text));
    append(detail, sizeof(detail), is_first ? ": " : "; ");
    append(detail, sizeof(detail), text);
    if ((flags & ERR_TXT_STRING) != 0 && data != nullptr && data[0] != '\0') {
      append(detail, sizeof(detail), " (");
      append(detail, sizeof(detail), data);
      append(detail, sizeof(detail), ")");
    }
  }
  ERR_clear_error();
  return kit::set_error(err, mapped.value_or(fallback), static_cast<int64_t>(first), "%s", detail);
}

ErrorQueueScope::ErrorQueueScope() noexcept {
  ERR_clear_error();
}
ErrorQueueScope::~ErrorQueueScope() {
  ERR_clear_error();
}

}  // namespace polytls::openssl
