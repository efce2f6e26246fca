#include "polytls/backend.hpp"

#include <cstring>

#include "backend_state.hpp"
#include "cert_request.hpp"
#include "pkcs8.hpp"
#include "polytls/features.hpp"
#include "polytls/files.hpp"
#include "polytls/hostname.hpp"
#include "polytls/pem.hpp"

namespace polytls {

using detail::Access;
using detail::BackendState;
using detail::new_error;

const std::string &Backend::name() const noexcept {
  return state_->name;
}
const std::string &Backend::origin() const noexcept {
  return state_->origin;
}
const Capabilities &Backend::capabilities() const noexcept {
  return state_->caps;
}
bool Backend::supports(Capability capability) const noexcept {
  return state_->caps.has(capability);
}
bool Backend::supports(KeyType type) const noexcept {
  return state_->caps.supports(type);
}
const polytls_backend_v1 &Backend::table() const noexcept {
  return *state_->table;
}

Result<Key> Backend::generate_key(KeyType type) const {
  const BackendState &state = *state_;
  auto fn = POLYTLS_MEMBER(state, key_generate);
  if (fn == nullptr || !state.has(POLYTLS_FEATURE_KEY_GENERATE)) {
    return state.unsupported("key generation");
  }
  if (!state.caps.supports(type)) return state.unsupported(std::string(to_string(type)) + " keys");
  polytls_key_spec spec{};
  spec.struct_size = sizeof spec;
  spec.algorithm = static_cast<uint32_t>(algorithm_of(type));
  spec.rsa_bits = rsa_bits_of(type);
  spec.curve = static_cast<uint32_t>(curve_of(type));
  polytls_key *handle = nullptr;
  polytls_error err = new_error();
  const polytls_status st = fn(state.ctx, &spec, &handle, &err);
  if (st != POLYTLS_OK) {
    return state.error(st, err, "cannot generate a " + std::string(to_string(type)) + " key");
  }
  return detail::make_key(state_, handle);
}

namespace {

// KeyInput is a key's DER and format, found from PEM armour or DER structure.
struct KeyInput {
  uint32_t format = 0;
  kit::SecretBytes der;
};

Result<KeyInput> key_input(std::span<const uint8_t> data) {
  KeyInput input;
  if (!looks_like_pem(data)) {
    POLYTLS_TRY(input.format, detail::classify_key_der(data));
    input.der.resize(data.size());
    std::memcpy(input.der.data(), data.data(), data.size());
    return input;
  }
  const std::string_view text(reinterpret_cast<const char *>(data.data()), data.size());
  POLYTLS_TRY(std::vector<PemBlock> blocks, pem_decode(text));
  for (PemBlock &block : blocks) {
    uint32_t format = 0;
    if (block.label == "PRIVATE KEY") format = POLYTLS_KEY_FORMAT_PKCS8;
    if (block.label == "ENCRYPTED PRIVATE KEY") format = POLYTLS_KEY_FORMAT_PKCS8_ENCRYPTED;
    if (block.label == "RSA PRIVATE KEY" || block.label == "EC PRIVATE KEY") {
      format = POLYTLS_KEY_FORMAT_TRADITIONAL;
    }
    if (block.label == "PUBLIC KEY") format = POLYTLS_KEY_FORMAT_SPKI;
    if (format == 0) {
      kit::wipe(block.der.data(), block.der.size());
      continue;  // e.g. "EC PARAMETERS" before the key, or a certificate
    }
    for (const auto &[name, value] : block.headers) {
      if (name == "Proc-Type") {
        kit::wipe(block.der.data(), block.der.size());
        return Error(ErrorCode::unsupported,
                     "legacy OpenSSL-encrypted PEM keys are not supported; convert the key with "
                     "`openssl pkcs8 -topk8 -v2 aes-256-cbc`");
      }
    }
    POLYTLS_TRY(uint32_t found, detail::classify_key_der(block.der));
    if (found != format) {
      kit::wipe(block.der.data(), block.der.size());
      return Error(ErrorCode::bad_input,
                   "the PEM block says " + block.label + " but holds another kind of key");
    }
    input.format = format;
    input.der.resize(block.der.size());
    std::memcpy(input.der.data(), block.der.data(), block.der.size());
    kit::wipe(block.der.data(), block.der.size());
    return input;
  }
  return Error(ErrorCode::bad_input,
               "no key found in the PEM data (looked for PRIVATE KEY, ENCRYPTED PRIVATE KEY, "
               "RSA PRIVATE KEY, EC PRIVATE KEY, PUBLIC KEY)");
}

}  // namespace

Result<Key> Backend::load_key(std::span<const uint8_t> pem_or_der,
                              std::string_view passphrase) const {
  const BackendState &state = *state_;
  auto fn = POLYTLS_MEMBER(state, key_import);
  if (fn == nullptr) return state.unsupported("reading keys");
  auto input = key_input(pem_or_der);
  if (!input) return input.error().with_context("cannot read the key");

  uint32_t format = input->format;
  kit::SecretBytes der = std::move(input->der);
  if (format == POLYTLS_KEY_FORMAT_PKCS8_ENCRYPTED) {
    if (passphrase.empty()) {
      return Error(ErrorCode::bad_passphrase,
                   "the private key is encrypted: a passphrase is needed", state.name);
    }
    if (!state.has(POLYTLS_FEATURE_KEY_READ_ENCRYPTED)) {
      if (!state.has(POLYTLS_FEATURE_PBKDF2) || !state.has(POLYTLS_FEATURE_CIPHER)) {
        return state.unsupported("reading encrypted private keys");
      }
      // The library cannot decrypt PKCS#8 itself: PBES2 in the core.
      POLYTLS_TRY(der, detail::pbes2_decrypt(state, {der.data(), der.size()}, passphrase));
      format = POLYTLS_KEY_FORMAT_PKCS8;
      auto plain = detail::classify_key_der({der.data(), der.size()});
      if (!plain || *plain != POLYTLS_KEY_FORMAT_PKCS8) {
        return Error(ErrorCode::bad_passphrase, "cannot decrypt the private key: wrong passphrase",
                     state.name);
      }
    }
  }
  polytls_key *handle = nullptr;
  polytls_error err = new_error();
  const polytls_data pass = format == POLYTLS_KEY_FORMAT_PKCS8_ENCRYPTED
                                ? detail::as_data(passphrase)
                                : polytls_data{nullptr, 0};
  const polytls_status st = fn(state.ctx, format, {der.data(), der.size()}, pass, &handle, &err);
  if (st != POLYTLS_OK) {
    if (st == POLYTLS_ERR_BAD_PASSPHRASE) {
      return state.error(st, err, "cannot decrypt the private key: wrong passphrase");
    }
    return state.error(st, err, "cannot read the key");
  }
  return detail::make_key(state_, handle);
}

Result<Key> Backend::load_key(std::string_view pem, std::string_view passphrase) const {
  return load_key(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t *>(pem.data()), pem.size()),
      passphrase);
}

