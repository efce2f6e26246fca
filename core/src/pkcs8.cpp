#include "pkcs8.hpp"

#include <array>
#include <cstring>

#include "random.hpp"

namespace polytls::detail {
namespace {

using der::Bytes;
using der::Reader;
using der::Tlv;
using der::View;

const Bytes &oid_pbes2() {
  static const Bytes v = der::oid("1.2.840.113549.1.5.13");
  return v;
}
const Bytes &oid_pbkdf2() {
  static const Bytes v = der::oid("1.2.840.113549.1.5.12");
  return v;
}

struct CipherInfo {
  const char *oid;
  uint32_t id;
  std::size_t key_len;
  std::size_t iv_len;
};
constexpr CipherInfo kCiphers[] = {
    {"2.16.840.1.101.3.4.1.2", POLYTLS_CIPHER_AES_128_CBC, 16, 16},
    {"2.16.840.1.101.3.4.1.22", POLYTLS_CIPHER_AES_192_CBC, 24, 16},
    {"2.16.840.1.101.3.4.1.42", POLYTLS_CIPHER_AES_256_CBC, 32, 16},
    {"1.2.840.113549.3.7", POLYTLS_CIPHER_DES_EDE3_CBC, 24, 8},
};

struct PrfInfo {
  const char *oid;
  uint32_t digest;
};
constexpr PrfInfo kPrfs[] = {
    {"1.2.840.113549.2.7", POLYTLS_DIGEST_SHA1},
    {"1.2.840.113549.2.9", POLYTLS_DIGEST_SHA256},
    {"1.2.840.113549.2.10", POLYTLS_DIGEST_SHA384},
    {"1.2.840.113549.2.11", POLYTLS_DIGEST_SHA512},
};

bool same(View a, View b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size()) == 0;
}

Error bad(std::string_view why) {
  return Error(ErrorCode::bad_input, "encrypted private key: " + std::string(why));
}

// Primitive calls through the backend, with the core's error wording.
Result<void> derive(const BackendState &backend, uint32_t digest, std::string_view passphrase,
                    View salt, uint32_t iterations, std::span<uint8_t> out) {
  auto fn = POLYTLS_MEMBER(backend, pbkdf2_hmac);
  if (fn == nullptr || !backend.has(POLYTLS_FEATURE_PBKDF2)) return backend.unsupported("PBKDF2");
  polytls_error err = new_error();
  const polytls_status st = fn(backend.ctx, digest, as_data(passphrase), as_data(salt), iterations,
                               out.data(), out.size(), &err);
  if (st != POLYTLS_OK) return backend.error(st, err, "PBKDF2 failed");
  return ok();
}

Result<kit::SecretBytes> run_cipher(const BackendState &backend, uint32_t algorithm, bool encrypt,
                                    View key, View iv, View input) {
  auto fn = POLYTLS_MEMBER(backend, cipher);
  if (fn == nullptr || !backend.has(POLYTLS_FEATURE_CIPHER)) return backend.unsupported("AES-CBC");
  kit::SecretBytes out(input.size() + 16);
  std::size_t out_len = 0;
  polytls_error err = new_error();
  const polytls_status st = fn(backend.ctx, algorithm, encrypt ? 1u : 0u, as_data(key), as_data(iv),
                               as_data(input), out.data(), out.size(), &out_len, &err);
  if (st != POLYTLS_OK) {
    if (!encrypt && st == POLYTLS_ERR_BAD_INPUT) {
      return Error(ErrorCode::bad_passphrase,
                   "cannot decrypt the private key: wrong passphrase (bad padding)", backend.name,
                   err.library_code, err.detail);
    }
    return backend.error(st, err, encrypt ? "encryption failed" : "decryption failed");
  }
  if (out_len > out.size()) return Error(ErrorCode::internal, "cipher overran its buffer");
  out.resize(out_len);
  return out;
}

}  // namespace

Result<uint32_t> classify_key_der(View input) {
  auto outer = der::parse_single(input, der::kSequence, "key");
  if (!outer) return Error(ErrorCode::bad_input, "not a DER key: " + outer.error().message());
  Reader fields(outer->content);
  const uint8_t first = fields.peek_tag();
  if (first == der::kInteger) {
    POLYTLS_TRY(Tlv version, fields.read());
    const uint8_t second = fields.peek_tag();
    if (second == der::kSequence) return POLYTLS_KEY_FORMAT_PKCS8;
    if (second == der::kInteger) return POLYTLS_KEY_FORMAT_TRADITIONAL;  // RSAPrivateKey
    if (second == der::kOctetString && version.content.size() == 1 && version.content[0] == 1) {
      return POLYTLS_KEY_FORMAT_TRADITIONAL;  // ECPrivateKey
    }
  } else if (first == der::kSequence) {
    POLYTLS_TRY(Tlv algorithm, fields.read());
    (void)algorithm;
    const uint8_t second = fields.peek_tag();
    if (second == der::kBitString) return POLYTLS_KEY_FORMAT_SPKI;
    if (second == der::kOctetString) return POLYTLS_KEY_FORMAT_PKCS8_ENCRYPTED;
  }
  return Error(ErrorCode::bad_input,
               "not a key in a known format (PKCS#8, encrypted PKCS#8, PKCS#1, SEC1, "
               "SubjectPublicKeyInfo)");
}

