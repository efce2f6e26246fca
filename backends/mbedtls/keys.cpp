// keys.cpp: key generation, import, export, description, signing and
// verification over Mbed TLS 2.28's pk module.
#include <mbedtls/asn1.h>
#include <mbedtls/ecp.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/rsa.h>

#include <cstddef>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "errors.hpp"
#include "internal.hpp"

namespace polytls::mbedtls {
namespace {

constexpr unsigned char kEmpty[1] = {0};
constexpr unsigned char kOidEd25519[] = {0x2B, 0x65, 0x70};  // 1.3.101.112
constexpr char kNoEd25519[] = "Ed25519 is not supported by Mbed TLS 2.28";

constexpr int kSequence = MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE;

// The outer shape of a DER key blob, told apart by its first two elements.
enum class Shape {
  kInvalid,           // not one DER SEQUENCE (or trailing bytes after it)
  kPkcs8,             // SEQUENCE { INTEGER, SEQUENCE AlgorithmIdentifier, OCTET STRING ... }
  kEncryptedPkcs8,    // SEQUENCE { SEQUENCE AlgorithmIdentifier, OCTET STRING }
  kRsaPrivateKey,     // SEQUENCE { INTEGER version, INTEGER modulus, ... }
  kEcPrivateKey,      // SEQUENCE { INTEGER 1, OCTET STRING privateKey, ... }
  kSubjectPublicKey,  // SEQUENCE { SEQUENCE AlgorithmIdentifier, BIT STRING }
  kOther,
};

const char *shape_name(Shape shape) noexcept {
  switch (shape) {
    case Shape::kPkcs8: return "a PKCS#8 PrivateKeyInfo";
    case Shape::kEncryptedPkcs8: return "a PKCS#8 EncryptedPrivateKeyInfo";
    case Shape::kRsaPrivateKey: return "a PKCS#1 RSAPrivateKey";
    case Shape::kEcPrivateKey: return "a SEC1 ECPrivateKey";
    case Shape::kSubjectPublicKey: return "a SubjectPublicKeyInfo";
    default: return "an unknown structure";
  }
}

unsigned char *mutable_bytes(std::span<const unsigned char> der) noexcept {
  // mbedtls_asn1_get_tag advances an `unsigned char *`; it never writes.
  return const_cast<unsigned char *>(der.data());
}

// classify reads the outer SEQUENCE with Mbed TLS's ASN.1 reader and looks at
// the tags of its first two elements. Mbed TLS's own key parsers accept any
// of the private forms for any request and ignore bytes after the outer
// SEQUENCE, so the format and the length are checked here.
Shape classify(std::span<const unsigned char> der) noexcept {
  if (der.empty()) return Shape::kInvalid;
  unsigned char *p = mutable_bytes(der);
  const unsigned char *end = p + der.size();
  std::size_t len = 0;
  if (mbedtls_asn1_get_tag(&p, end, &len, kSequence) != 0) return Shape::kInvalid;
  if (len != static_cast<std::size_t>(end - p)) return Shape::kInvalid;
  if (p == end) return Shape::kOther;
  const unsigned char first = *p;
  if (mbedtls_asn1_get_tag(&p, end, &len, first) != 0) return Shape::kInvalid;
  p += len;
  if (p == end) return Shape::kOther;
  const unsigned char second = *p;
  if (first == MBEDTLS_ASN1_INTEGER) {
    if (second == kSequence) return Shape::kPkcs8;
    if (second == MBEDTLS_ASN1_INTEGER) return Shape::kRsaPrivateKey;
    if (second == MBEDTLS_ASN1_OCTET_STRING) return Shape::kEcPrivateKey;
  } else if (first == kSequence) {
    if (second == MBEDTLS_ASN1_OCTET_STRING) return Shape::kEncryptedPkcs8;
    if (second == MBEDTLS_ASN1_BIT_STRING) return Shape::kSubjectPublicKey;
  }
  return Shape::kOther;
}

// algorithm_oid finds the AlgorithmIdentifier OID of a PrivateKeyInfo or
// SubjectPublicKeyInfo (already classified).
bool algorithm_oid(std::span<const unsigned char> der, Shape shape,
                   mbedtls_asn1_buf *oid) noexcept {
  unsigned char *p = mutable_bytes(der);
  const unsigned char *end = p + der.size();
  std::size_t len = 0;
  if (mbedtls_asn1_get_tag(&p, end, &len, kSequence) != 0) return false;
  if (shape == Shape::kPkcs8) {
    if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_INTEGER) != 0) return false;
    p += len;
  }
  mbedtls_asn1_buf params{};
  return mbedtls_asn1_get_alg(&p, end, oid, &params) == 0;
}

