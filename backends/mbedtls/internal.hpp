// internal.hpp: types shared by the Mbed TLS backend's translation units.
#ifndef POLYTLS_BACKENDS_MBEDTLS_INTERNAL_HPP
#define POLYTLS_BACKENDS_MBEDTLS_INTERNAL_HPP

#include <mbedtls/bignum.h>
#include <mbedtls/cipher.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include <cstddef>
#include <cstdint>
#include <mutex>

#include "polytls/abi/backend.h"
#include "polytls/kit/backend_kit.hpp"

namespace polytls::mbedtls {

// Scoped holds one Mbed TLS object between its `_init` and `_free` calls.
template <class T, void (*Init)(T *), void (*Free)(T *)>
class Scoped {
 public:
  Scoped() noexcept { Init(&value_); }
  ~Scoped() { Free(&value_); }
  Scoped(const Scoped &) = delete;
  Scoped &operator=(const Scoped &) = delete;
  T *get() noexcept { return &value_; }
  const T *get() const noexcept { return &value_; }

 private:
  T value_;
};

using Mpi = Scoped<mbedtls_mpi, mbedtls_mpi_init, mbedtls_mpi_free>;
using MdContext = Scoped<mbedtls_md_context_t, mbedtls_md_init, mbedtls_md_free>;
using CipherContext = Scoped<mbedtls_cipher_context_t, mbedtls_cipher_init, mbedtls_cipher_free>;
using CrtChain = Scoped<mbedtls_x509_crt, mbedtls_x509_crt_init, mbedtls_x509_crt_free>;

// Context is what `init` returns: the backend's one random generator. Every
// use of the generator (key generation, ECDSA signing, RSA blinding,
// certificate signing) goes through `random_bytes`, which takes `rng_mutex`.
struct Context {
  std::mutex rng_mutex;
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;

  Context() noexcept {
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
  }
  ~Context() {
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
  }
  Context(const Context &) = delete;
  Context &operator=(const Context &) = delete;
};

// random_bytes is the f_rng given to Mbed TLS, with p_rng = the Context.
int random_bytes(void *p_rng, unsigned char *out, std::size_t len) noexcept;

// Key is the object behind a `polytls_key *`.
struct Key {
  mbedtls_pk_context pk;
  bool has_private = false;
  // Held while the key signs or verifies: Mbed TLS's EC multiplication
  // caches precomputed points in the key's own group (grp.T) on first use,
  // so even a "const" use writes to the key.
  mutable std::mutex use_mutex;

  Key() noexcept { mbedtls_pk_init(&pk); }
  ~Key() { mbedtls_pk_free(&pk); }  // zeroizes the key material
  Key(const Key &) = delete;
  Key &operator=(const Key &) = delete;
};

// Cert is the object behind a `polytls_cert *`: the parsed certificate, which
// keeps a copy of the original DER in `crt.raw`.
struct Cert {
  mbedtls_x509_crt crt;

  Cert() noexcept { mbedtls_x509_crt_init(&crt); }
  ~Cert() { mbedtls_x509_crt_free(&crt); }
  Cert(const Cert &) = delete;
  Cert &operator=(const Cert &) = delete;
};

// Mbed TLS 2.28 takes non-const pointers for operations that do not change
// the key or certificate as seen from outside (RSA blinding values are
// updated under the RSA context's own mutex, MBEDTLS_THREADING_C).
inline mbedtls_pk_context *mutable_pk(const Key *key) noexcept {
  return const_cast<mbedtls_pk_context *>(&key->pk);
}
inline mbedtls_x509_crt *mutable_crt(const Cert *cert) noexcept {
  return const_cast<mbedtls_x509_crt *>(&cert->crt);
}

// md_type maps POLYTLS_DIGEST_SHA1..SHA512 to Mbed TLS; MBEDTLS_MD_NONE otherwise.
mbedtls_md_type_t md_type(uint32_t digest) noexcept;

// curve_of maps an Mbed TLS group to POLYTLS_CURVE_*, NONE if polytls has no name for it.
uint32_t curve_of(mbedtls_ecp_group_id id) noexcept;

// key_algorithm returns POLYTLS_KEY_RSA / POLYTLS_KEY_EC, 0 for anything else.
uint32_t key_algorithm(const mbedtls_pk_context *pk) noexcept;

// check_supported_key refuses a parsed key polytls cannot describe (not RSA
// or EC, or an EC curve other than P-256/P-384/P-521) with UNSUPPORTED.
polytls_status check_supported_key(const mbedtls_pk_context *pk, polytls_error *err) noexcept;

// context_of recovers the Context from the `ctx` handed to a table function.
inline Context *context_of(void *ctx) noexcept {
  return static_cast<Context *>(ctx);
}

// ---- The table's functions (defined in table.cpp, keys.cpp, x509.cpp, tls.cpp) ----

const char *library_version() noexcept;
polytls_status init(const polytls_host_v1 *host, void **out_ctx, polytls_error *err) noexcept;
void shutdown(void *ctx) noexcept;
polytls_status digest(void *ctx, uint32_t algorithm, polytls_data data, const polytls_sink *out,
                      polytls_error *err) noexcept;
polytls_status pbkdf2_hmac(void *ctx, uint32_t digest, polytls_data password, polytls_data salt,
                           uint32_t iterations, uint8_t *out, size_t out_len,
                           polytls_error *err) noexcept;
polytls_status cipher(void *ctx, uint32_t algorithm, uint32_t encrypt, polytls_data key,
                      polytls_data iv, polytls_data input, uint8_t *out, size_t out_cap,
                      size_t *out_len, polytls_error *err) noexcept;

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

#if POLYTLS_MBEDTLS_CERT_CREATE
polytls_status cert_create(void *ctx, const polytls_cert_request_v1 *request,
                           polytls_cert **out_cert, polytls_error *err) noexcept;
#endif
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

// ---- TLS (tls.cpp) ----

polytls_status tls_context_new(void *ctx, const polytls_tls_config_v1 *config,
                               polytls_tls_context **out_context, polytls_error *err) noexcept;
void tls_context_free(polytls_tls_context *context) noexcept;
polytls_status tls_session_new(void *ctx, polytls_tls_context *context,
                               const polytls_tls_session_params_v1 *params,
                               polytls_tls_session **out_session, polytls_error *err) noexcept;
polytls_status tls_handshake(polytls_tls_session *session, polytls_error *err) noexcept;
polytls_status tls_read(polytls_tls_session *session, uint8_t *buf, size_t cap, size_t *out_n,
                        polytls_error *err) noexcept;
polytls_status tls_write(polytls_tls_session *session, const uint8_t *data, size_t len,
                         size_t *out_n, polytls_error *err) noexcept;
polytls_status tls_close(polytls_tls_session *session, polytls_error *err) noexcept;
polytls_status tls_describe(polytls_tls_session *session, polytls_tls_info_v1 *out,
                            polytls_error *err) noexcept;
polytls_status tls_peer_chain(polytls_tls_session *session, const polytls_cert_der_visitor *visitor,
                              polytls_error *err) noexcept;
polytls_status tls_export_session(polytls_tls_session *session, const polytls_sink *out,
                                  polytls_error *err) noexcept;
void tls_session_free(polytls_tls_session *session) noexcept;

}  // namespace polytls::mbedtls

#endif  // POLYTLS_BACKENDS_MBEDTLS_INTERNAL_HPP
