// support.hpp: helpers shared by polytls tests.
#ifndef POLYTLS_TESTS_SUPPORT_HPP
#define POLYTLS_TESTS_SUPPORT_HPP

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "polytls/polytls.hpp"

namespace polytls::test {

// backend_names lists the global registry's backends (the test parameters).
std::vector<std::string> backend_names();

// backend returns a registered backend by name, failing the test if absent.
Backend backend(const std::string &name);

// cached_key returns a key of `type` generated once per backend and test
// process (RSA-4096 generation is slow on some libraries).
const Key &cached_key(const std::string &backend_name, KeyType type);

// leaf_spec is the usual server certificate used by tests.
CertificateSpec leaf_spec(std::string cn = "localhost");
// ca_spec is a CA certificate used by tests.
CertificateSpec ca_spec(std::string cn = "polytls Test CA");

// TempDir is a fresh directory removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  const std::filesystem::path &path() const { return path_; }
  std::filesystem::path operator/(const std::string &name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// ProcessResult is how a child process ended.
struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal or the timeout
  bool timed_out = false;
  std::string out;
  std::string err;
};

// run starts `argv` (argv[0] a path or a name looked up in PATH) with
// `input` on its standard input, and waits at most `timeout`; on timeout
// the child is killed. `env` entries ("NAME=value") are added to the environment.
ProcessResult run(const std::vector<std::string> &argv, const std::string &input = {},
                  std::chrono::milliseconds timeout = std::chrono::seconds(60),
                  const std::vector<std::string> &env = {});

// Child is a process running in the background, killed (SIGKILL) and
// reaped when the object goes away.
class Child {
 public:
  // start runs `argv` with `input` written to its stdin (then closed).
  static std::optional<Child> start(const std::vector<std::string> &argv,
                                    const std::string &input = {},
                                    const std::vector<std::string> &env = {});
  Child(Child &&other) noexcept;
  Child &operator=(Child &&) = delete;
  ~Child();
  // read_until reads stdout and stderr until `needle` appears in either, or
  // `timeout` passes; returns whether it appeared.
  bool read_until(std::string_view needle, std::chrono::milliseconds timeout);
  // wait waits at most `timeout` for the exit (then kills); returns the exit code or -1.
  int wait(std::chrono::milliseconds timeout);
  // signal sends `sig` (e.g. SIGINT) to the child.
  void signal(int sig);
  const std::string &out() const { return out_; }
  const std::string &err() const { return err_; }

 private:
  Child() = default;
  void drain(int wait_ms);
  int pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_, err_;
};

// find_program returns the path of `name` in PATH, if it is there.
std::optional<std::filesystem::path> find_program(const std::string &name);

// read_text returns a file's contents, or "" if it cannot be read.
std::string read_text(const std::filesystem::path &path);
// write_text writes a file, failing the test on error.
void write_text(const std::filesystem::path &path, const std::string &text);

// bytes views text as bytes.
inline std::span<const uint8_t> bytes(const std::string &text) {
  return {reinterpret_cast<const uint8_t *>(text.data()), text.size()};
}

// param_name renders a gtest parameter name with only [A-Za-z0-9_].
std::string param_name(std::string text);

// BackendParamName names a test instance after its backend.
struct BackendParamName {
  std::string operator()(const ::testing::TestParamInfo<std::string> &p) const {
    return param_name(p.param);
  }
};

}  // namespace polytls::test

namespace polytls::test {

// Succeeded is the predicate behind EXPECT_OK / ASSERT_OK.
template <class R>
::testing::AssertionResult Succeeded(const char *text, const R &result) {
  if (result.has_value()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << text << " failed: " << result.error().to_string();
}

// FailedWith is the predicate behind EXPECT_ERROR: the call failed with
// exactly `code`.
template <class R>
::testing::AssertionResult FailedWith(const char *text, const char *, const R &result,
                                      ErrorCode code) {
  if (result.has_value()) {
    return ::testing::AssertionFailure()
           << text << " succeeded, expected error " << to_string(code);
  }
  if (result.error().code() != code) {
    return ::testing::AssertionFailure()
           << text << " failed with " << to_string(result.error().code()) << ", expected "
           << to_string(code) << ": " << result.error().to_string();
  }
  return ::testing::AssertionSuccess();
}

}  // namespace polytls::test

// EXPECT_OK/ASSERT_OK check that a Result holds a value and show the error if not.
#define EXPECT_OK(expr) EXPECT_PRED_FORMAT1(::polytls::test::Succeeded, expr)
#define ASSERT_OK(expr) ASSERT_PRED_FORMAT1(::polytls::test::Succeeded, expr)
// EXPECT_ERROR checks that a Result failed with exactly `expected_code`.
#define EXPECT_ERROR(expr, expected_code) \
  EXPECT_PRED_FORMAT2(::polytls::test::FailedWith, expr, expected_code)
// ASSERT_OK_AND_ASSIGN(decl, expr) asserts success and moves the value into decl.
#define ASSERT_OK_AND_ASSIGN(decl, expr)                            \
  auto POLYTLS_CONCAT(polytls_aa_, __LINE__) = (expr);              \
  ASSERT_TRUE(POLYTLS_CONCAT(polytls_aa_, __LINE__).has_value())    \
      << POLYTLS_CONCAT(polytls_aa_, __LINE__).error().to_string(); \
  decl = std::move(POLYTLS_CONCAT(polytls_aa_, __LINE__)).value()

#endif  // POLYTLS_TESTS_SUPPORT_HPP