// check_algorithm refuses, before parsing, an algorithm Mbed TLS 2.28 does
// not know, naming Ed25519 when it is that one.
polytls_status check_algorithm(std::span<const unsigned char> der, Shape shape,
                               polytls_error *err) noexcept {
  mbedtls_asn1_buf oid{};
  if (!algorithm_oid(der, shape, &oid)) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                          "key_import: malformed AlgorithmIdentifier in %s", shape_name(shape));
  }
  if (oid.len == sizeof(kOidEd25519) && std::memcmp(oid.p, kOidEd25519, oid.len) == 0) {
    return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, MBEDTLS_ERR_PK_UNKNOWN_PK_ALG, "%s",
                          kNoEd25519);
  }
  mbedtls_pk_type_t type = MBEDTLS_PK_NONE;
  const int rc = mbedtls_oid_get_pk_alg(&oid, &type);
  if (rc != 0) {
    char numeric[64] = "?";
    mbedtls_oid_get_numeric_string(numeric, sizeof(numeric), &oid);
    char what[128];
    std::snprintf(what, sizeof(what), "key algorithm %s is not supported by Mbed TLS 2.28",
                  numeric);
    return fail_as(err, POLYTLS_ERR_UNSUPPORTED, rc, what);
  }
  return POLYTLS_OK;
}

// write_der runs an Mbed TLS writer that fills `buf` from its end, growing
// the buffer while the library says it is too small, and sends the tail.
template <class Writer>
polytls_status write_der(Writer &&writer, const polytls_sink *out, polytls_error *err,
                         const char *what) {
  for (std::size_t size = 8192; size <= 256 * 1024; size *= 2) {
    kit::SecretBytes buf(size);
    const int rc = writer(buf.data(), buf.size());
    if (rc == MBEDTLS_ERR_ASN1_BUF_TOO_SMALL) continue;
    if (rc < 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, what);
    const std::size_t len = static_cast<std::size_t>(rc);
    return kit::write_to(out, buf.data() + buf.size() - len, len);
  }
  return kit::set_error(err, POLYTLS_ERR_INTERNAL, MBEDTLS_ERR_ASN1_BUF_TOO_SMALL,
                        "%s: key too large", what);
}

// hash_message hashes `message` with `type` into `hash`, returning its size or a negative code.
int hash_message(mbedtls_md_type_t type, polytls_data message, unsigned char *hash,
                 std::size_t *hash_len) noexcept {
  const mbedtls_md_info_t *info = mbedtls_md_info_from_type(type);
  if (info == nullptr) return MBEDTLS_ERR_MD_FEATURE_UNAVAILABLE;
  *hash_len = mbedtls_md_get_size(info);
  return mbedtls_md(info, message.data != nullptr ? message.data : kEmpty, message.len, hash);
}

}  // namespace

uint32_t curve_of(mbedtls_ecp_group_id id) noexcept {
  switch (id) {
    case MBEDTLS_ECP_DP_SECP256R1: return POLYTLS_CURVE_P256;
    case MBEDTLS_ECP_DP_SECP384R1: return POLYTLS_CURVE_P384;
    case MBEDTLS_ECP_DP_SECP521R1: return POLYTLS_CURVE_P521;
    default: return POLYTLS_CURVE_NONE;
  }
}

uint32_t key_algorithm(const mbedtls_pk_context *pk) noexcept {
  switch (mbedtls_pk_get_type(pk)) {
    case MBEDTLS_PK_RSA: return POLYTLS_KEY_RSA;
    case MBEDTLS_PK_ECKEY: return POLYTLS_KEY_EC;
    default: return 0;
  }
}

