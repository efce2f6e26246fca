// table.cpp: the GnuTLS backend's capabilities and dispatch table, library
// init/shutdown, the digest, PBKDF2 and cipher primitives, and the small
// helpers the other files share.
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include <climits>
#include <cstdint>
#include <cstring>
#include <memory>

#include "errors.hpp"
#include "internal.hpp"

namespace polytls::gnutls {

// ---- shared helpers (internal.hpp) ----

Datum::~Datum() {
  if (d_.data == nullptr) return;
  if (secret_) kit::wipe(d_.data, d_.size);
  gnutls_free(d_.data);
}

Context::~Context() {
  if (global_initialised) gnutls_global_deinit();
}

gnutls_datum_t as_datum(std::span<const unsigned char> bytes) noexcept {
  static unsigned char empty = 0;
  if (bytes.empty()) return gnutls_datum_t{&empty, 0};
  return gnutls_datum_t{const_cast<unsigned char *>(bytes.data()),
                        static_cast<unsigned int>(bytes.size())};
}

bool is_one_der_object(std::span<const unsigned char> der) noexcept {
  if (der.size() < 2 || der.size() > UINT32_MAX) return false;
  std::size_t pos = 1;
  if ((der[0] & 0x1F) == 0x1F) return false;  // high tag numbers never start a key or certificate
  const unsigned char first = der[pos++];
  std::size_t len = 0;
  if (first < 0x80) {
    len = first;
  } else {
    const std::size_t n = first & 0x7F;
    if (n == 0 || n > 4 || pos + n > der.size()) return false;  // indefinite or too long
    for (std::size_t i = 0; i < n; ++i)
      len = (len << 8) | der[pos++];
  }
  return len == der.size() - pos;
}

gnutls_digest_algorithm_t digest_for(uint32_t digest) noexcept {
  switch (digest) {
    case POLYTLS_DIGEST_SHA1: return GNUTLS_DIG_SHA1;
    case POLYTLS_DIGEST_SHA256: return GNUTLS_DIG_SHA256;
    case POLYTLS_DIGEST_SHA384: return GNUTLS_DIG_SHA384;
    case POLYTLS_DIGEST_SHA512: return GNUTLS_DIG_SHA512;
    default: return GNUTLS_DIG_UNKNOWN;
  }
}

gnutls_sign_algorithm_t sign_algorithm_for(uint32_t key_algorithm, uint32_t digest) noexcept {
  switch (key_algorithm) {
    case POLYTLS_KEY_RSA:
      switch (digest) {
        case POLYTLS_DIGEST_SHA1: return GNUTLS_SIGN_RSA_SHA1;
        case POLYTLS_DIGEST_SHA256: return GNUTLS_SIGN_RSA_SHA256;
        case POLYTLS_DIGEST_SHA384: return GNUTLS_SIGN_RSA_SHA384;
        case POLYTLS_DIGEST_SHA512: return GNUTLS_SIGN_RSA_SHA512;
        default: return GNUTLS_SIGN_UNKNOWN;
      }
    case POLYTLS_KEY_EC:
      // The curve-independent ECDSA algorithms (the TLS 1.3 ones are bound
      // to one curve each).
      switch (digest) {
        case POLYTLS_DIGEST_SHA1: return GNUTLS_SIGN_ECDSA_SHA1;
        case POLYTLS_DIGEST_SHA256: return GNUTLS_SIGN_ECDSA_SHA256;
        case POLYTLS_DIGEST_SHA384: return GNUTLS_SIGN_ECDSA_SHA384;
        case POLYTLS_DIGEST_SHA512: return GNUTLS_SIGN_ECDSA_SHA512;
        default: return GNUTLS_SIGN_UNKNOWN;
      }
    case POLYTLS_KEY_ED25519:
      return digest == POLYTLS_DIGEST_NONE ? GNUTLS_SIGN_EDDSA_ED25519 : GNUTLS_SIGN_UNKNOWN;
    default: return GNUTLS_SIGN_UNKNOWN;
  }
}

namespace {

const char *library_version() noexcept {
  // gnutls_check_version(NULL) is the runtime library's version, "3.7.9".
  return gnutls_check_version(nullptr);
}

polytls_status init(const polytls_host_v1 * /*host*/, void **out_ctx, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    if (out_ctx == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "init: out_ctx is NULL");
    }
    auto ctx = std::make_unique<Context>();
    // gnutls_global_init is reference-counted and thread safe (GnuTLS 3.3+).
    const int rc = gnutls_global_init();
    if (rc < 0) return fail(err, rc, Domain::any, POLYTLS_ERR_INTERNAL, "gnutls_global_init");
    ctx->global_initialised = true;
    *out_ctx = ctx.release();
    return POLYTLS_OK;
  });
}