Result<Key> Backend::load_key_file(PathRef path, std::string_view passphrase) const {
  POLYTLS_TRY(std::vector<uint8_t> data, read_file(path));
  auto key = load_key(data, passphrase);
  kit::wipe(data.data(), data.size());
  if (!key) return key.error().with_context(path.c_str());
  return key;
}

namespace detail {

Result<Certificate> import_certificate(const std::shared_ptr<BackendState> &state,
                                       std::span<const uint8_t> der) {
  auto fn = POLYTLS_MEMBER(*state, cert_import);
  if (fn == nullptr) return state->unsupported("reading certificates");
  polytls_cert *handle = nullptr;
  polytls_error err = new_error();
  const polytls_status st = fn(state->ctx, detail::as_data(der), &handle, &err);
  if (st != POLYTLS_OK) return state->error(st, err, "cannot read the certificate");
  return detail::make_certificate(state, handle);
}

}  // namespace detail

Result<std::vector<Certificate>> Backend::load_certificates(
    std::span<const uint8_t> pem_or_der) const {
  std::vector<Certificate> out;
  if (!looks_like_pem(pem_or_der)) {
    POLYTLS_TRY(Certificate cert, detail::import_certificate(state_, pem_or_der));
    out.push_back(std::move(cert));
    return out;
  }
  const std::string_view text(reinterpret_cast<const char *>(pem_or_der.data()), pem_or_der.size());
  auto blocks = pem_decode(text);
  if (!blocks) return blocks.error().with_context("cannot read the certificate");
  for (const PemBlock &block : *blocks) {
    if (block.label != "CERTIFICATE") continue;
    POLYTLS_TRY(Certificate cert, detail::import_certificate(state_, block.der));
    out.push_back(std::move(cert));
  }
  if (out.empty()) {
    return Error(ErrorCode::bad_input, "no CERTIFICATE block in the PEM data", state_->name);
  }
  return out;
}

