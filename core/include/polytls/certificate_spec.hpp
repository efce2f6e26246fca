// polytls/certificate_spec.hpp: what a new certificate should say.
#ifndef POLYTLS_CERTIFICATE_SPEC_HPP
#define POLYTLS_CERTIFICATE_SPEC_HPP

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "polytls/algorithms.hpp"
#include "polytls/name.hpp"
#include "polytls/subject_alt_name.hpp"
#include "polytls/time.hpp"

namespace polytls {

// key_usage holds the keyUsage bits (RFC 5280 numbering: bit n is 1 << n).
namespace key_usage {
inline constexpr uint32_t digital_signature = 1u << 0;
inline constexpr uint32_t non_repudiation = 1u << 1;
inline constexpr uint32_t key_encipherment = 1u << 2;
inline constexpr uint32_t data_encipherment = 1u << 3;
inline constexpr uint32_t key_agreement = 1u << 4;
inline constexpr uint32_t key_cert_sign = 1u << 5;
inline constexpr uint32_t crl_sign = 1u << 6;
inline constexpr uint32_t encipher_only = 1u << 7;
inline constexpr uint32_t decipher_only = 1u << 8;
// names lists the set bits by their RFC 5280 names ("digitalSignature", ...).
std::vector<std::string_view> names(uint32_t bits);
}  // namespace key_usage

// ext_key_usage holds the extendedKeyUsage purposes polytls knows.
namespace ext_key_usage {
inline constexpr uint32_t server_auth = 1u << 0;
inline constexpr uint32_t client_auth = 1u << 1;
inline constexpr uint32_t code_signing = 1u << 2;
inline constexpr uint32_t email_protection = 1u << 3;
inline constexpr uint32_t time_stamping = 1u << 4;
inline constexpr uint32_t ocsp_signing = 1u << 5;
// names lists the set bits ("serverAuth", "clientAuth", ...).
std::vector<std::string_view> names(uint32_t bits);
}  // namespace ext_key_usage

// CertificateSpec is what a user asks for; the core validates it and fills
// in secure defaults before any backend sees it.
struct CertificateSpec {
  // subject is required. Its values are UTF-8.
  DistinguishedName subject;
  // subject_alt_names: DNS names and IP addresses. A certificate for TLS
  // servers (extendedKeyUsage serverAuth, the leaf default) must have at
  // least one: clients ignore the CN.
  std::vector<SubjectAltName> subject_alt_names;
  // not_before defaults to the current time.
  std::optional<UtcTime> not_before;
  // not_after defaults to not_before + validity_days.
  std::optional<UtcTime> not_after;
  int validity_days = 365;
  // serial: big-endian, positive, 1 to 20 bytes; empty means a random
  // positive 128-bit serial.
  std::vector<uint8_t> serial;
  // digest signs the certificate (ignored for Ed25519 issuers). SHA-1 is refused.
  DigestAlgorithm digest = DigestAlgorithm::sha256;
  // is_ca makes a CA certificate (basicConstraints cA, keyCertSign).
  bool is_ca = false;
  // path_length is the CA's pathLenConstraint (CA only).
  std::optional<int> path_length;
  // key_usage defaults: CA keyCertSign|cRLSign|digitalSignature; leaf
  // digitalSignature, plus keyEncipherment for RSA keys.
  std::optional<uint32_t> key_usage;
  // ext_key_usage defaults: leaf serverAuth|clientAuth; CA none. 0 omits it.
  std::optional<uint32_t> ext_key_usage;
};

}  // namespace polytls

#endif  // POLYTLS_CERTIFICATE_SPEC_HPP
