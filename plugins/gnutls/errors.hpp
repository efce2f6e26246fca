// errors.hpp: the GnuTLS backend's mappings from GnuTLS's codes to polytls
// status categories, one table each: library error codes (GNUTLS_E_*),
// certificate-verification status bits (GNUTLS_CERT_*), alerts received from
// a peer, and the alert our side sends when it rejects the peer's certificate.
#ifndef POLYTLS_PLUGINS_GNUTLS_ERRORS_HPP
#define POLYTLS_PLUGINS_GNUTLS_ERRORS_HPP

#include <cstdint>
#include <span>

#include "polytls/abi/types.h"

namespace polytls::gnutls {

// Domain says where an error code was met: some GnuTLS codes mean different
// things for a key or certificate operation and in a TLS session (an
// unsupported curve is a missing feature when importing a key, no group in
// common in a handshake).
enum class Domain : uint8_t {
  any,     // rows that apply everywhere
  crypto,  // keys, certificates, primitives
  tls,     // TLS sessions
};

// One row of the library-error table. Rows are tried in order; the first
// whose code matches and whose domain is `any` or the caller's wins.
struct ErrorRow {
  int code;  // GNUTLS_E_*
  Domain domain;
  polytls_status status;
};
std::span<const ErrorRow> error_rows() noexcept;

// status_for maps a GnuTLS error code met in `domain`: the first matching
// row's status, or `fallback` (also for 0 or a non-negative code).
polytls_status status_for(int code, Domain domain, polytls_status fallback) noexcept;

// One row of the verification table: a GNUTLS_CERT_* status bit.
struct VerifyRow {
  unsigned flag;
  polytls_status status;
};
std::span<const VerifyRow> verify_rows() noexcept;

// verify_status_for maps the status bits of gnutls_x509_trust_list_verify_crt2:
// 0 is OK; any bit about the path (signer not found, bad signature, signer
// not a CA, ...) is UNTRUSTED even when a date is also wrong (no path wins
// over dates); otherwise EXPIRED, then NOT_YET_VALID; anything else
// UNTRUSTED.
polytls_status verify_status_for(unsigned status) noexcept;

// One row of the received-alert table: a TLS alert description.
struct AlertRow {
  int alert;  // gnutls_alert_description_t
  polytls_status status;
};
std::span<const AlertRow> alert_rows() noexcept;

// alert_status_for maps a fatal alert the peer sent; `fallback` if no row.
polytls_status alert_status_for(int alert, polytls_status fallback) noexcept;

// One row of the table of alerts our side sends when it rejects the peer's
// certificate with a polytls status (a chain that did not verify, or the
// core's peer check).
struct SendAlertRow {
  polytls_status status;
  int alert;  // gnutls_alert_description_t
};
std::span<const SendAlertRow> send_alert_rows() noexcept;

// alert_to_send is the alert for a rejected peer certificate:
// certificate_expired for EXPIRED, unknown_ca for UNTRUSTED, bad_certificate
// for everything else (NOT_YET_VALID, a failed host name or pin check...).
int alert_to_send(polytls_status status) noexcept;

// fail records a GnuTLS failure in `err`: library_code is `code`, the
// status that of the table (else `fallback`), the detail
// "<what>: <gnutls_strerror> (<GNUTLS_E_ name>)". Returns the status.
polytls_status fail(polytls_error *err, int code, Domain domain, polytls_status fallback,
                    const char *what) noexcept;

// fail_as records a GnuTLS failure like `fail` but with `status` whatever
// the table says (where the caller knows better: a failed decryption is a
// wrong passphrase in key_import and bad input in `cipher`).
polytls_status fail_as(polytls_error *err, int code, polytls_status status,
                       const char *what) noexcept;

}  // namespace polytls::gnutls

#endif  // POLYTLS_PLUGINS_GNUTLS_ERRORS_HPP