void shutdown(void *ctx) noexcept {
  delete static_cast<Context *>(ctx);
}

polytls_status digest(void * /*ctx*/, uint32_t algorithm, polytls_data data,
                      const polytls_sink *out, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    if (algorithm == POLYTLS_DIGEST_NONE) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "digest: an algorithm is required");
    }
    const gnutls_digest_algorithm_t dig = digest_for(algorithm);
    if (dig == GNUTLS_DIG_UNKNOWN) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "digest: algorithm %u is not supported by the GnuTLS backend",
                            static_cast<unsigned>(algorithm));
    }
    unsigned char hash[64];
    const std::size_t size = gnutls_hash_get_len(dig);
    if (size == 0 || size > sizeof hash) {
      return kit::set_error(err, POLYTLS_ERR_INTERNAL, 0, "digest: unexpected digest size");
    }
    static const unsigned char empty = 0;
    const int rc = gnutls_hash_fast(dig, data.len > 0 ? data.data : &empty, data.len, hash);
    if (rc < 0) return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "gnutls_hash_fast");
    return kit::write_to(out, hash, size);
  });
}

gnutls_mac_algorithm_t mac_for(uint32_t digest) noexcept {
  switch (digest) {
    case POLYTLS_DIGEST_SHA1: return GNUTLS_MAC_SHA1;
    case POLYTLS_DIGEST_SHA256: return GNUTLS_MAC_SHA256;
    case POLYTLS_DIGEST_SHA384: return GNUTLS_MAC_SHA384;
    case POLYTLS_DIGEST_SHA512: return GNUTLS_MAC_SHA512;
    default: return GNUTLS_MAC_UNKNOWN;
  }
}

polytls_status pbkdf2_hmac(void * /*ctx*/, uint32_t digest, polytls_data password,
                           polytls_data salt, uint32_t iterations, uint8_t *out, size_t out_len,
                           polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const gnutls_mac_algorithm_t mac = mac_for(digest);
    if (mac == GNUTLS_MAC_UNKNOWN) {
      return kit::set_error(
          err, digest == POLYTLS_DIGEST_NONE ? POLYTLS_ERR_BAD_INPUT : POLYTLS_ERR_UNSUPPORTED, 0,
          "pbkdf2_hmac: digest %u is not usable", static_cast<unsigned>(digest));
    }
    if (out == nullptr || out_len == 0 || out_len > UINT32_MAX || iterations == 0 ||
        password.len > UINT32_MAX || salt.len > UINT32_MAX) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "pbkdf2_hmac: bad output, iteration count or input size");
    }
    // gnutls_pbkdf2 (GnuTLS 3.7.0+) takes the password and salt as datums.
    const gnutls_datum_t key = as_datum(kit::bytes(password));
    const gnutls_datum_t s = as_datum(kit::bytes(salt));
    kit::SecretBytes derived(out_len);
    const int rc = gnutls_pbkdf2(mac, &key, &s, iterations, derived.data(), out_len);
    if (rc < 0) return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "gnutls_pbkdf2");
    std::memcpy(out, derived.data(), out_len);
    return POLYTLS_OK;
  });
}

// Block ciphers in CBC mode, with GnuTLS's own PKCS#7 padding
// (gnutls_cipher_encrypt3 / decrypt3 with GNUTLS_CIPHER_PADDING_PKCS7,
// GnuTLS 3.7.7+).
using CipherHandle = kit::Owned<api_cipher_hd_st, gnutls_cipher_deinit>;

gnutls_cipher_algorithm_t cipher_for(uint32_t algorithm) noexcept {
  switch (algorithm) {
    case POLYTLS_CIPHER_AES_128_CBC: return GNUTLS_CIPHER_AES_128_CBC;
    case POLYTLS_CIPHER_AES_192_CBC: return GNUTLS_CIPHER_AES_192_CBC;
    case POLYTLS_CIPHER_AES_256_CBC: return GNUTLS_CIPHER_AES_256_CBC;
    case POLYTLS_CIPHER_DES_EDE3_CBC: return GNUTLS_CIPHER_3DES_CBC;
    default: return GNUTLS_CIPHER_UNKNOWN;
  }
}

