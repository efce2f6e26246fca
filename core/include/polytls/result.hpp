// polytls/result.hpp: Result<T>, a value or an Error.
//
// Shaped like std::expected so it can become one: `has_value()`, `value()`,
// `error()`, `operator*`, `operator->`. It is [[nodiscard]]: an ignored
// error is a compile-time warning.
#ifndef POLYTLS_RESULT_HPP
#define POLYTLS_RESULT_HPP

#include <cstdio>
#include <cstdlib>
#include <new>
#include <type_traits>
#include <utility>

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

// Result holds either a T or an Error. (A tagged union rather than a
// std::variant: every Result type in a program instantiates its special
// members, and the union's are a fraction of the variant's code, with no
// bad_variant_access paths.)
template <class T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(T value) : has_value_(true) { ::new (&value_) T(std::move(value)); }  // NOLINT: implicit
  Result(Error error) : has_value_(false) {                                    // NOLINT: implicit
    ::new (&error_) Error(std::move(error));
  }
  Result(const Result &other) requires std::is_copy_constructible_v<T>
      : has_value_(other.has_value_) {
    if (has_value_) {
      ::new (&value_) T(other.value_);
    } else {
      ::new (&error_) Error(other.error_);
    }
  }
  Result(Result &&other) noexcept(std::is_nothrow_move_constructible_v<T>)
      : has_value_(other.has_value_) {
    if (has_value_) {
      ::new (&value_) T(std::move(other.value_));
    } else {
      ::new (&error_) Error(std::move(other.error_));
    }
  }
  Result &operator=(const Result &other) requires std::is_copy_constructible_v<T> {
    if (this != &other) *this = Result(other);
    return *this;
  }
  Result &operator=(Result &&other) noexcept(
      std::is_nothrow_move_constructible_v<T> &&std::is_nothrow_move_assignable_v<T>) {
    if (this == &other) return *this;
    if (has_value_ && other.has_value_) {
      value_ = std::move(other.value_);
    } else if (!has_value_ && !other.has_value_) {
      error_ = std::move(other.error_);
    } else if (other.has_value_) {
      // Error to value. An Error's move never throws; when T's may, the
      // error is kept aside and put back if it does.
      if constexpr (std::is_nothrow_move_constructible_v<T>) {
        error_.~Error();
        ::new (&value_) T(std::move(other.value_));
      } else {
        Error saved(std::move(error_));
        error_.~Error();
        try {
          ::new (&value_) T(std::move(other.value_));
        } catch (...) {
          ::new (&error_) Error(std::move(saved));
          throw;
        }
      }
      has_value_ = true;
    } else {
      value_.~T();
      ::new (&error_) Error(std::move(other.error_));
      has_value_ = false;
    }
    return *this;
  }
  ~Result() {
    if (has_value_) {
      value_.~T();
    } else {
      error_.~Error();
    }
  }

  bool has_value() const noexcept { return has_value_; }
  explicit operator bool() const noexcept { return has_value(); }

  T &value() & {
    if (!has_value_) detail::die_on_bad_access(error_);
    return value_;
  }
  const T &value() const & {
    if (!has_value_) detail::die_on_bad_access(error_);
    return value_;
  }
  T &&value() && {
    if (!has_value_) detail::die_on_bad_access(error_);
    return std::move(value_);
  }

  const Error &error() const & {
    if (has_value_) detail::die_on_no_error();
    return error_;
  }

  T &operator*() & { return value(); }
  const T &operator*() const & { return value(); }
  T &&operator*() && { return std::move(*this).value(); }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }

  template <class U>
  T value_or(U &&fallback) const & {
    return has_value_ ? value_ : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  union {
    T value_;
    Error error_;
  };
  bool has_value_;
};

// Result<void> is success or an Error; a success holds no Error at all.
template <>
class [[nodiscard]] Result<void> {
 public:
  using value_type = void;

  Result() noexcept : failed_(false) {}
  Result(Error error) : failed_(true) {  // NOLINT: implicit
    ::new (&error_) Error(std::move(error));
  }
  Result(const Result &other) : failed_(other.failed_) {
    if (failed_) ::new (&error_) Error(other.error_);
  }
  Result(Result &&other) noexcept : failed_(other.failed_) {
    if (failed_) ::new (&error_) Error(std::move(other.error_));
  }
  Result &operator=(const Result &other) {
    if (this != &other) *this = Result(other);
    return *this;
  }
  Result &operator=(Result &&other) noexcept {
    if (this == &other) return *this;
    if (failed_ && other.failed_) {
      error_ = std::move(other.error_);
    } else if (other.failed_) {
      ::new (&error_) Error(std::move(other.error_));
      failed_ = true;
    } else if (failed_) {
      error_.~Error();
      failed_ = false;
    }
    return *this;
  }
  ~Result() {
    if (failed_) error_.~Error();
  }

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
  union {
    Error error_;
  };
  bool failed_;
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
