// keys.cpp: key generation, import, export, description, signing and
// verification with wolfCrypt (RSA, ECDSA on P-256/P-384/P-521, Ed25519).
#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/settings.h>

#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/ed25519.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/random.h>
#include <wolfssl/wolfcrypt/rsa.h>
#include <wolfssl/wolfcrypt/wolfmath.h>

#include <climits>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>

#include "der.hpp"
#include "errors.hpp"
#include "internal.hpp"

namespace polytls::wolfssl {

void RsaFree::operator()(RsaKey *k) const noexcept {
  wc_FreeRsaKey(k);  // zeroes the private integers
  kit::wipe(k, sizeof *k);
  delete k;
}
void EccFree::operator()(ecc_key *k) const noexcept {
  wc_ecc_free(k);  // zeroes the private scalar
  kit::wipe(k, sizeof *k);
  delete k;
}
void Ed25519Free::operator()(ed25519_key *k) const noexcept {
  wc_ed25519_free(k);  // zeroes the whole key
  kit::wipe(k, sizeof *k);
  delete k;
}

namespace {

// Size of the scratch buffers for key DER: an RSA-4096 private key is about
// 2.4 KB in PKCS#8; encryption adds under 200 bytes.
constexpr std::size_t kKeyDerMax = 8192;

// ---- construction ----

polytls_status new_key(uint32_t algorithm, std::unique_ptr<Key> &out, polytls_error *err) {
  auto key = std::make_unique<Key>();
  key->algorithm = algorithm;
  int rc = 0;
  switch (algorithm) {
    case POLYTLS_KEY_RSA: {
      auto *raw = new RsaKey();
      rc = wc_InitRsaKey(raw, nullptr);
      if (rc != 0) {
        delete raw;
        return fail(err, rc, POLYTLS_ERR_INTERNAL, "wc_InitRsaKey");
      }
      key->rsa.reset(raw);
      break;
    }
    case POLYTLS_KEY_EC: {
      auto *raw = new ecc_key();
      rc = wc_ecc_init(raw);
      if (rc != 0) {
        delete raw;
        return fail(err, rc, POLYTLS_ERR_INTERNAL, "wc_ecc_init");
      }
      key->ecc.reset(raw);
      break;
    }
    case POLYTLS_KEY_ED25519: {
      auto *raw = new ed25519_key();
      rc = wc_ed25519_init(raw);
      if (rc != 0) {
        delete raw;
        return fail(err, rc, POLYTLS_ERR_INTERNAL, "wc_ed25519_init");
      }
      key->ed.reset(raw);
      break;
    }
    default:
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "unknown key algorithm %u",
                            static_cast<unsigned>(algorithm));
  }
  out = std::move(key);
  return POLYTLS_OK;
}

// Supported curves: polytls id, wolfCrypt id, field size in bytes, OID.
struct CurveRow {
  uint32_t polytls;
  ecc_curve_id wolf;
  int bytes;
  uint32_t bits;
  der::ByteView oid;
};
constexpr std::uint8_t kOidP256[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
constexpr std::uint8_t kOidP384[] = {0x2b, 0x81, 0x04, 0x00, 0x22};
constexpr std::uint8_t kOidP521[] = {0x2b, 0x81, 0x04, 0x00, 0x23};
const CurveRow kCurves[] = {
    {POLYTLS_CURVE_P256, ECC_SECP256R1, 32, 256, kOidP256},
    {POLYTLS_CURVE_P384, ECC_SECP384R1, 48, 384, kOidP384},
    {POLYTLS_CURVE_P521, ECC_SECP521R1, 66, 521, kOidP521},
};

const CurveRow *curve_by_polytls(uint32_t curve) noexcept {
  for (const CurveRow &row : kCurves) {
    if (row.polytls == curve) return &row;
  }
  return nullptr;
}
const CurveRow *curve_by_wolf(int id) noexcept {
  for (const CurveRow &row : kCurves) {
    if (row.wolf == id) return &row;
  }
  return nullptr;
}
const CurveRow *curve_by_oid(der::ByteView oid) noexcept {
  for (const CurveRow &row : kCurves) {
    if (der::equals(row.oid, oid)) return &row;
  }
  return nullptr;
}

// finish_ec checks that a decoded EC key is on a supported curve, computes
// the public point of a private-only key (an ECPrivateKey may omit it) and
// records the curve.
polytls_status finish_ec(Key &key, polytls_error *err) {
  const CurveRow *row = curve_by_wolf(wc_ecc_get_curve_id(key.ecc->idx));
  if (row == nullptr) {
    return kit::set_error(
        err, POLYTLS_ERR_UNSUPPORTED, 0,
        "EC curve %s is not supported (P-256, P-384 and P-521 are)",
        key.ecc->dp != nullptr && key.ecc->dp->name != nullptr ? key.ecc->dp->name : "(unknown)");
  }
  key.curve = row->polytls;
  if (key.ecc->type == ECC_PRIVATEKEY_ONLY) {
    const int rc = wc_ecc_make_pub(key.ecc.get(), nullptr);
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_BAD_INPUT, "wc_ecc_make_pub");
  }
  key.has_private = key.ecc->type != ECC_PUBLICKEY;
  return POLYTLS_OK;
}

// finish_ed25519 derives the public half when a PKCS#8 key (RFC 8410
// version 1, as OpenSSL writes it) carried only the private seed.
polytls_status finish_ed25519(Key &key, polytls_error *err) {
  ed25519_key *ed = key.ed.get();
  key.has_private = ed->privKeySet != 0;
  if (key.has_private && ed->pubKeySet == 0) {
    std::uint8_t pub[ED25519_PUB_KEY_SIZE];
    kit::SecretBytes seed(ED25519_KEY_SIZE);
    word32 seed_len = ED25519_KEY_SIZE;
    int rc = wc_ed25519_make_public(ed, pub, sizeof pub);
    if (rc == 0) rc = wc_ed25519_export_private_only(ed, seed.data(), &seed_len);
    if (rc == 0) rc = wc_ed25519_import_private_key(seed.data(), seed_len, pub, sizeof pub, ed);
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_BAD_INPUT, "deriving the Ed25519 public key");
  }
  if (ed->pubKeySet == 0) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "Ed25519 key without a public key");
  }
  return POLYTLS_OK;
}

