// errors.hpp: the one mapping from Mbed TLS error codes and X.509
// verification flags to polytls status categories, and the helpers that put
// the library's own text into a polytls_error.
#ifndef POLYTLS_BACKENDS_MBEDTLS_ERRORS_HPP
#define POLYTLS_BACKENDS_MBEDTLS_ERRORS_HPP

#include <cstddef>
#include <cstdint>
#include <span>

#include "polytls/abi/types.h"

namespace polytls::mbedtls {

// One row of the error table: an Mbed TLS error code (negative) and its category.
struct ErrorRow {
  int code;
  polytls_status status;
};

// One row of the verification table: MBEDTLS_X509_BADCERT_* bits and their category.
struct VerifyRow {
  uint32_t flags;
  polytls_status status;
};

// One row of the alert table: a TLS alert description received from the
// peer in a fatal alert, its category and its RFC 8446 name.
struct AlertRow {
  uint8_t alert;
  polytls_status status;
  const char *name;
};

// One row of the table that picks the alert this backend sends when it
// rejects a peer certificate itself (see alert_for_verify_flags).
struct VerifyAlertRow {
  uint32_t flags;
  uint8_t alert;
};

// The tables themselves, exposed so the unit test can walk them.
std::span<const ErrorRow> error_table() noexcept;
std::span<const VerifyRow> verify_table() noexcept;
std::span<const AlertRow> alert_table() noexcept;
std::span<const VerifyAlertRow> verify_alert_table() noexcept;

// status_for maps an Mbed TLS error code to a polytls category. Mbed TLS
// composes codes as high-level + low-level (e.g. MBEDTLS_ERR_PK_KEY_INVALID_FORMAT
// + MBEDTLS_ERR_ASN1_UNEXPECTED_TAG): the exact code is looked up first, then
// its high-level part, then its low-level part; `fallback` when none is
// listed. 0 gives POLYTLS_OK.
polytls_status status_for(int library_code, polytls_status fallback) noexcept;

// status_for_verify_flags maps the flags mbedtls_x509_crt_verify produced.
// 0 is POLYTLS_OK. The first matching row wins: MBEDTLS_X509_BADCERT_NOT_TRUSTED
// and every other non-date flag give POLYTLS_ERR_UNTRUSTED ahead of the date
// flags (EXPIRED, then FUTURE); unknown bits give UNTRUSTED.
polytls_status status_for_verify_flags(uint32_t flags) noexcept;

// status_for_alert maps the description of a fatal alert received from the
// peer (MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE; the byte is ssl->in_msg[1]):
// protocol_version -> PROTOCOL_VERSION; bad_certificate, unsupported_certificate,
// certificate_revoked, certificate_unknown, unknown_ca -> UNTRUSTED;
// certificate_expired -> EXPIRED; no_application_protocol ->
// NO_APPLICATION_PROTOCOL; everything else (handshake_failure,
// certificate_required, ...) -> HANDSHAKE.
polytls_status status_for_alert(uint8_t alert) noexcept;

// alert_name is the alert's RFC name ("handshake_failure"), "unknown" if unlisted.
const char *alert_name(uint8_t alert) noexcept;

// alert_for_verify_flags picks the fatal alert this backend sends when it
// rejects the peer's certificate itself (a failed peer check, or a client
// certificate that fails verification under POLYTLS_CLIENT_AUTH_REQUEST):
// first matching row, certificate_unknown when none matches. The rows agree
// with status_for_verify_flags, so the peer's category matches ours.
uint8_t alert_for_verify_flags(uint32_t flags) noexcept;

// fail records a library failure in `err`: "<what>: <mbedtls_strerror text>
// (-0xXXXX)", with the category from status_for(code, fallback).
polytls_status fail(polytls_error *err, int code, polytls_status fallback,
                    const char *what) noexcept;

// fail_as is fail with the category forced (when the context decides it,
// e.g. any failure of a signature check is POLYTLS_ERR_BAD_SIGNATURE).
polytls_status fail_as(polytls_error *err, polytls_status status, int code,
                       const char *what) noexcept;

// describe writes "<mbedtls_strerror text> (-0xXXXX)" into `buf`.
void describe(int code, char *buf, std::size_t size) noexcept;

}  // namespace polytls::mbedtls

#endif  // POLYTLS_BACKENDS_MBEDTLS_ERRORS_HPP
