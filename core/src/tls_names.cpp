// IANA names of TLS cipher suites and groups, once for every backend.
#include <cctype>
#include <string>

#include "polytls/tls.hpp"

namespace polytls {
namespace {

struct Named {
  uint16_t code;
  std::string_view name;
};

// The suites polytls negotiates, and the ones peers commonly offer.
constexpr Named kSuites[] = {
    {0x1301, "TLS_AES_128_GCM_SHA256"},
    {0x1302, "TLS_AES_256_GCM_SHA384"},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
    {0x1304, "TLS_AES_128_CCM_SHA256"},
    {0x1305, "TLS_AES_128_CCM_8_SHA256"},
    {0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
    {0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
    {0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"},
    {0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
    {0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
    {0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"},
    {0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384"},
    {0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA"},
    {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"},
};

constexpr Named kGroups[] = {
    {0x0017, "secp256r1"},       {0x0018, "secp384r1"}, {0x0019, "secp521r1"},
    {0x001D, "x25519"},          {0x001E, "x448"},      {0x0100, "ffdhe2048"},
    {0x0101, "ffdhe3072"},       {0x0102, "ffdhe4096"}, {0x001A, "brainpoolP256r1"},
    {0x001B, "brainpoolP384r1"},
};

std::string_view find(std::span<const Named> table, uint16_t code) {
  for (const Named &n : table) {
    if (n.code == code) return n.name;
  }
  return {};
}

}  // namespace

std::string_view cipher_suite_name(uint16_t suite) noexcept {
  return find(kSuites, suite);
}
std::string_view group_name(uint16_t group) noexcept {
  return find(kGroups, group);
}

std::string_view to_string(TlsVersion version) noexcept {
  switch (version) {
    case TlsVersion::tls12: return "TLS 1.2";
    case TlsVersion::tls13: return "TLS 1.3";
    default: return "unknown";
  }
}

Result<TlsVersion> parse_tls_version(std::string_view text) {
  std::string norm;
  for (char c : text) {
    if (c != ' ' && c != '_' && c != 'v' && c != 'V') {
      norm += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (norm.starts_with("tls")) norm = norm.substr(3);
  if (norm == "1.2" || norm == "12") return TlsVersion::tls12;
  if (norm == "1.3" || norm == "13") return TlsVersion::tls13;
  return Error(ErrorCode::bad_input,
               "unknown TLS version '" + std::string(text) + "' (use 1.2 or 1.3)");
}

}  // namespace polytls
