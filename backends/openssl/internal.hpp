// internal.hpp: the OpenSSL backend's object types and the helpers its
// source files share. Nothing here is visible outside the backend.
#ifndef POLYTLS_BACKENDS_OPENSSL_INTERNAL_HPP
#define POLYTLS_BACKENDS_OPENSSL_INTERNAL_HPP

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "errors.hpp"
#include "polytls/abi/backend.h"
#include "polytls/kit/backend_kit.hpp"

namespace polytls::openssl {

using PKey = kit::Owned<EVP_PKEY, EVP_PKEY_free>;
using X509Ptr = kit::Owned<X509, X509_free>;

// Key is what a `polytls_key *` points to.
struct Key {
  PKey pkey;
  uint32_t algorithm = 0;  // POLYTLS_KEY_*
  uint32_t curve = POLYTLS_CURVE_NONE;
  uint32_t bits = 0;
  bool has_private = false;
};

// Cert is what a `polytls_cert *` points to: the parsed certificate and the
// exact DER it was parsed from (cert_export returns these bytes).
struct Cert {
  X509Ptr x509;
  std::vector<unsigned char> der;
};

// Context is what `init` returns. OpenSSL's default library context and its
// DRBG are thread safe and self-seeding, so there is nothing to guard and
// nothing to keep: every operation uses the default library context.
struct Context {
  uint32_t reserved = 0;
};

// make_key wraps `pkey` after checking that it is a key this backend
// handles (RSA, EC on P-256/P-384/P-521, Ed25519); anything else is
// POLYTLS_ERR_UNSUPPORTED.
polytls_status make_key(PKey pkey, bool has_private, std::unique_ptr<Key> &out, polytls_error *err);

// import_spki reads a DER SubjectPublicKeyInfo into a public-only key
// (key_import with SPKI, and cert_public_key).
polytls_status import_spki(std::span<const unsigned char> der, std::unique_ptr<Key> &out,
                           polytls_error *err);

// is_one_der_object tells whether `der` is exactly one complete DER TLV
// (OpenSSL's ASN1_get_object reads the header): no truncation, no trailing
// bytes, no indefinite length.
bool is_one_der_object(std::span<const unsigned char> der) noexcept;

// md_for maps POLYTLS_DIGEST_SHA1/256/384/512 to OpenSSL's EVP_MD; NULL for
// anything else (including NONE).
const EVP_MD *md_for(uint32_t digest) noexcept;

// digest_name is the text name of a POLYTLS_DIGEST_* value, for messages.
const char *digest_name(uint32_t digest) noexcept;

// data_ptr returns a non-NULL pointer for a possibly empty borrowed range
// (OpenSSL rejects NULL even with a zero length in places).
inline const unsigned char *data_ptr(polytls_data d) noexcept {
  static const unsigned char empty[1] = {0};
  return d.data != nullptr ? d.data : empty;
}

// Table members implemented in keys.cpp and x509.cpp.
polytls_status key_generate(void *ctx, const polytls_key_spec *spec, polytls_key **out_key,
                            polytls_error *err) noexcept;
polytls_status key_import(void *ctx, uint32_t format, polytls_data der, polytls_data passphrase,
                          polytls_key **out_key, polytls_error *err) noexcept;
polytls_status key_export(void *ctx, const polytls_key *key, uint32_t format,
                          polytls_data passphrase, const polytls_sink *out,
                          polytls_error *err) noexcept;
polytls_status key_describe(void *ctx, const polytls_key *key, polytls_key_info *out,
                            polytls_error *err) noexcept;
polytls_status key_sign(void *ctx, const polytls_key *key, uint32_t digest, polytls_data message,
                        const polytls_sink *out, polytls_error *err) noexcept;
polytls_status key_verify(void *ctx, const polytls_key *key, uint32_t digest, polytls_data message,
                          polytls_data signature, polytls_error *err) noexcept;
void key_free(polytls_key *key) noexcept;

polytls_status cert_create(void *ctx, const polytls_cert_request_v1 *request,
                           polytls_cert **out_cert, polytls_error *err) noexcept;
polytls_status cert_import(void *ctx, polytls_data der, polytls_cert **out_cert,
                           polytls_error *err) noexcept;
polytls_status cert_export(void *ctx, const polytls_cert *cert, const polytls_sink *out,
                           polytls_error *err) noexcept;
polytls_status cert_inspect(void *ctx, const polytls_cert *cert,
                            const polytls_cert_visitor *visitor, polytls_error *err) noexcept;
polytls_status cert_public_key(void *ctx, const polytls_cert *cert, polytls_key **out_key,
                               polytls_error *err) noexcept;
polytls_status cert_verify(void *ctx, const polytls_verify_request_v1 *request,
                           polytls_error *err) noexcept;
void cert_free(polytls_cert *cert) noexcept;

// Table members implemented in tls.cpp.
polytls_status tls_context_new(void *ctx, const polytls_tls_config_v1 *config,
                               polytls_tls_context **out_context, polytls_error *err) noexcept;
void tls_context_free(polytls_tls_context *context) noexcept;
polytls_status tls_session_new(void *ctx, polytls_tls_context *context,
                               const polytls_tls_session_params_v1 *params,
                               polytls_tls_session **out_session, polytls_error *err) noexcept;
polytls_status tls_handshake(polytls_tls_session *session, polytls_error *err) noexcept;
polytls_status tls_read(polytls_tls_session *session, uint8_t *buf, std::size_t cap,
                        std::size_t *out_n, polytls_error *err) noexcept;
polytls_status tls_write(polytls_tls_session *session, const uint8_t *data, std::size_t len,
                         std::size_t *out_n, polytls_error *err) noexcept;
polytls_status tls_close(polytls_tls_session *session, polytls_error *err) noexcept;
polytls_status tls_describe(polytls_tls_session *session, polytls_tls_info_v1 *out,
                            polytls_error *err) noexcept;
polytls_status tls_peer_chain(polytls_tls_session *session, const polytls_cert_der_visitor *visitor,
                              polytls_error *err) noexcept;
polytls_status tls_export_session(polytls_tls_session *session, const polytls_sink *out,
                                  polytls_error *err) noexcept;
void tls_session_free(polytls_tls_session *session) noexcept;

}  // namespace polytls::openssl

#endif  // POLYTLS_BACKENDS_OPENSSL_INTERNAL_HPP
