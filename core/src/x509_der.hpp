// x509_der.hpp: the X.509 pieces the core encodes once for every backend
// (names, times, SubjectAltNames, extendedKeyUsage) and the few fields it
// reads from DER itself.
#ifndef POLYTLS_CORE_X509_DER_HPP
#define POLYTLS_CORE_X509_DER_HPP

#include <span>

#include "der.hpp"
#include "polytls/name.hpp"
#include "polytls/subject_alt_name.hpp"
#include "polytls/time.hpp"

namespace polytls::der {

// encode_name encodes a Name: one RDN per attribute, in order; C as
// PrintableString, emailAddress as IA5String, everything else UTF8String.
Bytes encode_name(const DistinguishedName &name);

// encode_time encodes a Time: UTCTime for 1950-2049, else GeneralizedTime (RFC 5280).
Bytes encode_time(UtcTime time);

// encode_general_names encodes GeneralNames for DNS and IP entries.
Result<Bytes> encode_general_names(std::span<const SubjectAltName> names);

// encode_ext_key_usage encodes ExtKeyUsageSyntax for ext_key_usage:: bits.
Bytes encode_ext_key_usage(uint32_t bits);

// certificate_subject returns the subject Name's encoding inside a certificate.
Result<View> certificate_subject(View certificate);

// spki_public_key returns the subjectPublicKey BIT STRING's bytes (after
// the unused-bits octet) of a SubjectPublicKeyInfo: the input to key
// identifiers (RFC 5280 4.2.1.2, method 1).
Result<View> spki_public_key(View spki);

}  // namespace polytls::der

#endif  // POLYTLS_CORE_X509_DER_HPP
