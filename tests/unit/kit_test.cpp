// The backend kit's helpers, shared by every backend.
#include "polytls/kit/backend_kit.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <ctime>
#include <new>
#include <stdexcept>

namespace polytls::kit {
namespace {

TEST(Kit, UnixSecondsMatchesTimegm) {
  for (int year : {1950, 1969, 1970, 1999, 2000, 2024, 2038, 2049, 2050, 2100, 9999}) {
    for (int month : {1, 2, 3, 12}) {
      std::tm tm{};
      tm.tm_year = year - 1900;
      tm.tm_mon = month - 1;
      tm.tm_mday = month == 2 ? 28 : 31;
      tm.tm_hour = 23;
      tm.tm_min = 59;
      tm.tm_sec = 58;
      EXPECT_EQ(unix_seconds(year, month, tm.tm_mday, 23, 59, 58), ::timegm(&tm))
          << year << "-" << month;
    }
  }
  static_assert(unix_seconds(1970, 1, 1, 0, 0, 0) == 0);
  static_assert(unix_seconds(2000, 2, 29, 0, 0, 0) == 951782400);
}

TEST(Kit, ConvertsBmpAndUniversalStrings) {
  const unsigned char bmp[] = {0x00, 'B', 0x00, 0xed, 0xd8, 0x3d, 0xde, 0x00};  // "Bí😀"
  EXPECT_EQ(bmp_to_utf8(bmp), "B\xc3\xad\xf0\x9f\x98\x80");
  const unsigned char lone[] = {0xd8, 0x00};  // an unpaired surrogate
  EXPECT_EQ(bmp_to_utf8(lone), "\xef\xbf\xbd");
  const unsigned char ucs4[] = {0, 0, 0, 'a', 0, 1, 0xf6, 0x00};
  EXPECT_EQ(universal_to_utf8(ucs4), "a\xf0\x9f\x98\x80");
}

TEST(Kit, SecretBytesGrowFromEmpty) {
  SecretBytes bytes;
  bytes.resize(3);
  EXPECT_EQ(bytes.size(), 3u);
  bytes.data()[2] = 7;
  bytes.resize(1000);
  EXPECT_EQ(bytes.data()[2], 7);
}

TEST(Kit, GuardTurnsExceptionsIntoInternal) {
  polytls_error err{};
  err.struct_size = sizeof err;
  const polytls_status status =
      guard(&err, []() -> polytls_status { throw std::runtime_error("boom"); });
  EXPECT_EQ(status, POLYTLS_ERR_INTERNAL);
  EXPECT_STREQ(err.detail, "unexpected exception: boom");
  EXPECT_EQ(guard(&err, []() -> polytls_status { throw std::bad_alloc(); }), POLYTLS_ERR_INTERNAL);
  EXPECT_STREQ(err.detail, "out of memory");
  EXPECT_EQ(guard(&err, []() -> polytls_status { throw 42; }), POLYTLS_ERR_INTERNAL);
  EXPECT_STREQ(err.detail, "unexpected exception");
  EXPECT_EQ(guard(&err, []() -> polytls_status { return POLYTLS_ERR_TIMEOUT; }),
            POLYTLS_ERR_TIMEOUT);
  // A caller's smaller (older) error struct is never written past.
  polytls_error small{};
  small.struct_size = 8;
  EXPECT_EQ(set_error(&small, POLYTLS_ERR_BAD_INPUT, 5, "x"), POLYTLS_ERR_BAD_INPUT);
  EXPECT_EQ(small.library_code, 0);
}

TEST(Kit, SignatureDigestRules) {
  EXPECT_EQ(check_signature_digest(POLYTLS_KEY_ED25519, POLYTLS_DIGEST_NONE, false, nullptr),
            POLYTLS_OK);
  EXPECT_EQ(check_signature_digest(POLYTLS_KEY_ED25519, POLYTLS_DIGEST_SHA256, false, nullptr),
            POLYTLS_ERR_BAD_INPUT);
  for (uint32_t algorithm : {POLYTLS_KEY_RSA, POLYTLS_KEY_EC}) {
    EXPECT_EQ(check_signature_digest(algorithm, POLYTLS_DIGEST_SHA384, false, nullptr), POLYTLS_OK);
    EXPECT_EQ(check_signature_digest(algorithm, POLYTLS_DIGEST_SHA1, true, nullptr), POLYTLS_OK);
    EXPECT_EQ(check_signature_digest(algorithm, POLYTLS_DIGEST_SHA1, false, nullptr),
              POLYTLS_ERR_BAD_INPUT);
    EXPECT_EQ(check_signature_digest(algorithm, POLYTLS_DIGEST_NONE, true, nullptr),
              POLYTLS_ERR_BAD_INPUT);
    EXPECT_EQ(check_signature_digest(algorithm, 99, true, nullptr), POLYTLS_ERR_BAD_INPUT);
  }
}

TEST(Kit, ReadsATlsSelection) {
  const uint8_t suites[] = {0xC0, 0x2F, 0x13, 0x02, 0x13, 0x01};
  const uint8_t groups[] = {0x00, 0x18, 0x00, 0x1d};
  polytls_tls_config_v1 config{};
  config.struct_size = sizeof config;
  config.min_version = POLYTLS_TLS1_3;
  config.max_version = POLYTLS_TLS1_3;
  config.cipher_suites = {suites, sizeof suites};
  config.groups = {groups, sizeof groups};
  TlsSelection selection;
  polytls_error err{};
  err.struct_size = sizeof err;
  ASSERT_EQ(read_tls_selection(config, selection, &err), POLYTLS_OK) << err.detail;
  // The TLS 1.2 suite is outside the range: skipped.
  ASSERT_EQ(selection.suites.size(), 2u);
  EXPECT_EQ(selection.suites[0]->iana, 0x1302);
  EXPECT_EQ(selection.suites[1]->iana, 0x1301);
  ASSERT_EQ(selection.groups.size(), 2u);
  EXPECT_STREQ(selection.groups[0]->name, "secp384r1");
  // Both versions need a suite each.
  config.min_version = POLYTLS_TLS1_2;
  config.cipher_suites = {suites + 2, 4};
  EXPECT_EQ(read_tls_selection(config, selection, &err), POLYTLS_ERR_BAD_INPUT);
  // Odd lengths, duplicates, numbers polytls does not allow.
  config.cipher_suites = {suites, 3};
  EXPECT_EQ(read_tls_selection(config, selection, &err), POLYTLS_ERR_BAD_INPUT);
  const uint8_t twice[] = {0x13, 0x01, 0x13, 0x01};
  config.cipher_suites = {twice, sizeof twice};
  EXPECT_EQ(read_tls_selection(config, selection, &err), POLYTLS_ERR_BAD_INPUT);
  EXPECT_NE(std::strstr(err.detail, "listed twice"), nullptr) << err.detail;
  const uint8_t cbc[] = {0x00, 0x2f};
  config.cipher_suites = {cbc, sizeof cbc};
  EXPECT_EQ(read_tls_selection(config, selection, &err), POLYTLS_ERR_UNSUPPORTED);
  config.cipher_suites = {};
  config.groups = {cbc, sizeof cbc};  // 0x002f is no group either
  EXPECT_EQ(read_tls_selection(config, selection, &err), POLYTLS_ERR_UNSUPPORTED);
  // A config from a core that knew no selection selects nothing.
  config.cipher_suites = {suites, sizeof suites};
  config.struct_size = offsetof(polytls_tls_config_v1, cipher_suites);
  ASSERT_EQ(read_tls_selection(config, selection, &err), POLYTLS_OK);
  EXPECT_TRUE(selection.suites.empty());
  EXPECT_TRUE(selection.groups.empty());
}

TEST(Kit, LendingCacheLendsEachEntryToOneUserAtATime) {
  LendingCache<std::unique_ptr<int>> cache(2);
  const std::vector<unsigned char> a{1}, b{2}, c{3};
  EXPECT_FALSE(cache.take(a).has_value());
  cache.give_back({a, std::make_unique<int>(10)});
  auto lent = cache.take(a);
  ASSERT_TRUE(lent.has_value());
  EXPECT_EQ(*lent->value, 10);
  EXPECT_FALSE(cache.take(a).has_value()) << "lent out: not in the cache meanwhile";
  // Made twice at once: the second copy given back is dropped.
  cache.give_back(std::move(*lent));
  cache.give_back({a, std::make_unique<int>(11)});
  lent = cache.take(a);
  ASSERT_TRUE(lent.has_value());
  EXPECT_EQ(*lent->value, 10);
  EXPECT_FALSE(cache.take(a).has_value());
  cache.give_back(std::move(*lent));
  // Full: the oldest goes.
  cache.give_back({b, std::make_unique<int>(20)});
  cache.give_back({c, std::make_unique<int>(30)});
  EXPECT_FALSE(cache.take(a).has_value());
  ASSERT_TRUE(cache.take(b).has_value());
  auto third = cache.take(c);
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(*third->value, 30);
}

}  // namespace
}  // namespace polytls::kit