Result<kit::SecretBytes> wrap_pkcs8(View traditional, KeyAlgorithm algorithm, EcCurve curve) {
  Bytes algorithm_id;
  if (algorithm == KeyAlgorithm::rsa) {
    const Bytes o = der::oid("1.2.840.113549.1.1.1");
    const Bytes n = der::null();
    algorithm_id = der::sequence({der::view(o), der::view(n)});
  } else if (algorithm == KeyAlgorithm::ec) {
    const char *curve_oid = curve == EcCurve::p256   ? "1.2.840.10045.3.1.7"
                            : curve == EcCurve::p384 ? "1.3.132.0.34"
                            : curve == EcCurve::p521 ? "1.3.132.0.35"
                                                     : nullptr;
    if (curve_oid == nullptr) return Error(ErrorCode::bad_input, "EC key without a named curve");
    const Bytes o = der::oid("1.2.840.10045.2.1");
    const Bytes c = der::oid(curve_oid);
    algorithm_id = der::sequence({der::view(o), der::view(c)});
  } else {
    return Error(ErrorCode::bad_input, "only RSA and EC keys have a PKCS#1/SEC1 form to wrap");
  }
  const Bytes version = der::small_integer(0);
  // Build the PrivateKeyInfo in a wiping buffer: it holds the private key.
  Bytes octets = der::octet_string(traditional);
  Bytes body = der::concat({der::view(version), der::view(algorithm_id), der::view(octets)});
  kit::wipe(octets.data(), octets.size());
  Bytes whole = der::tlv(der::kSequence, body);
  kit::SecretBytes out(whole.size());
  std::memcpy(out.data(), whole.data(), whole.size());
  kit::wipe(whole.data(), whole.size());
  kit::wipe(body.data(), body.size());
  return out;
}

Result<Bytes> pbes2_encrypt(const BackendState &backend, View private_key_info,
                            std::string_view passphrase) {
  if (passphrase.empty())
    return Error(ErrorCode::bad_input, "an empty passphrase encrypts nothing");
  std::array<uint8_t, 16> salt{};
  std::array<uint8_t, 16> iv{};
  POLYTLS_CHECK(random_bytes(salt));
  POLYTLS_CHECK(random_bytes(iv));
  kit::SecretBytes key(32);
  POLYTLS_CHECK(derive(backend, POLYTLS_DIGEST_SHA256, passphrase, salt, kPbes2Iterations,
                       {key.data(), key.size()}));
  POLYTLS_TRY(kit::SecretBytes ciphertext,
              run_cipher(backend, POLYTLS_CIPHER_AES_256_CBC, true, {key.data(), key.size()}, iv,
                         private_key_info));

  const Bytes salt_der = der::octet_string(salt);
  const Bytes iterations = der::small_integer(kPbes2Iterations);
  const Bytes prf_oid = der::oid("1.2.840.113549.2.9");
  const Bytes null = der::null();
  const Bytes prf = der::sequence({der::view(prf_oid), der::view(null)});
  const Bytes kdf_params =
      der::sequence({der::view(salt_der), der::view(iterations), der::view(prf)});
  const Bytes kdf = der::sequence({der::view(oid_pbkdf2()), der::view(kdf_params)});
  const Bytes aes_oid = der::oid("2.16.840.1.101.3.4.1.42");
  const Bytes iv_der = der::octet_string(iv);
  const Bytes scheme = der::sequence({der::view(aes_oid), der::view(iv_der)});
  const Bytes params = der::sequence({der::view(kdf), der::view(scheme)});
  const Bytes algorithm = der::sequence({der::view(oid_pbes2()), der::view(params)});
  const Bytes data = der::octet_string({ciphertext.data(), ciphertext.size()});
  return der::sequence({der::view(algorithm), der::view(data)});
}

