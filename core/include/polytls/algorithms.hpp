// polytls/algorithms.hpp: key types, digests and signature algorithms.
#ifndef POLYTLS_ALGORITHMS_HPP
#define POLYTLS_ALGORITHMS_HPP

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "polytls/result.hpp"

namespace polytls {

// KeyAlgorithm is the family of a key.
enum class KeyAlgorithm : uint32_t { rsa = 1, ec = 2, ed25519 = 3 };

// EcCurve names an elliptic curve.
enum class EcCurve : uint32_t { none = 0, p256 = 1, p384 = 2, p521 = 3 };

// KeyType is a key polytls can generate, as named on the command line.
enum class KeyType { rsa2048, rsa3072, rsa4096, ecdsa_p256, ecdsa_p384, ed25519 };

// kAllKeyTypes lists every KeyType, in the order shown to users.
inline constexpr std::array<KeyType, 6> kAllKeyTypes = {KeyType::rsa2048,    KeyType::rsa3072,
                                                        KeyType::rsa4096,    KeyType::ecdsa_p256,
                                                        KeyType::ecdsa_p384, KeyType::ed25519};

// to_string names a key type as the command line does: "rsa2048", "ecdsa-p256", "ed25519".
std::string_view to_string(KeyType type) noexcept;
std::string_view to_string(KeyAlgorithm algorithm) noexcept;  // "RSA", "EC", "Ed25519"
std::string_view to_string(EcCurve curve) noexcept;           // "P-256", ...

// parse_key_type reads a key type name; an unknown name is `bad_input`
// listing the names that exist.
Result<KeyType> parse_key_type(std::string_view name);

// algorithm_of, rsa_bits_of and curve_of decompose a KeyType.
KeyAlgorithm algorithm_of(KeyType type) noexcept;
uint32_t rsa_bits_of(KeyType type) noexcept;  // 0 unless RSA
EcCurve curve_of(KeyType type) noexcept;      // none unless EC

// key_type_of finds the KeyType for an algorithm and size, if there is one
// (an RSA-1024 key read from a file has none).
std::optional<KeyType> key_type_of(KeyAlgorithm algorithm, uint32_t bits) noexcept;

// DigestAlgorithm is a hash function. SHA-1 is accepted for verifying only.
enum class DigestAlgorithm : uint32_t { sha1 = 1, sha256 = 2, sha384 = 3, sha512 = 4 };
std::string_view to_string(DigestAlgorithm digest) noexcept;  // "SHA-256"
// parse_digest reads "sha256", "SHA-256", "sha384", "sha512".
Result<DigestAlgorithm> parse_digest(std::string_view name);

// SignatureAlgorithm is a certificate's signature algorithm.
enum class SignatureAlgorithm : uint32_t {
  unknown = 0,
  rsa_pkcs1_sha1 = 1,
  rsa_pkcs1_sha256 = 2,
  rsa_pkcs1_sha384 = 3,
  rsa_pkcs1_sha512 = 4,
  ecdsa_sha1 = 5,
  ecdsa_sha256 = 6,
  ecdsa_sha384 = 7,
  ecdsa_sha512 = 8,
  ed25519 = 9,
  rsa_pss = 10,
};
// to_string uses the names OpenSSL prints: "sha256WithRSAEncryption",
// "ecdsa-with-SHA256", "ED25519", "rsassaPss".
std::string_view to_string(SignatureAlgorithm algorithm) noexcept;

}  // namespace polytls

#endif  // POLYTLS_ALGORITHMS_HPP
