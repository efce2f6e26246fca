#include "polytls/algorithms.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace polytls {

std::string_view to_string(KeyType type) noexcept {
  switch (type) {
    case KeyType::rsa2048: return "rsa2048";
    case KeyType::rsa3072: return "rsa3072";
    case KeyType::rsa4096: return "rsa4096";
    case KeyType::ecdsa_p256: return "ecdsa-p256";
    case KeyType::ecdsa_p384: return "ecdsa-p384";
    case KeyType::ed25519: return "ed25519";
    default: return "unknown";
  }
}

std::string_view to_string(KeyAlgorithm algorithm) noexcept {
  switch (algorithm) {
    case KeyAlgorithm::rsa: return "RSA";
    case KeyAlgorithm::ec: return "EC";
    case KeyAlgorithm::ed25519: return "Ed25519";
    default: return "unknown";
  }
}

std::string_view to_string(EcCurve curve) noexcept {
  switch (curve) {
    case EcCurve::p256: return "P-256";
    case EcCurve::p384: return "P-384";
    case EcCurve::p521: return "P-521";
    default: return "none";
  }
}

Result<KeyType> parse_key_type(std::string_view name) {
  for (KeyType type : kAllKeyTypes) {
    if (to_string(type) == name) return type;
  }
  std::string names;
  for (KeyType type : kAllKeyTypes) {
    if (!names.empty()) names += ", ";
    names += to_string(type);
  }
  return Error(ErrorCode::bad_input,
               "unknown key type '" + std::string(name) + "' (known: " + names + ")");
}

KeyAlgorithm algorithm_of(KeyType type) noexcept {
  switch (type) {
    case KeyType::ecdsa_p256:
    case KeyType::ecdsa_p384: return KeyAlgorithm::ec;
    case KeyType::ed25519: return KeyAlgorithm::ed25519;
    default: return KeyAlgorithm::rsa;
  }
}

uint32_t rsa_bits_of(KeyType type) noexcept {
  switch (type) {
    case KeyType::rsa2048: return 2048;
    case KeyType::rsa3072: return 3072;
    case KeyType::rsa4096: return 4096;
    default: return 0;
  }
}

EcCurve curve_of(KeyType type) noexcept {
  switch (type) {
    case KeyType::ecdsa_p256: return EcCurve::p256;
    case KeyType::ecdsa_p384: return EcCurve::p384;
    default: return EcCurve::none;
  }
}

std::optional<KeyType> key_type_of(KeyAlgorithm algorithm, uint32_t bits) noexcept {
  switch (algorithm) {
    case KeyAlgorithm::rsa:
      if (bits == 2048) return KeyType::rsa2048;
      if (bits == 3072) return KeyType::rsa3072;
      if (bits == 4096) return KeyType::rsa4096;
      return std::nullopt;
    case KeyAlgorithm::ec:
      if (bits == 256) return KeyType::ecdsa_p256;
      if (bits == 384) return KeyType::ecdsa_p384;
      return std::nullopt;
    case KeyAlgorithm::ed25519: return KeyType::ed25519;
    default: return std::nullopt;
  }
}

std::string_view to_string(DigestAlgorithm digest) noexcept {
  switch (digest) {
    case DigestAlgorithm::sha1: return "SHA-1";
    case DigestAlgorithm::sha256: return "SHA-256";
    case DigestAlgorithm::sha384: return "SHA-384";
    case DigestAlgorithm::sha512: return "SHA-512";
    default: return "unknown";
  }
}

Result<DigestAlgorithm> parse_digest(std::string_view name) {
  std::string norm;
  for (char c : name) {
    if (c != '-') norm += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (norm == "sha256") return DigestAlgorithm::sha256;
  if (norm == "sha384") return DigestAlgorithm::sha384;
  if (norm == "sha512") return DigestAlgorithm::sha512;
  if (norm == "sha1") return DigestAlgorithm::sha1;
  return Error(ErrorCode::bad_input,
               "unknown digest '" + std::string(name) + "' (known: sha256, sha384, sha512)");
}

std::string_view to_string(SignatureAlgorithm algorithm) noexcept {
  switch (algorithm) {
    case SignatureAlgorithm::rsa_pkcs1_sha1: return "sha1WithRSAEncryption";
    case SignatureAlgorithm::rsa_pkcs1_sha256: return "sha256WithRSAEncryption";
    case SignatureAlgorithm::rsa_pkcs1_sha384: return "sha384WithRSAEncryption";
    case SignatureAlgorithm::rsa_pkcs1_sha512: return "sha512WithRSAEncryption";
    case SignatureAlgorithm::ecdsa_sha1: return "ecdsa-with-SHA1";
    case SignatureAlgorithm::ecdsa_sha256: return "ecdsa-with-SHA256";
    case SignatureAlgorithm::ecdsa_sha384: return "ecdsa-with-SHA384";
    case SignatureAlgorithm::ecdsa_sha512: return "ecdsa-with-SHA512";
    case SignatureAlgorithm::ed25519: return "ED25519";
    case SignatureAlgorithm::rsa_pss: return "rsassaPss";
    default: return "unknown";
  }
}

}  // namespace polytls
