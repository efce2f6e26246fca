// polytls/backend.hpp: one TLS library behind the polytls interface.
#ifndef POLYTLS_BACKEND_HPP
#define POLYTLS_BACKEND_HPP

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "polytls/abi/backend.h"
#include "polytls/algorithms.hpp"
#include "polytls/capabilities.hpp"
#include "polytls/certificate.hpp"
#include "polytls/certificate_spec.hpp"
#include "polytls/files.hpp"
#include "polytls/key.hpp"
#include "polytls/result.hpp"
#include "polytls/tls.hpp"

namespace polytls {

// VerifyOptions refine Backend::verify.
struct VerifyOptions {
  // host, when not empty, must match the leaf: an IP address (IPv4, IPv6,
  // optionally in brackets) against its IP SANs only, anything else as a
  // DNS name against its DNS SANs (RFC 6125 wildcards). The CN is ignored.
  std::string host;
  // intermediates may complete the chain from the leaf to an anchor.
  std::span<const Certificate> intermediates{};
};

// Backend is a cheap, copyable handle to one initialised backend (a
// dispatch table and its context). Every operation is checked against the
// backend's capabilities first: asking for something it lacks is an
// `unsupported` Error naming the backend and the feature.
class Backend {
 public:
  // name is the backend's short name: "openssl", "mbedtls", "wolfssl".
  const std::string &name() const noexcept;
  // origin says where the backend came from: "built-in" or a plugin's path.
  const std::string &origin() const noexcept;
  // capabilities are the backend's capability set and library versions.
  const Capabilities &capabilities() const noexcept;
  bool supports(Capability capability) const noexcept;
  bool supports(KeyType type) const noexcept;
  // table is the backend's dispatch table, for tests and tools.
  const polytls_backend_v1 &table() const noexcept;

  // generate_key creates a new private key of `type`. It returns an Error
  // with code `unsupported` naming the backend and the key type when the
  // library lacks it (Ed25519 on Mbed TLS 2.28).
  Result<Key> generate_key(KeyType type) const;

  // load_key reads a private key (PKCS#8, encrypted PKCS#8, PKCS#1, SEC1)
  // or a public key (SubjectPublicKeyInfo), in PEM or DER. An encrypted key
  // needs `passphrase`: without it, or with a wrong one, the error is
  // `bad_passphrase`. Malformed input is `bad_input`.
  Result<Key> load_key(std::span<const uint8_t> pem_or_der, std::string_view passphrase = {}) const;
  Result<Key> load_key(std::string_view pem, std::string_view passphrase = {}) const;
  // load_key_file is load_key on a file's contents; a missing file is
  // `not_found`. A PathRef is a C string, a std::string or a std::filesystem::path.
  Result<Key> load_key_file(PathRef path, std::string_view passphrase = {}) const;

  // load_certificate reads one certificate, PEM or DER (the first PEM
  // CERTIFICATE block when there are several).
  Result<Certificate> load_certificate(std::span<const uint8_t> pem_or_der) const;
  Result<Certificate> load_certificate(std::string_view pem) const;
  // load_certificates reads every CERTIFICATE block of a PEM bundle (or one DER).
  Result<std::vector<Certificate>> load_certificates(std::span<const uint8_t> pem_or_der) const;
  Result<Certificate> load_certificate_file(PathRef path) const;
  Result<std::vector<Certificate>> load_certificates_file(PathRef path) const;

  // self_sign makes a self-signed certificate for `key` (which must hold
  // its private half) as `spec` says. Invalid specs are `bad_input`.
  Result<Certificate> self_sign(const CertificateSpec &spec, const Key &key) const;

  // issue makes a certificate for `subject_key` (public is enough), signed
  // by `issuer_key` on behalf of `issuer`, which must be a CA certificate
  // (basicConstraints cA, keyCertSign) whose public key matches
  // `issuer_key`; otherwise `bad_input`.
  Result<Certificate> issue(const CertificateSpec &spec, const Key &subject_key,
                            const Certificate &issuer, const Key &issuer_key) const;

  // verify checks that `leaf` chains to one of `anchors` (each trusted as
  // given: a CA, or a self-signed certificate trusted directly) and that
  // every certificate is within its validity period, then that
  // `options.host` matches. Errors: `untrusted`, `expired`,
  // `not_yet_valid`, `hostname_mismatch`. Certificates held by another
  // backend are read into this one from their DER first.
  Result<void> verify(const Certificate &leaf, std::span<const Certificate> anchors,
                      const VerifyOptions &options = {}) const;

  // make_server_context and make_client_context build TLS contexts. The core
  // validates the configuration first (versions within what the backend
  // has, a server key that matches its certificate, trust anchors for a
  // verifying client, key logging only for versions the backend can log)
  // and says `unsupported`, naming the backend and feature, for anything
  // the library lacks. Certificates of other backends are read over.
  Result<TlsContext> make_server_context(TlsServerConfig config) const;
  Result<TlsContext> make_client_context(TlsClientConfig config) const;

  // digest hashes `data`.
  Result<std::vector<uint8_t>> digest(DigestAlgorithm algorithm,
                                      std::span<const uint8_t> data) const;

  // Backends compare equal when they are the same loaded backend.
  bool operator==(const Backend &other) const noexcept { return state_ == other.state_; }

 private:
  friend struct detail::Access;
  explicit Backend(std::shared_ptr<detail::BackendState> state) : state_(std::move(state)) {}
  std::shared_ptr<detail::BackendState> state_;
};

}  // namespace polytls

#endif  // POLYTLS_BACKEND_HPP
