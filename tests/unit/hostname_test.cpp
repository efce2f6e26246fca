#include "polytls/hostname.hpp"

#include <gtest/gtest.h>

#include "support.hpp"

namespace polytls {
namespace {

std::vector<SubjectAltName> names(std::initializer_list<const char *> texts) {
  std::vector<SubjectAltName> out;
  for (const char *t : texts)
    out.push_back(SubjectAltName::parse(t).value());
  return out;
}

TEST(Hostname, WildcardsCoverExactlyOneLeftMostLabel) {
  EXPECT_TRUE(dns_name_matches("*.example.test", "www.example.test"));
  EXPECT_FALSE(dns_name_matches("*.example.test", "example.test"));
  EXPECT_FALSE(dns_name_matches("*.example.test", "a.b.example.test"));
  EXPECT_FALSE(dns_name_matches("*.example.test", ".example.test"));
  EXPECT_FALSE(dns_name_matches("*.test", "example.test"));  // too few labels
  EXPECT_FALSE(dns_name_matches("*", "localhost"));
  EXPECT_FALSE(dns_name_matches("w*.example.test", "www.example.test"));  // partial wildcard
  EXPECT_FALSE(dns_name_matches("*.*.example.test", "a.b.example.test"));
  EXPECT_TRUE(dns_name_matches("localhost", "localhost"));
  EXPECT_FALSE(dns_name_matches("localhost", "localhost2"));
  EXPECT_FALSE(dns_name_matches("", ""));
}

TEST(Hostname, DnsHostsMatchDnsNamesOnly) {
  const auto sans = names({"DNS:localhost", "DNS:*.example.test", "IP:127.0.0.1"});
  EXPECT_OK(check_host(sans, "localhost"));
  EXPECT_OK(check_host(sans, "LOCALHOST."));
  EXPECT_OK(check_host(sans, "api.Example.Test"));
  EXPECT_ERROR(check_host(sans, "example.test"), ErrorCode::hostname_mismatch);
  auto mismatch = check_host(sans, "other.invalid");
  EXPECT_ERROR(mismatch, ErrorCode::hostname_mismatch);
  EXPECT_NE(mismatch.error().message().find("DNS:localhost, DNS:*.example.test, IP:127.0.0.1"),
            std::string::npos)
      << mismatch.error().message();
}

TEST(Hostname, IpHostsMatchIpNamesOnlyByBytes) {
  const auto sans = names({"DNS:127.0.0.2", "IP:127.0.0.1", "IP:::1", "IP:2001:db8::1"});
  EXPECT_OK(check_host(sans, "127.0.0.1"));
  EXPECT_OK(check_host(sans, "::1"));
  EXPECT_OK(check_host(sans, "[::1]"));
  EXPECT_OK(check_host(sans, "2001:0db8:0000::0001"));
  // A DNS SAN spelling an address does not match that address.
  EXPECT_ERROR(check_host(sans, "127.0.0.2"), ErrorCode::hostname_mismatch);
  EXPECT_ERROR(check_host(sans, "::2"), ErrorCode::hostname_mismatch);
  // An IPv4 address is not its IPv4-mapped IPv6 form.
  EXPECT_ERROR(check_host(sans, "::ffff:127.0.0.1"), ErrorCode::hostname_mismatch);
}

TEST(Hostname, TheCommonNameIsNeverConsulted) {
  EXPECT_ERROR(check_host({}, "localhost"), ErrorCode::hostname_mismatch);
}

TEST(Hostname, MalformedHostsAreBadInput) {
  const auto sans = names({"DNS:localhost"});
  EXPECT_ERROR(check_host(sans, ""), ErrorCode::bad_input);
  EXPECT_ERROR(check_host(sans, "*.example.test"), ErrorCode::bad_input);
}

}  // namespace
}  // namespace polytls