polytls_status check_supported_key(const mbedtls_pk_context *pk, polytls_error *err) noexcept {
  const mbedtls_pk_type_t type = mbedtls_pk_get_type(pk);
  if (type == MBEDTLS_PK_RSA) return POLYTLS_OK;
  if (type == MBEDTLS_PK_ECKEY) {
    const mbedtls_ecp_group_id id = mbedtls_pk_ec(*pk)->grp.id;
    if (curve_of(id) != POLYTLS_CURVE_NONE) return POLYTLS_OK;
    const mbedtls_ecp_curve_info *info = mbedtls_ecp_curve_info_from_grp_id(id);
    return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                          "EC curve %s is not supported (P-256, P-384 and P-521 are)",
                          info != nullptr ? info->name : "?");
  }
  return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                        "key type %s is not supported (RSA and EC keys are)",
                        mbedtls_pk_get_name(pk));
}

polytls_status key_generate(void *ctx, const polytls_key_spec *spec, polytls_key **out_key,
                            polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    Context *context = context_of(ctx);
    if (context == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_INTERNAL, 0, "key_generate: backend not initialised");
    }
    if (spec == nullptr || out_key == nullptr ||
        !kit::fits_struct(spec->struct_size,
                          offsetof(polytls_key_spec, curve) + sizeof(uint32_t))) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_generate: missing or short spec");
    }
    auto key = std::make_unique<Key>();
    switch (spec->algorithm) {
      case POLYTLS_KEY_RSA: {
        if (spec->rsa_bits != 2048 && spec->rsa_bits != 3072 && spec->rsa_bits != 4096) {
          return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                                "key_generate: RSA size %u is not one of 2048, 3072, 4096",
                                spec->rsa_bits);
        }
        int rc = mbedtls_pk_setup(&key->pk, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA));
        if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "mbedtls_pk_setup(RSA) failed");
        rc = mbedtls_rsa_gen_key(mbedtls_pk_rsa(key->pk), random_bytes, context, spec->rsa_bits,
                                 65537);
        if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "mbedtls_rsa_gen_key failed");
        break;
      }
      case POLYTLS_KEY_EC: {
        mbedtls_ecp_group_id group = MBEDTLS_ECP_DP_NONE;
        switch (spec->curve) {
          case POLYTLS_CURVE_P256: group = MBEDTLS_ECP_DP_SECP256R1; break;
          case POLYTLS_CURVE_P384: group = MBEDTLS_ECP_DP_SECP384R1; break;
          case POLYTLS_CURVE_P521: group = MBEDTLS_ECP_DP_SECP521R1; break;
          default:
            return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                                  "key_generate: unknown EC curve %u", spec->curve);
        }
        int rc = mbedtls_pk_setup(&key->pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
        if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "mbedtls_pk_setup(EC) failed");
        rc = mbedtls_ecp_gen_key(group, mbedtls_pk_ec(key->pk), random_bytes, context);
        if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "mbedtls_ecp_gen_key failed");
        break;
      }
      case POLYTLS_KEY_ED25519:
        return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0, "%s", kNoEd25519);
      default:
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                              "key_generate: unknown key algorithm %u", spec->algorithm);
    }
    key->has_private = true;
    *out_key = kit::to_handle<polytls_key>(key.release());
    return POLYTLS_OK;
  });
}

