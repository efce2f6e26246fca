// keys.cpp: key generation, import/export, description, signing and
// verification with OpenSSL 3's EVP_PKEY, encoder and decoder APIs.
#include <openssl/asn1.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <climits>
#include <cstddef>
#include <cstring>
#include <memory>
#include <vector>

#include "errors.hpp"
#include "internal.hpp"

namespace polytls::openssl {
namespace {

// Encrypted PKCS#8 export: PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC. 2048
// iterations is what `openssl pkcs8 -topk8 -v2 aes-256-cbc` uses and the
// floor the ABI sets; the salt is drawn fresh for every export.
constexpr int kPbes2Iterations = 2048;
constexpr int kPbes2SaltLength = 16;

using P8Info = kit::Owned<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>;
using X509Sig = kit::Owned<X509_SIG, X509_SIG_free>;
using Algor = kit::Owned<X509_ALGOR, X509_ALGOR_free>;
using PubKeyInfo = kit::Owned<X509_PUBKEY, X509_PUBKEY_free>;
using DecoderCtx = kit::Owned<OSSL_DECODER_CTX, OSSL_DECODER_CTX_free>;
using EncoderCtx = kit::Owned<OSSL_ENCODER_CTX, OSSL_ENCODER_CTX_free>;
using MdCtx = kit::Owned<EVP_MD_CTX, EVP_MD_CTX_free>;

// OsslBuffer owns a buffer OpenSSL allocated (i2d_*, OSSL_ENCODER_to_data)
// and cleanses it before freeing, since it may hold a private key.
struct OsslBuffer {
  unsigned char *data = nullptr;
  std::size_t len = 0;
  OsslBuffer() = default;
  OsslBuffer(const OsslBuffer &) = delete;
  OsslBuffer &operator=(const OsslBuffer &) = delete;
  ~OsslBuffer() {
    if (data != nullptr) OPENSSL_clear_free(data, len);
  }
};

// secret_cstring copies a passphrase into wiped storage with a NUL after it.
kit::SecretBytes secret_cstring(polytls_data passphrase) {
  kit::SecretBytes copy(passphrase.len + 1);
  if (passphrase.len > 0) std::memcpy(copy.data(), passphrase.data, passphrase.len);
  copy.data()[passphrase.len] = 0;
  return copy;
}

uint32_t curve_of(const EVP_PKEY *pkey) noexcept {
  char name[80] = {};
  std::size_t len = 0;
  if (EVP_PKEY_get_group_name(pkey, name, sizeof(name), &len) != 1) return POLYTLS_CURVE_NONE;
  int nid = OBJ_sn2nid(name);
  if (nid == NID_undef) nid = EC_curve_nist2nid(name);
  switch (nid) {
    case NID_X9_62_prime256v1: return POLYTLS_CURVE_P256;
    case NID_secp384r1: return POLYTLS_CURVE_P384;
    case NID_secp521r1: return POLYTLS_CURVE_P521;
    default: return POLYTLS_CURVE_NONE;
  }
}

// check_key_oid accepts the AlgorithmIdentifier OIDs of the key types this
// backend handles; anything else (RSA-PSS, Ed448, X25519, DSA, ...) is
// UNSUPPORTED, named by its OID.
polytls_status check_key_oid(const ASN1_OBJECT *oid, polytls_error *err) noexcept {
  switch (OBJ_obj2nid(oid)) {
    case NID_rsaEncryption:
    case NID_X9_62_id_ecPublicKey:
    case NID_ED25519: return POLYTLS_OK;
    default: break;
  }
  char text[80] = {};
  OBJ_obj2txt(text, sizeof(text), oid, 0);
  return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                        "key algorithm %s is not supported by the OpenSSL backend", text);
}

polytls_status finish_key(std::unique_ptr<Key> key, polytls_key **out_key) noexcept {
  *out_key = kit::to_handle<polytls_key>(key.release());
  return POLYTLS_OK;
}

// ---- import ----

polytls_status import_p8info(const PKCS8_PRIV_KEY_INFO *p8, std::unique_ptr<Key> &out,
                             polytls_error *err) {
  const ASN1_OBJECT *oid = nullptr;
  if (PKCS8_pkey_get0(&oid, nullptr, nullptr, nullptr, p8) != 1) {
    return fail(err, POLYTLS_ERR_BAD_INPUT, "reading the PrivateKeyInfo failed");
  }
  if (const polytls_status status = check_key_oid(oid, err); status != POLYTLS_OK) return status;
  PKey pkey{EVP_PKCS82PKEY_ex(p8, nullptr, nullptr)};
  if (!pkey) return fail(err, POLYTLS_ERR_BAD_INPUT, "decoding the PKCS#8 private key failed");
  return make_key(std::move(pkey), true, out, err);
}

// as_pkcs8_v1 handles a limitation of OpenSSL 3.0, which reads only the
// version-1 PrivateKeyInfo of RFC 5208. A OneAsymmetricKey v2 (RFC 5958, as
// some libraries write Ed25519 keys) adds a trailing [1] publicKey; this
// rewrites such a structure as version 1 without that field (OpenSSL derives
// the public key from the private one). The DER headers are read and written
// with ASN1_get_object / ASN1_put_object. Returns false for anything else.
bool as_pkcs8_v1(std::span<const unsigned char> der, kit::SecretBytes &out) {
  const unsigned char *p = der.data();
  long len = 0;
  int tag = 0;
  int cls = 0;
  int rc = ASN1_get_object(&p, &len, &tag, &cls, static_cast<long>(der.size()));
  if ((rc & 0x80) != 0 || (rc & V_ASN1_CONSTRUCTED) == 0 || tag != V_ASN1_SEQUENCE) return false;
  const unsigned char *end = p + len;
  rc = ASN1_get_object(&p, &len, &tag, &cls, end - p);  // version INTEGER, must be 1 (v2)
  if ((rc & 0x80) != 0 || cls != V_ASN1_UNIVERSAL || tag != V_ASN1_INTEGER || len != 1 || *p != 1) {
    return false;
  }
  p += len;
  const unsigned char *keep = p;  // privateKeyAlgorithm, privateKey, [0] attributes
  const unsigned char *keep_end = nullptr;
  while (p < end) {
    const unsigned char *field = p;
    rc = ASN1_get_object(&p, &len, &tag, &cls, end - p);
    if ((rc & 0x80) != 0) return false;
    if (cls == V_ASN1_CONTEXT_SPECIFIC && tag == 1) {
      if (p + len != end) return false;  // [1] publicKey is the last field
      keep_end = field;
      break;
    }
    p += len;
  }
  if (keep_end == nullptr) return false;
  static constexpr unsigned char kVersion1[] = {0x02, 0x01, 0x00};
  const auto content =
      static_cast<int>(sizeof(kVersion1) + static_cast<std::size_t>(keep_end - keep));
  kit::SecretBytes v1(static_cast<std::size_t>(ASN1_object_size(1, content, V_ASN1_SEQUENCE)));
  unsigned char *w = v1.data();
  ASN1_put_object(&w, 1, content, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
  std::memcpy(w, kVersion1, sizeof(kVersion1));
  std::memcpy(w + sizeof(kVersion1), keep, static_cast<std::size_t>(keep_end - keep));
  out = std::move(v1);
  return true;
}

polytls_status import_pkcs8(std::span<const unsigned char> der, std::unique_ptr<Key> &out,
                            polytls_error *err) {
  const unsigned char *p = der.data();
  P8Info p8{d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size()))};
  if (!p8 || p != der.data() + der.size()) {
    kit::SecretBytes v1;
    if (as_pkcs8_v1(der, v1)) {
      ERR_clear_error();
      p8.reset();
      p = v1.data();
      p8.reset(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(v1.size())));
      if (p8 && p == v1.data() + v1.size()) return import_p8info(p8.get(), out, err);
    }
    return fail(err, POLYTLS_ERR_BAD_INPUT, "not a DER PrivateKeyInfo (PKCS#8)");
  }
  return import_p8info(p8.get(), out, err);
}

