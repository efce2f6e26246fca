#include "polytls/subject_alt_name.hpp"

#include <arpa/inet.h>

#include <cctype>
#include <cstring>
#include <string>

#include "text.hpp"

namespace polytls {
namespace {

bool is_ldh(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-';
}

// validate_dns_name checks a host name (lower case, no trailing dot), with
// an optional wildcard left-most label.
Result<void> validate_dns_name(std::string_view name) {
  using detail::cat;
  const std::string_view shown = name;
  if (name.empty()) return Error(ErrorCode::bad_input, "empty DNS name");
  if (name.size() > 253) return Error(ErrorCode::bad_input, cat({"DNS name too long: ", shown}));
  std::size_t labels = 0;
  bool wildcard = false;
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t dot = name.find('.', start);
    const std::string_view label = detail::slice(
        name, start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty())
      return Error(ErrorCode::bad_input, cat({"DNS name has an empty label: ", shown}));
    if (label.size() > 63)
      return Error(ErrorCode::bad_input, cat({"DNS label too long in ", shown}));
    if (label == "*" && labels == 0) {
      wildcard = true;
    } else {
      for (char c : label) {
        if (c == '*') {
          return Error(ErrorCode::bad_input,
                       cat({"a wildcard must be the whole left-most label (as in *.example.test): ",
                            shown}));
        }
        if (!is_ldh(c)) {
          return Error(ErrorCode::bad_input, cat({"DNS name has an invalid character '",
                                                  std::string_view(&c, 1), "': ", shown}));
        }
      }
      if (label.front() == '-' || label.back() == '-') {
        return Error(ErrorCode::bad_input, cat({"DNS label starts or ends with '-': ", shown}));
      }
    }
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (wildcard && labels < 3) {
    return Error(ErrorCode::bad_input,
                 cat({"a wildcard needs at least two labels after it (*.example.test): ", shown}));
  }
  return ok();
}

}  // namespace

std::string_view to_string(SubjectAltName::Type type) noexcept {
  switch (type) {
    case SubjectAltName::Type::dns: return "DNS";
    case SubjectAltName::Type::ip: return "IP";
    case SubjectAltName::Type::email: return "email";
    case SubjectAltName::Type::uri: return "URI";
    default: return "other";
  }
}

Result<SubjectAltName> SubjectAltName::dns(std::string_view name) {
  std::string lower;
  lower.reserve(name.size());
  for (char c : name)
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!lower.empty() && lower.back() == '.') lower.pop_back();
  POLYTLS_CHECK(validate_dns_name(lower));
  return SubjectAltName{Type::dns, std::move(lower)};
}

Result<SubjectAltName> SubjectAltName::ip(std::string_view address) {
  std::string_view inner = address;
  if (inner.size() >= 2 && inner.front() == '[' && inner.back() == ']') {
    inner = detail::slice(inner, 1, inner.size() - 2);
  }
  const std::string text(inner);
  uint8_t bytes[16];
  if (inet_pton(AF_INET, text.c_str(), bytes) == 1) return from_ip_bytes(bytes, 4);
  if (inet_pton(AF_INET6, text.c_str(), bytes) == 1) return from_ip_bytes(bytes, 16);
  return Error(ErrorCode::bad_input, detail::cat({"'", address, "' is not an IP address"}));
}

Result<SubjectAltName> SubjectAltName::from_ip_bytes(const uint8_t *bytes, size_t len) {
  char text[INET6_ADDRSTRLEN];
  const int family = len == 4 ? AF_INET : len == 16 ? AF_INET6 : 0;
  if (family == 0 || inet_ntop(family, bytes, text, sizeof text) == nullptr) {
    return Error(ErrorCode::bad_input,
                 detail::cat({"an IP address is 4 or 16 bytes, not ", detail::Decimal(len)}));
  }
  return SubjectAltName{Type::ip, text};
}

Result<SubjectAltName> SubjectAltName::parse(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    return Error(
        ErrorCode::bad_input,
        detail::cat({"'", text, "' is not a SubjectAltName (use DNS:name or IP:address)"}));
  }
  std::string kind(detail::slice(text, 0, colon));
  for (char &c : kind)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::string_view value = detail::slice(text, colon + 1);
  if (kind == "DNS") return dns(value);
  if (kind == "IP") return ip(value);
  return Error(ErrorCode::bad_input,
               detail::cat({"unknown SubjectAltName type '", detail::slice(text, 0, colon),
                            "' (use DNS:name or IP:address)"}));
}

std::vector<uint8_t> SubjectAltName::ip_bytes() const {
  if (type != Type::ip) return {};
  uint8_t bytes[16];
  if (inet_pton(AF_INET, value.c_str(), bytes) == 1) return {bytes, bytes + 4};
  if (inet_pton(AF_INET6, value.c_str(), bytes) == 1) return {bytes, bytes + 16};
  return {};
}

std::string SubjectAltName::to_string() const {
  return detail::cat({polytls::to_string(type), ":", value});
}

}  // namespace polytls