Result<Certificate> Backend::load_certificate(std::span<const uint8_t> pem_or_der) const {
  POLYTLS_TRY(std::vector<Certificate> certs, load_certificates(pem_or_der));
  return std::move(certs.front());
}

Result<Certificate> Backend::load_certificate(std::string_view pem) const {
  return load_certificate(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t *>(pem.data()), pem.size()));
}

Result<Certificate> Backend::load_certificate_file(PathRef path) const {
  POLYTLS_TRY(std::vector<uint8_t> data, read_file(path));
  auto cert = load_certificate(data);
  if (!cert) return cert.error().with_context(path.c_str());
  return cert;
}

Result<std::vector<Certificate>> Backend::load_certificates_file(PathRef path) const {
  POLYTLS_TRY(std::vector<uint8_t> data, read_file(path));
  auto certs = load_certificates(data);
  if (!certs) return certs.error().with_context(path.c_str());
  return certs;
}

namespace {

#if POLYTLS_HAS_CERT_CREATE
Result<Certificate> create(const std::shared_ptr<BackendState> &state, const CertificateSpec &spec,
                           const Key &subject_key, const detail::IssuerView &issuer) {
  auto fn = POLYTLS_MEMBER(*state, cert_create);
  if (fn == nullptr || !state->has(POLYTLS_FEATURE_CERT_CREATE)) {
    return state->unsupported("certificate creation");
  }
  POLYTLS_TRY(std::unique_ptr<detail::PreparedRequest> prepared,
              detail::prepare_request(*state, spec, subject_key, issuer));
  polytls_cert *handle = nullptr;
  polytls_error err = new_error();
  const polytls_status st = fn(state->ctx, &prepared->request, &handle, &err);
  if (st != POLYTLS_OK) return state->error(st, err, "cannot create the certificate");
  return detail::make_certificate(state, handle);
}
#else
// Built with POLYTLS_CERT_CREATE=OFF: the request builder and the DER
// encoders (cert_request.cpp, x509_der.cpp) are left out.
Error compiled_out(const BackendState &state) {
  return Error(ErrorCode::unsupported,
               "certificate creation: this polytls was built without it (POLYTLS_CERT_CREATE=OFF)",
               state.name);
}
#endif

}  // namespace

Result<Certificate> Backend::self_sign(const CertificateSpec &spec, const Key &key) const {
#if !POLYTLS_HAS_CERT_CREATE
  (void)spec;
  (void)key;
  return compiled_out(*state_);
#else
  if (Access::state(key) != state_) return state_->foreign("the key", Access::state(key)->name);
  if (!key.has_private()) {
    return Error(ErrorCode::bad_input, "a self-signed certificate needs the private key",
                 state_->name);
  }
  return create(state_, spec, key, detail::IssuerView{});
#endif
}

Result<Certificate> Backend::issue(const CertificateSpec &spec, const Key &subject_key,
                                   const Certificate &issuer, const Key &issuer_key) const {
#if !POLYTLS_HAS_CERT_CREATE
  (void)spec;
  (void)subject_key;
  (void)issuer;
  (void)issuer_key;
  return compiled_out(*state_);
#else
  const BackendState &state = *state_;
  if (Access::state(subject_key) != state_) {
    return state.foreign("the subject key", Access::state(subject_key)->name);
  }
  if (Access::state(issuer_key) != state_) {
    return state.foreign("the issuer key", Access::state(issuer_key)->name);
  }
  if (Access::state(issuer) != state_) {
    return state.foreign("the issuer certificate", Access::state(issuer)->name);
  }
  if (!issuer_key.has_private()) {
    return Error(ErrorCode::bad_input, "the issuer key has no private half to sign with",
                 state.name);
  }
  POLYTLS_TRY(CertificateInfo info, issuer.inspect());
  if (!info.is_ca) {
    return Error(ErrorCode::bad_input,
                 "the issuer certificate (" + info.subject.to_string() +
                     ") is not a CA: it has no basicConstraints cA=TRUE",
                 state.name);
  }
  if (info.key_usage && (*info.key_usage & key_usage::key_cert_sign) == 0) {
    return Error(ErrorCode::bad_input, "the issuer certificate's keyUsage lacks keyCertSign",
                 state.name);
  }
  POLYTLS_TRY(Key issuer_public, issuer.public_key());
  POLYTLS_TRY(std::vector<uint8_t> cert_spki, issuer_public.public_key_der());
  POLYTLS_TRY(std::vector<uint8_t> key_spki, issuer_key.public_key_der());
  if (cert_spki != key_spki) {
    return Error(ErrorCode::bad_input, "the issuer key does not belong to the issuer certificate",
                 state.name);
  }
  detail::IssuerView view;
  view.certificate = &issuer;
  view.key = &issuer_key;
  view.subject_key_id = info.subject_key_id;
  return create(state_, spec, subject_key, view);
#endif
}

