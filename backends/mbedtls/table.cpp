// table.cpp: the Mbed TLS backend's capabilities and dispatch table, its
// context (random generator) and the digest / PBKDF2 / cipher primitives.
#include <mbedtls/cipher.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/md.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/version.h>

#include <array>
#include <climits>
#include <cstring>
#include <memory>
#include <new>

#include "errors.hpp"
#include "internal.hpp"

namespace polytls::mbedtls {
namespace {

constexpr unsigned char kEmpty[1] = {0};

// ptr_or_empty gives Mbed TLS a valid pointer even for an empty range.
const unsigned char *ptr_or_empty(polytls_data d) noexcept {
  return d.data != nullptr ? d.data : kEmpty;
}

constexpr char kPersonalisation[] = "polytls mbedtls backend";

}  // namespace

int random_bytes(void *p_rng, unsigned char *out, std::size_t len) noexcept {
  auto *context = static_cast<Context *>(p_rng);
  if (context == nullptr) return MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
  try {
    std::lock_guard<std::mutex> lock(context->rng_mutex);
    return mbedtls_ctr_drbg_random(&context->drbg, out, len);
  } catch (...) {  // std::mutex::lock may throw std::system_error
    return MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
  }
}

mbedtls_md_type_t md_type(uint32_t digest) noexcept {
  switch (digest) {
    case POLYTLS_DIGEST_SHA1: return MBEDTLS_MD_SHA1;
    case POLYTLS_DIGEST_SHA256: return MBEDTLS_MD_SHA256;
    case POLYTLS_DIGEST_SHA384: return MBEDTLS_MD_SHA384;
    case POLYTLS_DIGEST_SHA512: return MBEDTLS_MD_SHA512;
    default: return MBEDTLS_MD_NONE;
  }
}

const char *library_version() noexcept {
  // The bare "x.y.z" of the library loaded at run time, like build_version;
  // mbedtls_version_get_string writes at most 9 bytes.
  static const std::array<char, 32> text = [] {
    std::array<char, 32> buf{};
    mbedtls_version_get_string(buf.data());
    return buf;
  }();
  return text.data();
}

polytls_status init(const polytls_host_v1 *host, void **out_ctx, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    if (out_ctx == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "init: out_ctx is NULL");
    }
    auto context = std::make_unique<Context>();
    const int rc = mbedtls_ctr_drbg_seed(&context->drbg, mbedtls_entropy_func, &context->entropy,
                                         reinterpret_cast<const unsigned char *>(kPersonalisation),
                                         sizeof(kPersonalisation) - 1);
    if (rc != 0) {
      return fail(err, rc, POLYTLS_ERR_INTERNAL, "seeding the CTR_DRBG random generator failed");
    }
    if (host != nullptr &&
        host->struct_size >= offsetof(polytls_host_v1, log) + sizeof(host->log) &&
        host->log != nullptr) {
      host->log(host->user, POLYTLS_LOG_DEBUG, "mbedtls backend: CTR_DRBG seeded");
    }
    *out_ctx = context.release();
    return POLYTLS_OK;
  });
}

void shutdown(void *ctx) noexcept {
  delete context_of(ctx);
}

polytls_status digest(void *, uint32_t algorithm, polytls_data data, const polytls_sink *out,
                      polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    if (algorithm == POLYTLS_DIGEST_NONE) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "digest: no digest algorithm given");
    }
    const mbedtls_md_type_t type = md_type(algorithm);
    const mbedtls_md_info_t *info = mbedtls_md_info_from_type(type);
    if (info == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "digest: algorithm %u is not supported by Mbed TLS", algorithm);
    }
    unsigned char hash[MBEDTLS_MD_MAX_SIZE];
    const int rc = mbedtls_md(info, ptr_or_empty(data), data.len, hash);
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "mbedtls_md failed");
    return kit::write_to(out, hash, mbedtls_md_get_size(info));
  });
}

polytls_status pbkdf2_hmac(void *, uint32_t digest_alg, polytls_data password, polytls_data salt,
                           uint32_t iterations, uint8_t *out, size_t out_len,
                           polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    if (digest_alg == POLYTLS_DIGEST_NONE) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "pbkdf2_hmac: no digest algorithm");
    }
    const mbedtls_md_info_t *info = mbedtls_md_info_from_type(md_type(digest_alg));
    if (info == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "pbkdf2_hmac: digest %u is not supported by Mbed TLS", digest_alg);
    }
    if (iterations == 0) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "pbkdf2_hmac: iterations must be > 0");
    }
    if (out == nullptr || out_len == 0 || out_len > UINT32_MAX) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "pbkdf2_hmac: output length must be 1..2^32-1 bytes");
    }
    MdContext md;
    int rc = mbedtls_md_setup(md.get(), info, 1 /* HMAC */);
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "mbedtls_md_setup failed");
    kit::SecretBytes derived(out_len);
    rc = mbedtls_pkcs5_pbkdf2_hmac(md.get(), ptr_or_empty(password), password.len,
                                   ptr_or_empty(salt), salt.len, iterations,
                                   static_cast<uint32_t>(out_len), derived.data());
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "mbedtls_pkcs5_pbkdf2_hmac failed");
    std::memcpy(out, derived.data(), out_len);
    return POLYTLS_OK;
  });
}

