#include "polytls/error.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>

#include "polytls/abi/types.h"
#include "polytls/result.hpp"

namespace polytls {
namespace {

TEST(Error, CodesMirrorTheAbi) {
  EXPECT_EQ(static_cast<int32_t>(ErrorCode::unsupported), POLYTLS_ERR_UNSUPPORTED);
  EXPECT_EQ(static_cast<int32_t>(ErrorCode::hostname_mismatch), POLYTLS_ERR_HOSTNAME_MISMATCH);
  EXPECT_EQ(static_cast<int32_t>(ErrorCode::internal), POLYTLS_ERR_INTERNAL);
  EXPECT_EQ(static_cast<int32_t>(ErrorCode::plugin), POLYTLS_ERR_PLUGIN);
  for (int32_t status = POLYTLS_ERR_UNSUPPORTED; status <= POLYTLS_ERR_PLUGIN; ++status) {
    EXPECT_EQ(static_cast<int32_t>(error_code_from_status(status)), status);
    EXPECT_NE(to_string(error_code_from_status(status)), "unknown") << status;
  }
  EXPECT_EQ(error_code_from_status(0), ErrorCode::internal);
  EXPECT_EQ(error_code_from_status(9999), ErrorCode::internal);
  EXPECT_EQ(to_string(ErrorCode::hostname_mismatch), "hostname_mismatch");
}

TEST(Error, RendersEverythingOnOneLine) {
  const Error e(ErrorCode::bad_passphrase, "cannot read the key", "mbedtls", -0x3b80,
                "PK - Given private key password does not allow for correct decryption");
  EXPECT_EQ(e.to_string(),
            "mbedtls: cannot read the key [bad_passphrase; PK - Given private key password does "
            "not allow for correct decryption (-15232)]");
  EXPECT_EQ(Error(ErrorCode::io, "disk full").to_string(), "disk full [io]");
  EXPECT_EQ(e.with_context("key.pem").message(), "key.pem: cannot read the key");
  EXPECT_EQ(e.with_context("key.pem").code(), ErrorCode::bad_passphrase);
}

Result<int> half(int v) {
  if (v % 2 != 0) return Error(ErrorCode::bad_input, "odd");
  return v / 2;
}

Result<int> quarter(int v) {
  POLYTLS_TRY(int h, half(v));
  POLYTLS_TRY(int q, half(h));
  return q;
}

TEST(Result, CarriesValuesAndErrors) {
  EXPECT_EQ(quarter(8).value(), 2);
  EXPECT_FALSE(quarter(6).has_value());
  EXPECT_EQ(quarter(6).error().message(), "odd");
  EXPECT_EQ(quarter(6).value_or(-1), -1);
  Result<void> fine = ok();
  EXPECT_TRUE(fine.has_value());
  Result<void> bad = Error(ErrorCode::timeout, "late");
  EXPECT_EQ(bad.error().code(), ErrorCode::timeout);
}

TEST(Error, RendersLibraryDetailAndCodeAlone) {
  EXPECT_EQ(Error(ErrorCode::io, "x", "b", 42).to_string(), "b: x [io; library error (42)]");
  EXPECT_EQ(Error(ErrorCode::io, "x", "", 0, "why").to_string(), "x [io; why]");
  EXPECT_EQ(Error(ErrorCode::io, "x", "", INT64_MIN).to_string(),
            "x [io; library error (-9223372036854775808)]");
  const char *none = nullptr;
  EXPECT_EQ(Error(ErrorCode::want_read, none).message(), "");
  EXPECT_EQ(Error(ErrorCode::want_read, {}).message(), "");
  EXPECT_EQ(Error(ErrorCode::io, "m", std::string("b")).backend(), "b");
}

// Result keeps a value or an error through every copy, move and assignment,
// in both directions between the two states.
TEST(Result, CopiesMovesAndAssignsAcrossStates) {
  Result<std::string> value = std::string(100, 'v');
  Result<std::string> error = Error(ErrorCode::io, "e");
  Result<std::string> copy = value;
  EXPECT_EQ(copy.value(), std::string(100, 'v'));
  copy = error;
  EXPECT_EQ(copy.error().message(), "e");
  copy = value;
  EXPECT_EQ(copy.value(), value.value());
  Result<std::string> moved = std::move(copy);
  EXPECT_EQ(moved.value(), std::string(100, 'v'));
  moved = Result<std::string>(Error(ErrorCode::timeout, "t"));
  EXPECT_EQ(moved.error().code(), ErrorCode::timeout);
  moved = Result<std::string>(std::string("w"));
  EXPECT_EQ(*moved, "w");
  const Result<std::string> &same = moved;
  moved = same;  // self-assignment keeps the value
  EXPECT_EQ(*moved, "w");

  Result<std::unique_ptr<int>> owner = std::make_unique<int>(7);
  Result<std::unique_ptr<int>> taken = std::move(owner);
  EXPECT_EQ(**taken, 7);
  taken = Error(ErrorCode::io, "gone");
  EXPECT_FALSE(taken.has_value());

  Result<void> fine = ok();
  Result<void> bad = Error(ErrorCode::io, "b");
  Result<void> either = bad;
  EXPECT_EQ(either.error().message(), "b");
  either = fine;
  EXPECT_TRUE(either.has_value());
  either = std::move(bad);
  EXPECT_EQ(either.error().message(), "b");
}

TEST(ResultDeathTest, ValueOnErrorAborts) {
  EXPECT_DEATH((void)half(3).value(), "value\\(\\) called on an error result: odd");
}

}  // namespace
}  // namespace polytls
