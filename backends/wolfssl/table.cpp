// table.cpp: the wolfSSL backend's capabilities and dispatch table, library
// init/shutdown and the digest, PBKDF2 and cipher primitives.
#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/settings.h>

#include <wolfssl/ssl.h>
#include <wolfssl/version.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/des3.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/pwdbased.h>
#include <wolfssl/wolfcrypt/random.h>

#include <climits>
#include <cstdint>
#include <cstring>
#include <mutex>

#include "errors.hpp"
#include "internal.hpp"

namespace polytls::wolfssl {

void FpCacheRelease::release_at_thread_exit() noexcept {
  // Constructed once per thread, on first use; destroyed when the thread
  // exits (for the main thread: at exit). wc_ecc_fp_free frees only the
  // calling thread's cache and may run again after wolfCrypt_Cleanup did.
  struct Release {
    ~Release() { wc_ecc_fp_free(); }
  };
  static thread_local Release release;
  (void)release;
}

namespace {

// wolfSSL_Init / wolfSSL_Cleanup keep their own reference count but do not
// lock it; several contexts may be created and destroyed from several
// threads, so every call goes through this mutex.
std::mutex g_library_mutex;

const char *library_version() noexcept {
  return wolfSSL_lib_version();
}

polytls_status init(const polytls_host_v1 * /*host*/, void **out_ctx, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    if (out_ctx == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "init: out_ctx is NULL");
    }
    {
      std::lock_guard<std::mutex> lock(g_library_mutex);
      const int rc = wolfSSL_Init();
      if (rc != WOLFSSL_SUCCESS) {
        return fail(err, rc, POLYTLS_ERR_INTERNAL, "wolfSSL_Init");
      }
    }
    auto ctx = std::make_unique<Context>();
    const int rc = wc_InitRng(&ctx->rng);
    if (rc != 0) {
      std::lock_guard<std::mutex> lock(g_library_mutex);
      wolfSSL_Cleanup();
      return fail(err, rc, POLYTLS_ERR_INTERNAL, "wc_InitRng");
    }
    *out_ctx = ctx.release();
    return POLYTLS_OK;
  });
}

void shutdown(void *ctx) noexcept {
  if (ctx == nullptr) return;
  Context *c = context(ctx);
  wc_FreeRng(&c->rng);
  delete c;
  std::lock_guard<std::mutex> lock(g_library_mutex);
  wolfSSL_Cleanup();
}

polytls_status digest(void * /*ctx*/, uint32_t algorithm, polytls_data data,
                      const polytls_sink *out, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    if (algorithm == POLYTLS_DIGEST_NONE) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "digest: an algorithm is required");
    }
    const wc_HashType type = hash_type(algorithm);
    if (type == WC_HASH_TYPE_NONE) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "digest: algorithm %u is not supported by the wolfSSL backend",
                            static_cast<unsigned>(algorithm));
    }
    if (data.len > UINT32_MAX) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "digest: input larger than 4 GiB");
    }
    const int size = wc_HashGetDigestSize(type);
    std::uint8_t hash[WC_MAX_DIGEST_SIZE];
    static const std::uint8_t empty = 0;
    const int rc = wc_Hash(type, data.len > 0 ? data.data : &empty, static_cast<word32>(data.len),
                           hash, static_cast<word32>(size));
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "wc_Hash");
    return kit::write_to(out, hash, static_cast<std::size_t>(size));
  });
}

// pbkdf2_hash maps POLYTLS_DIGEST_* to the hash type wc_PBKDF2 takes (the
// WC_SHA* constants of the hash modules, not enum wc_HashType).
int pbkdf2_hash(uint32_t digest) noexcept {
  switch (digest) {
    case POLYTLS_DIGEST_SHA1: return WC_SHA;
    case POLYTLS_DIGEST_SHA256: return WC_SHA256;
    case POLYTLS_DIGEST_SHA384: return WC_SHA384;
    case POLYTLS_DIGEST_SHA512: return WC_SHA512;
    default: return -1;
  }
}

