// keys.cpp: key generation, import/export, description, signing and
// verification with GnuTLS's x509 private keys (gnutls_x509_privkey_*: PKCS#8,
// PKCS#1, SEC1) and abstract keys (gnutls_privkey_* / gnutls_pubkey_*).
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <climits>
#include <cstddef>
#include <cstring>
#include <memory>

#include "errors.hpp"
#include "internal.hpp"

namespace polytls::gnutls {
namespace {

// curve_of maps a GnuTLS curve to POLYTLS_CURVE_* and its field bits;
// POLYTLS_CURVE_NONE for a curve this backend does not handle.
uint32_t curve_of(gnutls_ecc_curve_t curve, uint32_t &bits) noexcept {
  switch (curve) {
    case GNUTLS_ECC_CURVE_SECP256R1: bits = 256; return POLYTLS_CURVE_P256;
    case GNUTLS_ECC_CURVE_SECP384R1: bits = 384; return POLYTLS_CURVE_P384;
    case GNUTLS_ECC_CURVE_SECP521R1: bits = 521; return POLYTLS_CURVE_P521;
    default: return POLYTLS_CURVE_NONE;
  }
}

// describe fills algorithm, curve and bits from the public half, or says
// why the key is not one this backend handles.
polytls_status describe(gnutls_pubkey_t pub, Key &key, polytls_error *err) {
  unsigned int bits = 0;
  const int pk = gnutls_pubkey_get_pk_algorithm(pub, &bits);
  switch (pk) {
    case GNUTLS_PK_RSA:
      key.algorithm = POLYTLS_KEY_RSA;
      key.curve = POLYTLS_CURVE_NONE;
      key.bits = bits;
      return POLYTLS_OK;
    case GNUTLS_PK_ECDSA: {
      gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
      Datum x;
      Datum y;
      const int rc = gnutls_pubkey_export_ecc_raw2(pub, &curve, x.get(), y.get(), 0);
      if (rc < 0) {
        return fail(err, rc, Domain::crypto, POLYTLS_ERR_BAD_INPUT,
                    "reading the EC key's curve failed");
      }
      uint32_t field_bits = 0;
      key.curve = curve_of(curve, field_bits);
      if (key.curve == POLYTLS_CURVE_NONE) {
        const char *name = gnutls_ecc_curve_get_name(curve);
        return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                              "EC keys on curve %s are not supported by the GnuTLS backend "
                              "(P-256, P-384 and P-521 are)",
                              name != nullptr ? name : "(unknown)");
      }
      key.algorithm = POLYTLS_KEY_EC;
      key.bits = field_bits;
      return POLYTLS_OK;
    }
    case GNUTLS_PK_EDDSA_ED25519:
      key.algorithm = POLYTLS_KEY_ED25519;
      key.curve = POLYTLS_CURVE_NONE;
      key.bits = 256;
      return POLYTLS_OK;
    default: {
      if (pk < 0) {
        return fail(err, pk, Domain::crypto, POLYTLS_ERR_BAD_INPUT,
                    "reading the key's algorithm failed");
      }
      const char *name = gnutls_pk_get_name(static_cast<gnutls_pk_algorithm_t>(pk));
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, pk,
                            "%s keys are not supported by the GnuTLS backend (RSA, EC and "
                            "Ed25519 are)",
                            name != nullptr ? name : "unknown");
    }
  }
}

polytls_status finish_key(std::unique_ptr<Key> key, polytls_key **out_key) noexcept {
  *out_key = kit::to_handle<polytls_key>(key.release());
  return POLYTLS_OK;
}