polytls_status key_import(void *, uint32_t format, polytls_data der, polytls_data,
                          polytls_key **out_key, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    if (out_key == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_import: out_key is NULL");
    }
    const std::span<const unsigned char> bytes = kit::bytes(der);
    const Shape shape = classify(bytes);
    switch (format) {
      case POLYTLS_KEY_FORMAT_PKCS8_ENCRYPTED:
        // Mbed TLS 2.28's PBES2 knows only DES / 3-DES (no AES-CBC OIDs), so
        // the core decrypts PBES2 itself with pbkdf2_hmac and cipher.
        return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, MBEDTLS_ERR_PKCS5_FEATURE_UNAVAILABLE,
                              "key_import: Mbed TLS 2.28 cannot decrypt PBES2 with AES-CBC "
                              "(encrypted PKCS#8 is read by the core)");
      case POLYTLS_KEY_FORMAT_PKCS8:
        if (shape != Shape::kPkcs8) {
          return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                                "key_import: expected a PKCS#8 PrivateKeyInfo, got %s",
                                shape_name(shape));
        }
        break;
      case POLYTLS_KEY_FORMAT_TRADITIONAL:
        if (shape != Shape::kRsaPrivateKey && shape != Shape::kEcPrivateKey) {
          return kit::set_error(
              err, POLYTLS_ERR_BAD_INPUT, 0,
              "key_import: expected a PKCS#1 RSAPrivateKey or SEC1 ECPrivateKey, got %s",
              shape_name(shape));
        }
        break;
      case POLYTLS_KEY_FORMAT_SPKI:
        if (shape != Shape::kSubjectPublicKey) {
          return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                                "key_import: expected a SubjectPublicKeyInfo, got %s",
                                shape_name(shape));
        }
        break;
      default:
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_import: unknown format %u",
                              format);
    }
    if (shape == Shape::kPkcs8 || shape == Shape::kSubjectPublicKey) {
      if (polytls_status status = check_algorithm(bytes, shape, err); status != POLYTLS_OK) {
        return status;
      }
    }

    auto key = std::make_unique<Key>();
    if (shape == Shape::kSubjectPublicKey) {
      const int rc = mbedtls_pk_parse_public_key(&key->pk, bytes.data(), bytes.size());
      if (rc != 0) {
        return fail(err, rc, POLYTLS_ERR_BAD_INPUT, "mbedtls_pk_parse_public_key failed");
      }
      key->has_private = false;
    } else {
      const int rc = mbedtls_pk_parse_key(&key->pk, bytes.data(), bytes.size(), nullptr, 0);
      if (rc != 0) return fail(err, rc, POLYTLS_ERR_BAD_INPUT, "mbedtls_pk_parse_key failed");
      const mbedtls_pk_type_t type = mbedtls_pk_get_type(&key->pk);
      if ((shape == Shape::kRsaPrivateKey && type != MBEDTLS_PK_RSA) ||
          (shape == Shape::kEcPrivateKey && type != MBEDTLS_PK_ECKEY)) {
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_import: %s parsed as a %s key",
                              shape_name(shape), mbedtls_pk_get_name(&key->pk));
      }
      key->has_private = true;
    }
    if (polytls_status status = check_supported_key(&key->pk, err); status != POLYTLS_OK) {
      return status;
    }
    *out_key = kit::to_handle<polytls_key>(key.release());
    return POLYTLS_OK;
  });
}

polytls_status key_export(void *, const polytls_key *key, uint32_t format, polytls_data,
                          const polytls_sink *out, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const Key *k = kit::from_handle<Key>(key);
    if (k == nullptr) return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_export: NULL key");
    switch (format) {
      case POLYTLS_KEY_FORMAT_PKCS8:
      case POLYTLS_KEY_FORMAT_PKCS8_ENCRYPTED:
      case POLYTLS_KEY_FORMAT_TRADITIONAL:
        if (!k->has_private) {
          return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                                "key_export: a private-key format was asked of a public key");
        }
        break;
      case POLYTLS_KEY_FORMAT_SPKI: break;
      default:
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_export: unknown format %u",
                              format);
    }
    mbedtls_pk_context *pk = mutable_pk(k);
    switch (format) {
      case POLYTLS_KEY_FORMAT_PKCS8:
        return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                              "key_export: Mbed TLS 2.28 writes no PKCS#8 "
                              "(mbedtls_pk_write_key_der writes PKCS#1 / SEC1 only)");
      case POLYTLS_KEY_FORMAT_PKCS8_ENCRYPTED:
        return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                              "key_export: Mbed TLS 2.28 cannot write encrypted PKCS#8");
      case POLYTLS_KEY_FORMAT_TRADITIONAL:
        return write_der([pk](unsigned char *buf,
                              std::size_t size) { return mbedtls_pk_write_key_der(pk, buf, size); },
                         out, err, "mbedtls_pk_write_key_der failed");
      default:
        return write_der(
            [pk](unsigned char *buf, std::size_t size) {
              return mbedtls_pk_write_pubkey_der(pk, buf, size);
            },
            out, err, "mbedtls_pk_write_pubkey_der failed");
    }
  });
}

