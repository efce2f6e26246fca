// table.cpp: the OpenSSL backend's capabilities and dispatch table, its
// life cycle, and the digest, PBKDF2 and cipher primitives.
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/rand.h>

#include <climits>
#include <cstddef>
#include <cstring>
#include <memory>

#include "errors.hpp"
#include "internal.hpp"

namespace polytls::openssl {
namespace {

using CipherCtx = kit::Owned<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;

constexpr polytls_caps_v1 kCaps = {
    .struct_size = sizeof(polytls_caps_v1),
    .reserved = 0,
    .features = POLYTLS_FEATURE_KEY_GENERATE | POLYTLS_FEATURE_KEY_WRITE_PKCS8 |
                POLYTLS_FEATURE_KEY_WRITE_ENCRYPTED | POLYTLS_FEATURE_KEY_READ_ENCRYPTED |
                POLYTLS_FEATURE_CERT_CREATE | POLYTLS_FEATURE_CERT_VERIFY | POLYTLS_FEATURE_PBKDF2 |
                POLYTLS_FEATURE_CIPHER | POLYTLS_FEATURE_TLS12 | POLYTLS_FEATURE_TLS13 |
                POLYTLS_FEATURE_ALPN | POLYTLS_FEATURE_SNI | POLYTLS_FEATURE_RESUMPTION |
                POLYTLS_FEATURE_KEYLOG_TLS12 | POLYTLS_FEATURE_KEYLOG_TLS13 |
                POLYTLS_FEATURE_CLIENT_AUTH | POLYTLS_FEATURE_TLS_SELECT,
    .key_algorithms =
        (1u << POLYTLS_KEY_RSA) | (1u << POLYTLS_KEY_EC) | (1u << POLYTLS_KEY_ED25519),
    .curves = (1u << POLYTLS_CURVE_P256) | (1u << POLYTLS_CURVE_P384) | (1u << POLYTLS_CURVE_P521),
    .rsa_min_bits = 2048,
    .rsa_max_bits = 4096,
    .tls_min_version = POLYTLS_TLS1_2,
    .tls_max_version = POLYTLS_TLS1_3,
    .library_name = "OpenSSL",
    .build_version = OPENSSL_VERSION_STR,
};

const char *library_version() noexcept {
  return OpenSSL_version(OPENSSL_VERSION_STRING);
}

polytls_status init(const polytls_host_v1 *host, void **out_ctx, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const ErrorQueueScope queue;
    if (out_ctx == nullptr) return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "init: no output");
    if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CRYPTO_STRINGS, nullptr) != 1) {
      return fail(err, POLYTLS_ERR_INTERNAL, "OPENSSL_init_crypto failed");
    }
    // The default DRBG seeds itself from the operating system; make sure it
    // could before anything needs random bytes.
    if (RAND_status() != 1) {
      return fail(err, POLYTLS_ERR_INTERNAL, "OpenSSL's random generator could not be seeded");
    }
    auto ctx = std::make_unique<Context>();
    if (host != nullptr &&
        kit::fits_struct(host->struct_size, offsetof(polytls_host_v1, log) + sizeof(host->log)) &&
        host->log != nullptr) {
      host->log(host->user, POLYTLS_LOG_DEBUG, "polytls OpenSSL backend initialised");
    }
    *out_ctx = ctx.release();
    return POLYTLS_OK;
  });
}

void shutdown(void *ctx) noexcept {
  delete static_cast<Context *>(ctx);
}

polytls_status digest(void *, uint32_t algorithm, polytls_data data, const polytls_sink *out,
                      polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const ErrorQueueScope queue;
    if (out == nullptr) return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "digest: no output");
    if (algorithm == POLYTLS_DIGEST_NONE) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "digest: NONE is not a digest");
    }
    const EVP_MD *md = md_for(algorithm);
    if (md == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0, "digest %u is not supported",
                            algorithm);
    }
    unsigned char buf[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data_ptr(data), data.len, buf, &len, md, nullptr) != 1) {
      return fail(err, POLYTLS_ERR_INTERNAL, "EVP_Digest failed");
    }
    return kit::write_to(out, buf, len);
  });
}

polytls_status pbkdf2_hmac(void *, uint32_t digest_alg, polytls_data password, polytls_data salt,
                           uint32_t iterations, uint8_t *out, std::size_t out_len,
                           polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const ErrorQueueScope queue;
    if (digest_alg == POLYTLS_DIGEST_NONE) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "PBKDF2 needs an HMAC digest");
    }
    const EVP_MD *md = md_for(digest_alg);
    if (md == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0, "digest %u is not supported",
                            digest_alg);
    }
    constexpr auto kMax = static_cast<std::size_t>(INT_MAX);
    if (out == nullptr || out_len == 0 || out_len > kMax || iterations == 0 ||
        iterations > static_cast<uint32_t>(INT_MAX) || password.len > kMax || salt.len > kMax) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "PBKDF2: bad output size, iteration count or input length");
    }
    kit::SecretBytes derived(out_len);
    if (PKCS5_PBKDF2_HMAC(reinterpret_cast<const char *>(data_ptr(password)),
                          static_cast<int>(password.len), data_ptr(salt),
                          static_cast<int>(salt.len), static_cast<int>(iterations), md,
                          static_cast<int>(out_len), derived.data()) != 1) {
      return fail(err, POLYTLS_ERR_INTERNAL, "PKCS5_PBKDF2_HMAC failed");
    }
    std::memcpy(out, derived.data(), out_len);
    return POLYTLS_OK;
  });
}