polytls_status import_encrypted(std::span<const unsigned char> der, polytls_data passphrase,
                                std::unique_ptr<Key> &out, polytls_error *err) {
  const unsigned char *p = der.data();
  X509Sig sig{d2i_X509_SIG(nullptr, &p, static_cast<long>(der.size()))};
  if (!sig || p != der.data() + der.size()) {
    return fail(err, POLYTLS_ERR_BAD_INPUT, "not a DER EncryptedPrivateKeyInfo");
  }
  if (passphrase.len > static_cast<std::size_t>(INT_MAX)) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "passphrase too long");
  }
  const X509_ALGOR *alg = nullptr;
  const ASN1_OCTET_STRING *data = nullptr;
  X509_SIG_get0(sig.get(), &alg, &data);
  const kit::SecretBytes pass = secret_cstring(passphrase);
  // Decrypt to bytes (PBES2 or PKCS#12 PBE, whatever the AlgorithmIdentifier
  // names), then read them as PKCS#8 like an unencrypted key.
  OsslBuffer plain;
  int plain_len = 0;
  if (PKCS12_pbe_crypt_ex(alg, reinterpret_cast<const char *>(pass.data()),
                          static_cast<int>(passphrase.len), ASN1_STRING_get0_data(data),
                          ASN1_STRING_length(data), &plain.data, &plain_len, 0, nullptr,
                          nullptr) == nullptr) {
    // OpenSSL cannot tell a wrong passphrase from corrupt ciphertext: both
    // end in a padding error. Only a missing algorithm or a resource
    // failure is reported as itself.
    const polytls_status status = fail(err, POLYTLS_ERR_BAD_PASSPHRASE,
                                       "decrypting the PKCS#8 key failed (wrong passphrase?)");
    if (status == POLYTLS_ERR_UNSUPPORTED || status == POLYTLS_ERR_INTERNAL) return status;
    return POLYTLS_ERR_BAD_PASSPHRASE;
  }
  plain.len = static_cast<std::size_t>(plain_len);
  const std::span<const unsigned char> inner{plain.data, plain.len};
  polytls_status status = POLYTLS_ERR_BAD_INPUT;
  if (is_one_der_object(inner)) {
    status = import_pkcs8(inner, out, err);
  } else {
    static_cast<void>(fail(err, POLYTLS_ERR_BAD_INPUT, "the decrypted key is not DER"));
  }
  if (status == POLYTLS_ERR_BAD_INPUT) {
    // Padding that happens to be valid under a wrong passphrase leaves
    // garbage: that is a wrong passphrase too.
    return kit::set_error(err, POLYTLS_ERR_BAD_PASSPHRASE, 0,
                          "the decrypted key is not a PKCS#8 PrivateKeyInfo (wrong passphrase?)");
  }
  return status;
}