// ---- import ----

// decode_whole runs a wolfCrypt decoder and insists it consumed all of `in`.
template <class Decoder>
int decode_whole(der::ByteView in, Decoder &&decoder) {
  if (in.size() > UINT32_MAX) return BUFFER_E;
  word32 idx = 0;
  const int rc = decoder(in.data(), &idx, static_cast<word32>(in.size()));
  if (rc != 0) return rc;
  return idx == in.size() ? 0 : ASN_PARSE_E;
}

// import_pkcs8 reads a PrivateKeyInfo / OneAsymmetricKey. The algorithm is
// read from its AlgorithmIdentifier before choosing wolfCrypt's decoder.
polytls_status import_pkcs8(der::ByteView in, std::unique_ptr<Key> &out, polytls_error *err) {
  der::Tlv top, version, alg, priv, oid, params;
  bool ok = der::read_exact(in, top) && top.tag == der::kSequence;
  der::Reader fields(ok ? top.value : der::ByteView{});
  ok = ok && fields.next(version) && version.tag == der::kInteger && fields.next(alg) &&
       alg.tag == der::kSequence && fields.next(priv) && priv.tag == der::kOctetString;
  der::Reader alg_fields(ok ? alg.value : der::ByteView{});
  ok = ok && alg_fields.next(oid) && oid.tag == der::kOid;
  const bool has_params = ok && alg_fields.next(params);
  // Optional [0] attributes and [1] publicKey.
  der::Tlv extra;
  while (ok && !fields.empty()) {
    ok = fields.next(extra) && (extra.tag == 0xa0 || extra.tag == 0x81 || extra.tag == 0xa1);
  }
  if (!ok) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "not a DER PKCS#8 PrivateKeyInfo");
  }

  std::unique_ptr<Key> key;
  polytls_status st = POLYTLS_OK;
  if (der::equals(oid.value, der::kOidRsaEncryption)) {
    if ((st = new_key(POLYTLS_KEY_RSA, key, err)) != POLYTLS_OK) return st;
    const int rc = decode_whole(priv.value, [&](const byte *p, word32 *idx, word32 n) {
      return wc_RsaPrivateKeyDecode(p, idx, key->rsa.get(), n);
    });
    if (rc != 0)
      return fail(err, rc, POLYTLS_ERR_BAD_INPUT, "PKCS#8 RSA key: wc_RsaPrivateKeyDecode");
    key->has_private = true;
  } else if (der::equals(oid.value, der::kOidEcPublicKey)) {
    const CurveRow *curve =
        has_params && params.tag == der::kOid ? curve_by_oid(params.value) : nullptr;
    if (curve == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "PKCS#8 EC key: only the named curves P-256, P-384 and P-521 "
                            "are supported");
    }
    if ((st = new_key(POLYTLS_KEY_EC, key, err)) != POLYTLS_OK) return st;
    // The inner ECPrivateKey may omit the curve (it is in the
    // AlgorithmIdentifier); wolfCrypt then picks the curve by the private
    // key's size, which is checked against the AlgorithmIdentifier below.
    const int rc = decode_whole(priv.value, [&](const byte *p, word32 *idx, word32 n) {
      return wc_EccPrivateKeyDecode(p, idx, key->ecc.get(), n);
    });
    if (rc != 0)
      return fail(err, rc, POLYTLS_ERR_BAD_INPUT, "PKCS#8 EC key: wc_EccPrivateKeyDecode");
    if ((st = finish_ec(*key, err)) != POLYTLS_OK) return st;
    if (key->curve != curve->polytls) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "PKCS#8 EC key: the private key does not match the curve %s",
                            key->ecc->dp->name);
    }
  } else if (der::equals(oid.value, der::kOidEd25519)) {
    if ((st = new_key(POLYTLS_KEY_ED25519, key, err)) != POLYTLS_OK) return st;
    const int rc = decode_whole(in, [&](const byte *p, word32 *idx, word32 n) {
      return wc_Ed25519PrivateKeyDecode(p, idx, key->ed.get(), n);
    });
    if (rc != 0) {
      return fail(err, rc, POLYTLS_ERR_BAD_INPUT, "PKCS#8 Ed25519 key: wc_Ed25519PrivateKeyDecode");
    }
    if ((st = finish_ed25519(*key, err)) != POLYTLS_OK) return st;
  } else {
    return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                          "PKCS#8 key algorithm is not supported (RSA, EC and Ed25519 are)");
  }
  out = std::move(key);
  return POLYTLS_OK;
}

