// errors.hpp: the OpenSSL backend's single mapping from OpenSSL error codes to
// polytls status categories, and the helpers that drain OpenSSL's per-thread
// error queue into a `polytls_error`.
#ifndef POLYTLS_BACKENDS_OPENSSL_ERRORS_HPP
#define POLYTLS_BACKENDS_OPENSSL_ERRORS_HPP

#include <cstddef>
#include <span>

#include "polytls/abi/types.h"

namespace polytls::openssl {

// One row of the library-error table. `lib` is an ERR_LIB_* value and
// `reason` a full reason code (including the ERR_RFLAG_* flags, as
// ERR_GET_REASON returns it); either may be `kAny`. Rows are tried in order
// and the first that matches wins.
struct ErrorRow {
  int lib;
  int reason;
  polytls_status status;
};
inline constexpr int kAny = 0;

// The rows themselves (for the unit test and for documentation).
std::span<const ErrorRow> error_rows() noexcept;

// status_for maps one packed OpenSSL error code (ERR_get_error) to a
// category: the first matching row's status, or `fallback` when no row
// matches (or the code is 0).
polytls_status status_for(unsigned long library_code, polytls_status fallback) noexcept;

// One row of the certificate-verification table: an X509_V_ERR_* result of
// X509_STORE_CTX_get_error.
struct VerifyRow {
  int verify_error;
  polytls_status status;
};
std::span<const VerifyRow> verify_rows() noexcept;

// verify_status_for maps an X509_V_ERR_* value: X509_V_OK -> POLYTLS_OK,
// expired -> EXPIRED, not yet valid -> NOT_YET_VALID, everything else about
// building or signing the chain -> UNTRUSTED.
polytls_status verify_status_for(int verify_error) noexcept;

// fail drains the calling thread's OpenSSL error queue into `err`:
// library_code is the first (deepest) queued error, the status is that of the
// first queued error the table maps (else `fallback`), and the detail reads
// "<what>: <OpenSSL's text>; <more text>...". The queue is empty afterwards.
polytls_status fail(polytls_error *err, polytls_status fallback, const char *what) noexcept;

// ErrorQueueScope clears the calling thread's OpenSSL error queue when it is
// created and again when it is destroyed, so that stale errors never show up
// in a call's detail and a call's errors never leak into the next one.
class ErrorQueueScope {
 public:
  ErrorQueueScope() noexcept;
  ~ErrorQueueScope();
  ErrorQueueScope(const ErrorQueueScope &) = delete;
  ErrorQueueScope &operator=(const ErrorQueueScope &) = delete;
};

}  // namespace polytls::openssl

#endif  // POLYTLS_BACKENDS_OPENSSL_ERRORS_HPP