// traditional_type tells the two traditional structures apart by their
// second field, walking the DER headers with OpenSSL's ASN1_get_object (no
// copy of the key is made): RSAPrivateKey { version, modulus INTEGER, ... }
// and ECPrivateKey { version, privateKey OCTET STRING, ... }. A PKCS#8
// PrivateKeyInfo { version, AlgorithmIdentifier SEQUENCE, ... } is neither.
const char *traditional_type(std::span<const unsigned char> der) noexcept {
  const unsigned char *p = der.data();
  long len = 0;
  int tag = 0;
  int cls = 0;
  int rc = ASN1_get_object(&p, &len, &tag, &cls, static_cast<long>(der.size()));
  if ((rc & 0x80) != 0 || (rc & V_ASN1_CONSTRUCTED) == 0 || tag != V_ASN1_SEQUENCE) return nullptr;
  const unsigned char *end = p + len;
  rc = ASN1_get_object(&p, &len, &tag, &cls, end - p);
  if ((rc & 0x80) != 0 || cls != V_ASN1_UNIVERSAL || tag != V_ASN1_INTEGER) return nullptr;
  p += len;
  rc = ASN1_get_object(&p, &len, &tag, &cls, end - p);
  if ((rc & 0x80) != 0 || cls != V_ASN1_UNIVERSAL) return nullptr;
  if (tag == V_ASN1_INTEGER) return "RSA";
  if (tag == V_ASN1_OCTET_STRING) return "EC";
  return nullptr;
}