Result<void> Backend::verify(const Certificate &leaf, std::span<const Certificate> anchors,
                             const VerifyOptions &options) const {
  const BackendState &state = *state_;
  auto fn = POLYTLS_MEMBER(state, cert_verify);
  if (fn == nullptr || !state.has(POLYTLS_FEATURE_CERT_VERIFY)) {
    return state.unsupported("certificate verification");
  }
  if (anchors.empty()) {
    return Error(ErrorCode::untrusted, "no trust anchors were given", state.name);
  }
  // Certificates held by other backends are read into this one.
  std::vector<Certificate> imported;
  imported.reserve(anchors.size() + options.intermediates.size() + 1);
  auto own = [&](const Certificate &cert) -> Result<const polytls_cert *> {
    if (Access::state(cert) == state_) return Access::handle(cert);
    POLYTLS_TRY(Certificate copy, detail::import_certificate(state_, cert.der()));
    imported.push_back(std::move(copy));
    return Access::handle(imported.back());
  };
  POLYTLS_TRY(const polytls_cert *leaf_handle, own(leaf));
  std::vector<const polytls_cert *> anchor_handles;
  for (const Certificate &cert : anchors) {
    POLYTLS_TRY(const polytls_cert *h, own(cert));
    anchor_handles.push_back(h);
  }
  std::vector<const polytls_cert *> intermediate_handles;
  for (const Certificate &cert : options.intermediates) {
    POLYTLS_TRY(const polytls_cert *h, own(cert));
    intermediate_handles.push_back(h);
  }

  polytls_verify_request_v1 request{};
  request.struct_size = sizeof request;
  request.leaf = leaf_handle;
  request.anchors = anchor_handles.data();
  request.anchor_count = anchor_handles.size();
  request.intermediates = intermediate_handles.data();
  request.intermediate_count = intermediate_handles.size();
  polytls_error err = new_error();
  const polytls_status st = fn(state.ctx, &request, &err);
  if (st != POLYTLS_OK) {
    std::string message = "certificate verification failed";
    switch (st) {
      case POLYTLS_ERR_UNTRUSTED: message = "the certificate is not trusted"; break;
      case POLYTLS_ERR_EXPIRED: message = "the certificate has expired"; break;
      case POLYTLS_ERR_NOT_YET_VALID: message = "the certificate is not valid yet"; break;
      default: break;
    }
    return state.error(st, err, message);
  }
  if (options.host.empty()) return ok();

  // Names are checked once, here, for every backend, against what this
  // backend's parser reports.
  const Certificate &own_leaf = Access::state(leaf) == state_ ? leaf : imported.front();
  POLYTLS_TRY(CertificateInfo info, own_leaf.inspect());
  if (auto match = check_host(info.subject_alt_names, options.host); !match) {
    const Error &e = match.error();
    return Error(e.code(), e.message(), state.name);
  }
  return ok();
}

Result<std::vector<uint8_t>> Backend::digest(DigestAlgorithm algorithm,
                                             std::span<const uint8_t> data) const {
  const BackendState &state = *state_;
  auto fn = POLYTLS_MEMBER(state, digest);
  if (fn == nullptr) return state.unsupported("hashing");
  detail::VectorSink out;
  polytls_error err = new_error();
  const polytls_status st =
      fn(state.ctx, static_cast<uint32_t>(algorithm), detail::as_data(data), &out.sink, &err);
  if (st != POLYTLS_OK) {
    return state.error(st, err, "cannot compute " + std::string(to_string(algorithm)));
  }
  return std::move(out.bytes);
}

}  // namespace polytls
