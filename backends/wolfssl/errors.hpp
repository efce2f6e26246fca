// errors.hpp: the one mapping from wolfSSL / wolfCrypt error codes to polytls
// status categories, shared by every file of the wolfSSL backend.
#ifndef POLYTLS_BACKENDS_WOLFSSL_ERRORS_HPP
#define POLYTLS_BACKENDS_WOLFSSL_ERRORS_HPP

#include "polytls/abi/types.h"

namespace polytls::wolfssl {

// status_for maps a (negative) wolfCrypt/wolfSSL return code to a category.
// Codes the table does not list give `fallback`. 0 gives POLYTLS_OK.
polytls_status status_for(int library_code, polytls_status fallback) noexcept;

// verify_status_for maps the result of a certificate verification step
// (date checks, signature checks, wolfSSL_CertManagerVerifyBuffer) to
// OK / EXPIRED / NOT_YET_VALID / UNTRUSTED (INTERNAL for resource failures).
polytls_status verify_status_for(int library_code) noexcept;

// signature_status_for maps the result of a signature check (wc_SignatureVerify,
// wc_ed25519_verify_msg): any failure is BAD_SIGNATURE except resource
// failures, which are INTERNAL.
polytls_status signature_status_for(int library_code) noexcept;

// tls_status_for maps the error of a TLS session call (wolfSSL_get_error's
// code after wolfSSL_connect / accept / read / write) to a category; codes
// the table does not list are HANDSHAKE.
polytls_status tls_status_for(int library_code) noexcept;

// alert_status_for maps a fatal alert received from the peer (its
// AlertDescription) to a category; descriptions the table does not list
// are HANDSHAKE.
polytls_status alert_status_for(int description) noexcept;

// error_text is wolfSSL's own text for `library_code`.
const char *error_text(int library_code) noexcept;

// fail fills `err` with "<what>: <wolfSSL text> (<code>)" and returns
// status_for(library_code, fallback).
polytls_status fail(polytls_error *err, int library_code, polytls_status fallback,
                    const char *what) noexcept;

}  // namespace polytls::wolfssl

#endif  // POLYTLS_BACKENDS_WOLFSSL_ERRORS_HPP