polytls_status cipher(void *, uint32_t algorithm, uint32_t encrypt, polytls_data key,
                      polytls_data iv, polytls_data input, uint8_t *out, size_t out_cap,
                      size_t *out_len, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    mbedtls_cipher_type_t type = MBEDTLS_CIPHER_NONE;
    const char *name = "";
    switch (algorithm) {
      case POLYTLS_CIPHER_AES_128_CBC:
        type = MBEDTLS_CIPHER_AES_128_CBC;
        name = "AES-128-CBC";
        break;
      case POLYTLS_CIPHER_AES_192_CBC:
        type = MBEDTLS_CIPHER_AES_192_CBC;
        name = "AES-192-CBC";
        break;
      case POLYTLS_CIPHER_AES_256_CBC:
        type = MBEDTLS_CIPHER_AES_256_CBC;
        name = "AES-256-CBC";
        break;
      case POLYTLS_CIPHER_DES_EDE3_CBC:
        type = MBEDTLS_CIPHER_DES_EDE3_CBC;
        name = "DES-EDE3-CBC";
        break;
      default:
        return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                              "cipher: algorithm %u is not supported", algorithm);
    }
    const mbedtls_cipher_info_t *info = mbedtls_cipher_info_from_type(type);
    if (info == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "cipher: %s is not available in this Mbed TLS build", name);
    }
    if (out == nullptr || out_len == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cipher: NULL output");
    }
    const std::size_t key_bytes = info->key_bitlen / 8;
    const std::size_t block = info->block_size;
    if (key.len != key_bytes || key.data == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "cipher: %s needs a %zu-byte key, got %zu bytes", name, key_bytes,
                            key.len);
    }
    if (iv.len != info->iv_size || iv.data == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "cipher: %s needs a %u-byte IV, got %zu bytes", name, info->iv_size,
                            iv.len);
    }
    if (encrypt == 0 && (input.len == 0 || input.len % block != 0)) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "cipher: %s ciphertext length %zu is not a positive multiple of %zu",
                            name, input.len, block);
    }
    CipherContext context;
    int rc = mbedtls_cipher_setup(context.get(), info);
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "mbedtls_cipher_setup failed");
    rc = mbedtls_cipher_setkey(context.get(), key.data, static_cast<int>(info->key_bitlen),
                               encrypt != 0 ? MBEDTLS_ENCRYPT : MBEDTLS_DECRYPT);
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_BAD_INPUT, "mbedtls_cipher_setkey failed");
    rc = mbedtls_cipher_set_padding_mode(context.get(), MBEDTLS_PADDING_PKCS7);
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "mbedtls_cipher_set_padding_mode");
    kit::SecretBytes result(input.len + block);
    std::size_t written = 0;
    rc = mbedtls_cipher_crypt(context.get(), iv.data, iv.len, ptr_or_empty(input), input.len,
                              result.data(), &written);
    if (rc != 0) {
      return fail(err, rc, POLYTLS_ERR_BAD_INPUT,
                  encrypt != 0 ? "encryption failed" : "decryption failed");
    }
    if (written > out_cap) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "cipher: output needs %zu bytes, buffer has %zu", written, out_cap);
    }
    if (written != 0) std::memcpy(out, result.data(), written);
    *out_len = written;
    return POLYTLS_OK;
  });
}

namespace {

#if POLYTLS_MBEDTLS_CERT_CREATE
constexpr uint64_t kCertCreate = POLYTLS_FEATURE_CERT_CREATE;
#else
constexpr uint64_t kCertCreate = 0;  // POLYTLS_CERT_CREATE=OFF: no certificate writer
#endif

constexpr polytls_caps_v1 kCaps = {
    .struct_size = sizeof(polytls_caps_v1),
    .reserved = 0,
    // TLS: 1.2 only (Mbed TLS 2.28 has no TLS 1.3), so no KEYLOG_TLS13.
    .features = POLYTLS_FEATURE_KEY_GENERATE | kCertCreate | POLYTLS_FEATURE_CERT_VERIFY |
                POLYTLS_FEATURE_PBKDF2 | POLYTLS_FEATURE_CIPHER | POLYTLS_FEATURE_TLS12 |
                POLYTLS_FEATURE_ALPN | POLYTLS_FEATURE_SNI | POLYTLS_FEATURE_RESUMPTION |
                POLYTLS_FEATURE_KEYLOG_TLS12 | POLYTLS_FEATURE_CLIENT_AUTH |
                POLYTLS_FEATURE_TLS_SELECT,
    .key_algorithms = (1u << POLYTLS_KEY_RSA) | (1u << POLYTLS_KEY_EC),
    .curves = (1u << POLYTLS_CURVE_P256) | (1u << POLYTLS_CURVE_P384) | (1u << POLYTLS_CURVE_P521),
    .rsa_min_bits = 2048,
    .rsa_max_bits = 4096,
    .tls_min_version = POLYTLS_TLS1_2,
    .tls_max_version = POLYTLS_TLS1_2,
    .library_name = "Mbed TLS",
    .build_version = MBEDTLS_VERSION_STRING,
};

constexpr polytls_backend_v1 kTable = {
    .abi_version = POLYTLS_ABI_VERSION,
    .struct_size = sizeof(polytls_backend_v1),
    .name = "mbedtls",
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
#if POLYTLS_MBEDTLS_CERT_CREATE
    .cert_create = cert_create,
#else
    .cert_create = nullptr,
#endif
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
}  // namespace polytls::mbedtls

extern "C" const polytls_backend_v1 *polytls_builtin_mbedtls(void) {
  return &polytls::mbedtls::kTable;
}