// passphrase_string copies the passphrase bytes into a NUL-terminated
// secret buffer, as GnuTLS takes a C string. An embedded NUL cannot be
// passed: false.
bool passphrase_string(polytls_data passphrase, kit::SecretBytes &out) {
  const std::span<const unsigned char> bytes = kit::bytes(passphrase);
  if (std::memchr(bytes.data(), 0, bytes.size()) != nullptr) return false;
  out.resize(bytes.size() + 1);
  if (!bytes.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
  out.data()[bytes.size()] = 0;
  return true;
}

// looks_traditional tells whether `der` is shaped like an RSAPrivateKey or
// ECPrivateKey (SEQUENCE { INTEGER, INTEGER | OCTET STRING, ... }) rather
// than a PrivateKeyInfo (SEQUENCE { INTEGER, SEQUENCE, ... }):
// gnutls_x509_privkey_import falls back to PKCS#8 by itself, and a wrong
// format tag must be refused. Only headers are read; GnuTLS parses the rest.
bool looks_traditional(std::span<const unsigned char> der) noexcept {
  std::size_t pos = 0;
  // skip_header moves `pos` past one TLV header and returns the content length.
  auto header = [&](unsigned char &tag, std::size_t &len) -> bool {
    if (pos + 2 > der.size()) return false;
    tag = der[pos++];
    const unsigned char first = der[pos++];
    if (first < 0x80) {
      len = first;
    } else {
      const std::size_t n = first & 0x7F;
      if (n == 0 || n > 4 || pos + n > der.size()) return false;
      len = 0;
      for (std::size_t i = 0; i < n; ++i)
        len = (len << 8) | der[pos++];
    }
    return len <= der.size() - pos;
  };
  unsigned char tag = 0;
  std::size_t len = 0;
  if (!header(tag, len) || tag != 0x30) return false;
  if (!header(tag, len) || tag != 0x02) return false;  // version
  pos += len;
  if (!header(tag, len)) return false;
  return tag == 0x02 || tag == 0x04;  // RSA modulus, or the EC private key
}

// write_datum sends a GnuTLS-allocated buffer to the sink.
polytls_status write_datum(const polytls_sink *out, const Datum &d) noexcept {
  return kit::write_to(out, d.data(), d.size());
}

}  // namespace

// ---- shared with x509.cpp (internal.hpp) ----

polytls_status make_private_key(X509PrivKey x509, std::unique_ptr<Key> &out, polytls_error *err) {
  gnutls_privkey_t priv_raw = nullptr;
  int rc = gnutls_privkey_init(&priv_raw);
  if (rc < 0) return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "gnutls_privkey_init");
  PrivKey priv{priv_raw};
  // A copy: the abstract key signs, the x509 key stays for export.
  rc = gnutls_privkey_import_x509(priv.get(), x509.get(), GNUTLS_PRIVKEY_IMPORT_COPY);
  if (rc < 0) {
    return fail(err, rc, Domain::crypto, POLYTLS_ERR_BAD_INPUT, "gnutls_privkey_import_x509");
  }
  gnutls_pubkey_t pub_raw = nullptr;
  rc = gnutls_pubkey_init(&pub_raw);
  if (rc < 0) return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "gnutls_pubkey_init");
  PubKey pub{pub_raw};
  rc = gnutls_pubkey_import_privkey(pub.get(), priv.get(), 0, 0);
  if (rc < 0) {
    return fail(err, rc, Domain::crypto, POLYTLS_ERR_BAD_INPUT,
                "deriving the public key (gnutls_pubkey_import_privkey) failed");
  }
  auto key = std::make_unique<Key>();
  const polytls_status status = describe(pub.get(), *key, err);
  if (status != POLYTLS_OK) return status;
  key->x509 = std::move(x509);
  key->priv = std::move(priv);
  key->pub = std::move(pub);
  key->has_private = true;
  out = std::move(key);
  return POLYTLS_OK;
}

polytls_status make_public_key(PubKey pub, std::unique_ptr<Key> &out, polytls_error *err) {
  auto key = std::make_unique<Key>();
  const polytls_status status = describe(pub.get(), *key, err);
  if (status != POLYTLS_OK) return status;
  key->pub = std::move(pub);
  key->has_private = false;
  out = std::move(key);
  return POLYTLS_OK;
}

// ---- table members ----

