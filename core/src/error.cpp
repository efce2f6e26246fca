#include "polytls/error.hpp"

#include "polytls/abi/types.h"
#include "text.hpp"

namespace polytls {

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::unsupported: return "unsupported";
    case ErrorCode::bad_input: return "bad_input";
    case ErrorCode::bad_passphrase: return "bad_passphrase";
    case ErrorCode::untrusted: return "untrusted";
    case ErrorCode::hostname_mismatch: return "hostname_mismatch";
    case ErrorCode::expired: return "expired";
    case ErrorCode::not_yet_valid: return "not_yet_valid";
    case ErrorCode::protocol_version: return "protocol_version";
    case ErrorCode::handshake: return "handshake";
    case ErrorCode::no_shared_cipher: return "no_shared_cipher";
    case ErrorCode::peer_closed: return "peer_closed";
    case ErrorCode::timeout: return "timeout";
    case ErrorCode::want_read: return "want_read";
    case ErrorCode::want_write: return "want_write";
    case ErrorCode::io: return "io";
    case ErrorCode::internal: return "internal";
    case ErrorCode::bad_signature: return "bad_signature";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::already_exists: return "already_exists";
    case ErrorCode::pin_mismatch: return "pin_mismatch";
    case ErrorCode::no_application_protocol: return "no_application_protocol";
    case ErrorCode::plugin: return "plugin";
    default: return "unknown";
  }
}

ErrorCode error_code_from_status(int32_t status) noexcept {
  if (status >= POLYTLS_ERR_UNSUPPORTED && status <= POLYTLS_ERR_PLUGIN) {
    return static_cast<ErrorCode>(status);
  }
  return ErrorCode::internal;
}

Error::Error(ErrorCode code, std::string message)
    : code_(code), message_(std::move(message)), library_code_(0) {}

Error::Error(ErrorCode code, std::string message, std::string backend)
    : code_(code), message_(std::move(message)), backend_(std::move(backend)), library_code_(0) {}

Error::Error(ErrorCode code, std::string message, std::string backend, int64_t library_code,
             std::string library_detail)
    : code_(code),
      message_(std::move(message)),
      backend_(std::move(backend)),
      library_code_(library_code),
      library_detail_(std::move(library_detail)) {}

Error::Error(ErrorCode code, const char *message)
    : code_(code), message_(message != nullptr ? message : ""), library_code_(0) {}

Error::Error(ErrorCode code, const char *message, const std::string &backend)
    : code_(code),
      message_(message != nullptr ? message : ""),
      backend_(backend),
      library_code_(0) {}

std::string Error::to_string() const {
  std::string out = backend_.empty() ? message_ : detail::cat({backend_, ": ", message_});
  out += " [";
  out += polytls::to_string(code_);
  if (!library_detail_.empty() || library_code_ != 0) {
    out += "; ";
    out += library_detail_.empty() ? std::string_view("library error") : library_detail_;
    if (library_code_ != 0) {
      const uint64_t magnitude = library_code_ < 0 ? 0 - static_cast<uint64_t>(library_code_)
                                                   : static_cast<uint64_t>(library_code_);
      out += library_code_ < 0 ? " (-" : " (";
      out += detail::Decimal(magnitude);
      out += ")";
    }
  }
  out += "]";
  return out;
}

Error Error::with_context(std::string_view context) const {
  Error copy = *this;
  copy.message_ = detail::cat({context, ": ", message_});
  return copy;
}

}  // namespace polytls
