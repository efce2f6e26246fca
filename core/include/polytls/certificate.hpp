// polytls/certificate.hpp: an X.509 certificate held by one backend.
#ifndef POLYTLS_CERTIFICATE_HPP
#define POLYTLS_CERTIFICATE_HPP

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "polytls/algorithms.hpp"
#include "polytls/key.hpp"
#include "polytls/name.hpp"
#include "polytls/result.hpp"
#include "polytls/subject_alt_name.hpp"
#include "polytls/time.hpp"

struct polytls_cert;

namespace polytls {

// CertificateInfo is what a backend's parser sees in a certificate.
struct CertificateInfo {
  int version = 0;  // 3 for X.509 v3
  DistinguishedName subject;
  DistinguishedName issuer;
  std::vector<uint8_t> serial;  // big-endian magnitude, no leading zeros
  UtcTime not_before{};
  UtcTime not_after{};
  std::vector<SubjectAltName> subject_alt_names;
  KeyAlgorithm key_algorithm = KeyAlgorithm::rsa;
  uint32_t key_bits = 0;
  SignatureAlgorithm signature_algorithm = SignatureAlgorithm::unknown;
  std::array<uint8_t, 32> fingerprint_sha256{};  // of the DER
  bool has_basic_constraints = false;
  bool is_ca = false;
  std::optional<int> path_length;
  std::optional<uint32_t> key_usage;      // key_usage:: bits, if the extension is present
  std::optional<uint32_t> ext_key_usage;  // ext_key_usage:: bits, if present
  std::vector<uint8_t> subject_key_id;
  std::vector<uint8_t> authority_key_id;

  // key_type is the KeyType of the certified key, if polytls has one for it.
  std::optional<KeyType> key_type() const noexcept { return key_type_of(key_algorithm, key_bits); }
  // is_self_issued tells whether subject and issuer are the same name.
  bool is_self_issued() const { return subject == issuer; }
  // serial_hex renders the serial as lowercase hex ("4a0f...").
  std::string serial_hex() const;
  // fingerprint_hex renders the SHA-256 fingerprint as "AB:CD:...".
  std::string fingerprint_hex() const;
  // key_description renders "RSA 2048", "EC P-256", "Ed25519".
  std::string key_description() const;
};

// Certificate is a move-only handle to a certificate object of one backend.
class Certificate {
 public:
  Certificate(Certificate &&other) noexcept;
  Certificate &operator=(Certificate &&other) noexcept;
  Certificate(const Certificate &) = delete;
  Certificate &operator=(const Certificate &) = delete;
  ~Certificate();

  // backend returns the backend that holds the certificate.
  Backend backend() const;

  // der returns the certificate's DER encoding, byte for byte as read or made.
  const std::vector<uint8_t> &der() const noexcept { return der_; }
  // pem returns the certificate in PEM ("CERTIFICATE").
  std::string pem() const;

  // inspect returns the fields as this backend's library parses them.
  Result<CertificateInfo> inspect() const;

  // public_key returns the certified public key as a public-only Key.
  Result<Key> public_key() const;

 private:
  friend struct detail::Access;
  Certificate(std::shared_ptr<detail::BackendState> backend, polytls_cert *handle,
              std::vector<uint8_t> der);
  void reset() noexcept;

  std::shared_ptr<detail::BackendState> backend_;
  polytls_cert *handle_ = nullptr;
  std::vector<uint8_t> der_;
};

}  // namespace polytls

#endif  // POLYTLS_CERTIFICATE_HPP