polytls_status key_generate(void *, const polytls_key_spec *spec, polytls_key **out_key,
                            polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    if (spec == nullptr || out_key == nullptr ||
        !kit::fits_struct(spec->struct_size,
                          offsetof(polytls_key_spec, curve) + sizeof(spec->curve))) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_generate: bad arguments");
    }
    gnutls_pk_algorithm_t pk = GNUTLS_PK_UNKNOWN;
    unsigned int bits = 0;
    switch (spec->algorithm) {
      case POLYTLS_KEY_RSA:
        if (spec->rsa_bits != 2048 && spec->rsa_bits != 3072 && spec->rsa_bits != 4096) {
          return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                                "RSA keys are 2048, 3072 or 4096 bits, not %u", spec->rsa_bits);
        }
        pk = GNUTLS_PK_RSA;
        bits = spec->rsa_bits;
        break;
      case POLYTLS_KEY_EC:
        pk = GNUTLS_PK_ECDSA;
        switch (spec->curve) {
          case POLYTLS_CURVE_P256: bits = GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1); break;
          case POLYTLS_CURVE_P384: bits = GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1); break;
          case POLYTLS_CURVE_P521: bits = GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP521R1); break;
          default:
            return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "unknown EC curve %u",
                                  spec->curve);
        }
        break;
      case POLYTLS_KEY_ED25519:
        pk = GNUTLS_PK_EDDSA_ED25519;
        bits = GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_ED25519);
        break;
      default:
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "unknown key algorithm %u",
                              spec->algorithm);
    }
    gnutls_x509_privkey_t raw = nullptr;
    int rc = gnutls_x509_privkey_init(&raw);
    if (rc < 0) {
      return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "gnutls_x509_privkey_init");
    }
    X509PrivKey x509{raw};
    // RSA keys get e = 65537, GnuTLS's only public exponent.
    rc = gnutls_x509_privkey_generate2(x509.get(), pk, bits, 0, nullptr, 0);
    if (rc < 0) {
      return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "generating the key failed");
    }
    std::unique_ptr<Key> key;
    const polytls_status status = make_private_key(std::move(x509), key, err);
    if (status != POLYTLS_OK) return status;
    return finish_key(std::move(key), out_key);
  });
}