// import_traditional reads PKCS#1 RSAPrivateKey or SEC1 ECPrivateKey: the
// second field (INTEGER modulus or OCTET STRING scalar) tells which.
polytls_status import_traditional(der::ByteView in, std::unique_ptr<Key> &out, polytls_error *err) {
  der::Tlv top, version, second;
  bool ok = der::read_exact(in, top) && top.tag == der::kSequence;
  der::Reader fields(ok ? top.value : der::ByteView{});
  ok = ok && fields.next(version) && version.tag == der::kInteger && fields.next(second);
  if (!ok || (second.tag != der::kInteger && second.tag != der::kOctetString)) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "not a DER RSAPrivateKey or ECPrivateKey");
  }
  std::unique_ptr<Key> key;
  polytls_status st = POLYTLS_OK;
  if (second.tag == der::kInteger) {
    if ((st = new_key(POLYTLS_KEY_RSA, key, err)) != POLYTLS_OK) return st;
    const int rc = decode_whole(in, [&](const byte *p, word32 *idx, word32 n) {
      return wc_RsaPrivateKeyDecode(p, idx, key->rsa.get(), n);
    });
    if (rc != 0)
      return fail(err, rc, POLYTLS_ERR_BAD_INPUT, "RSAPrivateKey: wc_RsaPrivateKeyDecode");
    key->has_private = true;
  } else {
    if ((st = new_key(POLYTLS_KEY_EC, key, err)) != POLYTLS_OK) return st;
    const int rc = decode_whole(in, [&](const byte *p, word32 *idx, word32 n) {
      return wc_EccPrivateKeyDecode(p, idx, key->ecc.get(), n);
    });
    if (rc != 0)
      return fail(err, rc, POLYTLS_ERR_BAD_INPUT, "ECPrivateKey: wc_EccPrivateKeyDecode");
    if ((st = finish_ec(*key, err)) != POLYTLS_OK) return st;
  }
  out = std::move(key);
  return POLYTLS_OK;
}

// Encryption schemes wc_DecryptPKCS8Key handles in this wolfSSL build
// (checked against OpenSSL's output): PBES2 with PBKDF2 (PRF hmacWithSHA1 or
// hmacWithSHA256) and AES-128-CBC, AES-256-CBC, DES-CBC or DES-EDE3-CBC;
// PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC and pbeWithSHAAnd128BitRC4; PBES1
// pbeWithMD5AndDES-CBC and pbeWithSHA1AndDES-CBC. Anything else (scrypt,
// AES-192, hmacWithSHA384/512, Camellia...) makes wolfSSL fail with a parse
// error that would read as a wrong passphrase, so it is refused up front.
constexpr std::uint8_t kOidPbes2[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d};
constexpr std::uint8_t kOidPbkdf2[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c};
constexpr std::uint8_t kOidHmacSha1[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x07};
constexpr std::uint8_t kOidHmacSha256[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x09};
constexpr std::uint8_t kOidAes128Cbc[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x02};
constexpr std::uint8_t kOidAes256Cbc[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a};
constexpr std::uint8_t kOidDesEde3Cbc[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x03, 0x07};
constexpr std::uint8_t kOidDesCbc[] = {0x2b, 0x0e, 0x03, 0x02, 0x07};
constexpr std::uint8_t kOidPbeSha1Des3[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                            0x0d, 0x01, 0x0c, 0x01, 0x03};
constexpr std::uint8_t kOidPbeSha1Rc4[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                           0x0d, 0x01, 0x0c, 0x01, 0x01};
constexpr std::uint8_t kOidPbeMd5Des[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x03};
constexpr std::uint8_t kOidPbeSha1Des[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0a};

bool any_of(der::ByteView oid, std::initializer_list<der::ByteView> choices) {
  for (const der::ByteView c : choices) {
    if (der::equals(oid, c)) return true;
  }
  return false;
}

// scheme_supported reads the AlgorithmIdentifier of an
// EncryptedPrivateKeyInfo: `oid` and the rest of its contents `params`.
bool scheme_supported(der::ByteView oid, der::ByteView params) {
  if (!der::equals(oid, kOidPbes2)) {
    return any_of(oid, {kOidPbeSha1Des3, kOidPbeSha1Rc4, kOidPbeMd5Des, kOidPbeSha1Des});
  }
  der::Tlv seq, kdf, enc, kdf_oid, kdf_params, enc_oid;
  if (!der::read_exact(params, seq) || seq.tag != der::kSequence) return false;
  der::Reader parts(seq.value);
  if (!parts.next(kdf) || !parts.next(enc) || !parts.empty()) return false;
  der::Reader kdf_parts(kdf.value);
  if (!kdf_parts.next(kdf_oid) || !der::equals(kdf_oid.value, kOidPbkdf2) ||
      !kdf_parts.next(kdf_params) || kdf_params.tag != der::kSequence) {
    return false;
  }
  // PBKDF2-params: salt, iterationCount, keyLength OPTIONAL, prf DEFAULT SHA-1.
  der::Reader fields(kdf_params.value);
  der::Tlv field;
  while (fields.next(field)) {
    if (field.tag != der::kSequence) continue;
    der::Tlv prf;
    if (!der::read(field.value, prf) || !any_of(prf.value, {kOidHmacSha1, kOidHmacSha256})) {
      return false;
    }
  }
  der::Reader enc_parts(enc.value);
  return enc_parts.next(enc_oid) &&
         any_of(enc_oid.value, {kOidAes128Cbc, kOidAes256Cbc, kOidDesEde3Cbc, kOidDesCbc});
}

