#include "utf8.hpp"

#include <cstdint>

namespace polytls::detail {

std::optional<std::size_t> utf8_length(std::string_view text) noexcept {
  std::size_t count = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto b0 = static_cast<uint8_t>(text[i]);
    std::size_t n = 0;
    uint32_t cp = 0;
    uint32_t min = 0;
    if (b0 < 0x80) {
      n = 1;
      cp = b0;
    } else if ((b0 & 0xe0) == 0xc0) {
      n = 2;
      cp = b0 & 0x1f;
      min = 0x80;
    } else if ((b0 & 0xf0) == 0xe0) {
      n = 3;
      cp = b0 & 0x0f;
      min = 0x800;
    } else if ((b0 & 0xf8) == 0xf0) {
      n = 4;
      cp = b0 & 0x07;
      min = 0x10000;
    } else {
      return std::nullopt;
    }
    if (i + n > text.size()) return std::nullopt;
    for (std::size_t k = 1; k < n; ++k) {
      const auto b = static_cast<uint8_t>(text[i + k]);
      if ((b & 0xc0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (b & 0x3f);
    }
    if (n > 1 && cp < min) return std::nullopt;
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return std::nullopt;
    i += n;
    ++count;
  }
  return count;
}

}  // namespace polytls::detail
