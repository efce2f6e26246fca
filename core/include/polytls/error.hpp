// polytls/error.hpp: the one error type of polytls.
#ifndef POLYTLS_ERROR_HPP
#define POLYTLS_ERROR_HPP

#include <cstdint>
#include <string>
#include <string_view>

namespace polytls {

// ErrorCode is the neutral category of an error, the same on every backend.
// Values mirror the POLYTLS_ERR_* constants of the C ABI one to one.
enum class ErrorCode : int32_t {
  unsupported = 1,
  bad_input = 2,
  bad_passphrase = 3,
  untrusted = 4,
  hostname_mismatch = 5,
  expired = 6,
  not_yet_valid = 7,
  protocol_version = 8,
  handshake = 9,
  no_shared_cipher = 10,
  peer_closed = 11,
  timeout = 12,
  want_read = 13,
  want_write = 14,
  io = 15,
  internal = 16,
  bad_signature = 17,
  not_found = 18,
  already_exists = 19,
  pin_mismatch = 20,
  no_application_protocol = 21,
  plugin = 22,
};

// to_string returns the category's name as it appears in messages and JSON,
// e.g. "hostname_mismatch"; unknown values give "unknown".
std::string_view to_string(ErrorCode code) noexcept;

// error_code_from_status maps an ABI status to its ErrorCode; an unknown or
// zero status maps to `internal`.
ErrorCode error_code_from_status(int32_t status) noexcept;

// Error is what every failing polytls call returns: a category, our own
// sentence, the backend that failed (empty for core errors) and, when a
// library was involved, that library's code and text.
class Error {
 public:
  Error(ErrorCode code, std::string message);
  Error(ErrorCode code, std::string message, std::string backend);
  Error(ErrorCode code, std::string message, std::string backend, int64_t library_code,
        std::string library_detail = {});
  // The same with the message as a C string (NULL reads as empty): what
  // most errors are made of, with less code at every place that makes one.
  Error(ErrorCode code, const char *message);
  Error(ErrorCode code, const char *message, const std::string &backend);

  ErrorCode code() const noexcept { return code_; }
  const std::string &message() const noexcept { return message_; }
  const std::string &backend() const noexcept { return backend_; }
  int64_t library_code() const noexcept { return library_code_; }
  const std::string &library_detail() const noexcept { return library_detail_; }

  // to_string renders the error on one line:
  // "mbedtls: cannot read the private key: wrong passphrase [bad_passphrase; PK - ... (-0x3b80)]".
  std::string to_string() const;

  // with_context returns a copy whose message is prefixed with `context`.
  Error with_context(std::string_view context) const;

 private:
  ErrorCode code_;
  std::string message_;
  std::string backend_;
  int64_t library_code_;
  std::string library_detail_;
};

}  // namespace polytls

#endif  // POLYTLS_ERROR_HPP