polytls_status pbkdf2_hmac(void * /*ctx*/, uint32_t digest, polytls_data password,
                           polytls_data salt, uint32_t iterations, uint8_t *out, size_t out_len,
                           polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const int type = pbkdf2_hash(digest);
    if (type < 0) {
      return kit::set_error(
          err, digest == POLYTLS_DIGEST_NONE ? POLYTLS_ERR_BAD_INPUT : POLYTLS_ERR_UNSUPPORTED, 0,
          "pbkdf2_hmac: digest %u is not usable", static_cast<unsigned>(digest));
    }
    if (out == nullptr || out_len == 0 || out_len > INT_MAX || iterations == 0 ||
        iterations > INT_MAX || password.len > INT_MAX || salt.len > INT_MAX) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "pbkdf2_hmac: bad output, iteration count or input size");
    }
    static const std::uint8_t empty = 0;
    kit::SecretBytes key(out_len);
    const int rc = wc_PBKDF2(key.data(), password.len > 0 ? password.data : &empty,
                             static_cast<int>(password.len), salt.len > 0 ? salt.data : &empty,
                             static_cast<int>(salt.len), static_cast<int>(iterations),
                             static_cast<int>(out_len), type);
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "wc_PBKDF2");
    std::memcpy(out, key.data(), out_len);
    return POLYTLS_OK;
  });
}

// Block ciphers in CBC mode. CipherBox wraps the wolfCrypt object, its
// init/free pair, and wipes its key schedule.
struct CipherSpec {
  std::size_t key_len;
  std::size_t block;
  bool des3;
};

bool cipher_spec(uint32_t algorithm, CipherSpec &spec) noexcept {
  switch (algorithm) {
    case POLYTLS_CIPHER_AES_128_CBC: spec = {16, AES_BLOCK_SIZE, false}; return true;
    case POLYTLS_CIPHER_AES_192_CBC: spec = {24, AES_BLOCK_SIZE, false}; return true;
    case POLYTLS_CIPHER_AES_256_CBC: spec = {32, AES_BLOCK_SIZE, false}; return true;
    case POLYTLS_CIPHER_DES_EDE3_CBC: spec = {24, DES_BLOCK_SIZE, true}; return true;
    default: return false;
  }
}

// cbc runs the cipher over `in` (a multiple of the block size) into `out`.
int cbc(const CipherSpec &spec, bool encrypt, polytls_data key, polytls_data iv,
        const std::uint8_t *in, std::size_t len, std::uint8_t *out) noexcept {
  const word32 n = static_cast<word32>(len);
  int rc = 0;
  if (spec.des3) {
    Des3 des;
    rc = wc_Des3Init(&des, nullptr, INVALID_DEVID);
    if (rc != 0) return rc;
    rc = wc_Des3_SetKey(&des, key.data, iv.data, encrypt ? DES_ENCRYPTION : DES_DECRYPTION);
    if (rc == 0)
      rc = encrypt ? wc_Des3_CbcEncrypt(&des, out, in, n) : wc_Des3_CbcDecrypt(&des, out, in, n);
    wc_Des3Free(&des);
    kit::wipe(&des, sizeof des);
  } else {
    Aes aes;
    rc = wc_AesInit(&aes, nullptr, INVALID_DEVID);
    if (rc != 0) return rc;
    rc = wc_AesSetKey(&aes, key.data, static_cast<word32>(key.len), iv.data,
                      encrypt ? AES_ENCRYPTION : AES_DECRYPTION);
    if (rc == 0)
      rc = encrypt ? wc_AesCbcEncrypt(&aes, out, in, n) : wc_AesCbcDecrypt(&aes, out, in, n);
    wc_AesFree(&aes);
    kit::wipe(&aes, sizeof aes);
  }
  return rc;
}

