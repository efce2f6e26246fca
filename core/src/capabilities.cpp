#include "polytls/capabilities.hpp"

namespace polytls {

std::string_view to_string(Capability capability) noexcept {
  switch (capability) {
    case Capability::key_generate: return "key_generate";
    case Capability::key_write_pkcs8: return "key_write_pkcs8";
    case Capability::key_write_encrypted: return "key_write_encrypted";
    case Capability::key_read_encrypted: return "key_read_encrypted";
    case Capability::cert_create: return "cert_create";
    case Capability::cert_verify: return "cert_verify";
    case Capability::pbkdf2: return "pbkdf2";
    case Capability::cipher: return "cipher";
    case Capability::tls12: return "tls12";
    case Capability::tls13: return "tls13";
    case Capability::alpn: return "alpn";
    case Capability::sni: return "sni";
    case Capability::resumption: return "resumption";
    case Capability::keylog_tls12: return "keylog_tls12";
    case Capability::keylog_tls13: return "keylog_tls13";
    case Capability::client_auth: return "client_auth";
    case Capability::tls_select: return "tls_select";
    default: return "unknown";
  }
}

bool Capabilities::has(Capability capability) const noexcept {
  return (features >> static_cast<uint32_t>(capability)) & 1u;
}

bool Capabilities::supports(KeyType type) const noexcept {
  if (!has(Capability::key_generate)) return false;
  const KeyAlgorithm algorithm = algorithm_of(type);
  if (((key_algorithms >> static_cast<uint32_t>(algorithm)) & 1u) == 0) return false;
  if (algorithm == KeyAlgorithm::rsa) {
    const uint32_t bits = rsa_bits_of(type);
    return bits >= rsa_min_bits && bits <= rsa_max_bits;
  }
  if (algorithm == KeyAlgorithm::ec) {
    return ((curves >> static_cast<uint32_t>(curve_of(type))) & 1u) != 0;
  }
  return true;
}

std::vector<KeyType> Capabilities::key_types() const {
  std::vector<KeyType> out;
  for (KeyType type : kAllKeyTypes) {
    if (supports(type)) out.push_back(type);
  }
  return out;
}

std::vector<std::string_view> Capabilities::feature_names() const {
  std::vector<std::string_view> out;
  for (Capability capability : kAllCapabilities) {
    if (has(capability)) out.push_back(to_string(capability));
  }
  return out;
}

}  // namespace polytls