polytls_status key_import(void *, uint32_t format, polytls_data der, polytls_data passphrase,
                          polytls_key **out_key, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    if (out_key == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_import: no output");
    }
    const std::span<const unsigned char> bytes = kit::bytes(der);
    if (!is_one_der_object(bytes)) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "the key is not exactly one DER object (empty, truncated or "
                            "trailing bytes)");
    }
    const gnutls_datum_t data = as_datum(bytes);
    std::unique_ptr<Key> key;

    if (format == POLYTLS_KEY_FORMAT_SPKI) {
      gnutls_pubkey_t raw = nullptr;
      int rc = gnutls_pubkey_init(&raw);
      if (rc < 0) return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "gnutls_pubkey_init");
      PubKey pub{raw};
      rc = gnutls_pubkey_import(pub.get(), &data, GNUTLS_X509_FMT_DER);
      if (rc < 0) {
        return fail(err, rc, Domain::crypto, POLYTLS_ERR_BAD_INPUT,
                    "not a DER SubjectPublicKeyInfo");
      }
      const polytls_status status = make_public_key(std::move(pub), key, err);
      if (status != POLYTLS_OK) return status;
      return finish_key(std::move(key), out_key);
    }

    gnutls_x509_privkey_t raw = nullptr;
    int rc = gnutls_x509_privkey_init(&raw);
    if (rc < 0) {
      return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "gnutls_x509_privkey_init");
    }
    X509PrivKey x509{raw};
    switch (format) {
      case POLYTLS_KEY_FORMAT_PKCS8:
        rc = gnutls_x509_privkey_import_pkcs8(x509.get(), &data, GNUTLS_X509_FMT_DER, nullptr,
                                              GNUTLS_PKCS_PLAIN);
        if (rc < 0) {
          return fail(err, rc, Domain::crypto, POLYTLS_ERR_BAD_INPUT,
                      "not a DER PKCS#8 PrivateKeyInfo");
        }
        break;
      case POLYTLS_KEY_FORMAT_PKCS8_ENCRYPTED: {
        // gnutls_pkcs8_info reads the EncryptedPrivateKeyInfo without
        // decrypting: failing there is malformed input; failing after it
        // is (almost always) the passphrase.
        unsigned int schema = 0;
        unsigned int cipher = 0;
        unsigned int iterations = 0;
        char *oid = nullptr;
        rc = gnutls_pkcs8_info(&data, GNUTLS_X509_FMT_DER, &schema, &cipher, nullptr, nullptr,
                               &iterations, &oid);
        gnutls_free(oid);
        if (rc < 0) {
          polytls_status status = POLYTLS_ERR_BAD_INPUT;
          if (rc == GNUTLS_E_UNKNOWN_CIPHER_TYPE || rc == GNUTLS_E_UNKNOWN_HASH_ALGORITHM ||
              rc == GNUTLS_E_UNKNOWN_ALGORITHM) {
            status = POLYTLS_ERR_UNSUPPORTED;
          } else if (rc == GNUTLS_E_MEMORY_ERROR || rc == GNUTLS_E_INTERNAL_ERROR) {
            status = POLYTLS_ERR_INTERNAL;
          }
          return fail_as(err, rc, status,
                         "not a DER PKCS#8 EncryptedPrivateKeyInfo GnuTLS can read");
        }
        if (schema == GNUTLS_PKCS_PLAIN) {
          return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                                "the key is not encrypted (plain PKCS#8)");
        }
        kit::SecretBytes pass;
        if (!passphrase_string(passphrase, pass)) {
          return kit::set_error(err, POLYTLS_ERR_BAD_PASSPHRASE, 0,
                                "a passphrase with a NUL byte cannot be used with GnuTLS");
        }
        rc = gnutls_x509_privkey_import_pkcs8(x509.get(), &data, GNUTLS_X509_FMT_DER,
                                              reinterpret_cast<const char *>(pass.data()), 0);
        if (rc < 0) {
          // A wrong passphrase shows as GNUTLS_E_DECRYPTION_FAILED, or as
          // a DER error in the garbage it decrypted to.
          polytls_status status = POLYTLS_ERR_BAD_PASSPHRASE;
          if (rc == GNUTLS_E_MEMORY_ERROR || rc == GNUTLS_E_INTERNAL_ERROR) {
            status = POLYTLS_ERR_INTERNAL;
          } else if (rc == GNUTLS_E_UNKNOWN_PK_ALGORITHM || rc == GNUTLS_E_ECC_UNSUPPORTED_CURVE ||
                     rc == GNUTLS_E_UNKNOWN_CIPHER_TYPE || rc == GNUTLS_E_UNKNOWN_HASH_ALGORITHM) {
            status = POLYTLS_ERR_UNSUPPORTED;
          }
          return fail_as(err, rc, status, "decrypting the PKCS#8 key failed (wrong passphrase?)");
        }
        break;
      }
      case POLYTLS_KEY_FORMAT_TRADITIONAL:
        if (!looks_traditional(bytes)) {
          return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                                "not a DER RSAPrivateKey or ECPrivateKey");
        }
        rc = gnutls_x509_privkey_import(x509.get(), &data, GNUTLS_X509_FMT_DER);
        if (rc < 0) {
          return fail(err, rc, Domain::crypto, POLYTLS_ERR_BAD_INPUT,
                      "not a DER RSAPrivateKey or ECPrivateKey");
        }
        break;
      default:
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "unknown key format %u", format);
    }
    const polytls_status status = make_private_key(std::move(x509), key, err);
    if (status != POLYTLS_OK) return status;
    return finish_key(std::move(key), out_key);
  });
}