// import_encrypted decrypts an EncryptedPrivateKeyInfo with
// wc_DecryptPKCS8Key (PBES2 with PBKDF2 + AES/3DES, and the PKCS#12 / PBES1
// schemes wolfSSL knows) and reads the PrivateKeyInfo inside.
polytls_status import_encrypted(der::ByteView in, polytls_data passphrase,
                                std::unique_ptr<Key> &out, polytls_error *err) {
  der::Tlv top, alg, data, oid;
  bool ok = der::read_exact(in, top) && top.tag == der::kSequence;
  der::Reader fields(ok ? top.value : der::ByteView{});
  ok = ok && fields.next(alg) && alg.tag == der::kSequence && fields.next(data) &&
       data.tag == der::kOctetString && fields.empty();
  der::Reader alg_fields(ok ? alg.value : der::ByteView{});
  ok = ok && alg_fields.next(oid) && oid.tag == der::kOid;
  if (!ok) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                          "not a DER PKCS#8 EncryptedPrivateKeyInfo");
  }
  const der::ByteView params = alg.value.subspan(oid.whole.size());
  if (!scheme_supported(oid.value, params)) {
    return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                          "encrypted PKCS#8: wolfSSL 5.5 decrypts PBES2 with PBKDF2 "
                          "(HMAC-SHA1/SHA256) and AES-128/256-CBC or (3)DES-CBC, and the "
                          "PKCS#12 3DES/RC4 and PBES1 DES schemes, not this one");
  }
  if (passphrase.len > INT_MAX || in.size() > UINT32_MAX) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "input too large");
  }
  // wc_DecryptPKCS8Key decrypts in place: work on a copy that is wiped.
  kit::SecretBytes buf(in.size());
  std::memcpy(buf.data(), in.data(), in.size());
  kit::SecretBytes pass(passphrase.len + 1);
  if (passphrase.len > 0) std::memcpy(pass.data(), passphrase.data, passphrase.len);
  pass.data()[passphrase.len] = 0;
  const int rc = wc_DecryptPKCS8Key(buf.data(), static_cast<word32>(buf.size()),
                                    reinterpret_cast<const char *>(pass.data()),
                                    static_cast<int>(passphrase.len));
  if (rc == NOT_COMPILED_IN || rc == ASN_UNKNOWN_OID_E || rc == ALGO_ID_E ||
      rc == ASN_OBJECT_ID_E) {
    return fail(err, rc, POLYTLS_ERR_UNSUPPORTED,
                "encrypted PKCS#8: encryption scheme not supported by wolfSSL");
  }
  if (rc <= 0) {
    // wolfSSL cannot tell a wrong passphrase from corrupt ciphertext: both end
    // in a padding or ASN.1 error after decryption.
    return kit::set_error(err, POLYTLS_ERR_BAD_PASSPHRASE, rc,
                          "encrypted PKCS#8: decryption failed (wrong passphrase?): %s "
                          "(wolfSSL error %d)",
                          error_text(rc), rc);
  }
  std::unique_ptr<Key> key;
  polytls_error inner{};
  inner.struct_size = sizeof inner;
  const polytls_status st =
      import_pkcs8(der::ByteView(buf.data(), static_cast<std::size_t>(rc)), key, &inner);
  if (st == POLYTLS_ERR_UNSUPPORTED) {
    return kit::set_error(err, st, inner.library_code, "%s", inner.detail);
  }
  if (st != POLYTLS_OK) {
    return kit::set_error(err, POLYTLS_ERR_BAD_PASSPHRASE, inner.library_code,
                          "encrypted PKCS#8: the decrypted data is not a private key (wrong "
                          "passphrase?): %s",
                          inner.detail);
  }
  out = std::move(key);
  return POLYTLS_OK;
}

// ---- export ----

// write_traditional writes PKCS#1 / SEC1 (with the named curve and public key).
polytls_status write_traditional(const Key &key, kit::SecretBytes &out, polytls_error *err) {
  out = kit::SecretBytes(kKeyDerMax);
  int rc = 0;
  if (key.rsa) {
    rc = wc_RsaKeyToDer(key.rsa.get(), out.data(), static_cast<word32>(out.size()));
  } else if (key.ecc) {
    rc = wc_EccKeyToDer(key.ecc.get(), out.data(), static_cast<word32>(out.size()));
  } else {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                          "Ed25519 keys have no traditional encoding; use PKCS#8");
  }
  if (rc <= 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "writing the traditional key");
  out.resize(static_cast<std::size_t>(rc));
  return POLYTLS_OK;
}

// write_pkcs8 writes an unencrypted PrivateKeyInfo.
polytls_status write_pkcs8(const Key &key, kit::SecretBytes &out, polytls_error *err) {
  int rc = 0;
  if (key.rsa) {
    kit::SecretBytes trad;
    const polytls_status st = write_traditional(key, trad, err);
    if (st != POLYTLS_OK) return st;
    out = kit::SecretBytes(kKeyDerMax);
    word32 len = static_cast<word32>(out.size());
    rc = wc_CreatePKCS8Key(out.data(), &len, trad.data(), static_cast<word32>(trad.size()), RSAk,
                           nullptr, 0);
    if (rc > 0) rc = static_cast<int>(len);
  } else if (key.ecc) {
    out = kit::SecretBytes(kKeyDerMax);
    word32 len = static_cast<word32>(out.size());
    rc = wc_EccKeyToPKCS8(key.ecc.get(), out.data(), &len);
    if (rc > 0) rc = static_cast<int>(len);
  } else {
    // RFC 8410 version 1 (private seed only), as OpenSSL writes it.
    out = kit::SecretBytes(kKeyDerMax);
    rc = wc_Ed25519PrivateKeyToDer(key.ed.get(), out.data(), static_cast<word32>(out.size()));
  }
  if (rc <= 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "writing the PKCS#8 key");
  out.resize(static_cast<std::size_t>(rc));
  return POLYTLS_OK;
}

