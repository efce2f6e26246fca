#include "polytls/pem.hpp"

#include <gtest/gtest.h>

#include "support.hpp"

namespace polytls {
namespace {

TEST(Pem, EncodesWithSixtyFourColumnsAndPadding) {
  std::vector<uint8_t> data(100);
  for (std::size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<uint8_t>(i);
  const std::string pem = pem_encode("TEST", data);
  EXPECT_TRUE(pem.starts_with("-----BEGIN TEST-----\n"));
  EXPECT_TRUE(pem.ends_with("\n-----END TEST-----\n"));
  const auto first_line_end = pem.find('\n', 21);
  EXPECT_EQ(first_line_end - 21, 64u);
  EXPECT_EQ(pem_encode("X", std::vector<uint8_t>{'a'}),
            "-----BEGIN X-----\nYQ==\n-----END X-----\n");
  EXPECT_EQ(pem_encode("X", std::vector<uint8_t>{'a', 'b'}),
            "-----BEGIN X-----\nYWI=\n-----END X-----\n");
}

TEST(Pem, DecodesWhatItEncodesAtEveryLength) {
  for (std::size_t n = 1; n < 70; ++n) {
    std::vector<uint8_t> data(n);
    for (std::size_t i = 0; i < n; ++i)
      data[i] = static_cast<uint8_t>(i * 37 + n);
    ASSERT_OK_AND_ASSIGN(auto blocks, pem_decode(pem_encode("DATA", data)));
    ASSERT_EQ(blocks.size(), 1u);
    EXPECT_EQ(blocks[0].label, "DATA");
    EXPECT_EQ(blocks[0].der, data) << n;
  }
}

TEST(Pem, ReadsBundlesHeadersAndCrLf) {
  const std::string text =
      "junk before\r\n-----BEGIN A-----\r\nYQ==\r\n-----END A-----\r\ntext\n"
      "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n"
      "YWI=\n-----END RSA PRIVATE KEY-----\n";
  ASSERT_OK_AND_ASSIGN(auto blocks, pem_decode(text));
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].der, (std::vector<uint8_t>{'a'}));
  EXPECT_EQ(blocks[1].label, "RSA PRIVATE KEY");
  ASSERT_EQ(blocks[1].headers.size(), 2u);
  EXPECT_EQ(blocks[1].headers[0].first, "Proc-Type");
  EXPECT_EQ(blocks[1].der, (std::vector<uint8_t>{'a', 'b'}));
}

TEST(Pem, RefusesBrokenArmourNamingTheLine) {
  EXPECT_ERROR(pem_decode(""), ErrorCode::bad_input);
  EXPECT_ERROR(pem_decode("no pem here"), ErrorCode::bad_input);
  EXPECT_ERROR(pem_decode("-----BEGIN A-----\nYQ==\n"), ErrorCode::bad_input);
  EXPECT_ERROR(pem_decode("-----BEGIN A-----\nYQ==\n-----END B-----\n"), ErrorCode::bad_input);
  EXPECT_ERROR(pem_decode("-----BEGIN A-----\nY!==\n-----END A-----\n"), ErrorCode::bad_input);
  EXPECT_ERROR(pem_decode("-----BEGIN A-----\nYQ=\n-----END A-----\n"), ErrorCode::bad_input);
  EXPECT_ERROR(pem_decode("-----BEGIN A-----\nYQ==YQ==\n-----END A-----\n"), ErrorCode::bad_input);
  EXPECT_ERROR(pem_decode("-----BEGIN A-----\nY\n-----END A-----\n"), ErrorCode::bad_input);
  EXPECT_ERROR(pem_decode("-----BEGIN A-----\n-----END A-----\n"), ErrorCode::bad_input);
  auto bad_char = pem_decode("x\n-----BEGIN A-----\nYWJj\nY!==\n-----END A-----\n");
  ASSERT_FALSE(bad_char.has_value());
  EXPECT_NE(bad_char.error().message().find("line 4"), std::string::npos)
      << bad_char.error().message();
}

}  // namespace
}  // namespace polytls
