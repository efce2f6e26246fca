#include "text.hpp"

namespace polytls::detail {

std::string cat(std::initializer_list<std::string_view> parts) {
  std::size_t size = 0;
  for (std::string_view part : parts)
    size += part.size();
  std::string out;
  out.reserve(size);
  for (std::string_view part : parts)
    out.append(part);
  return out;
}

Decimal::Decimal(uint64_t n) noexcept : start_(sizeof digits_ - 1) {
  digits_[start_] = '\0';
  do {
    digits_[--start_] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n != 0);
}

}  // namespace polytls::detail
