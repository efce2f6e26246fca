// utf8.hpp: UTF-8 validation for text that goes into certificates.
#ifndef POLYTLS_CORE_UTF8_HPP
#define POLYTLS_CORE_UTF8_HPP

#include <cstddef>
#include <optional>
#include <string_view>

namespace polytls::detail {

// utf8_length returns the number of code points in `text`, or nothing when
// it is not valid UTF-8 (overlong forms, surrogates and values above
// U+10FFFF are invalid).
std::optional<std::size_t> utf8_length(std::string_view text) noexcept;

}  // namespace polytls::detail

#endif  // POLYTLS_CORE_UTF8_HPP