polytls_status key_describe(void *, const polytls_key *key, polytls_key_info *out,
                            polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const Key *k = kit::from_handle<Key>(key);
    if (k == nullptr || out == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_describe: NULL argument");
    }
    if (!kit::fits_struct(out->struct_size,
                          offsetof(polytls_key_info, has_private) + sizeof(out->has_private))) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "key_describe: polytls_key_info too small (%u bytes)",
                            out->struct_size);
    }
    const uint32_t algorithm = key_algorithm(&k->pk);
    uint32_t curve = POLYTLS_CURVE_NONE;
    if (algorithm == POLYTLS_KEY_EC) curve = curve_of(mbedtls_pk_ec(k->pk)->grp.id);
    if (algorithm == 0) {
      return kit::set_error(err, POLYTLS_ERR_INTERNAL, 0, "key_describe: unexpected key type %s",
                            mbedtls_pk_get_name(&k->pk));
    }
    out->algorithm = algorithm;
    out->bits = static_cast<uint32_t>(mbedtls_pk_get_bitlen(&k->pk));
    out->curve = curve;
    out->has_private = k->has_private ? 1u : 0u;
    return POLYTLS_OK;
  });
}

polytls_status key_sign(void *ctx, const polytls_key *key, uint32_t digest_alg,
                        polytls_data message, const polytls_sink *out,
                        polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    Context *context = context_of(ctx);
    const Key *k = kit::from_handle<Key>(key);
    if (context == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_INTERNAL, 0, "key_sign: backend not initialised");
    }
    if (k == nullptr) return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_sign: NULL key");
    const uint32_t algorithm = key_algorithm(&k->pk);
    if (!k->has_private) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_sign: the key has no private half");
    }
    if (const polytls_status st = kit::check_signature_digest(algorithm, digest_alg, false, err);
        st != POLYTLS_OK) {
      return st;
    }
    const mbedtls_md_type_t md = md_type(digest_alg);
    if (md == MBEDTLS_MD_NONE) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_sign: unknown digest %u",
                            digest_alg);
    }
    unsigned char hash[MBEDTLS_MD_MAX_SIZE];
    std::size_t hash_len = 0;
    int rc = hash_message(md, message, hash, &hash_len);
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "hashing the message failed");
    std::vector<unsigned char> signature(MBEDTLS_PK_SIGNATURE_MAX_SIZE);
    std::size_t signature_len = 0;
    {
      std::lock_guard<std::mutex> lock(k->use_mutex);
      rc = mbedtls_pk_sign(mutable_pk(k), md, hash, hash_len, signature.data(), &signature_len,
                           random_bytes, context);
    }
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "mbedtls_pk_sign failed");
    return kit::write_to(out, signature.data(), signature_len);
  });
}

polytls_status key_verify(void *, const polytls_key *key, uint32_t digest_alg, polytls_data message,
                          polytls_data signature, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const Key *k = kit::from_handle<Key>(key);
    if (k == nullptr) return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_verify: NULL key");
    const uint32_t algorithm = key_algorithm(&k->pk);
    if (const polytls_status st = kit::check_signature_digest(algorithm, digest_alg, true, err);
        st != POLYTLS_OK) {
      return st;
    }
    const mbedtls_md_type_t md = md_type(digest_alg);
    if (md == MBEDTLS_MD_NONE) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_verify: unknown digest %u",
                            digest_alg);
    }
    unsigned char hash[MBEDTLS_MD_MAX_SIZE];
    std::size_t hash_len = 0;
    int rc = hash_message(md, message, hash, &hash_len);
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "hashing the message failed");
    if (signature.len == 0) {
      return kit::set_error(err, POLYTLS_ERR_BAD_SIGNATURE, 0, "key_verify: empty signature");
    }
    {
      std::lock_guard<std::mutex> lock(k->use_mutex);
      rc = mbedtls_pk_verify(mutable_pk(k), md, hash, hash_len, signature.data, signature.len);
    }
    if (rc != 0) {
      return fail_as(err, POLYTLS_ERR_BAD_SIGNATURE, rc, "signature does not verify");
    }
    return POLYTLS_OK;
  });
}

void key_free(polytls_key *key) noexcept {
  delete kit::from_handle<Key>(key);
}

}  // namespace polytls::mbedtls