polytls_status cipher(void * /*ctx*/, uint32_t algorithm, uint32_t encrypt, polytls_data key,
                      polytls_data iv, polytls_data input, uint8_t *out, size_t out_cap,
                      size_t *out_len, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const gnutls_cipher_algorithm_t alg = cipher_for(algorithm);
    if (alg == GNUTLS_CIPHER_UNKNOWN) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "cipher: algorithm %u is not supported by the GnuTLS backend",
                            static_cast<unsigned>(algorithm));
    }
    const std::size_t key_len = gnutls_cipher_get_key_size(alg);
    const std::size_t block = static_cast<std::size_t>(gnutls_cipher_get_block_size(alg));
    if (key.data == nullptr || key.len != key_len || iv.data == nullptr || iv.len != block) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "cipher: key must be %zu bytes and IV %zu bytes", key_len, block);
    }
    if (out_len == nullptr || (input.len > 0 && input.data == nullptr) ||
        input.len > UINT32_MAX - block) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cipher: bad input or output");
    }
    if (encrypt == 0 && (input.len == 0 || input.len % block != 0)) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "cipher: ciphertext length %zu is not a positive multiple of %zu",
                            input.len, block);
    }
    const gnutls_datum_t k = as_datum(kit::bytes(key));
    const gnutls_datum_t v = as_datum(kit::bytes(iv));
    gnutls_cipher_hd_t raw = nullptr;
    int rc = gnutls_cipher_init(&raw, alg, &k, &v);
    if (rc < 0) return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "gnutls_cipher_init");
    const CipherHandle handle{raw};

    // Work in our own buffer of the largest size, so `out` is written only
    // on success and never beyond out_cap.
    kit::SecretBytes result(input.len + block);
    std::size_t n = result.size();
    static const unsigned char empty = 0;
    const void *in = input.len > 0 ? input.data : &empty;
    if (encrypt != 0) {
      rc = gnutls_cipher_encrypt3(handle.get(), in, input.len, result.data(), &n,
                                  GNUTLS_CIPHER_PADDING_PKCS7);
      if (rc < 0) {
        return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "cipher: encryption");
      }
    } else {
      // GnuTLS 3.7.9 reads the padding at the end of the *output buffer*
      // (ptext[*ptext_len - 1]), not of the decrypted data: the buffer size
      // passed in must be exactly the ciphertext length.
      n = input.len;
      rc = gnutls_cipher_decrypt3(handle.get(), in, input.len, result.data(), &n,
                                  GNUTLS_CIPHER_PADDING_PKCS7);
      if (rc < 0) {
        // Bad padding comes back as GNUTLS_E_DECRYPTION_FAILED: bad input here.
        return fail_as(err, rc, POLYTLS_ERR_BAD_INPUT, "cipher: decryption");
      }
      // GnuTLS checks only the last padding byte (1..block); PKCS#7 wants
      // every padding byte equal to it. They are still in our buffer.
      const std::size_t pad = input.len - n;
      unsigned char bad = 0;
      for (std::size_t i = n; i < input.len; ++i)
        bad |= static_cast<unsigned char>(result.data()[i] ^ pad);
      if (bad != 0) {
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, GNUTLS_E_DECRYPTION_FAILED,
                              "cipher: decryption: bad PKCS#7 padding");
      }
    }
    if (n > out_cap || (n > 0 && out == nullptr)) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "cipher: output buffer of %zu bytes is too small (%zu needed)", out_cap,
                            n);
    }
    if (n > 0) std::memcpy(out, result.data(), n);
    *out_len = n;
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
                POLYTLS_FEATURE_KEYLOG_TLS12 | POLYTLS_FEATURE_KEYLOG_TLS13 |
                POLYTLS_FEATURE_CLIENT_AUTH | POLYTLS_FEATURE_TLS_SELECT,
    .key_algorithms =
        (1u << POLYTLS_KEY_RSA) | (1u << POLYTLS_KEY_EC) | (1u << POLYTLS_KEY_ED25519),
    .curves = (1u << POLYTLS_CURVE_P256) | (1u << POLYTLS_CURVE_P384) | (1u << POLYTLS_CURVE_P521),
    .rsa_min_bits = 2048,
    .rsa_max_bits = 4096,
    .tls_min_version = POLYTLS_TLS1_2,
    .tls_max_version = POLYTLS_TLS1_3,
    .library_name = "GnuTLS",
    .build_version = GNUTLS_VERSION,
};

constexpr polytls_backend_v1 kTable = {
    .abi_version = POLYTLS_ABI_VERSION,
    .struct_size = sizeof(polytls_backend_v1),
    .name = "gnutls",
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

const polytls_backend_v1 *backend_table() noexcept {
  return &kTable;
}

}  // namespace polytls::gnutls
