#include "polytls/key.hpp"

#include "backend_state.hpp"
#include "pkcs8.hpp"
#include "polytls/pem.hpp"
#include "text.hpp"

namespace polytls {

using detail::BackendState;
using detail::new_error;

namespace detail {

Result<Key> make_key(const std::shared_ptr<BackendState> &state, polytls_key *handle) {
  polytls_key_info info{};
  info.struct_size = sizeof info;
  polytls_error err = new_error();
  auto describe = POLYTLS_MEMBER(*state, key_describe);
  const polytls_status st = describe != nullptr
                                ? describe(state->ctx, handle, &info, &err)
                                : static_cast<polytls_status>(POLYTLS_ERR_UNSUPPORTED);
  if (st != POLYTLS_OK) {
    state->table->key_free(handle);
    return state->error(st, err, "cannot describe the key");
  }
  return Access::key(state, handle, info);
}

}  // namespace detail

Key::Key(std::shared_ptr<BackendState> backend, polytls_key *handle, const polytls_key_info &info)
    : backend_(std::move(backend)),
      handle_(handle),
      algorithm_(static_cast<KeyAlgorithm>(info.algorithm)),
      bits_(info.bits),
      curve_(static_cast<EcCurve>(info.curve)),
      has_private_(info.has_private != 0) {}

Key::Key(Key &&other) noexcept
    : backend_(std::move(other.backend_)),
      handle_(std::exchange(other.handle_, nullptr)),
      algorithm_(other.algorithm_),
      bits_(other.bits_),
      curve_(other.curve_),
      has_private_(other.has_private_) {}

Key &Key::operator=(Key &&other) noexcept {
  if (this != &other) {
    reset();
    backend_ = std::move(other.backend_);
    handle_ = std::exchange(other.handle_, nullptr);
    algorithm_ = other.algorithm_;
    bits_ = other.bits_;
    curve_ = other.curve_;
    has_private_ = other.has_private_;
  }
  return *this;
}

Key::~Key() {
  reset();
}

void Key::reset() noexcept {
  if (handle_ != nullptr && backend_ != nullptr) backend_->table->key_free(handle_);
  handle_ = nullptr;
}

Backend Key::backend() const {
  return detail::Access::backend(backend_);
}

std::optional<KeyType> Key::type() const noexcept {
  return key_type_of(algorithm_, bits_);
}

std::string Key::description() const {
  switch (algorithm_) {
    case KeyAlgorithm::rsa: return "RSA " + std::to_string(bits_);
    case KeyAlgorithm::ec: return "EC " + std::string(to_string(curve_));
    case KeyAlgorithm::ed25519: return "Ed25519";
    default: return "unknown key";
  }
}

namespace {

// export_key runs key_export for one format into a wiping buffer.
Result<kit::SecretBytes> export_key(const BackendState &state, const polytls_key *handle,
                                    uint32_t format, std::string_view passphrase,
                                    std::string_view what) {
  auto fn = POLYTLS_MEMBER(state, key_export);
  if (fn == nullptr) return state.unsupported("exporting keys");
  detail::SecretSink out;
  polytls_error err = new_error();
  const polytls_status st =
      fn(state.ctx, handle, format, detail::as_data(passphrase), &out.sink, &err);
  if (st != POLYTLS_OK) return state.error(st, err, detail::cat({"cannot write the ", what}));
  return std::move(out.bytes);
}

std::vector<uint8_t> to_vector(const kit::SecretBytes &bytes) {
  return {bytes.data(), bytes.data() + bytes.size()};
}

}  // namespace

Result<std::vector<uint8_t>> Key::private_key_der(std::string_view passphrase) const {
  const BackendState &state = *backend_;
  if (!has_private_) {
    return Error(ErrorCode::bad_input, "this is a public key: it has no private half to write",
                 state.name);
  }
  if (!passphrase.empty() && state.has(POLYTLS_FEATURE_KEY_WRITE_ENCRYPTED)) {
    POLYTLS_TRY(kit::SecretBytes der, export_key(state, handle_, POLYTLS_KEY_FORMAT_PKCS8_ENCRYPTED,
                                                 passphrase, "encrypted private key"));
    return to_vector(der);
  }
  if (!passphrase.empty() &&
      !(state.has(POLYTLS_FEATURE_PBKDF2) && state.has(POLYTLS_FEATURE_CIPHER))) {
    return state.unsupported("writing encrypted private keys");
  }

  // Plain PKCS#8: the library's own, or its PKCS#1/SEC1 wrapped by the core.
  kit::SecretBytes plain;
  if (state.has(POLYTLS_FEATURE_KEY_WRITE_PKCS8)) {
    POLYTLS_TRY(plain, export_key(state, handle_, POLYTLS_KEY_FORMAT_PKCS8, {}, "private key"));
  } else {
    if (algorithm_ == KeyAlgorithm::ed25519) return state.unsupported("writing Ed25519 keys");
    POLYTLS_TRY(kit::SecretBytes traditional,
                export_key(state, handle_, POLYTLS_KEY_FORMAT_TRADITIONAL, {}, "private key"));
    POLYTLS_TRY(plain,
                detail::wrap_pkcs8({traditional.data(), traditional.size()}, algorithm_, curve_));
  }
  if (passphrase.empty()) return to_vector(plain);
  // The library cannot encrypt: PBES2 in the core over its primitives.
  return detail::pbes2_encrypt(state, {plain.data(), plain.size()}, passphrase);
}

Result<std::string> Key::private_key_pem(std::string_view passphrase) const {
  POLYTLS_TRY(std::vector<uint8_t> der, private_key_der(passphrase));
  std::string pem = pem_encode(passphrase.empty() ? "PRIVATE KEY" : "ENCRYPTED PRIVATE KEY", der);
  kit::wipe(der.data(), der.size());
  return pem;
}

Result<std::vector<uint8_t>> Key::public_key_der() const {
  POLYTLS_TRY(kit::SecretBytes der,
              export_key(*backend_, handle_, POLYTLS_KEY_FORMAT_SPKI, {}, "public key"));
  return to_vector(der);
}

Result<std::string> Key::public_key_pem() const {
  POLYTLS_TRY(std::vector<uint8_t> der, public_key_der());
  return pem_encode("PUBLIC KEY", der);
}

std::optional<DigestAlgorithm> Key::default_digest() const noexcept {
  switch (algorithm_) {
    case KeyAlgorithm::ed25519: return std::nullopt;
    case KeyAlgorithm::ec:
      if (curve_ == EcCurve::p384) return DigestAlgorithm::sha384;
      if (curve_ == EcCurve::p521) return DigestAlgorithm::sha512;
      return DigestAlgorithm::sha256;
    default: return DigestAlgorithm::sha256;
  }
}

namespace {

Result<uint32_t> digest_for(const Key &key, std::optional<DigestAlgorithm> digest,
                            const std::string &backend) {
  if (key.algorithm() == KeyAlgorithm::ed25519) {
    if (digest) {
      return Error(ErrorCode::bad_input, "Ed25519 signs the message itself: give no digest",
                   backend);
    }
    return POLYTLS_DIGEST_NONE;
  }
  const std::optional<DigestAlgorithm> chosen = digest ? digest : key.default_digest();
  return static_cast<uint32_t>(*chosen);
}

}  // namespace

Result<std::vector<uint8_t>> Key::sign(std::span<const uint8_t> message,
                                       std::optional<DigestAlgorithm> digest) const {
  const BackendState &state = *backend_;
  if (!has_private_) {
    return Error(ErrorCode::bad_input, "a public key cannot sign", state.name);
  }
  if (digest == DigestAlgorithm::sha1) {
    return Error(ErrorCode::bad_input, "SHA-1 signatures are not made any more", state.name);
  }
  POLYTLS_TRY(uint32_t d, digest_for(*this, digest, state.name));
  auto fn = POLYTLS_MEMBER(state, key_sign);
  if (fn == nullptr) return state.unsupported("signing");
  detail::VectorSink out;
  polytls_error err = new_error();
  const polytls_status st = fn(state.ctx, handle_, d, detail::as_data(message), &out.sink, &err);
  if (st != POLYTLS_OK) return state.error(st, err, "cannot sign");
  return std::move(out.bytes);
}

Result<void> Key::verify(std::span<const uint8_t> message, std::span<const uint8_t> signature,
                         std::optional<DigestAlgorithm> digest) const {
  const BackendState &state = *backend_;
  POLYTLS_TRY(uint32_t d, digest_for(*this, digest, state.name));
  auto fn = POLYTLS_MEMBER(state, key_verify);
  if (fn == nullptr) return state.unsupported("verifying signatures");
  polytls_error err = new_error();
  const polytls_status st =
      fn(state.ctx, handle_, d, detail::as_data(message), detail::as_data(signature), &err);
  if (st != POLYTLS_OK) return state.error(st, err, "cannot verify the signature");
  return ok();
}

}  // namespace polytls