// write_spki writes the SubjectPublicKeyInfo.
polytls_status write_spki(const Key &key, Bytes &out, polytls_error *err) {
  out.resize(kKeyDerMax);
  const word32 cap = static_cast<word32>(out.size());
  int rc = 0;
  if (key.rsa) {
    rc = wc_RsaKeyToPublicDer(key.rsa.get(), out.data(), cap);
  } else if (key.ecc) {
    rc = wc_EccPublicKeyToDer(key.ecc.get(), out.data(), cap, 1);
  } else {
    rc = wc_Ed25519PublicKeyToDer(key.ed.get(), out.data(), cap, 1);
  }
  if (rc <= 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "writing the SubjectPublicKeyInfo");
  out.resize(static_cast<std::size_t>(rc));
  return POLYTLS_OK;
}

// Encrypted PKCS#8 export parameters. wc_EncryptPKCS8Key writes PBES2 with
// PBKDF2 and the chosen cipher, but has no PRF parameter: its PBKDF2
// parameters omit the PRF, i.e. the default hmacWithSHA1 (RFC 8018).
constexpr int kPbkdf2Iterations = 2048;
constexpr std::size_t kSaltLen = 16;

polytls_status write_encrypted(Context &ctx, const Key &key, polytls_data passphrase, Bytes &out,
                               polytls_error *err) {
  if (passphrase.len == 0 || passphrase.data == nullptr) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                          "an encrypted PKCS#8 export needs a non-empty passphrase");
  }
  if (passphrase.len > INT_MAX) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "passphrase too long");
  }
  kit::SecretBytes p8;
  polytls_status st = write_pkcs8(key, p8, err);
  if (st != POLYTLS_OK) return st;
  // wolfSSL 5.5.4's wc_EncryptPKCS8Key adds PKCS#7 padding only when the
  // input is not already a multiple of the AES block: a block-aligned
  // PrivateKeyInfo (an Ed25519 key is 48 bytes) would be encrypted with no
  // padding block, which OpenSSL rejects ("bad decrypt"). For such an input
  // the full padding block is appended here, so the ciphertext is exactly
  // what PKCS#7 prescribes.
  if (p8.size() % AES_BLOCK_SIZE == 0) {
    const std::size_t len = p8.size();
    p8.resize(len + AES_BLOCK_SIZE);
    std::memset(p8.data() + len, AES_BLOCK_SIZE, AES_BLOCK_SIZE);
  }
  Bytes enc(p8.size() + 512);
  word32 len = static_cast<word32>(enc.size());
  std::uint8_t salt[kSaltLen];
  int rc = 0;
  {
    RngLock lock(ctx);
    rc = wc_RNG_GenerateBlock(lock.rng(), salt, sizeof salt);
    if (rc == 0) {
      rc = wc_EncryptPKCS8Key(p8.data(), static_cast<word32>(p8.size()), enc.data(), &len,
                              reinterpret_cast<const char *>(passphrase.data),
                              static_cast<int>(passphrase.len), PKCS5, PBES2, AES256CBCb, salt,
                              sizeof salt, kPbkdf2Iterations, lock.rng(), nullptr);
    }
  }
  if (rc <= 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "wc_EncryptPKCS8Key");
  enc.resize(static_cast<std::size_t>(rc));
  out = std::move(enc);
  return POLYTLS_OK;
}

// ---- signatures ----

const std::uint8_t kEmpty = 0;

// Digest is what RSA/ECDSA sign: the message's hash (wc_Hash) for ECDSA
// (wc_ecc_sign_hash), and for RSA the DER DigestInfo around it
// (wc_EncodeSignature) for PKCS#1 v1.5 (wc_RsaSSL_Sign). The one-shot
// wc_SignatureGenerate/Verify would do both but reject an empty message
// (BAD_FUNC_ARG), and their *Hash variants cannot take a DigestInfo.
class Digest {
 public:
  int compute(uint32_t digest, polytls_data message, bool digest_info) {
    const wc_HashType type = hash_type(digest);
    const int size = wc_HashGetDigestSize(type);
    if (size <= 0) return size < 0 ? size : HASH_TYPE_E;
    byte hash[WC_MAX_DIGEST_SIZE];
    int rc = wc_Hash(type, message.len > 0 ? message.data : &kEmpty,
                     static_cast<word32>(message.len), hash, static_cast<word32>(size));
    if (rc != 0) return rc;
    if (!digest_info) {
      std::memcpy(bytes_, hash, static_cast<std::size_t>(size));
      size_ = static_cast<word32>(size);
      return 0;
    }
    int oid = 0;
    switch (digest) {
      case POLYTLS_DIGEST_SHA1: oid = SHAh; break;
      case POLYTLS_DIGEST_SHA256: oid = SHA256h; break;
      case POLYTLS_DIGEST_SHA384: oid = SHA384h; break;
      default: oid = SHA512h; break;
    }
    size_ = wc_EncodeSignature(bytes_, hash, static_cast<word32>(size), oid);
    return size_ > 0 ? 0 : ASN_PARSE_E;
  }
  const byte *data() const noexcept { return bytes_; }
  word32 size() const noexcept { return size_; }

