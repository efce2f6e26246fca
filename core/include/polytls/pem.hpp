// polytls/pem.hpp: PEM armour (RFC 7468), done once for every backend.
#ifndef POLYTLS_PEM_HPP
#define POLYTLS_PEM_HPP

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "polytls/result.hpp"

namespace polytls {

// PemBlock is one "-----BEGIN label-----" ... "-----END label-----" block.
struct PemBlock {
  std::string label;
  // headers are RFC 1421 style "Name: value" lines (legacy encrypted keys).
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<uint8_t> der;
};

// pem_decode reads every block of `text`, ignoring text between blocks. It
// fails with `bad_input` when there is no block, a block is not closed,
// its END label differs, or its base64 is invalid, naming the line.
Result<std::vector<PemBlock>> pem_decode(std::string_view text);

// pem_encode armours `der` with `label`, 64 base64 characters per line.
std::string pem_encode(std::string_view label, std::span<const uint8_t> der);

// looks_like_pem tells whether `data` contains a PEM BEGIN line.
bool looks_like_pem(std::span<const uint8_t> data) noexcept;

}  // namespace polytls

#endif  // POLYTLS_PEM_HPP