polytls_status import_traditional(std::span<const unsigned char> der, std::unique_ptr<Key> &out,
                                  polytls_error *err) {
  const char *type = traditional_type(der);
  if (type == nullptr) {
    return fail(err, POLYTLS_ERR_BAD_INPUT,
                "not a DER RSAPrivateKey (PKCS#1) or ECPrivateKey (SEC1)");
  }
  // The "type-specific" DER structure of that key type, private key required.
  EVP_PKEY *raw = nullptr;
  DecoderCtx dctx{OSSL_DECODER_CTX_new_for_pkey(&raw, "DER", "type-specific", type,
                                                OSSL_KEYMGMT_SELECT_PRIVATE_KEY, nullptr, nullptr)};
  if (!dctx) return fail(err, POLYTLS_ERR_INTERNAL, "creating an OpenSSL decoder failed");
  const unsigned char *p = der.data();
  std::size_t left = der.size();
  const int ok = OSSL_DECODER_from_data(dctx.get(), &p, &left);
  PKey pkey{raw};
  if (ok != 1 || !pkey) {
    return fail(err, POLYTLS_ERR_BAD_INPUT,
                std::strcmp(type, "RSA") == 0 ? "not a valid DER RSAPrivateKey (PKCS#1)"
                                              : "not a valid DER ECPrivateKey (SEC1)");
  }
  if (left != 0) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "trailing bytes after the key");
  }
  return make_key(std::move(pkey), true, out, err);
}

}  // namespace

// import_spki reads a SubjectPublicKeyInfo (shared with cert_public_key).
polytls_status import_spki(std::span<const unsigned char> der, std::unique_ptr<Key> &out,
                           polytls_error *err) {
  const unsigned char *p = der.data();
  PubKeyInfo spki{d2i_X509_PUBKEY(nullptr, &p, static_cast<long>(der.size()))};
  if (!spki || p != der.data() + der.size()) {
    return fail(err, POLYTLS_ERR_BAD_INPUT, "not a DER SubjectPublicKeyInfo");
  }
  ASN1_OBJECT *oid = nullptr;
  if (X509_PUBKEY_get0_param(&oid, nullptr, nullptr, nullptr, spki.get()) != 1) {
    return fail(err, POLYTLS_ERR_BAD_INPUT, "reading the SubjectPublicKeyInfo failed");
  }
  if (const polytls_status status = check_key_oid(oid, err); status != POLYTLS_OK) return status;
  PKey pkey{X509_PUBKEY_get(spki.get())};
  if (!pkey) return fail(err, POLYTLS_ERR_BAD_INPUT, "decoding the public key failed");
  return make_key(std::move(pkey), false, out, err);
}

// ---- shared helpers (internal.hpp) ----

polytls_status make_key(PKey pkey, bool has_private, std::unique_ptr<Key> &out,
                        polytls_error *err) {
  auto key = std::make_unique<Key>();
  EVP_PKEY *pk = pkey.get();
  if (EVP_PKEY_is_a(pk, "RSA")) {
    key->algorithm = POLYTLS_KEY_RSA;
    key->bits = static_cast<uint32_t>(EVP_PKEY_get_bits(pk));
  } else if (EVP_PKEY_is_a(pk, "EC")) {
    key->algorithm = POLYTLS_KEY_EC;
    key->curve = curve_of(pk);
    switch (key->curve) {
      case POLYTLS_CURVE_P256: key->bits = 256; break;
      case POLYTLS_CURVE_P384: key->bits = 384; break;
      case POLYTLS_CURVE_P521: key->bits = 521; break;
      default: {
        char name[80] = "with explicit parameters";
        std::size_t len = 0;
        EVP_PKEY_get_group_name(pk, name, sizeof(name), &len);
        return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                              "EC curve %s is not supported (P-256, P-384, P-521 are)", name);
      }
    }
    // Whatever the input used (explicit parameters that match a named curve,
    // compressed points, no public key in an ECPrivateKey), this key is
    // written with the named-curve OID, uncompressed points and its public
    // key: the forms every library reads.
    if (EVP_PKEY_set_utf8_string_param(pk, OSSL_PKEY_PARAM_EC_ENCODING,
                                       OSSL_PKEY_EC_ENCODING_GROUP) != 1 ||
        EVP_PKEY_set_int_param(pk, OSSL_PKEY_PARAM_EC_INCLUDE_PUBLIC, 1) != 1 ||
        EVP_PKEY_set_utf8_string_param(pk, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                       OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) != 1) {
      return fail(err, POLYTLS_ERR_INTERNAL, "setting the EC key's encoding failed");
    }
  } else if (EVP_PKEY_is_a(pk, "ED25519")) {
    key->algorithm = POLYTLS_KEY_ED25519;
    key->bits = 256;
  } else {
    const char *name = EVP_PKEY_get0_type_name(pk);
    return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                          "%s keys are not supported by the OpenSSL backend",
                          name != nullptr ? name : "these");
  }
  key->pkey = std::move(pkey);
  key->has_private = has_private;
  out = std::move(key);
  return POLYTLS_OK;
}

