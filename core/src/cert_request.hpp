// cert_request.hpp: turning a user's CertificateSpec into the fully decided
// polytls_cert_request_v1 a backend executes: validation, secure defaults,
// serial, key identifiers and the DER every backend shares.
#ifndef POLYTLS_CORE_CERT_REQUEST_HPP
#define POLYTLS_CORE_CERT_REQUEST_HPP

#include <memory>
#include <vector>

#include "backend_state.hpp"
#include "der.hpp"
#include "polytls/certificate.hpp"
#include "polytls/certificate_spec.hpp"
#include "polytls/key.hpp"

namespace polytls::detail {

// PreparedRequest owns every buffer its `request` points into; it does not move.
struct PreparedRequest {
  polytls_cert_request_v1 request{};
  std::vector<polytls_name_attr> subject_attrs;
  std::vector<polytls_san> sans;
  std::vector<std::vector<uint8_t>> san_values;
  der::Bytes subject_der, issuer_der, not_before_der, not_after_der, eku_der, sans_der;
  std::vector<uint8_t> serial, subject_key_id, authority_key_id;

  PreparedRequest() = default;
  PreparedRequest(const PreparedRequest &) = delete;
  PreparedRequest &operator=(const PreparedRequest &) = delete;
};

// IssuerView is what issuing needs to know about the issuer.
struct IssuerView {
  const Certificate *certificate = nullptr;  // NULL when self-signed
  const Key *key = nullptr;
  std::vector<uint8_t> subject_key_id;  // the issuer's SKI, if it has one
};

// prepare_request validates `spec` and builds the request, or says what is wrong (`bad_input`).
Result<std::unique_ptr<PreparedRequest>> prepare_request(const BackendState &backend,
                                                         const CertificateSpec &spec,
                                                         const Key &subject_key,
                                                         const IssuerView &issuer);

// key_identifier computes a key identifier per RFC 5280 4.2.1.2 method 1:
// SHA-1 of the subjectPublicKey bits.
Result<std::vector<uint8_t>> key_identifier(const Key &key);

}  // namespace polytls::detail

#endif  // POLYTLS_CORE_CERT_REQUEST_HPP
