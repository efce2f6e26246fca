// polytls/subject_alt_name.hpp: SubjectAltName entries.
#ifndef POLYTLS_SUBJECT_ALT_NAME_HPP
#define POLYTLS_SUBJECT_ALT_NAME_HPP

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "polytls/result.hpp"

namespace polytls {

// SubjectAltName is one entry of a certificate's subjectAltName extension.
// For `ip` the value is the address in canonical text form ("127.0.0.1",
// "::1"); for `dns` the name in lower case.
struct SubjectAltName {
  enum class Type : uint32_t { other = 0, dns = 1, ip = 2, email = 3, uri = 4 };

  Type type = Type::other;
  std::string value;

  // parse reads "DNS:name" or "IP:address" (IPv4 or IPv6; "IP:[::1]" too).
  // DNS names must be valid host names; a wildcard is allowed only as the
  // whole left-most label and needs two more labels ("*.example.test").
  // Anything else is `bad_input` saying why.
  static Result<SubjectAltName> parse(std::string_view text);
  static Result<SubjectAltName> dns(std::string_view name);
  static Result<SubjectAltName> ip(std::string_view address);
  // from_ip_bytes makes an IP entry from 4 or 16 network-order bytes.
  static Result<SubjectAltName> from_ip_bytes(const uint8_t *bytes, size_t len);

  // ip_bytes returns the 4 or 16 bytes of an IP entry (empty otherwise).
  std::vector<uint8_t> ip_bytes() const;

  // to_string renders "DNS:localhost" or "IP:::1".
  std::string to_string() const;

  bool operator==(const SubjectAltName &) const = default;
};

// to_string names a SAN type: "DNS", "IP", "email", "URI", "other".
std::string_view to_string(SubjectAltName::Type type) noexcept;

}  // namespace polytls

#endif  // POLYTLS_SUBJECT_ALT_NAME_HPP
