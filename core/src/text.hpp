// text.hpp: building the core's messages.
#ifndef POLYTLS_CORE_TEXT_HPP
#define POLYTLS_CORE_TEXT_HPP

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace polytls::detail {

// cat joins `parts` into one string: `cat({"cannot open ", path, ": ", why})`.
// One call instead of a chain of operator+, whose temporaries (and their
// clean-ups when an allocation throws) cost code at every message.
std::string cat(std::initializer_list<std::string_view> parts);

// Decimal is a number's decimal text, to be joined by cat:
// `cat({"line ", Decimal(n)})`.
class Decimal {
 public:
  explicit Decimal(uint64_t n) noexcept;
  operator std::string_view() const noexcept {  // NOLINT: implicit
    return {digits_ + start_, sizeof digits_ - 1 - start_};
  }
  const char *c_str() const noexcept { return digits_ + start_; }

 private:
  char digits_[21];  // 2^64 - 1 has 20 digits, then the NUL
  unsigned start_;
};

// slice, starts_with and ends_with are std::string_view's substr,
// starts_with and ends_with without their std::out_of_range check (a
// position past the end is clamped to the end): libstdc++ keeps that check,
// and its formatted exception, in every program that calls them.
constexpr std::string_view slice(std::string_view s, std::size_t pos,
                                 std::size_t n = std::string_view::npos) noexcept {
  if (pos > s.size()) pos = s.size();
  if (n > s.size() - pos) n = s.size() - pos;
  return {s.data() + pos, n};
}
constexpr bool starts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && std::string_view(s.data(), prefix.size()) == prefix;
}
constexpr bool ends_with(std::string_view s, std::string_view suffix) noexcept {
  return s.size() >= suffix.size() &&
         std::string_view(s.data() + s.size() - suffix.size(), suffix.size()) == suffix;
}

}  // namespace polytls::detail

#endif  // POLYTLS_CORE_TEXT_HPP