polytls_status cipher(void *, uint32_t algorithm, uint32_t encrypt, polytls_data key,
                      polytls_data iv, polytls_data input, uint8_t *out, std::size_t out_cap,
                      std::size_t *out_len, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const ErrorQueueScope queue;
    const EVP_CIPHER *c = nullptr;
    switch (algorithm) {
      case POLYTLS_CIPHER_AES_128_CBC: c = EVP_aes_128_cbc(); break;
      case POLYTLS_CIPHER_AES_192_CBC: c = EVP_aes_192_cbc(); break;
      case POLYTLS_CIPHER_AES_256_CBC: c = EVP_aes_256_cbc(); break;
      case POLYTLS_CIPHER_DES_EDE3_CBC: c = EVP_des_ede3_cbc(); break;
      default: return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "unknown cipher %u", algorithm);
    }
    if (c == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "cipher %u is not available in this OpenSSL", algorithm);
    }
    if (out_len == nullptr || encrypt > 1) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cipher: bad arguments");
    }
    const auto key_len = static_cast<std::size_t>(EVP_CIPHER_get_key_length(c));
    const auto iv_len = static_cast<std::size_t>(EVP_CIPHER_get_iv_length(c));
    const auto block = static_cast<std::size_t>(EVP_CIPHER_get_block_size(c));
    if (key.len != key_len) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "%s takes a %zu-byte key, not %zu bytes",
                            EVP_CIPHER_get0_name(c), key_len, key.len);
    }
    if (iv.len != iv_len) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "%s takes a %zu-byte IV, not %zu bytes",
                            EVP_CIPHER_get0_name(c), iv_len, iv.len);
    }
    if (input.len > static_cast<std::size_t>(INT_MAX) - 2 * block) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cipher: input too long");
    }
    if (encrypt == 0 && (input.len == 0 || input.len % block != 0)) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "ciphertext length %zu is not a positive multiple of %zu", input.len,
                            block);
    }
    if (encrypt != 0) {
      const std::size_t needed = (input.len / block + 1) * block;
      if (out == nullptr || out_cap < needed) {
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                              "output buffer too small: %zu bytes needed, %zu given", needed,
                              out_cap);
      }
    }

    CipherCtx ctx{EVP_CIPHER_CTX_new()};
    if (!ctx) return fail(err, POLYTLS_ERR_INTERNAL, "EVP_CIPHER_CTX_new failed");
    if (EVP_CipherInit_ex2(ctx.get(), c, key.data, iv.data, static_cast<int>(encrypt), nullptr) !=
        1) {
      return fail(err, POLYTLS_ERR_INTERNAL, "starting the cipher failed");
    }
    // Work in wiped scratch space, so `out` is written only on success.
    kit::SecretBytes scratch(input.len + block);
    int first = 0;
    if (EVP_CipherUpdate(ctx.get(), scratch.data(), &first, data_ptr(input),
                         static_cast<int>(input.len)) != 1) {
      return fail(err, POLYTLS_ERR_INTERNAL, "the cipher failed");
    }
    int last = 0;
    if (EVP_CipherFinal_ex(ctx.get(), scratch.data() + first, &last) != 1) {
      return fail(err, encrypt != 0 ? POLYTLS_ERR_INTERNAL : POLYTLS_ERR_BAD_INPUT,
                  encrypt != 0 ? "finishing the encryption failed"
                               : "decryption failed (bad padding, wrong key or IV)");
    }
    const auto total = static_cast<std::size_t>(first) + static_cast<std::size_t>(last);
    if (total > out_cap || (total > 0 && out == nullptr)) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "output buffer too small: %zu bytes needed, %zu given", total, out_cap);
    }
    if (total > 0) std::memcpy(out, scratch.data(), total);
    *out_len = total;
    return POLYTLS_OK;
  });
}

constexpr polytls_backend_v1 kTable = {
    .abi_version = POLYTLS_ABI_VERSION,
    .struct_size = sizeof(polytls_backend_v1),
    .name = "openssl",
    .caps = &kCaps,
    .library_version = library_version,
    .init = init,
    .shutdown = shutdown,
    .digest = digest,
    .pbkdf2_hmac = pbkdf2_hmac,
    .cipher = cipher,
    .key_generate = key_generate,
    .key_import = key_import,
    .key_export = key_export,
    .key_describe = key_describe,
    .key_sign = key_sign,
    .key_verify = key_verify,
    .key_free = key_free,
    .cert_create = cert_create,
    .cert_import = cert_import,
    .cert_export = cert_export,
    .cert_inspect = cert_inspect,
    .cert_public_key = cert_public_key,
    .cert_verify = cert_verify,
    .cert_free = cert_free,
    .tls_context_new = tls_context_new,
    .tls_context_free = tls_context_free,
    .tls_session_new = tls_session_new,
    .tls_handshake = tls_handshake,
    .tls_read = tls_read,
    .tls_write = tls_write,
    .tls_close = tls_close,
    .tls_describe = tls_describe,
    .tls_peer_chain = tls_peer_chain,
    .tls_export_session = tls_export_session,
    .tls_session_free = tls_session_free,
};

}  // namespace
}  // namespace polytls::openssl

extern "C" const polytls_backend_v1 *polytls_builtin_openssl(void) {
  return &polytls::openssl::kTable;
}