 private:
  byte bytes_[MAX_ENCODED_SIG_SZ] = {};
  word32 size_ = 0;
};

const std::uint8_t *data_or_empty(polytls_data d) noexcept {
  return d.len > 0 ? d.data : &kEmpty;
}

}  // namespace

// ---- shared ----

polytls_status import_spki(ByteView in, std::unique_ptr<Key> &out, polytls_error *err) {
  der::Tlv top, alg, bits, oid;
  bool ok = der::read_exact(in, top) && top.tag == der::kSequence;
  der::Reader fields(ok ? top.value : der::ByteView{});
  ok = ok && fields.next(alg) && alg.tag == der::kSequence && fields.next(bits) &&
       bits.tag == der::kBitString && fields.empty();
  der::Reader alg_fields(ok ? alg.value : der::ByteView{});
  ok = ok && alg_fields.next(oid) && oid.tag == der::kOid;
  if (!ok) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "not a DER SubjectPublicKeyInfo");
  }
  std::unique_ptr<Key> key;
  polytls_status st = POLYTLS_OK;
  int rc = 0;
  if (der::equals(oid.value, der::kOidRsaEncryption)) {
    if ((st = new_key(POLYTLS_KEY_RSA, key, err)) != POLYTLS_OK) return st;
    rc = decode_whole(in, [&](const byte *p, word32 *idx, word32 n) {
      return wc_RsaPublicKeyDecode(p, idx, key->rsa.get(), n);
    });
  } else if (der::equals(oid.value, der::kOidEcPublicKey)) {
    if ((st = new_key(POLYTLS_KEY_EC, key, err)) != POLYTLS_OK) return st;
    rc = decode_whole(in, [&](const byte *p, word32 *idx, word32 n) {
      return wc_EccPublicKeyDecode(p, idx, key->ecc.get(), n);
    });
  } else if (der::equals(oid.value, der::kOidEd25519)) {
    if ((st = new_key(POLYTLS_KEY_ED25519, key, err)) != POLYTLS_OK) return st;
    // wolfSSL 5.5.4's wc_Ed25519PublicKeyDecode succeeds without advancing
    // the index past the key, so consumption is checked on the framing read
    // above instead: the BIT STRING must be exactly the 32-byte key.
    if (bits.value.size() != 1 + ED25519_PUB_KEY_SIZE || bits.value[0] != 0) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "Ed25519 public key is not 32 bytes");
    }
    word32 idx = 0;
    rc = wc_Ed25519PublicKeyDecode(in.data(), &idx, key->ed.get(), static_cast<word32>(in.size()));
  } else {
    return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                          "public key algorithm is not supported (RSA, EC and Ed25519 are)");
  }
  if (rc != 0) return fail(err, rc, POLYTLS_ERR_BAD_INPUT, "decoding the SubjectPublicKeyInfo");
  if (key->ecc && (st = finish_ec(*key, err)) != POLYTLS_OK) return st;
  key->has_private = false;
  out = std::move(key);
  return POLYTLS_OK;
}

polytls_status import_certified_key(word32 key_oid, ByteView in, std::unique_ptr<Key> &out,
                                    polytls_error *err) {
  if (key_oid == ECDSAk) return import_spki(in, out, err);
  std::unique_ptr<Key> key;
  polytls_status st = POLYTLS_OK;
  int rc = 0;
  if (key_oid == RSAk) {
    if ((st = new_key(POLYTLS_KEY_RSA, key, err)) != POLYTLS_OK) return st;
    rc = decode_whole(in, [&](const byte *p, word32 *idx, word32 n) {
      return wc_RsaPublicKeyDecode(p, idx, key->rsa.get(), n);
    });
  } else if (key_oid == ED25519k) {
    if ((st = new_key(POLYTLS_KEY_ED25519, key, err)) != POLYTLS_OK) return st;
    rc = in.size() == ED25519_PUB_KEY_SIZE
             ? wc_ed25519_import_public(in.data(), static_cast<word32>(in.size()), key->ed.get())
             : BAD_FUNC_ARG;
  } else {
    return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                          "certified key algorithm is not supported (RSA, EC and Ed25519 are)");
  }
  if (rc != 0) return fail(err, rc, POLYTLS_ERR_BAD_INPUT, "decoding the certified public key");
  key->has_private = false;
  out = std::move(key);
  return POLYTLS_OK;
}

int cert_key_type(const Key &key) noexcept {
  if (key.rsa) return RSA_TYPE;
  if (key.ecc) return ECC_TYPE;
  return ED25519_TYPE;
}

void *cert_key_pointer(const Key &key) noexcept {
  if (key.rsa) return key.rsa.get();
  if (key.ecc) return key.ecc.get();
  return key.ed.get();
}

std::uint32_t key_bits(const Key &key) noexcept {
  if (key.rsa) return static_cast<std::uint32_t>(mp_count_bits(&key.rsa->n));
  if (key.ecc) {
    const CurveRow *row = curve_by_wolf(wc_ecc_get_curve_id(key.ecc->idx));
    return row != nullptr ? row->bits : 0;
  }
  return 256;
}

// ---- table members ----