bool is_one_der_object(std::span<const unsigned char> der) noexcept {
  if (der.empty() || der.size() > static_cast<std::size_t>(LONG_MAX)) return false;
  const unsigned char *p = der.data();
  long len = 0;
  int tag = 0;
  int cls = 0;
  const int rc = ASN1_get_object(&p, &len, &tag, &cls, static_cast<long>(der.size()));
  if ((rc & 0x80) != 0 || (rc & 0x01) != 0) return false;  // error, or indefinite length
  const auto header = static_cast<std::size_t>(p - der.data());
  return header + static_cast<std::size_t>(len) == der.size();
}

const EVP_MD *md_for(uint32_t digest) noexcept {
  switch (digest) {
    case POLYTLS_DIGEST_SHA1: return EVP_sha1();
    case POLYTLS_DIGEST_SHA256: return EVP_sha256();
    case POLYTLS_DIGEST_SHA384: return EVP_sha384();
    case POLYTLS_DIGEST_SHA512: return EVP_sha512();
    default: return nullptr;
  }
}

const char *digest_name(uint32_t digest) noexcept {
  switch (digest) {
    case POLYTLS_DIGEST_NONE: return "NONE";
    case POLYTLS_DIGEST_SHA1: return "SHA1";
    case POLYTLS_DIGEST_SHA256: return "SHA256";
    case POLYTLS_DIGEST_SHA384: return "SHA384";
    case POLYTLS_DIGEST_SHA512: return "SHA512";
    default: return "unknown";
  }
}

// ---- table members ----

polytls_status key_generate(void *, const polytls_key_spec *spec, polytls_key **out_key,
                            polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const ErrorQueueScope queue;
    if (spec == nullptr || out_key == nullptr ||
        !kit::fits_struct(spec->struct_size,
                          offsetof(polytls_key_spec, curve) + sizeof(spec->curve))) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_generate: bad arguments");
    }
    EVP_PKEY *raw = nullptr;
    switch (spec->algorithm) {
      case POLYTLS_KEY_RSA:
        if (spec->rsa_bits != 2048 && spec->rsa_bits != 3072 && spec->rsa_bits != 4096) {
          return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                                "RSA key size %u is not supported (2048, 3072 or 4096)",
                                spec->rsa_bits);
        }
        // e = 65537 is OpenSSL's default public exponent.
        raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(spec->rsa_bits));
        break;
      case POLYTLS_KEY_EC: {
        const char *group = nullptr;
        switch (spec->curve) {
          case POLYTLS_CURVE_P256: group = "P-256"; break;
          case POLYTLS_CURVE_P384: group = "P-384"; break;
          case POLYTLS_CURVE_P521: group = "P-521"; break;
          default:
            return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "unknown EC curve %u",
                                  spec->curve);
        }
        raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", group);
        break;
      }
      case POLYTLS_KEY_ED25519: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"); break;
      default:
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "unknown key algorithm %u",
                              spec->algorithm);
    }
    if (raw == nullptr) return fail(err, POLYTLS_ERR_INTERNAL, "OpenSSL key generation failed");
    std::unique_ptr<Key> key;
    if (const polytls_status status = make_key(PKey{raw}, true, key, err); status != POLYTLS_OK) {
      return status;
    }
    return finish_key(std::move(key), out_key);
  });
}

polytls_status key_import(void *, uint32_t format, polytls_data der, polytls_data passphrase,
                          polytls_key **out_key, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const ErrorQueueScope queue;
    if (out_key == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_import: no output");
    }
    const std::span<const unsigned char> in = kit::bytes(der);
    if (!is_one_der_object(in)) {
      return fail(err, POLYTLS_ERR_BAD_INPUT,
                  "key is not exactly one DER object (empty, truncated or trailing bytes)");
    }
    std::unique_ptr<Key> key;
    polytls_status status = POLYTLS_OK;
    switch (format) {
      case POLYTLS_KEY_FORMAT_PKCS8: status = import_pkcs8(in, key, err); break;
      case POLYTLS_KEY_FORMAT_PKCS8_ENCRYPTED:
        status = import_encrypted(in, passphrase, key, err);
        break;
      case POLYTLS_KEY_FORMAT_TRADITIONAL: status = import_traditional(in, key, err); break;
      case POLYTLS_KEY_FORMAT_SPKI: status = import_spki(in, key, err); break;
      default:
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "unknown key format %u", format);
    }
    if (status != POLYTLS_OK) return status;
    return finish_key(std::move(key), out_key);
  });
}

