#include "polytls/name.hpp"

#include <gtest/gtest.h>

#include "support.hpp"

namespace polytls {
namespace {

TEST(DistinguishedName, ParsesTheOriginalExercise) {
  ASSERT_OK_AND_ASSIGN(
      DistinguishedName name,
      DistinguishedName::parse("C=BR,ST=Distrito Federal,L=Brasília,O=UnB,OU=CIC,CN=localhost"));
  ASSERT_EQ(name.entries().size(), 6u);
  EXPECT_EQ(name.entries()[0], (NameEntry{NameAttribute::country, "BR"}));
  EXPECT_EQ(name.entries()[2], (NameEntry{NameAttribute::locality, "Brasília"}));
  EXPECT_EQ(name.common_name(), "localhost");
  EXPECT_EQ(name.to_string(), "C=BR, ST=Distrito Federal, L=Brasília, O=UnB, OU=CIC, CN=localhost");
}

TEST(DistinguishedName, EscapesRoundTrip) {
  ASSERT_OK_AND_ASSIGN(DistinguishedName name,
                       DistinguishedName::parse(" O = Acme\\, Inc. , cn=a\\=b\\\\c "));
  EXPECT_EQ(name.find(NameAttribute::organization), "Acme, Inc.");
  EXPECT_EQ(name.common_name(), "a=b\\c");
  ASSERT_OK_AND_ASSIGN(DistinguishedName again, DistinguishedName::parse(name.to_string()));
  EXPECT_EQ(again, name);
}

TEST(DistinguishedName, AcceptsAliasesAndEmail) {
  ASSERT_OK_AND_ASSIGN(DistinguishedName name,
                       DistinguishedName::parse("S=DF,E=admin@example.test,emailAddress=x@y.test"));
  EXPECT_EQ(name.find(NameAttribute::state), "DF");
  EXPECT_EQ(name.entries()[1].type, NameAttribute::email);
}

TEST(DistinguishedName, RefusesWhatX509CannotHold) {
  for (const char *bad : {"", "CN", "CN=", "XX=1", "C=Brazil", "C=br", "CN=a,", "CN=\xff\xfe",
                          "CN=a\\", "emailAddress=ü@example.test"}) {
    EXPECT_ERROR(DistinguishedName::parse(bad), ErrorCode::bad_input) << bad;
  }
  EXPECT_ERROR(DistinguishedName::parse("CN=" + std::string(65, 'x')), ErrorCode::bad_input);
  EXPECT_OK(DistinguishedName::parse("CN=" + std::string(64, 'x')));
  // Limits count characters, not bytes.
  std::string accents;
  for (int i = 0; i < 64; ++i)
    accents += "é";
  EXPECT_OK(DistinguishedName::parse("CN=" + accents));
  EXPECT_OK(DistinguishedName::parse("L=" + std::string(128, 'x')));
}

TEST(DistinguishedName, UnknownAttributeListsTheKnownOnes) {
  auto result = DistinguishedName::parse("DC=example");
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message().find("C, ST, L, O, OU, CN, emailAddress"), std::string::npos);
}

}  // namespace
}  // namespace polytls