polytls_status cipher(void * /*ctx*/, uint32_t algorithm, uint32_t encrypt, polytls_data key,
                      polytls_data iv, polytls_data input, uint8_t *out, size_t out_cap,
                      size_t *out_len, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    CipherSpec spec{};
    if (!cipher_spec(algorithm, spec)) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "cipher: algorithm %u is not supported by the wolfSSL backend",
                            static_cast<unsigned>(algorithm));
    }
    if (key.data == nullptr || key.len != spec.key_len || iv.data == nullptr ||
        iv.len != spec.block) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "cipher: key must be %zu bytes and IV %zu bytes", spec.key_len,
                            spec.block);
    }
    if (out_len == nullptr || (input.len > 0 && input.data == nullptr) ||
        input.len > UINT32_MAX - spec.block) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cipher: bad input or output");
    }
    if (encrypt != 0) {
      // PKCS#7: always 1..block bytes of padding.
      const std::size_t pad = spec.block - input.len % spec.block;
      const std::size_t total = input.len + pad;
      if (out == nullptr || out_cap < total) {
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                              "cipher: output buffer of %zu bytes is too small (%zu needed)",
                              out_cap, total);
      }
      kit::SecretBytes plain(total);
      if (input.len > 0) std::memcpy(plain.data(), input.data, input.len);
      std::memset(plain.data() + input.len, static_cast<int>(pad), pad);
      kit::SecretBytes result(total);
      const int rc = cbc(spec, true, key, iv, plain.data(), total, result.data());
      if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "cipher: encryption");
      std::memcpy(out, result.data(), total);
      *out_len = total;
      return POLYTLS_OK;
    }
    if (input.len == 0 || input.len % spec.block != 0) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "cipher: ciphertext length %zu is not a positive multiple of %zu",
                            input.len, spec.block);
    }
    kit::SecretBytes plain(input.len);
    const int rc = cbc(spec, false, key, iv, input.data, input.len, plain.data());
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "cipher: decryption");
    const std::size_t pad = plain.data()[input.len - 1];
    bool good = pad >= 1 && pad <= spec.block;
    for (std::size_t i = 0; good && i < pad; ++i) {
      good = plain.data()[input.len - 1 - i] == pad;
    }
    if (!good) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cipher: bad PKCS#7 padding");
    }
    const std::size_t len = input.len - pad;
    if (len > out_cap || (len > 0 && out == nullptr)) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "cipher: output buffer of %zu bytes is too small (%zu needed)", out_cap,
                            len);
    }
    if (len > 0) std::memcpy(out, plain.data(), len);
    *out_len = len;
    return POLYTLS_OK;
  });
}

constexpr polytls_caps_v1 kCaps = {
    .struct_size = sizeof(polytls_caps_v1),
    .reserved = 0,
    .features = POLYTLS_FEATURE_KEY_GENERATE | POLYTLS_FEATURE_KEY_WRITE_PKCS8 |
                POLYTLS_FEATURE_KEY_WRITE_ENCRYPTED | POLYTLS_FEATURE_KEY_READ_ENCRYPTED |
                POLYTLS_FEATURE_CERT_CREATE | POLYTLS_FEATURE_CERT_VERIFY | POLYTLS_FEATURE_PBKDF2 |
                POLYTLS_FEATURE_CIPHER | POLYTLS_FEATURE_TLS12 | POLYTLS_FEATURE_TLS13 |
                POLYTLS_FEATURE_ALPN | POLYTLS_FEATURE_SNI | POLYTLS_FEATURE_RESUMPTION |
                POLYTLS_FEATURE_KEYLOG_TLS12 | POLYTLS_FEATURE_CLIENT_AUTH |
                POLYTLS_FEATURE_TLS_SELECT,
    .key_algorithms =
        (1u << POLYTLS_KEY_RSA) | (1u << POLYTLS_KEY_EC) | (1u << POLYTLS_KEY_ED25519),
    .curves = (1u << POLYTLS_CURVE_P256) | (1u << POLYTLS_CURVE_P384) | (1u << POLYTLS_CURVE_P521),
    .rsa_min_bits = 2048,
    .rsa_max_bits = 4096,
    .tls_min_version = POLYTLS_TLS1_2,
    .tls_max_version = POLYTLS_TLS1_3,
    .library_name = "wolfSSL",
    .build_version = LIBWOLFSSL_VERSION_STRING,
};

constexpr polytls_backend_v1 kTable = {
    .abi_version = POLYTLS_ABI_VERSION,
    .struct_size = sizeof(polytls_backend_v1),
    .name = "wolfssl",
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
}  // namespace polytls::wolfssl

extern "C" const polytls_backend_v1 *polytls_builtin_wolfssl(void) {
  return &polytls::wolfssl::kTable;
}