polytls_status key_export(void *, const polytls_key *key, uint32_t format, polytls_data passphrase,
                          const polytls_sink *out, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const ErrorQueueScope queue;
    const Key *k = kit::from_handle<Key>(key);
    if (k == nullptr || out == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_export: bad arguments");
    }
    const bool private_format = format == POLYTLS_KEY_FORMAT_PKCS8 ||
                                format == POLYTLS_KEY_FORMAT_PKCS8_ENCRYPTED ||
                                format == POLYTLS_KEY_FORMAT_TRADITIONAL;
    if (private_format && !k->has_private) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "a public-only key has no private key format (use SPKI)");
    }
    OsslBuffer buf;
    switch (format) {
      case POLYTLS_KEY_FORMAT_PKCS8: {
        P8Info p8{EVP_PKEY2PKCS8(k->pkey.get())};
        if (!p8) return fail(err, POLYTLS_ERR_INTERNAL, "building the PrivateKeyInfo failed");
        const int n = i2d_PKCS8_PRIV_KEY_INFO(p8.get(), &buf.data);
        if (n <= 0) return fail(err, POLYTLS_ERR_INTERNAL, "encoding the PrivateKeyInfo failed");
        buf.len = static_cast<std::size_t>(n);
        break;
      }
      case POLYTLS_KEY_FORMAT_PKCS8_ENCRYPTED: {
        if (passphrase.len == 0) {
          return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                                "an encrypted key needs a non-empty passphrase");
        }
        if (passphrase.len > static_cast<std::size_t>(INT_MAX)) {
          return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "passphrase too long");
        }
        P8Info p8{EVP_PKEY2PKCS8(k->pkey.get())};
        if (!p8) return fail(err, POLYTLS_ERR_INTERNAL, "building the PrivateKeyInfo failed");
        // PBES2 parameters chosen explicitly: AES-256-CBC with a random IV,
        // PBKDF2 with HMAC-SHA256, a random salt and kPbes2Iterations.
        Algor pbe{PKCS5_pbe2_set_iv_ex(EVP_aes_256_cbc(), kPbes2Iterations, nullptr,
                                       kPbes2SaltLength, nullptr, NID_hmacWithSHA256, nullptr)};
        if (!pbe) return fail(err, POLYTLS_ERR_INTERNAL, "setting up PBES2 failed");
        const kit::SecretBytes pass = secret_cstring(passphrase);
        X509Sig sig{PKCS8_set0_pbe_ex(reinterpret_cast<const char *>(pass.data()),
                                      static_cast<int>(passphrase.len), p8.get(), pbe.get(),
                                      nullptr, nullptr)};
        if (!sig) return fail(err, POLYTLS_ERR_INTERNAL, "encrypting the private key failed");
        static_cast<void>(pbe.release());  // now owned by `sig`
        const int n = i2d_X509_SIG(sig.get(), &buf.data);
        if (n <= 0) {
          return fail(err, POLYTLS_ERR_INTERNAL, "encoding the EncryptedPrivateKeyInfo failed");
        }
        buf.len = static_cast<std::size_t>(n);
        break;
      }
      case POLYTLS_KEY_FORMAT_TRADITIONAL: {
        if (k->algorithm == POLYTLS_KEY_ED25519) {
          return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                                "Ed25519 keys have no traditional format (use PKCS8)");
        }
        EncoderCtx ectx{OSSL_ENCODER_CTX_new_for_pkey(k->pkey.get(), EVP_PKEY_KEYPAIR, "DER",
                                                      "type-specific", nullptr)};
        if (!ectx || OSSL_ENCODER_CTX_get_num_encoders(ectx.get()) == 0) {
          return fail(err, POLYTLS_ERR_UNSUPPORTED,
                      "no OpenSSL encoder for the traditional format");
        }
        if (OSSL_ENCODER_to_data(ectx.get(), &buf.data, &buf.len) != 1) {
          return fail(err, POLYTLS_ERR_INTERNAL, "encoding the traditional private key failed");
        }
        break;
      }
      case POLYTLS_KEY_FORMAT_SPKI: {
        const int n = i2d_PUBKEY(k->pkey.get(), &buf.data);
        if (n <= 0) {
          return fail(err, POLYTLS_ERR_INTERNAL, "encoding the SubjectPublicKeyInfo failed");
        }
        buf.len = static_cast<std::size_t>(n);
        break;
      }
      default:
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "unknown key format %u", format);
    }
    return kit::write_to(out, buf.data, buf.len);
  });
}