Result<kit::SecretBytes> pbes2_decrypt(const BackendState &backend, View encrypted,
                                       std::string_view passphrase) {
  POLYTLS_TRY(Tlv outer, der::parse_single(encrypted, der::kSequence, "EncryptedPrivateKeyInfo"));
  Reader top(outer.content);
  POLYTLS_TRY(Tlv algorithm, top.expect(der::kSequence, "encryptionAlgorithm"));
  POLYTLS_TRY(Tlv data, top.expect(der::kOctetString, "encryptedData"));
  POLYTLS_CHECK(top.expect_end("EncryptedPrivateKeyInfo"));

  Reader alg(algorithm.content);
  POLYTLS_TRY(Tlv alg_oid, alg.expect(der::kOid, "encryption algorithm"));
  if (!same(alg_oid.encoding, der::view(oid_pbes2()))) {
    return Error(ErrorCode::unsupported,
                 "encrypted private key uses " + der::oid_to_string(alg_oid.content) +
                     ", not PBES2; re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`");
  }
  POLYTLS_TRY(Tlv params, alg.expect(der::kSequence, "PBES2 parameters"));
  Reader p(params.content);
  POLYTLS_TRY(Tlv kdf, p.expect(der::kSequence, "keyDerivationFunc"));
  POLYTLS_TRY(Tlv scheme, p.expect(der::kSequence, "encryptionScheme"));
  POLYTLS_CHECK(p.expect_end("PBES2 parameters"));

  Reader k(kdf.content);
  POLYTLS_TRY(Tlv kdf_oid, k.expect(der::kOid, "key derivation function"));
  if (!same(kdf_oid.encoding, der::view(oid_pbkdf2()))) {
    return Error(ErrorCode::unsupported, "PBES2 key derivation " +
                                             der::oid_to_string(kdf_oid.content) +
                                             " is not supported (only PBKDF2)");
  }
  POLYTLS_TRY(Tlv kdf_params, k.expect(der::kSequence, "PBKDF2 parameters"));
  Reader kp(kdf_params.content);
  POLYTLS_TRY(Tlv salt, kp.expect(der::kOctetString, "PBKDF2 salt"));
  POLYTLS_TRY(Tlv iter_tlv, kp.expect(der::kInteger, "PBKDF2 iteration count"));
  POLYTLS_TRY(uint64_t iterations, der::read_small_unsigned(iter_tlv, "PBKDF2 iteration count"));
  std::size_t key_length = 0;
  if (kp.peek_tag() == der::kInteger) {
    POLYTLS_TRY(Tlv len_tlv, kp.read());
    POLYTLS_TRY(uint64_t len, der::read_small_unsigned(len_tlv, "PBKDF2 key length"));
    key_length = static_cast<std::size_t>(len);
  }
  uint32_t prf_digest = POLYTLS_DIGEST_SHA1;  // the default PRF is hmacWithSHA1
  if (kp.peek_tag() == der::kSequence) {
    POLYTLS_TRY(Tlv prf, kp.read());
    Reader pr(prf.content);
    POLYTLS_TRY(Tlv prf_oid, pr.expect(der::kOid, "PBKDF2 PRF"));
    prf_digest = 0;
    for (const PrfInfo &info : kPrfs) {
      if (same(prf_oid.encoding, der::view(der::oid(info.oid)))) prf_digest = info.digest;
    }
    if (prf_digest == 0) {
      return Error(ErrorCode::unsupported,
                   "PBKDF2 PRF " + der::oid_to_string(prf_oid.content) + " is not supported");
    }
  }
  POLYTLS_CHECK(kp.expect_end("PBKDF2 parameters"));
  if (iterations == 0 || iterations > kPbes2MaxIterations) {
    return bad("PBKDF2 iteration count " + std::to_string(iterations) + " is out of range");
  }

  Reader s(scheme.content);
  POLYTLS_TRY(Tlv cipher_oid, s.expect(der::kOid, "encryption scheme"));
  POLYTLS_TRY(Tlv iv, s.expect(der::kOctetString, "encryption IV"));
  POLYTLS_CHECK(s.expect_end("encryption scheme"));
  const CipherInfo *cipher = nullptr;
  for (const CipherInfo &info : kCiphers) {
    if (same(cipher_oid.encoding, der::view(der::oid(info.oid)))) cipher = &info;
  }
  if (cipher == nullptr) {
    return Error(ErrorCode::unsupported, "PBES2 cipher " + der::oid_to_string(cipher_oid.content) +
                                             " is not supported (AES-CBC, DES-EDE3-CBC are)");
  }
  if (iv.content.size() != cipher->iv_len) return bad("IV has the wrong length");
  if (key_length != 0 && key_length != cipher->key_len)
    return bad("key length does not fit the cipher");
  if (data.content.empty() || data.content.size() % cipher->iv_len != 0) {
    return bad("ciphertext length is not a whole number of blocks");
  }

  kit::SecretBytes key(cipher->key_len);
  POLYTLS_CHECK(derive(backend, prf_digest, passphrase, salt.content,
                       static_cast<uint32_t>(iterations), {key.data(), key.size()}));
  return run_cipher(backend, cipher->id, false, {key.data(), key.size()}, iv.content, data.content);
}

}  // namespace polytls::detail
