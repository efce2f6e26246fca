#include "backend_state.hpp"

#include <cstring>

#include "text.hpp"

namespace polytls::detail {

Error BackendState::error(polytls_status status, const polytls_error &err,
                          std::string message) const {
  const std::size_t len = strnlen(err.detail, sizeof err.detail);
  return Error(error_code_from_status(status), std::move(message), name, err.library_code,
               std::string(err.detail, len));
}

Error BackendState::unsupported(std::string_view feature) const {
  return Error(ErrorCode::unsupported,
               cat({feature, ": not supported by the ", name, " backend (", caps.library_name, " ",
                    caps.runtime_version, ")"}),
               name);
}

Error BackendState::foreign(std::string_view what, const std::string &owner) const {
  return Error(ErrorCode::bad_input,
               cat({what, " belongs to the ", owner, " backend, not ", name, "; read it into ",
                    name, " from its PEM or DER first"}),
               name);
}

polytls_status VectorSink::write(void *user, const uint8_t *data, size_t len) noexcept {
  try {
    auto *self = static_cast<VectorSink *>(user);
    if (len != 0) self->bytes.insert(self->bytes.end(), data, data + len);
    return POLYTLS_OK;
  } catch (...) {
    return POLYTLS_ERR_INTERNAL;
  }
}

polytls_status SecretSink::write(void *user, const uint8_t *data, size_t len) noexcept {
  try {
    auto *self = static_cast<SecretSink *>(user);
    const std::size_t old = self->bytes.size();
    self->bytes.resize(old + len);
    if (len != 0) std::memcpy(self->bytes.data() + old, data, len);
    return POLYTLS_OK;
  } catch (...) {
    return POLYTLS_ERR_INTERNAL;
  }
}

}  // namespace polytls::detail
