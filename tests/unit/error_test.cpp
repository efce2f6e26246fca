#include "polytls/error.hpp"

#include <gtest/gtest.h>

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

TEST(ResultDeathTest, ValueOnErrorAborts) {
  EXPECT_DEATH((void)half(3).value(), "value\\(\\) called on an error result: odd");
}

}  // namespace
}  // namespace polytls
