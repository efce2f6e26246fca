// IANA names of TLS cipher suites and groups, once for every backend.
#include <cctype>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "polytls/tls.hpp"

namespace polytls {
namespace {

struct Named {
  uint16_t code;
  std::string_view name;
};

// OpenSSL's names of the suites above (TLS 1.3 suites share the IANA names).
constexpr Named kOpensslSuites[] = {
    {0xC02B, "ECDHE-ECDSA-AES128-GCM-SHA256"},
    {0xC02C, "ECDHE-ECDSA-AES256-GCM-SHA384"},
    {0xC02F, "ECDHE-RSA-AES128-GCM-SHA256"},
    {0xC030, "ECDHE-RSA-AES256-GCM-SHA384"},
    {0xCCA8, "ECDHE-RSA-CHACHA20-POLY1305"},
    {0xCCA9, "ECDHE-ECDSA-CHACHA20-POLY1305"},
    {0xC009, "ECDHE-ECDSA-AES128-SHA"},
    {0xC00A, "ECDHE-ECDSA-AES256-SHA"},
    {0xC013, "ECDHE-RSA-AES128-SHA"},
    {0xC014, "ECDHE-RSA-AES256-SHA"},
    {0xC023, "ECDHE-ECDSA-AES128-SHA256"},
    {0xC027, "ECDHE-RSA-AES128-SHA256"},
    {0x009C, "AES128-GCM-SHA256"},
    {0x009D, "AES256-GCM-SHA384"},
    {0x009E, "DHE-RSA-AES128-GCM-SHA256"},
    {0x009F, "DHE-RSA-AES256-GCM-SHA384"},
    {0x002F, "AES128-SHA"},
    {0x0035, "AES256-SHA"},
};

// Other common names of groups (NIST and OpenSSL's).
constexpr Named kGroupAliases[] = {
    {0x0017, "P-256"}, {0x0017, "prime256v1"}, {0x0018, "P-384"},
    {0x0019, "P-521"}, {0x001D, "X25519"},     {0x001E, "X448"},
};

// The suites and groups polytls allows, in its default order.
constexpr uint16_t kSecure13[] = {0x1301, 0x1302, 0x1303};
constexpr uint16_t kSecure12[] = {0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8};
constexpr uint16_t kSecureGroups[] = {0x001D, 0x0017, 0x0018};

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

bool same_text(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::optional<uint16_t> lookup(std::span<const Named> table, std::string_view name) {
  for (const Named &n : table) {
    if (same_text(n.name, name)) return n.code;
  }
  return std::nullopt;
}

// number reads "0x1301" (hex, 1 to 4 digits) or a decimal number up to 65535.
std::optional<uint16_t> number(std::string_view text) {
  unsigned base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty() || text.size() > (base == 16 ? 4u : 5u)) return std::nullopt;
  uint32_t v = 0;
  for (char c : text) {
    const int lower = std::tolower(static_cast<unsigned char>(c));
    uint32_t digit = 0;
    if (lower >= '0' && lower <= '9') {
      digit = static_cast<uint32_t>(lower - '0');
    } else if (base == 16 && lower >= 'a' && lower <= 'f') {
      digit = static_cast<uint32_t>(lower - 'a' + 10);
    } else {
      return std::nullopt;
    }
    v = v * base + digit;
  }
  if (v > 0xFFFF) return std::nullopt;
  return static_cast<uint16_t>(v);
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

template <class Parse>
Result<std::vector<uint16_t>> parse_list(std::string_view list, Parse parse, const char *what) {
  std::vector<uint16_t> out;
  while (true) {
    const std::size_t comma = list.find(',');
    const std::string_view item = trim(list.substr(0, comma));
    if (item.empty()) {
      return Error(ErrorCode::bad_input, std::string("an empty entry in the ") + what + " list");
    }
    POLYTLS_TRY(uint16_t code, parse(item));
    out.push_back(code);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

std::string_view cipher_suite_name(uint16_t suite) noexcept {
  return find(kSuites, suite);
}
std::string_view group_name(uint16_t group) noexcept {
  return find(kGroups, group);
}

std::span<const uint16_t> secure_cipher_suites(TlsVersion version) noexcept {
  if (version == TlsVersion::tls13) return kSecure13;
  return kSecure12;
}

std::span<const uint16_t> secure_groups() noexcept {
  return kSecureGroups;
}

std::optional<TlsVersion> cipher_suite_version(uint16_t suite) noexcept {
  for (TlsVersion v : {TlsVersion::tls12, TlsVersion::tls13}) {
    for (uint16_t s : secure_cipher_suites(v)) {
      if (s == suite) return v;
    }
  }
  return std::nullopt;
}

Result<uint16_t> parse_cipher_suite(std::string_view text) {
  const std::string_view t = trim(text);
  if (auto n = number(t)) return *n;
  if (auto n = lookup(kSuites, t)) return *n;
  if (auto n = lookup(kOpensslSuites, t)) return *n;
  return Error(ErrorCode::bad_input,
               "unknown cipher suite '" + std::string(text) +
                   "' (use an IANA name such as TLS_AES_128_GCM_SHA256, an OpenSSL name such as "
                   "ECDHE-RSA-AES128-GCM-SHA256, or a number such as 0x1301)");
}

Result<uint16_t> parse_group(std::string_view text) {
  const std::string_view t = trim(text);
  if (auto n = number(t)) return *n;
  if (auto n = lookup(kGroups, t)) return *n;
  if (auto n = lookup(kGroupAliases, t)) return *n;
  return Error(ErrorCode::bad_input,
               "unknown key exchange group '" + std::string(text) +
                   "' (use x25519, secp256r1 / P-256, secp384r1 / P-384, or a number such as "
                   "0x001d)");
}

Result<std::vector<uint16_t>> parse_cipher_suites(std::string_view list) {
  return parse_list(list, parse_cipher_suite, "cipher suite");
}

Result<std::vector<uint16_t>> parse_groups(std::string_view list) {
  return parse_list(list, parse_group, "group");
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
