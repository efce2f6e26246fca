// backend_state.hpp: the core's private view of a loaded backend.
//
// BackendState owns one initialised dispatch table. It is the only place
// that calls through the table: every call goes through `member()`, which
// answers NULL for members a backend does not provide (NULL, or beyond the
// table's struct_size), and errors come back through `error()`.
#ifndef POLYTLS_CORE_BACKEND_STATE_HPP
#define POLYTLS_CORE_BACKEND_STATE_HPP

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "polytls/abi/backend.h"
#include "polytls/backend.hpp"
#include "polytls/capabilities.hpp"
#include "polytls/certificate.hpp"
#include "polytls/error.hpp"
#include "polytls/key.hpp"
#include "polytls/kit/backend_kit.hpp"

namespace polytls::detail {

struct BackendState {
  const polytls_backend_v1 *table = nullptr;
  void *ctx = nullptr;
  std::string name;
  std::string origin;
  Capabilities caps;

  BackendState() = default;
  BackendState(const BackendState &) = delete;
  BackendState &operator=(const BackendState &) = delete;
  ~BackendState() {
    if (table != nullptr && table->shutdown != nullptr) table->shutdown(ctx);
  }

  // provides tells whether the table reaches `offset + size` bytes.
  bool provides(std::size_t offset, std::size_t size) const noexcept {
    return table != nullptr && table->struct_size >= offset + size;
  }

  bool has(uint64_t feature_bit) const noexcept { return (caps.features & feature_bit) != 0; }

  // error turns a failed status and its detail into an Error.
  Error error(polytls_status status, const polytls_error &err, std::string message) const;
  // unsupported names this backend and the missing feature.
  Error unsupported(std::string_view feature) const;
  // foreign reports an object that belongs to another backend.
  Error foreign(std::string_view what, const std::string &owner) const;
};

// member reads a function pointer from the table when the backend provides it.
#define POLYTLS_MEMBER(state, field)                                                   \
  ((state).provides(offsetof(polytls_backend_v1, field), sizeof((state).table->field)) \
       ? (state).table->field                                                          \
       : nullptr)

// new_error returns a zeroed polytls_error with its size set.
inline polytls_error new_error() noexcept {
  polytls_error err{};
  err.struct_size = sizeof(polytls_error);
  return err;
}

// VectorSink collects sink writes into a byte vector.
struct VectorSink {
  std::vector<uint8_t> bytes;
  polytls_sink sink{this, &VectorSink::write};
  VectorSink() = default;
  VectorSink(const VectorSink &) = delete;
  VectorSink &operator=(const VectorSink &) = delete;
  static polytls_status write(void *user, const uint8_t *data, size_t len) noexcept;
};

// SecretSink collects secret bytes, wiping every buffer it lets go of.
struct SecretSink {
  kit::SecretBytes bytes;
  polytls_sink sink{this, &SecretSink::write};
  SecretSink() = default;
  SecretSink(const SecretSink &) = delete;
  SecretSink &operator=(const SecretSink &) = delete;
  static polytls_status write(void *user, const uint8_t *data, size_t len) noexcept;
};

inline polytls_data as_data(std::span<const uint8_t> bytes) noexcept {
  return polytls_data{bytes.data(), bytes.size()};
}
inline polytls_data as_data(std::string_view text) noexcept {
  return polytls_data{reinterpret_cast<const uint8_t *>(text.data()), text.size()};
}

// Access builds and opens the public handle types for the core's own code.
struct Access {
  static Backend backend(std::shared_ptr<BackendState> state) { return Backend(std::move(state)); }
  static const std::shared_ptr<BackendState> &state(const Backend &b) { return b.state_; }
  static const std::shared_ptr<BackendState> &state(const Key &k) { return k.backend_; }
  static const std::shared_ptr<BackendState> &state(const Certificate &c) { return c.backend_; }
  static Key key(std::shared_ptr<BackendState> state, polytls_key *handle,
                 const polytls_key_info &info) {
    return Key(std::move(state), handle, info);
  }
  static Certificate certificate(std::shared_ptr<BackendState> state, polytls_cert *handle,
                                 std::vector<uint8_t> der) {
    return Certificate(std::move(state), handle, std::move(der));
  }
  static const polytls_key *handle(const Key &k) { return k.handle_; }
  static TlsContext tls_context(std::shared_ptr<ContextState> state) {
    return TlsContext(std::move(state));
  }
  static Session session(std::unique_ptr<SessionState> state);  // in tls.cpp
  static const polytls_cert *handle(const Certificate &c) { return c.handle_; }
};

// make_key wraps a fresh key handle, describing it; on failure the handle is freed.
Result<Key> make_key(const std::shared_ptr<BackendState> &state, polytls_key *handle);
// import_certificate reads one DER certificate into `state`'s backend.
Result<Certificate> import_certificate(const std::shared_ptr<BackendState> &state,
                                       std::span<const uint8_t> der);

// inspect_fields reports a certificate handle's fields through the
// backend's parser (no fingerprint: the handle may be borrowed).
Result<CertificateInfo> inspect_fields(const BackendState &state, const polytls_cert *handle);

// make_certificate wraps a fresh certificate handle, exporting its DER.
Result<Certificate> make_certificate(const std::shared_ptr<BackendState> &state,
                                     polytls_cert *handle);

}  // namespace polytls::detail

#endif  // POLYTLS_CORE_BACKEND_STATE_HPP
