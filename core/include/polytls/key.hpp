// polytls/key.hpp: a private or public key held by one backend.
#ifndef POLYTLS_KEY_HPP
#define POLYTLS_KEY_HPP

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "polytls/algorithms.hpp"
#include "polytls/result.hpp"

struct polytls_key;
struct polytls_key_info;

namespace polytls {

class Backend;
namespace detail {
struct BackendState;
struct Access;
}  // namespace detail

// Key is a move-only handle to a key object of one backend. It frees itself
// through that backend (which stays loaded while the key lives).
class Key {
 public:
  Key(Key &&other) noexcept;
  Key &operator=(Key &&other) noexcept;
  Key(const Key &) = delete;
  Key &operator=(const Key &) = delete;
  ~Key();

  // backend returns the backend that holds the key.
  Backend backend() const;

  KeyAlgorithm algorithm() const noexcept { return algorithm_; }
  // bits is the modulus size (RSA), the field size (EC) or 256 (Ed25519).
  uint32_t bits() const noexcept { return bits_; }
  EcCurve curve() const noexcept { return curve_; }
  // type is the KeyType this key is, if it is one polytls generates.
  std::optional<KeyType> type() const noexcept;
  bool has_private() const noexcept { return has_private_; }
  // description renders "RSA 2048", "EC P-256" or "Ed25519".
  std::string description() const;

  // private_key_der returns the private key as PKCS#8 DER: PrivateKeyInfo,
  // or EncryptedPrivateKeyInfo (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC)
  // when `passphrase` is not empty. It fails with `bad_input` for a
  // public-only key and `unsupported` when the backend cannot encrypt keys
  // and has no primitives for the core to do it. The caller should wipe
  // the result when done.
  Result<std::vector<uint8_t>> private_key_der(std::string_view passphrase = {}) const;
  // private_key_pem is private_key_der in PEM ("PRIVATE KEY" or
  // "ENCRYPTED PRIVATE KEY").
  Result<std::string> private_key_pem(std::string_view passphrase = {}) const;

  // public_key_der returns the SubjectPublicKeyInfo DER.
  Result<std::vector<uint8_t>> public_key_der() const;
  // public_key_pem is public_key_der in PEM ("PUBLIC KEY").
  Result<std::string> public_key_pem() const;

  // default_digest is the digest sign uses when none is given: SHA-384 for
  // P-384, SHA-512 for P-521, SHA-256 for RSA and P-256, none for Ed25519.
  std::optional<DigestAlgorithm> default_digest() const noexcept;

  // sign signs `message` (the backend hashes it). It fails with `bad_input`
  // for a public-only key or a digest the key cannot use (any digest with
  // Ed25519; SHA-1).
  Result<std::vector<uint8_t>> sign(std::span<const uint8_t> message,
                                    std::optional<DigestAlgorithm> digest = {}) const;
  // verify checks a signature made by sign; a wrong one is `bad_signature`.
  Result<void> verify(std::span<const uint8_t> message, std::span<const uint8_t> signature,
                      std::optional<DigestAlgorithm> digest = {}) const;

 private:
  friend struct detail::Access;
  Key(std::shared_ptr<detail::BackendState> backend, polytls_key *handle,
      const polytls_key_info &info);
  void reset() noexcept;

  std::shared_ptr<detail::BackendState> backend_;
  polytls_key *handle_ = nullptr;
  KeyAlgorithm algorithm_ = KeyAlgorithm::rsa;
  uint32_t bits_ = 0;
  EcCurve curve_ = EcCurve::none;
  bool has_private_ = false;
};

}  // namespace polytls

#endif  // POLYTLS_KEY_HPP
