// internal.hpp: types shared by the files of the wolfSSL backend.
#ifndef POLYTLS_BACKENDS_WOLFSSL_INTERNAL_HPP
#define POLYTLS_BACKENDS_WOLFSSL_INTERNAL_HPP

// wolfSSL's build configuration must come before any other wolfSSL header.
#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/settings.h>

#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/ed25519.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/random.h>
#include <wolfssl/wolfcrypt/rsa.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "polytls/kit/backend_kit.hpp"

namespace polytls::wolfssl {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// Context is what `init` returns: the backend's one random generator. Every
// use of `rng` holds `mutex` (wolfCrypt's WC_RNG is not thread-safe).
struct Context {
  std::mutex mutex;
  WC_RNG rng{};
};

// RngLock holds the context's mutex for as long as it lives and gives the RNG.
class RngLock {
 public:
  explicit RngLock(Context &ctx) : lock_(ctx.mutex), rng_(&ctx.rng) {}
  WC_RNG *rng() const noexcept { return rng_; }

 private:
  std::lock_guard<std::mutex> lock_;
  WC_RNG *rng_;
};

// FpCacheRelease makes sure the calling thread's fixed-point ECC cache is
// freed when the thread exits. This wolfSSL build has FP_ECC with
// thread-local caches (HAVE_THREAD_LS): every thread that does an ECC
// operation keeps a cache of several hundred kilobytes that nothing frees
// when the thread exits (wolfCrypt_Cleanup frees only its caller's). Each
// table function that may do ECC point arithmetic holds one of these; the
// first in a thread registers a thread_local whose destructor calls
// wc_ecc_fp_free. The cache itself lives as long as the thread, which is
// what makes it pay: freeing it after every call made ECDSA P-256
// handshakes about six times slower (polytls-bench against wolfSSL used
// directly).
class FpCacheRelease {
 public:
  FpCacheRelease() noexcept { release_at_thread_exit(); }
  FpCacheRelease(const FpCacheRelease &) = delete;
  FpCacheRelease &operator=(const FpCacheRelease &) = delete;

 private:
  static void release_at_thread_exit() noexcept;
};

// The wolfCrypt key objects live on the heap (an RsaKey with 4096-bit SP
// integers is several kilobytes) and are freed, and so wiped, by wolfCrypt.
struct RsaFree {
  void operator()(RsaKey *k) const noexcept;
};
struct EccFree {
  void operator()(ecc_key *k) const noexcept;
};
struct Ed25519Free {
  void operator()(ed25519_key *k) const noexcept;
};

// Key is the backend's polytls_key: exactly one of rsa/ecc/ed is set.
struct Key {
  std::uint32_t algorithm = 0;  // POLYTLS_KEY_*
  std::uint32_t curve = 0;      // POLYTLS_CURVE_* for EC
  bool has_private = false;
  std::unique_ptr<RsaKey, RsaFree> rsa;
  std::unique_ptr<ecc_key, EccFree> ecc;
  std::unique_ptr<ed25519_key, Ed25519Free> ed;
};

// Certificate is the backend's polytls_cert: the DER exactly as imported or
// created. wolfSSL parses it (DecodedCert) whenever a field is needed.
struct Certificate {
  Bytes der;
};

// context returns the Context behind an `init` handle (never NULL on a
// context the core got from `init`).
inline Context *context(void *ctx) noexcept {
  return static_cast<Context *>(ctx);
}

// hash_type maps POLYTLS_DIGEST_SHA* to wolfCrypt's hash type;
// WC_HASH_TYPE_NONE for anything else.
inline wc_HashType hash_type(std::uint32_t digest) noexcept {
  switch (digest) {
    case POLYTLS_DIGEST_SHA1: return WC_HASH_TYPE_SHA;
    case POLYTLS_DIGEST_SHA256: return WC_HASH_TYPE_SHA256;
    case POLYTLS_DIGEST_SHA384: return WC_HASH_TYPE_SHA384;
    case POLYTLS_DIGEST_SHA512: return WC_HASH_TYPE_SHA512;
    default: return WC_HASH_TYPE_NONE;
  }
}

// ---- shared between keys.cpp and x509.cpp ----

// import_spki reads a SubjectPublicKeyInfo into a public-only key.
polytls_status import_spki(ByteView der, std::unique_ptr<Key> &out, polytls_error *err);

// import_certified_key reads the public key of a certificate as wolfCrypt's
// DecodedCert holds it (publicKey / pubKeySize / keyOID): an RSAPublicKey
// for RSA, the whole SubjectPublicKeyInfo for EC, the 32 raw bytes for
// Ed25519.
polytls_status import_certified_key(word32 key_oid, ByteView in, std::unique_ptr<Key> &out,
                                    polytls_error *err);

// key_type returns the wolfCrypt key type constant (RSA_TYPE, ECC_TYPE,
// ED25519_TYPE) and the pointer wc_MakeCert_ex / wc_SignCert_ex take.
int cert_key_type(const Key &key) noexcept;
void *cert_key_pointer(const Key &key) noexcept;

// key_bits is the size polytls reports: RSA modulus bits, EC field bits,
// 256 for Ed25519.
std::uint32_t key_bits(const Key &key) noexcept;

// ---- the table members, defined in keys.cpp and x509.cpp ----

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

// ---- TLS, defined in tls.cpp ----

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

}  // namespace polytls::wolfssl

#endif  // POLYTLS_BACKENDS_WOLFSSL_INTERNAL_HPP