polytls_status key_export(void *, const polytls_key *key, uint32_t format, polytls_data passphrase,
                          const polytls_sink *out, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const Key *k = kit::from_handle<Key>(key);
    if (k == nullptr || out == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_export: bad arguments");
    }
    if (format == POLYTLS_KEY_FORMAT_SPKI) {
      Datum spki;
      const int rc = gnutls_pubkey_export2(k->pub.get(), GNUTLS_X509_FMT_DER, spki.get());
      if (rc < 0) {
        return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "gnutls_pubkey_export2");
      }
      return write_datum(out, spki);
    }
    if (format != POLYTLS_KEY_FORMAT_PKCS8 && format != POLYTLS_KEY_FORMAT_PKCS8_ENCRYPTED &&
        format != POLYTLS_KEY_FORMAT_TRADITIONAL) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "unknown key format %u", format);
    }
    if (!k->has_private) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "a public-only key has no private key to export");
    }
    Datum result(true);
    int rc = 0;
    switch (format) {
      case POLYTLS_KEY_FORMAT_PKCS8:
        rc = gnutls_x509_privkey_export2_pkcs8(k->x509.get(), GNUTLS_X509_FMT_DER, nullptr,
                                               GNUTLS_PKCS_PLAIN, result.get());
        if (rc < 0) {
          return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "exporting PKCS#8 failed");
        }
        break;
      case POLYTLS_KEY_FORMAT_PKCS8_ENCRYPTED: {
        if (passphrase.len == 0) {
          return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                                "an encrypted key needs a non-empty passphrase");
        }
        kit::SecretBytes pass;
        if (!passphrase_string(passphrase, pass)) {
          return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                                "a passphrase with a NUL byte cannot be used with GnuTLS");
        }
        // PBES2 with PBKDF2 (HMAC-SHA256, GnuTLS's choice for its AES
        // schemes), AES-256-CBC, a random salt and IV.
        rc = gnutls_x509_privkey_export2_pkcs8(k->x509.get(), GNUTLS_X509_FMT_DER,
                                               reinterpret_cast<const char *>(pass.data()),
                                               GNUTLS_PKCS_PBES2_AES_256, result.get());
        if (rc < 0) {
          return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL,
                      "exporting encrypted PKCS#8 failed");
        }
        break;
      }
      default:  // POLYTLS_KEY_FORMAT_TRADITIONAL
        if (k->algorithm == POLYTLS_KEY_ED25519) {
          return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                                "Ed25519 keys have no traditional form; use PKCS#8");
        }
        // PKCS#1 RSAPrivateKey or SEC1 ECPrivateKey (with the named curve
        // and the public key).
        rc = gnutls_x509_privkey_export2(k->x509.get(), GNUTLS_X509_FMT_DER, result.get());
        if (rc < 0) {
          return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL,
                      "exporting the traditional key failed");
        }
        break;
    }
    return write_datum(out, result);
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
    if (message.len > UINT_MAX) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_sign: message too long");
    }
    const gnutls_sign_algorithm_t algo = sign_algorithm_for(k->algorithm, digest);
    const gnutls_datum_t data = as_datum(kit::bytes(message));
    Datum signature;
    // The backend hashes: RSA PKCS#1 v1.5, ECDSA (DER Ecdsa-Sig-Value), pure Ed25519.
    const int rc = gnutls_privkey_sign_data2(k->priv.get(), algo, 0, &data, signature.get());
    if (rc < 0) return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "signing failed");
    return write_datum(out, signature);
  });
}

polytls_status key_verify(void *, const polytls_key *key, uint32_t digest, polytls_data message,
                          polytls_data signature, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const Key *k = kit::from_handle<Key>(key);
    if (k == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_verify: bad arguments");
    }
    if (const polytls_status s = kit::check_signature_digest(k->algorithm, digest, true, err);
        s != POLYTLS_OK) {
      return s;
    }
    if (message.len > UINT_MAX) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_verify: message too long");
    }
    if (signature.len == 0 || signature.len > UINT_MAX) {
      return kit::set_error(err, POLYTLS_ERR_BAD_SIGNATURE, 0,
                            "the signature is empty or too long");
    }
    const gnutls_sign_algorithm_t algo = sign_algorithm_for(k->algorithm, digest);
    const gnutls_datum_t data = as_datum(kit::bytes(message));
    const gnutls_datum_t sig = as_datum(kit::bytes(signature));
    // SHA-1 is allowed for verification (the ABI's rule), which GnuTLS
    // refuses unless told.
    const unsigned flags = digest == POLYTLS_DIGEST_SHA1 ? GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1 : 0;
    const int rc = gnutls_pubkey_verify_data2(k->pub.get(), algo, flags, &data, &sig);
    if (rc >= 0) return POLYTLS_OK;
    // Any failure of the check itself (wrong value, malformed DER signature,
    // wrong size) is a bad signature; only resource failures differ.
    if (rc == GNUTLS_E_MEMORY_ERROR || rc == GNUTLS_E_INTERNAL_ERROR) {
      return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "verifying the signature");
    }
    return fail_as(err, rc, POLYTLS_ERR_BAD_SIGNATURE, "the signature does not verify");
  });
}

void key_free(polytls_key *key) noexcept {
  // gnutls_x509_privkey_deinit and gnutls_privkey_deinit clear the key
  // material (zeroize_key) before freeing it.
  delete kit::from_handle<Key>(key);
}

}  // namespace polytls::gnutls
