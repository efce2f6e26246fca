// The backend kit's ClientHello reader (kit/client_hello.hpp), checked on
// hand-built messages and against the core's own parser (polytls/wire.hpp).
#include "polytls/kit/client_hello.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string_view>

#include "polytls/wire.hpp"

namespace polytls::kit {
namespace {

using Bytes = std::vector<uint8_t>;

// Builders, as in wire_test.cpp.
void put16(Bytes &b, uint32_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
void put24(Bytes &b, uint32_t v) {
  b.push_back(static_cast<uint8_t>(v >> 16));
  put16(b, v);
}
Bytes vec(std::size_t prefix, const Bytes &body) {
  Bytes out;
  if (prefix == 1) out.push_back(static_cast<uint8_t>(body.size()));
  if (prefix == 2) put16(out, static_cast<uint32_t>(body.size()));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}
Bytes ext(uint16_t type, const Bytes &body) {
  Bytes out;
  put16(out, type);
  auto v = vec(2, body);
  out.insert(out.end(), v.begin(), v.end());
  return out;
}
Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes &p : parts)
    out.insert(out.end(), p.begin(), p.end());
  return out;
}
Bytes u16s(std::initializer_list<uint16_t> values) {
  Bytes out;
  for (uint16_t v : values)
    put16(out, v);
  return out;
}

// hello_prefix is a ClientHello body up to its extensions: legacy version,
// random, a 32-byte session id, three suites, null compression.
Bytes hello_prefix(uint16_t legacy_version = 0x0303) {
  Bytes body;
  put16(body, legacy_version);
  body.insert(body.end(), 32, 0xAB);
  return cat(
      {body, vec(1, Bytes(32, 0x11)), vec(2, u16s({0x1301, 0x1302, 0xC02F})), Bytes{0x01, 0x00}});
}

// A TLS 1.3 ClientHello as clients send it: legacy version 1.2, SNI,
// supported_groups, ALPN, supported_versions and a key share.
Bytes client_hello_body() {
  Bytes name = {'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't'};
  Bytes sni_entry = cat({Bytes{0x00}, vec(2, name)});
  Bytes share = cat({u16s({0x001d}), vec(2, Bytes(32, 0x42))});
  Bytes alpn = cat({vec(1, {'h', '2'}), vec(1, {'h', 't', 't', 'p', '/', '1', '.', '1'})});
  Bytes extensions =
      cat({ext(0, vec(2, sni_entry)), ext(10, vec(2, u16s({0x001d, 0x0017}))),
           ext(16, vec(2, alpn)), ext(43, vec(1, u16s({0x0304, 0x0303}))), ext(51, vec(2, share))});
  return cat({hello_prefix(), vec(2, extensions)});
}

Bytes record(uint8_t type, const Bytes &fragment, uint16_t version = 0x0301) {
  Bytes out = {type};
  put16(out, version);
  put16(out, static_cast<uint32_t>(fragment.size()));
  out.insert(out.end(), fragment.begin(), fragment.end());
  return out;
}

Bytes handshake(uint8_t type, const Bytes &body) {
  Bytes out = {type};
  put24(out, static_cast<uint32_t>(body.size()));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

TEST(ClientHelloKit, ReadsATls13ClientHello) {
  const ClientHelloSummary hello = parse_client_hello(client_hello_body());
  ASSERT_TRUE(hello.parsed);
  EXPECT_EQ(hello.legacy_version, 0x0303);
  EXPECT_TRUE(hello.has_supported_versions);
  EXPECT_EQ(hello.supported_versions, (std::vector<uint16_t>{0x0304, 0x0303}));
  EXPECT_TRUE(hello.has_supported_groups);
  EXPECT_EQ(hello.groups, (std::vector<uint16_t>{0x001d, 0x0017}));
  EXPECT_TRUE(hello.offers(POLYTLS_TLS1_3));
  EXPECT_TRUE(hello.offers(POLYTLS_TLS1_2));
  EXPECT_FALSE(hello.offers(0x0302));
  EXPECT_TRUE(hello.offers_any(0x0300, POLYTLS_TLS1_2));
  EXPECT_FALSE(hello.offers_any(0x0300, 0x0302));
  EXPECT_TRUE(hello.offers_group(0x001d));
  EXPECT_TRUE(hello.offers_group(0x0017));
  EXPECT_FALSE(hello.offers_group(0x0018));
}

TEST(ClientHelloKit, EveryTruncationFailsCleanly) {
  const Bytes body = client_hello_body();
  const std::size_t without_extensions = hello_prefix().size();
  for (std::size_t n = 0; n < body.size(); ++n) {
    // An exact-size copy, so that AddressSanitizer sees any read past the end.
    const Bytes cut(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(n));
    const ClientHelloSummary hello = parse_client_hello(cut);
    if (n == without_extensions) {
      // A ClientHello may end before its extensions (RFC 5246 7.4.1.2).
      EXPECT_TRUE(hello.parsed);
      EXPECT_FALSE(hello.has_supported_versions);
      EXPECT_FALSE(hello.has_supported_groups);
      continue;
    }
    EXPECT_FALSE(hello.parsed) << "cut at " << n;
    EXPECT_EQ(hello.legacy_version, 0) << "cut at " << n;
    EXPECT_FALSE(hello.has_supported_versions) << "cut at " << n;
    EXPECT_TRUE(hello.supported_versions.empty()) << "cut at " << n;
    EXPECT_TRUE(hello.groups.empty()) << "cut at " << n;
  }
}

TEST(ClientHelloKit, WithoutSupportedVersionsOffersUpToLegacyVersion) {
  // RFC 8446 4.2.1: without supported_versions, TLS 1.2 or before only,
  // even when legacy_version says 0x0304.
  ClientHelloSummary tls12 = parse_client_hello(hello_prefix(0x0303));
  ASSERT_TRUE(tls12.parsed);
  EXPECT_FALSE(tls12.has_supported_versions);
  EXPECT_TRUE(tls12.offers(POLYTLS_TLS1_2));
  EXPECT_TRUE(tls12.offers(0x0301));
  EXPECT_FALSE(tls12.offers(POLYTLS_TLS1_3));

  ClientHelloSummary tls11 = parse_client_hello(hello_prefix(0x0302));
  ASSERT_TRUE(tls11.parsed);
  EXPECT_FALSE(tls11.offers(POLYTLS_TLS1_2));
  EXPECT_TRUE(tls11.offers(0x0302));
  EXPECT_TRUE(tls11.offers_any(0x0300, POLYTLS_TLS1_2));
  EXPECT_FALSE(tls11.offers_any(POLYTLS_TLS1_2, POLYTLS_TLS1_3));

  ClientHelloSummary high = parse_client_hello(hello_prefix(0x0304));
  ASSERT_TRUE(high.parsed);
  EXPECT_TRUE(high.offers(POLYTLS_TLS1_2));
  EXPECT_FALSE(high.offers(POLYTLS_TLS1_3));
}

TEST(ClientHelloKit, SupportedVersionsDecidesWhenPresent) {
  // TLS 1.3 only, legacy_version 1.2: TLS 1.2 is not offered.
  const ClientHelloSummary only13 =
      parse_client_hello(cat({hello_prefix(), vec(2, ext(43, vec(1, u16s({0x0304}))))}));
  ASSERT_TRUE(only13.parsed);
  EXPECT_TRUE(only13.offers(POLYTLS_TLS1_3));
  EXPECT_FALSE(only13.offers(POLYTLS_TLS1_2));
  EXPECT_FALSE(only13.offers_any(0x0300, POLYTLS_TLS1_2));

  // An empty list offers nothing at all.
  const ClientHelloSummary empty = parse_client_hello(cat({hello_prefix(), vec(2, ext(43, {0}))}));
  ASSERT_TRUE(empty.parsed);
  EXPECT_TRUE(empty.has_supported_versions);
  EXPECT_FALSE(empty.offers(POLYTLS_TLS1_2));
  EXPECT_FALSE(empty.offers_any(0, 0xFFFF));
}

TEST(ClientHelloKit, HowItReadsOddShapes) {
  // Both backends rely on these readings (see the header).
  // A repeated extension adds to its list.
  const ClientHelloSummary twice = parse_client_hello(
      cat({hello_prefix(),
           vec(2, cat({ext(43, vec(1, u16s({0x0304}))), ext(43, vec(1, u16s({0x0303})))}))}));
  ASSERT_TRUE(twice.parsed);
  EXPECT_EQ(twice.supported_versions, (std::vector<uint16_t>{0x0304, 0x0303}));
  // An odd last byte of a list is ignored.
  const ClientHelloSummary odd =
      parse_client_hello(cat({hello_prefix(), vec(2, ext(10, vec(2, Bytes{0x00, 0x1d, 0x00})))}));
  ASSERT_TRUE(odd.parsed);
  EXPECT_EQ(odd.groups, (std::vector<uint16_t>{0x001d}));
  // Bytes after the extensions are ignored.
  const ClientHelloSummary trailing =
      parse_client_hello(cat({hello_prefix(), vec(2, ext(10, vec(2, u16s({0x0017})))), {0x99}}));
  ASSERT_TRUE(trailing.parsed);
  EXPECT_EQ(trailing.groups, (std::vector<uint16_t>{0x0017}));
  // A list longer than its extension, or an empty supported_versions
  // extension, is an overrun.
  EXPECT_FALSE(
      parse_client_hello(cat({hello_prefix(), vec(2, ext(43, Bytes{4, 0x03, 0x04}))})).parsed);
  EXPECT_FALSE(parse_client_hello(cat({hello_prefix(), vec(2, ext(43, {}))})).parsed);
  // One byte where the extensions' length should be.
  EXPECT_FALSE(parse_client_hello(cat({hello_prefix(), {0x00}})).parsed);
}

TEST(ClientHelloKit, FirstClientHelloJoinsTwoRecords) {
  const Bytes body = client_hello_body();
  const Bytes message = handshake(1, body);
  const Bytes first(message.begin(), message.begin() + 40);
  const Bytes second(message.begin() + 40, message.end());
  // Something after the message (the client's next flight) is ignored.
  const Bytes stream = cat({record(22, first),
                            record(22, second, 0x0303),
                            record(23, Bytes(20, 0x99), 0x0303),
                            {0x17, 0x03}});
  Bytes out = {0xEE};
  ASSERT_EQ(first_client_hello(stream, out), FirstHello::complete);
  EXPECT_EQ(out, body);
  EXPECT_TRUE(parse_client_hello(out).parsed);

  // Every shorter prefix of the two records needs more.
  const std::size_t both = 5 + first.size() + 5 + second.size();
  for (std::size_t n = 0; n < both; ++n) {
    const Bytes cut(stream.begin(), stream.begin() + static_cast<std::ptrdiff_t>(n));
    out = {0xEE};
    EXPECT_EQ(first_client_hello(cut, out), FirstHello::need_more) << "cut at " << n;
    EXPECT_TRUE(out.empty());
  }
}

TEST(ClientHelloKit, FirstClientHelloNeedsMoreOnAPartialRecord) {
  const Bytes stream = record(22, handshake(1, client_hello_body()));
  Bytes out;
  EXPECT_EQ(first_client_hello({}, out), FirstHello::need_more);
  EXPECT_EQ(first_client_hello(std::span<const uint8_t>(stream.data(), 3), out),
            FirstHello::need_more);
  EXPECT_EQ(first_client_hello(std::span<const uint8_t>(stream.data(), 5), out),
            FirstHello::need_more);
  EXPECT_EQ(first_client_hello(std::span<const uint8_t>(stream.data(), stream.size() - 1), out),
            FirstHello::need_more);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(first_client_hello(stream, out), FirstHello::complete);
}

TEST(ClientHelloKit, FirstClientHelloRefusesWhatIsNotAClientHello) {
  Bytes out;
  constexpr std::string_view kHttp = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
  const Bytes http(kHttp.begin(), kHttp.end());
  EXPECT_EQ(first_client_hello(http, out), FirstHello::not_a_client_hello);

  Bytes server_hello = cat({u16s({0x0303}), Bytes(32, 0x01), {0x00}, u16s({0x1301}), {0x00}});
  EXPECT_EQ(first_client_hello(record(22, handshake(2, server_hello), 0x0303), out),
            FirstHello::not_a_client_hello);
  // Known as soon as the type byte is there.
  EXPECT_EQ(first_client_hello(record(22, {0x02}), out), FirstHello::not_a_client_hello);

  // An alert first, or between two fragments of the ClientHello.
  EXPECT_EQ(first_client_hello(record(21, {0x02, 0x28}), out), FirstHello::not_a_client_hello);
  const Bytes message = handshake(1, client_hello_body());
  const Bytes first(message.begin(), message.begin() + 40);
  const Bytes second(message.begin() + 40, message.end());
  EXPECT_EQ(first_client_hello(
                cat({record(22, first), record(21, {0x02, 0x28}), record(22, second)}), out),
            FirstHello::not_a_client_hello);

  // Malformed record headers: a version whose major is not 3, a record
  // longer than 2^14 + 2048.
  EXPECT_EQ(first_client_hello(record(22, message, 0x0203), out), FirstHello::not_a_client_hello);
  EXPECT_EQ(first_client_hello(Bytes{22, 0x03, 0x03, 0x48, 0x01}, out),
            FirstHello::not_a_client_hello);
  EXPECT_EQ(first_client_hello(Bytes{22, 0x03, 0x03, 0x48, 0x00}, out), FirstHello::need_more);
  EXPECT_TRUE(out.empty());
}

// The kit and the core read the same fields from the same bytes.
void expect_agrees_with_core(const Bytes &body) {
  const ClientHelloSummary kit_hello = parse_client_hello(body);
  const auto core_hello = polytls::wire::parse_client_hello(body);
  ASSERT_EQ(kit_hello.parsed, core_hello.has_value());
  if (!core_hello.has_value()) return;
  EXPECT_EQ(kit_hello.legacy_version, core_hello->legacy_version);
  EXPECT_EQ(kit_hello.supported_versions, core_hello->supported_versions);
  EXPECT_EQ(kit_hello.groups, core_hello->groups);
}

TEST(ClientHelloKit, AgreesWithTheCoreParser) {
  const Bytes body = client_hello_body();
  {
    SCOPED_TRACE("TLS 1.3 ClientHello");
    expect_agrees_with_core(body);
  }
  {
    SCOPED_TRACE("no extensions");
    expect_agrees_with_core(hello_prefix(0x0301));
  }
  {
    SCOPED_TRACE("TLS 1.3 only");
    expect_agrees_with_core(cat({hello_prefix(), vec(2, cat({ext(43, vec(1, u16s({0x0304}))),
                                                             ext(10, vec(2, u16s({0x0018})))}))}));
  }
  // The body first_client_hello joins is the one the core's record layer finds.
  const Bytes message = handshake(1, body);
  const Bytes stream = cat({record(22, Bytes(message.begin(), message.begin() + 100)),
                            record(22, Bytes(message.begin() + 100, message.end()))});
  Bytes joined;
  ASSERT_EQ(first_client_hello(stream, joined), FirstHello::complete);
  const auto records = polytls::wire::split_records(stream);
  ASSERT_TRUE(records.has_value());
  const auto messages = polytls::wire::plaintext_handshake(records->records);
  ASSERT_TRUE(messages.has_value());
  ASSERT_EQ(messages->size(), 1u);
  EXPECT_EQ(joined, messages->front().body);
  for (std::size_t n = 0; n <= body.size(); ++n) {
    SCOPED_TRACE(n);
    expect_agrees_with_core(Bytes(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(n)));
  }
}

}  // namespace
}  // namespace polytls::kit
