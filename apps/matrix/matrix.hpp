// matrix.hpp: the cross-backend TLS matrix, shared by polytls-matrix and
// the matrix tests: which cells exist, which apply, and running one.
#ifndef POLYTLS_APPS_MATRIX_HPP
#define POLYTLS_APPS_MATRIX_HPP

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "polytls/polytls.hpp"

namespace polytls::matrix {

enum class TransportKind { memory, tcp };
std::string_view to_string(TransportKind kind) noexcept;

// The key types the matrix covers.
inline constexpr KeyType kKeyTypes[] = {KeyType::rsa2048, KeyType::ecdsa_p256, KeyType::ed25519};

// Cell is one server backend against one client backend.
struct Cell {
  std::string server;
  std::string client;
  TlsVersion version = TlsVersion::tls12;
  KeyType key_type = KeyType::ecdsa_p256;
  TransportKind transport = TransportKind::memory;
};

enum class Status { pass, fail, not_applicable };
std::string_view to_string(Status status) noexcept;  // "pass", "fail", "n/a"

// CellResult is what running a cell found.
struct CellResult {
  Cell cell;
  Status status = Status::not_applicable;
  std::string negotiated_version;  // "TLS 1.3"
  std::string cipher_suite;        // IANA name
  std::string group;               // IANA group name, "" when unknown
  int64_t handshake_us = 0;        // wall time of the handshake, both sides
  std::string reason;              // why n/a or why it failed
};

// not_applicable says why a cell cannot work, from the capabilities, or
// nothing when it applies.
std::optional<std::string> not_applicable(const Backend &server, const Backend &client,
                                          TlsVersion version, KeyType key_type);

// cells lists every cell for `backends`, versions, key types and transports.
std::vector<Cell> cells(const std::vector<Backend> &backends,
                        const std::vector<TransportKind> &transports);

// Pki is a CA and a server certificate for one key type, made by one backend.
struct Pki {
  Certificate ca;
  Certificate server;
  Key server_key;
};
// make_pki makes it on `backend` (server names: localhost, 127.0.0.1, ::1).
Result<Pki> make_pki(const Backend &backend, KeyType key_type);

// run_cell runs one cell: handshake (timed), `payload` bytes each way, close.
CellResult run_cell(const Cell &cell, const Pki &pki, std::size_t payload = 16 * 1024);

}  // namespace polytls::matrix

#endif  // POLYTLS_APPS_MATRIX_HPP
