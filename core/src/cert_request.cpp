#include "cert_request.hpp"

#include "polytls/backend.hpp"
#include "random.hpp"
#include "x509_der.hpp"

namespace polytls::detail {
namespace {

Error bad(const BackendState &backend, std::string why) {
  return Error(ErrorCode::bad_input, std::move(why), backend.name);
}

uint32_t default_key_usage(bool is_ca, KeyAlgorithm algorithm) {
  if (is_ca) return key_usage::key_cert_sign | key_usage::crl_sign | key_usage::digital_signature;
  if (algorithm == KeyAlgorithm::rsa) {
    return key_usage::digital_signature | key_usage::key_encipherment;
  }
  return key_usage::digital_signature;
}

Result<std::vector<uint8_t>> random_serial() {
  std::vector<uint8_t> serial(16);
  POLYTLS_CHECK(random_bytes(serial));
  serial[0] &= 0x7f;  // positive...
  serial[0] |= 0x40;  // ...and a full 127 bits, so the encoding is always 16 bytes
  return serial;
}

}  // namespace

Result<std::vector<uint8_t>> key_identifier(const Key &key) {
  POLYTLS_TRY(std::vector<uint8_t> spki, key.public_key_der());
  POLYTLS_TRY(der::View bits, der::spki_public_key(spki));
  return key.backend().digest(DigestAlgorithm::sha1, bits);
}

Result<std::unique_ptr<PreparedRequest>> prepare_request(const BackendState &backend,
                                                         const CertificateSpec &spec,
                                                         const Key &subject_key,
                                                         const IssuerView &issuer) {
  auto prepared = std::make_unique<PreparedRequest>();
  PreparedRequest &p = *prepared;
  polytls_cert_request_v1 &r = p.request;
  r.struct_size = sizeof r;

  // Names.
  if (spec.subject.empty()) {
    return bad(backend, "the certificate needs a subject (e.g. CN=localhost)");
  }
  if (auto valid = spec.subject.validate(); !valid) {
    return valid.error().with_context("subject");
  }
  p.subject_der = der::encode_name(spec.subject);
  for (const NameEntry &entry : spec.subject.entries()) {
    p.subject_attrs.push_back(polytls_name_attr{static_cast<uint32_t>(entry.type), 0,
                                                as_data(std::string_view(entry.value))});
  }
  r.subject = p.subject_attrs.data();
  r.subject_count = p.subject_attrs.size();
  r.subject_der = as_data(p.subject_der);
  if (issuer.certificate != nullptr) {
    POLYTLS_TRY(der::View issuer_name, der::certificate_subject(issuer.certificate->der()));
    p.issuer_der.assign(issuer_name.begin(), issuer_name.end());
  } else {
    p.issuer_der = p.subject_der;
  }
  r.issuer_der = as_data(p.issuer_der);

  // Validity.
  const UtcTime not_before = spec.not_before.value_or(now_utc());
  UtcTime not_after;
  if (spec.not_after) {
    not_after = *spec.not_after;
  } else {
    if (spec.validity_days <= 0) return bad(backend, "the validity must be at least one day");
    not_after = not_before + std::chrono::days{spec.validity_days};
  }
  if (not_after <= not_before) {
    return bad(backend, "not-after (" + format_utc_time(not_after) +
                            ") must be later than not-before (" + format_utc_time(not_before) +
                            ")");
  }
  const auto limit = std::chrono::sys_days{std::chrono::year{9999} / 12 / 31};
  if (not_before < std::chrono::sys_days{std::chrono::year{1950} / 1 / 1} || not_after > limit) {
    return bad(backend, "validity dates must lie between 1950 and 9999");
  }
  r.not_before = not_before.time_since_epoch().count();
  r.not_after = not_after.time_since_epoch().count();
  p.not_before_der = der::encode_time(not_before);
  p.not_after_der = der::encode_time(not_after);
  r.not_before_der = as_data(p.not_before_der);
  r.not_after_der = as_data(p.not_after_der);

  // Serial.
  if (spec.serial.empty()) {
    POLYTLS_TRY(p.serial, random_serial());
  } else {
    std::size_t skip = 0;
    while (skip < spec.serial.size() && spec.serial[skip] == 0)
      ++skip;
    p.serial.assign(spec.serial.begin() + static_cast<std::ptrdiff_t>(skip), spec.serial.end());
    if (p.serial.empty()) return bad(backend, "the serial number must be positive");
    const std::size_t encoded = p.serial.size() + ((p.serial[0] & 0x80) ? 1 : 0);
    if (encoded > 20) return bad(backend, "the serial number is longer than 20 octets");
  }
  r.serial = as_data(p.serial);

  // Signature digest: Ed25519 hashes itself; SHA-1 is not made any more.
  const Key &signer = issuer.key != nullptr ? *issuer.key : subject_key;
  if (signer.algorithm() == KeyAlgorithm::ed25519) {
    r.digest = POLYTLS_DIGEST_NONE;
  } else if (spec.digest == DigestAlgorithm::sha1) {
    return bad(backend, "SHA-1 certificate signatures are not made any more");
  } else {
    r.digest = static_cast<uint32_t>(spec.digest);
  }

  // Extensions.
  if (spec.path_length && !spec.is_ca) {
    return bad(backend, "a path length constraint only applies to CA certificates");
  }
  if (spec.path_length && *spec.path_length < 0) {
    return bad(backend, "the path length constraint cannot be negative");
  }
  r.is_ca = spec.is_ca ? 1u : 0u;
  r.path_len = spec.path_length.value_or(-1);
  r.key_usage = spec.key_usage.value_or(default_key_usage(spec.is_ca, subject_key.algorithm()));
  if (r.key_usage == 0) return bad(backend, "keyUsage cannot be empty");
  if (spec.is_ca && (r.key_usage & key_usage::key_cert_sign) == 0) {
    return bad(backend, "a CA certificate needs keyCertSign in its keyUsage");
  }
  if (!spec.is_ca && (r.key_usage & (key_usage::key_cert_sign | key_usage::crl_sign)) != 0) {
    return bad(backend, "keyCertSign and cRLSign are for CA certificates only");
  }
  r.ext_key_usage = spec.ext_key_usage.value_or(
      spec.is_ca ? 0u : (ext_key_usage::server_auth | ext_key_usage::client_auth));
  if (r.ext_key_usage != 0) {
    p.eku_der = der::encode_ext_key_usage(r.ext_key_usage);
    r.ext_key_usage_der = as_data(p.eku_der);
  }

  // SubjectAltNames: a server certificate without them is useless (clients ignore the CN).
  if (spec.subject_alt_names.empty() && (r.ext_key_usage & ext_key_usage::server_auth) != 0) {
    return bad(backend,
               "a certificate for TLS servers needs at least one SubjectAltName (DNS:name or "
               "IP:address): clients ignore the CN");
  }
  for (const SubjectAltName &name : spec.subject_alt_names) {
    std::vector<uint8_t> value;
    if (name.type == SubjectAltName::Type::dns) {
      POLYTLS_TRY(SubjectAltName checked, SubjectAltName::dns(name.value));
      value.assign(checked.value.begin(), checked.value.end());
    } else if (name.type == SubjectAltName::Type::ip) {
      value = name.ip_bytes();
      if (value.empty()) return bad(backend, "'" + name.value + "' is not an IP address");
    } else {
      return bad(backend, "only DNS and IP SubjectAltNames can be put in certificates, not " +
                              name.to_string());
    }
    p.san_values.push_back(std::move(value));
  }
  for (std::size_t i = 0; i < spec.subject_alt_names.size(); ++i) {
    p.sans.push_back(polytls_san{static_cast<uint32_t>(spec.subject_alt_names[i].type), 0,
                                 as_data(p.san_values[i])});
  }
  if (!p.sans.empty()) {
    POLYTLS_TRY(p.sans_der, der::encode_general_names(spec.subject_alt_names));
    r.sans = p.sans.data();
    r.san_count = p.sans.size();
    r.sans_der = as_data(p.sans_der);
  }

  // Key identifiers, computed once here so every backend writes the same.
  POLYTLS_TRY(p.subject_key_id, key_identifier(subject_key));
  if (issuer.certificate == nullptr) {
    p.authority_key_id = p.subject_key_id;
  } else if (!issuer.subject_key_id.empty()) {
    p.authority_key_id = issuer.subject_key_id;
  } else {
    POLYTLS_TRY(p.authority_key_id, key_identifier(*issuer.key));
  }
  r.subject_key_id = as_data(p.subject_key_id);
  r.authority_key_id = as_data(p.authority_key_id);

  r.subject_key = Access::handle(subject_key);
  r.issuer_key = Access::handle(signer);
  r.issuer_cert = issuer.certificate != nullptr ? Access::handle(*issuer.certificate) : nullptr;
  return prepared;
}

}  // namespace polytls::detail