polytls_status key_generate(void *ctx, const polytls_key_spec *spec, polytls_key **out_key,
                            polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    FpCacheRelease fp_cache;
    if (ctx == nullptr || spec == nullptr || out_key == nullptr ||
        !kit::fits_struct(spec->struct_size,
                          offsetof(polytls_key_spec, curve) + sizeof(spec->curve))) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_generate: bad arguments");
    }
    Context &c = *context(ctx);
    std::unique_ptr<Key> key;
    polytls_status st = POLYTLS_OK;
    int rc = 0;
    switch (spec->algorithm) {
      case POLYTLS_KEY_RSA: {
        if (spec->rsa_bits != 2048 && spec->rsa_bits != 3072 && spec->rsa_bits != 4096) {
          return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                                "RSA keys are 2048, 3072 or 4096 bits, not %u",
                                static_cast<unsigned>(spec->rsa_bits));
        }
        if ((st = new_key(POLYTLS_KEY_RSA, key, err)) != POLYTLS_OK) return st;
        RngLock lock(c);
        rc = wc_MakeRsaKey(key->rsa.get(), static_cast<int>(spec->rsa_bits), WC_RSA_EXPONENT,
                           lock.rng());
        break;
      }
      case POLYTLS_KEY_EC: {
        const CurveRow *curve = curve_by_polytls(spec->curve);
        if (curve == nullptr) {
          return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                                "EC keys need a curve: P-256, P-384 or P-521 (got %u)",
                                static_cast<unsigned>(spec->curve));
        }
        if ((st = new_key(POLYTLS_KEY_EC, key, err)) != POLYTLS_OK) return st;
        key->curve = curve->polytls;
        RngLock lock(c);
        rc = wc_ecc_make_key_ex(lock.rng(), curve->bytes, key->ecc.get(), curve->wolf);
        break;
      }
      case POLYTLS_KEY_ED25519: {
        if ((st = new_key(POLYTLS_KEY_ED25519, key, err)) != POLYTLS_OK) return st;
        RngLock lock(c);
        rc = wc_ed25519_make_key(lock.rng(), ED25519_KEY_SIZE, key->ed.get());
        break;
      }
      default:
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "unknown key algorithm %u",
                              static_cast<unsigned>(spec->algorithm));
    }
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "key generation");
    key->has_private = true;
    *out_key = kit::to_handle<polytls_key>(key.release());
    return POLYTLS_OK;
  });
}

polytls_status key_import(void * /*ctx*/, uint32_t format, polytls_data der,
                          polytls_data passphrase, polytls_key **out_key,
                          polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    FpCacheRelease fp_cache;
    if (out_key == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_import: out_key is NULL");
    }
    const ByteView in = kit::bytes(der);
    std::unique_ptr<Key> key;
    polytls_status st = POLYTLS_OK;
    switch (format) {
      case POLYTLS_KEY_FORMAT_PKCS8: st = import_pkcs8(in, key, err); break;
      case POLYTLS_KEY_FORMAT_PKCS8_ENCRYPTED:
        st = import_encrypted(in, passphrase, key, err);
        break;
      case POLYTLS_KEY_FORMAT_TRADITIONAL: st = import_traditional(in, key, err); break;
      case POLYTLS_KEY_FORMAT_SPKI: st = import_spki(in, key, err); break;
      default:
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "unknown key format %u",
                              static_cast<unsigned>(format));
    }
    if (st != POLYTLS_OK) return st;
    *out_key = kit::to_handle<polytls_key>(key.release());
    return POLYTLS_OK;
  });
}

polytls_status key_export(void *ctx, const polytls_key *key, uint32_t format,
                          polytls_data passphrase, const polytls_sink *out,
                          polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    FpCacheRelease fp_cache;
    const Key *k = kit::from_handle<Key>(key);
    if (k == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_export: no key");
    }
    if (format == POLYTLS_KEY_FORMAT_SPKI) {
      Bytes spki;
      const polytls_status st = write_spki(*k, spki, err);
      if (st != POLYTLS_OK) return st;
      return kit::write_to(out, spki.data(), spki.size());
    }
    if (format != POLYTLS_KEY_FORMAT_PKCS8 && format != POLYTLS_KEY_FORMAT_PKCS8_ENCRYPTED &&
        format != POLYTLS_KEY_FORMAT_TRADITIONAL) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "unknown key format %u",
                            static_cast<unsigned>(format));
    }
    if (!k->has_private) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "a public-only key has no private encoding");
    }
    if (format == POLYTLS_KEY_FORMAT_PKCS8_ENCRYPTED) {
      if (ctx == nullptr) {
        return kit::set_error(err, POLYTLS_ERR_INTERNAL, 0, "key_export: no backend context");
      }
      Bytes enc;
      const polytls_status st = write_encrypted(*context(ctx), *k, passphrase, enc, err);
      if (st != POLYTLS_OK) return st;
      return kit::write_to(out, enc.data(), enc.size());
    }
    kit::SecretBytes der;
    const polytls_status st = format == POLYTLS_KEY_FORMAT_PKCS8 ? write_pkcs8(*k, der, err)
                                                                 : write_traditional(*k, der, err);
    if (st != POLYTLS_OK) return st;
    return kit::write_to(out, der.data(), der.size());
  });
}

polytls_status key_describe(void * /*ctx*/, const polytls_key *key, polytls_key_info *out,
                            polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const Key *k = kit::from_handle<Key>(key);
    if (k == nullptr || out == nullptr ||
        !kit::fits_struct(out->struct_size,
                          offsetof(polytls_key_info, has_private) + sizeof(out->has_private))) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_describe: bad arguments");
    }
    out->algorithm = k->algorithm;
    out->bits = key_bits(*k);
    out->curve = k->algorithm == POLYTLS_KEY_EC ? k->curve : POLYTLS_CURVE_NONE;
    out->has_private = k->has_private ? 1u : 0u;
    return POLYTLS_OK;
  });
}

