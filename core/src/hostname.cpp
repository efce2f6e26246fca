#include "polytls/hostname.hpp"

#include <cctype>
#include <string>

#include "text.hpp"

namespace polytls {

bool dns_name_matches(std::string_view pattern, std::string_view host) noexcept {
  if (pattern.empty() || host.empty()) return false;
  if (!detail::starts_with(pattern, "*.")) return pattern == host;
  // "*.example.test" covers exactly one label in front of "example.test",
  // and only when the pattern itself has at least three labels.
  const std::string_view suffix = detail::slice(pattern, 1);  // ".example.test"
  if (suffix.find('.', 1) == std::string_view::npos) return false;
  if (suffix.find('*') != std::string_view::npos) return false;
  if (host.size() <= suffix.size() || !detail::ends_with(host, suffix)) return false;
  const std::string_view label = detail::slice(host, 0, host.size() - suffix.size());
  return !label.empty() && label.find('.') == std::string_view::npos;
}

Result<void> check_host(std::span<const SubjectAltName> names, std::string_view host) {
  if (host.empty()) return Error(ErrorCode::bad_input, "no host name to check");
  auto listed = [&names] {
    std::string out;
    for (const SubjectAltName &name : names) {
      if (!out.empty()) out += ", ";
      out += to_string(name.type);
      out += ':';
      out += name.value;
    }
    return out.empty() ? std::string("none") : out;
  };

  // An IP literal is compared with IP SANs only, byte for byte.
  if (auto ip = SubjectAltName::ip(host)) {
    const std::vector<uint8_t> wanted = ip->ip_bytes();
    for (const SubjectAltName &name : names) {
      if (name.type == SubjectAltName::Type::ip && name.ip_bytes() == wanted) return ok();
    }
    return Error(ErrorCode::hostname_mismatch,
                 detail::cat({"IP address ", ip->value, " is not among the certificate's names (",
                              listed(), ")"}));
  }

  std::string wanted;
  for (char c : host)
    wanted += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!wanted.empty() && wanted.back() == '.') wanted.pop_back();
  if (wanted.empty() || wanted.find('*') != std::string::npos) {
    return Error(ErrorCode::bad_input, detail::cat({"'", host, "' is not a host name"}));
  }
  for (const SubjectAltName &name : names) {
    if (name.type != SubjectAltName::Type::dns) continue;
    std::string pattern;
    for (char c : name.value) {
      pattern += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (!pattern.empty() && pattern.back() == '.') pattern.pop_back();
    if (dns_name_matches(pattern, wanted)) return ok();
  }
  return Error(ErrorCode::hostname_mismatch,
               detail::cat({"host name ", wanted, " is not among the certificate's names (",
                            listed(), ")"}));
}

}  // namespace polytls
