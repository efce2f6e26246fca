#include "polytls/subject_alt_name.hpp"

#include <gtest/gtest.h>

#include "support.hpp"

namespace polytls {
namespace {

TEST(SubjectAltName, ParsesDnsAndIp) {
  EXPECT_EQ(SubjectAltName::parse("DNS:LocalHost.").value().value, "localhost");
  EXPECT_EQ(SubjectAltName::parse("dns:*.example.test").value().to_string(), "DNS:*.example.test");
  EXPECT_EQ(SubjectAltName::parse("IP:127.0.0.1").value().ip_bytes(),
            (std::vector<uint8_t>{127, 0, 0, 1}));
  EXPECT_EQ(SubjectAltName::parse("IP:[0:0::1]").value().to_string(), "IP:::1");
  EXPECT_EQ(SubjectAltName::parse("IP:::1").value().ip_bytes().size(), 16u);
  EXPECT_EQ(SubjectAltName::parse("DNS:xn--bcher-kva.example").value().value,
            "xn--bcher-kva.example");
}

TEST(SubjectAltName, RefusesMalformedNames) {
  for (const char *bad : {"localhost", "URI:https://x", "DNS:", "DNS:a..b", "DNS:-a.test",
                          "DNS:a_b.test", "DNS:*.test", "DNS:*", "DNS:w*.example.test",
                          "DNS:a.*.example.test", "DNS:*.*.example.test", "IP:256.1.1.1",
                          "IP:1.2.3", "IP:localhost", "IP:", "DNS:bücher.example"}) {
    EXPECT_ERROR(SubjectAltName::parse(bad), ErrorCode::bad_input) << bad;
  }
  EXPECT_ERROR(SubjectAltName::parse("DNS:" + std::string(64, 'a') + ".test"),
               ErrorCode::bad_input);
}

TEST(SubjectAltName, IpBytesRoundTrip) {
  const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  ASSERT_OK_AND_ASSIGN(SubjectAltName name, SubjectAltName::from_ip_bytes(v6, 16));
  EXPECT_EQ(name.value, "2001:db8::1");
  EXPECT_ERROR(SubjectAltName::from_ip_bytes(v6, 5), ErrorCode::bad_input);
}

}  // namespace
}  // namespace polytls