polytls_status key_sign(void *ctx, const polytls_key *key, uint32_t digest, polytls_data message,
                        const polytls_sink *out, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    FpCacheRelease fp_cache;
    const Key *k = kit::from_handle<Key>(key);
    if (k == nullptr || ctx == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_sign: no key");
    }
    if (!k->has_private) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cannot sign with a public-only key");
    }
    polytls_status st = kit::check_signature_digest(k->algorithm, digest, false, err);
    if (st != POLYTLS_OK) return st;
    if (message.len > UINT32_MAX || (message.len > 0 && message.data == nullptr)) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_sign: bad message");
    }
    const word32 len = static_cast<word32>(message.len);
    if (k->ed) {
      std::uint8_t sig[ED25519_SIG_SIZE];
      word32 sig_len = sizeof sig;
      const int rc = wc_ed25519_sign_msg(data_or_empty(message), len, sig, &sig_len, k->ed.get());
      if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "wc_ed25519_sign_msg");
      return kit::write_to(out, sig, sig_len);
    }
    Digest hash;
    int rc = hash.compute(digest, message, k->rsa != nullptr);
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "wc_Hash");
    Bytes sig(k->rsa ? static_cast<std::size_t>(wc_RsaEncryptSize(k->rsa.get()))
                     : static_cast<std::size_t>(wc_ecc_sig_size(k->ecc.get())));
    word32 sig_len = static_cast<word32>(sig.size());
    {
      RngLock lock(*context(ctx));
      if (k->rsa) {
        rc =
            wc_RsaSSL_Sign(hash.data(), hash.size(), sig.data(), sig_len, k->rsa.get(), lock.rng());
        if (rc > 0) {
          sig_len = static_cast<word32>(rc);
          rc = 0;
        }
      } else {
        rc = wc_ecc_sign_hash(hash.data(), hash.size(), sig.data(), &sig_len, lock.rng(),
                              k->ecc.get());
      }
    }
    if (rc != 0)
      return fail(err, rc, POLYTLS_ERR_INTERNAL, k->rsa ? "wc_RsaSSL_Sign" : "wc_ecc_sign_hash");
    return kit::write_to(out, sig.data(), sig_len);
  });
}

polytls_status key_verify(void * /*ctx*/, const polytls_key *key, uint32_t digest,
                          polytls_data message, polytls_data signature,
                          polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    FpCacheRelease fp_cache;
    const Key *k = kit::from_handle<Key>(key);
    if (k == nullptr) return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_verify: no key");
    polytls_status st = kit::check_signature_digest(k->algorithm, digest, true, err);
    if (st != POLYTLS_OK) return st;
    if (message.len > UINT32_MAX || (message.len > 0 && message.data == nullptr) ||
        (signature.len > 0 && signature.data == nullptr)) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "key_verify: bad message");
    }
    if (signature.len == 0 || signature.len > UINT32_MAX) {
      return kit::set_error(err, POLYTLS_ERR_BAD_SIGNATURE, 0,
                            "signature of %zu bytes does not verify", signature.len);
    }
    const word32 len = static_cast<word32>(message.len);
    const word32 sig_len = static_cast<word32>(signature.len);
    int rc = 0;
    if (k->ed) {
      if (signature.len != ED25519_SIG_SIZE) {
        return kit::set_error(err, POLYTLS_ERR_BAD_SIGNATURE, 0,
                              "Ed25519 signature must be 64 bytes, not %zu", signature.len);
      }
      int res = 0;
      rc = wc_ed25519_verify_msg(signature.data, sig_len, data_or_empty(message), len, &res,
                                 k->ed.get());
      if (rc == 0 && res == 1) return POLYTLS_OK;
      if (rc == 0) rc = SIG_VERIFY_E;
    } else {
      Digest hash;
      rc = hash.compute(digest, message, k->rsa != nullptr);
      if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "wc_Hash");
      if (k->rsa) {
        // wc_RsaSSL_Verify undoes the type-1 padding; the recovered
        // DigestInfo must equal the expected one.
        Bytes recovered(static_cast<std::size_t>(wc_RsaEncryptSize(k->rsa.get())));
        rc = wc_RsaSSL_Verify(signature.data, sig_len, recovered.data(),
                              static_cast<word32>(recovered.size()), k->rsa.get());
        if (rc >= 0) {
          rc = static_cast<word32>(rc) == hash.size() &&
                       std::memcmp(recovered.data(), hash.data(), hash.size()) == 0
                   ? 0
                   : SIG_VERIFY_E;
        }
      } else {
        int res = 0;
        rc = wc_ecc_verify_hash(signature.data, sig_len, hash.data(), hash.size(), &res,
                                k->ecc.get());
        if (rc == 0 && res != 1) rc = SIG_VERIFY_E;
      }
      if (rc == 0) return POLYTLS_OK;
    }
    return kit::set_error(err, signature_status_for(rc), rc,
                          "signature does not verify: %s (wolfSSL error %d)", error_text(rc), rc);
  });
}

void key_free(polytls_key *key) noexcept {
  delete kit::from_handle<Key>(key);
}

}  // namespace polytls::wolfssl