polytls_status key_describe(void *, const polytls_key *key, polytls_key_info *out,
                            polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const Key *k = kit::from_handle<Key>(key);
    if (k == nullptr || out == nullptr ||
        !kit::fits_struct(out->struct_size,
                          offsetof(polytls_key_info, has_private) + sizeof(out->has_private))) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_describe: bad arguments");
    }
    out->algorithm = k->algorithm;
    out->bits = k->bits;
    out->curve = k->curve;
    out->has_private = k->has_private ? 1u : 0u;
    if (kit::fits_struct(out->struct_size,
                         offsetof(polytls_key_info, reserved) + sizeof(out->reserved))) {
      out->reserved = 0;
    }
    return POLYTLS_OK;
  });
}

polytls_status key_sign(void *, const polytls_key *key, uint32_t digest, polytls_data message,
                        const polytls_sink *out, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const ErrorQueueScope queue;
    const Key *k = kit::from_handle<Key>(key);
    if (k == nullptr || out == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_sign: bad arguments");
    }
    if (!k->has_private) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "a public-only key cannot sign");
    }
    if (const polytls_status s = kit::check_signature_digest(k->algorithm, digest, false, err);
        s != POLYTLS_OK) {
      return s;
    }
    MdCtx ctx{EVP_MD_CTX_new()};
    if (!ctx) return fail(err, POLYTLS_ERR_INTERNAL, "EVP_MD_CTX_new failed");
    const char *md = digest == POLYTLS_DIGEST_NONE ? nullptr : digest_name(digest);
    if (EVP_DigestSignInit_ex(ctx.get(), nullptr, md, nullptr, nullptr, k->pkey.get(), nullptr) !=
        1) {
      return fail(err, POLYTLS_ERR_INTERNAL, "starting the signature failed");
    }
    std::size_t len = 0;
    if (EVP_DigestSign(ctx.get(), nullptr, &len, data_ptr(message), message.len) != 1) {
      return fail(err, POLYTLS_ERR_INTERNAL, "sizing the signature failed");
    }
    std::vector<unsigned char> sig(len);
    if (EVP_DigestSign(ctx.get(), sig.data(), &len, data_ptr(message), message.len) != 1) {
      return fail(err, POLYTLS_ERR_INTERNAL, "signing failed");
    }
    return kit::write_to(out, sig.data(), len);
  });
}

polytls_status key_verify(void *, const polytls_key *key, uint32_t digest, polytls_data message,
                          polytls_data signature, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const ErrorQueueScope queue;
    const Key *k = kit::from_handle<Key>(key);
    if (k == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_verify: no key");
    }
    if (const polytls_status s = kit::check_signature_digest(k->algorithm, digest, true, err);
        s != POLYTLS_OK) {
      return s;
    }
    MdCtx ctx{EVP_MD_CTX_new()};
    if (!ctx) return fail(err, POLYTLS_ERR_INTERNAL, "EVP_MD_CTX_new failed");
    const char *md = digest == POLYTLS_DIGEST_NONE ? nullptr : digest_name(digest);
    if (EVP_DigestVerifyInit_ex(ctx.get(), nullptr, md, nullptr, nullptr, k->pkey.get(), nullptr) !=
        1) {
      return fail(err, POLYTLS_ERR_INTERNAL, "starting the verification failed");
    }
    if (EVP_DigestVerify(ctx.get(), data_ptr(signature), signature.len, data_ptr(message),
                         message.len) != 1) {
      // 0 is a mismatch; a negative result is a malformed signature. Both
      // are "does not verify".
      static_cast<void>(fail(err, POLYTLS_ERR_BAD_SIGNATURE, "the signature does not verify"));
      return POLYTLS_ERR_BAD_SIGNATURE;
    }
    return POLYTLS_OK;
  });
}

void key_free(polytls_key *key) noexcept {
  // EVP_PKEY_free cleanses the private key material of OpenSSL's providers.
  delete kit::from_handle<Key>(key);
}

}  // namespace polytls::openssl
