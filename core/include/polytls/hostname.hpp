// polytls/hostname.hpp: matching a host against a certificate's names.
#ifndef POLYTLS_HOSTNAME_HPP
#define POLYTLS_HOSTNAME_HPP

#include <span>
#include <string_view>

#include "polytls/result.hpp"
#include "polytls/subject_alt_name.hpp"

namespace polytls {

// check_host tells whether `host` is one of `names`, as TLS clients must
// (RFC 6125, RFC 9525): an IP address (IPv4, IPv6, "[v6]") matches only an
// IP entry with the same bytes; anything else is a DNS name matched without
// regard to case against DNS entries, where "*" may stand for exactly the
// whole left-most label of a name with at least three labels. The subject
// CN is never consulted. A mismatch is `hostname_mismatch` listing the
// certificate's names; an empty or malformed host is `bad_input`.
Result<void> check_host(std::span<const SubjectAltName> names, std::string_view host);

// dns_name_matches tells whether one DNS SAN `pattern` covers `host`
// (both already lower case, no trailing dot).
bool dns_name_matches(std::string_view pattern, std::string_view host) noexcept;

}  // namespace polytls

#endif  // POLYTLS_HOSTNAME_HPP
