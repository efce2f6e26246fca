// polytls/result.hpp: Result<T>, a value or an Error.
//
// Shaped like std::expected so it can become one: `has_value()`, `value()`,
// `error()`, `operator*`, `operator->`. It is [[nodiscard]]: an ignored
// error is a compile-time warning.
#ifndef POLYTLS_RESULT_HPP
#define POLYTLS_RESULT_HPP

#include <cstdio>
#include <cstdlib>
#include <type_traits>
#include <utility>
#include <variant>

#include "polytls/error.hpp"

namespace polytls {

namespace detail {
// die_on_bad_access reports a value() call on an error and aborts: the
// caller broke the contract, and polytls uses no exceptions.
[[noreturn]] inline void die_on_bad_access(const Error &error) noexcept {
  std::fprintf(stderr, "polytls: value() called on an error result: %s\n",
               error.to_string().c_str());
  std::abort();
}
[[noreturn]] inline void die_on_no_error() noexcept {
  std::fprintf(stderr, "polytls: error() called on a result that holds a value\n");
  std::abort();
}
}  // namespace detail

// Result holds either a T or an Error.
template <class T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit

  bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T &value() & {
    if (!has_value()) detail::die_on_bad_access(std::get<1>(state_));
    return std::get<0>(state_);
  }
  const T &value() const & {
    if (!has_value()) detail::die_on_bad_access(std::get<1>(state_));
    return std::get<0>(state_);
  }
  T &&value() && {
    if (!has_value()) detail::die_on_bad_access(std::get<1>(state_));
    return std::get<0>(std::move(state_));
  }

  const Error &error() const & {
    if (has_value()) detail::die_on_no_error();
    return std::get<1>(state_);
  }

  T &operator*() & { return value(); }
  const T &operator*() const & { return value(); }
  T &&operator*() && { return std::move(*this).value(); }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }

  template <class U>
  T value_or(U &&fallback) const & {
    return has_value() ? std::get<0>(state_) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, Error> state_;
};

// Result<void> is success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  using value_type = void;

  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT: implicit

  bool has_value() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return has_value(); }
  void value() const {
    if (failed_) detail::die_on_bad_access(error_);
  }
  const Error &error() const & {
    if (!failed_) detail::die_on_no_error();
    return error_;
  }

 private:
  Error error_{ErrorCode::internal, {}};
  bool failed_ = false;
};

// ok returns a successful Result<void>.
inline Result<void> ok() {
  return {};
}

}  // namespace polytls

// POLYTLS_TRY(var, expr) evaluates `expr` (a Result), returns its error from
// the enclosing function on failure, and else moves the value into `var`.
#define POLYTLS_CONCAT_INNER(a, b) a##b
#define POLYTLS_CONCAT(a, b) POLYTLS_CONCAT_INNER(a, b)
#define POLYTLS_TRY(var, expr)                             \
  auto POLYTLS_CONCAT(polytls_try_, __LINE__) = (expr);    \
  if (!POLYTLS_CONCAT(polytls_try_, __LINE__).has_value()) \
    return POLYTLS_CONCAT(polytls_try_, __LINE__).error(); \
  var = std::move(POLYTLS_CONCAT(polytls_try_, __LINE__)).value()
// POLYTLS_CHECK(expr) returns the error of a Result<void> from the enclosing function.
#define POLYTLS_CHECK(expr)                                                    \
  do {                                                                         \
    if (auto polytls_check_result = (expr); !polytls_check_result.has_value()) \
      return polytls_check_result.error();                                     \
  } while (false)

#endif  // POLYTLS_RESULT_HPP
