#include "der.hpp"

#include <gtest/gtest.h>

#include "pkcs8.hpp"
#include "polytls/features.hpp"
#if POLYTLS_HAS_CERT_CREATE
#include "x509_der.hpp"
#endif

namespace polytls::der {
namespace {

Bytes hex(std::string_view text) {
  Bytes out;
  for (std::size_t i = 0; i + 1 < text.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

TEST(Der, EncodesLengthsMinimally) {
  EXPECT_EQ(tlv(kOctetString, Bytes(0x7f)).size(), 0x7fu + 2);
  const Bytes b128 = tlv(kOctetString, Bytes(0x80));
  EXPECT_EQ(b128[1], 0x81);
  EXPECT_EQ(b128[2], 0x80);
  const Bytes b300 = tlv(kOctetString, Bytes(300));
  EXPECT_EQ(b300[1], 0x82);
  EXPECT_EQ(b300[2], 0x01);
  EXPECT_EQ(b300[3], 0x2c);
}

TEST(Der, EncodesIntegersAsPositive) {
  EXPECT_EQ(unsigned_integer(hex("00007f")), hex("02017f"));
  EXPECT_EQ(unsigned_integer(hex("80")), hex("02020080"));
  EXPECT_EQ(unsigned_integer(Bytes{}), hex("020100"));
  EXPECT_EQ(small_integer(2048), hex("02020800"));
  EXPECT_EQ(small_integer(0), hex("020100"));
}

TEST(Der, EncodesAndPrintsOids) {
  EXPECT_EQ(oid("1.2.840.113549.1.1.1"), hex("06092a864886f70d010101"));
  EXPECT_EQ(oid("2.5.4.3"), hex("0603550403"));
  EXPECT_EQ(oid("1.3.101.112"), hex("06032b6570"));
  EXPECT_EQ(oid_to_string(hex("2a864886f70d010101")), "1.2.840.113549.1.1.1");
  EXPECT_EQ(oid_to_string(hex("550403")), "2.5.4.3");
}

TEST(Der, ReaderRejectsEveryMalformation) {
  const Bytes good = hex("300602010102010200");  // SEQUENCE { 1, 2 } + a trailing 00
  Reader r(good);
  ASSERT_TRUE(r.read().has_value());
  EXPECT_FALSE(r.empty());
  EXPECT_FALSE(parse_single(good, kSequence, "x").has_value());    // trailing byte
  EXPECT_FALSE(Reader(hex("30")).read().has_value());              // no length
  EXPECT_FALSE(Reader(hex("3080")).read().has_value());            // indefinite
  EXPECT_FALSE(Reader(hex("30850000000001")).read().has_value());  // 5 length bytes
  EXPECT_FALSE(Reader(hex("30817f")).read().has_value());          // non-minimal
  EXPECT_FALSE(Reader(hex("3005020101")).read().has_value());      // longer than data
  EXPECT_FALSE(Reader(hex("1f0100")).read().has_value());          // multi-byte tag
}

TEST(Der, ReaderSurvivesEveryTruncation) {
  const Bytes whole = sequence({view(small_integer(70000)), view(octet_string(Bytes(200, 7)))});
  for (std::size_t n = 0; n < whole.size(); ++n) {
    EXPECT_FALSE(parse_single(View(whole.data(), n), kSequence, "cut").has_value()) << n;
  }
  EXPECT_TRUE(parse_single(whole, kSequence, "whole").has_value());
}

TEST(Der, ReadsSmallUnsignedIntegers) {
  const Bytes small = hex("020300ffff");
  Reader r(small);
  auto tlv_result = r.read();
  ASSERT_TRUE(tlv_result.has_value());
  EXPECT_EQ(read_small_unsigned(*tlv_result, "n").value(), 0xffffu);
  const Bytes negative_bytes = hex("0201ff");
  Reader negative(negative_bytes);
  EXPECT_FALSE(read_small_unsigned(negative.read().value(), "n").has_value());
  const Bytes huge_bytes = hex("0209010000000000000000");
  Reader huge(huge_bytes);
  EXPECT_FALSE(read_small_unsigned(huge.read().value(), "n").has_value());
}

#if POLYTLS_HAS_CERT_CREATE  // the encoders exist only with certificate creation
TEST(X509Der, EncodesNamesWithTheRightStringTypes) {
  DistinguishedName name;
  name.add(NameAttribute::country, "BR");
  name.add(NameAttribute::locality, "Brasília");
  name.add(NameAttribute::email, "a@b.test");
  // C as PrintableString, L as UTF8String, emailAddress as IA5String, one RDN each.
  EXPECT_EQ(encode_name(name), hex("303a"
                                   "310b3009060355040613024252"
                                   "3112301006035504070c0942726173c3ad6c6961"
                                   "3117301506092a864886f70d01090116086140622e74657374"));
}

TEST(X509Der, ChoosesUtcTimeUntil2049) {
  const auto t2030 = parse_utc_time("2030-01-31T12:34:56Z").value();
  EXPECT_EQ(encode_time(t2030), tlv(kUtcTime, view(std::string_view("300131123456Z"))));
  const auto t1950 = parse_utc_time("1950-01-01").value();
  EXPECT_EQ(encode_time(t1950), tlv(kUtcTime, view(std::string_view("500101000000Z"))));
  const auto t2050 = parse_utc_time("2050-01-01").value();
  EXPECT_EQ(encode_time(t2050), tlv(kGeneralizedTime, view(std::string_view("20500101000000Z"))));
  const auto t1949 = parse_utc_time("1949-12-31T23:59:59Z").value();
  EXPECT_EQ(encode_time(t1949), tlv(kGeneralizedTime, view(std::string_view("19491231235959Z"))));
}

TEST(X509Der, EncodesGeneralNames) {
  const std::vector<SubjectAltName> names = {SubjectAltName::parse("DNS:localhost").value(),
                                             SubjectAltName::parse("IP:127.0.0.1").value(),
                                             SubjectAltName::parse("IP:::1").value()};
  auto der = encode_general_names(names);
  ASSERT_TRUE(der.has_value());
  EXPECT_EQ(*der, hex("3023"
                      "82096c6f63616c686f7374"
                      "87047f000001"
                      "871000000000000000000000000000000001"));
}

TEST(X509Der, EncodesExtendedKeyUsage) {
  EXPECT_EQ(encode_ext_key_usage(ext_key_usage::server_auth | ext_key_usage::client_auth),
            hex("3014"
                "06082b06010505070301"
                "06082b06010505070302"));
}

#endif

TEST(Pkcs8, ClassifiesKeyStructures) {
  using detail::classify_key_der;
  // RSAPrivateKey starts INTEGER 0, INTEGER n.
  EXPECT_EQ(classify_key_der(hex("3006020100020101")).value(), POLYTLS_KEY_FORMAT_TRADITIONAL);
  // ECPrivateKey: INTEGER 1, OCTET STRING.
  EXPECT_EQ(classify_key_der(hex("3006020101040101")).value(), POLYTLS_KEY_FORMAT_TRADITIONAL);
  // PrivateKeyInfo: INTEGER 0, SEQUENCE.
  EXPECT_EQ(classify_key_der(hex("30070201003002050004")).has_value(), false);  // malformed
  EXPECT_EQ(classify_key_der(hex("3009020100300005000400")).value(), POLYTLS_KEY_FORMAT_PKCS8);
  // SubjectPublicKeyInfo: SEQUENCE, BIT STRING.
  EXPECT_EQ(classify_key_der(hex("30063000030200ff")).value(), POLYTLS_KEY_FORMAT_SPKI);
  // EncryptedPrivateKeyInfo: SEQUENCE, OCTET STRING.
  EXPECT_EQ(classify_key_der(hex("30063000040200ff")).value(), POLYTLS_KEY_FORMAT_PKCS8_ENCRYPTED);
  EXPECT_FALSE(classify_key_der(hex("0400")).has_value());
  EXPECT_FALSE(classify_key_der(hex("3003010100")).has_value());
}

TEST(Pkcs8, WrapsTraditionalKeys) {
  const Bytes rsa = hex("3006020100020101");
  auto wrapped = detail::wrap_pkcs8(rsa, KeyAlgorithm::rsa, EcCurve::none);
  ASSERT_TRUE(wrapped.has_value());
  const Bytes got(wrapped->data(), wrapped->data() + wrapped->size());
  EXPECT_EQ(got, hex("301c"
                     "020100"
                     "300d06092a864886f70d0101010500"
                     "0408"
                     "3006020100020101"));
  auto ec = detail::wrap_pkcs8(hex("3003020101"), KeyAlgorithm::ec, EcCurve::p256);
  ASSERT_TRUE(ec.has_value());
  const Bytes ec_got(ec->data(), ec->data() + ec->size());
  EXPECT_EQ(ec_got, hex("301f"
                        "020100"
                        "301306072a8648ce3d020106082a8648ce3d030107"
                        "0405"
                        "3003020101"));
  EXPECT_FALSE(detail::wrap_pkcs8(rsa, KeyAlgorithm::ed25519, EcCurve::none).has_value());
  EXPECT_FALSE(detail::wrap_pkcs8(rsa, KeyAlgorithm::ec, EcCurve::none).has_value());
}

}  // namespace
}  // namespace polytls::der
