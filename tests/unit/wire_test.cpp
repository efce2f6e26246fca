#include "polytls/wire.hpp"

#include <gtest/gtest.h>

#include "support.hpp"

namespace polytls::wire {
namespace {

using Bytes = std::vector<uint8_t>;

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

// A TLS 1.3 ClientHello as clients send it: legacy version 1.2, SNI, ALPN,
// supported_versions, groups and a key share.
Bytes client_hello_body() {
  Bytes body;
  put16(body, 0x0303);
  body.insert(body.end(), 32, 0xAB);
  auto sid = vec(1, Bytes(32, 0x11));
  body.insert(body.end(), sid.begin(), sid.end());
  Bytes suites;
  for (uint16_t s : {0x1301, 0x1302, 0xC02F})
    put16(suites, s);
  auto sv = vec(2, suites);
  body.insert(body.end(), sv.begin(), sv.end());
  body.insert(body.end(), {0x01, 0x00});
  Bytes name = {'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't'};
  Bytes sni_entry = cat({Bytes{0x00}, vec(2, name)});
  Bytes groups;
  put16(groups, 0x001d);
  put16(groups, 0x0017);
  Bytes versions;
  put16(versions, 0x0304);
  put16(versions, 0x0303);
  Bytes share;
  put16(share, 0x001d);
  auto key = vec(2, Bytes(32, 0x42));
  share.insert(share.end(), key.begin(), key.end());
  Bytes alpn = cat({vec(1, {'h', '2'}), vec(1, {'h', 't', 't', 'p', '/', '1', '.', '1'})});
  Bytes extensions = cat({ext(0, vec(2, sni_entry)), ext(10, vec(2, groups)), ext(16, vec(2, alpn)),
                          ext(43, vec(1, versions)), ext(51, vec(2, share))});
  auto ev = vec(2, extensions);
  body.insert(body.end(), ev.begin(), ev.end());
  return body;
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

TEST(Wire, ReadsAClientHello) {
  ASSERT_OK_AND_ASSIGN(ClientHello hello, parse_client_hello(client_hello_body()));
  EXPECT_EQ(hello.legacy_version, 0x0303);
  EXPECT_EQ(hello.cipher_suites, (std::vector<uint16_t>{0x1301, 0x1302, 0xC02F}));
  EXPECT_EQ(hello.server_name, "localhost");
  EXPECT_EQ(hello.groups, (std::vector<uint16_t>{0x001d, 0x0017}));
  EXPECT_EQ(hello.supported_versions, (std::vector<uint16_t>{0x0304, 0x0303}));
  EXPECT_EQ(hello.key_share_groups, (std::vector<uint16_t>{0x001d}));
  EXPECT_EQ(hello.alpn, (std::vector<std::string>{"h2", "http/1.1"}));
}

TEST(Wire, EveryTruncationOfAClientHelloFailsCleanly) {
  const Bytes body = client_hello_body();
  // Cutting at a boundary that ends a complete structure may still parse
  // (extensions are optional); cutting anywhere else must fail, never crash.
  std::size_t failures = 0;
  for (std::size_t n = 0; n < body.size(); ++n) {
    auto cut = parse_client_hello(std::span<const uint8_t>(body.data(), n));
    if (!cut) {
      EXPECT_EQ(cut.error().code(), ErrorCode::bad_input);
      ++failures;
    }
  }
  EXPECT_GE(failures, body.size() - 1);
}

TEST(Wire, SplitsRecordsAndJoinsHandshakeFragments) {
  const Bytes message = handshake(kClientHello, client_hello_body());
  const Bytes first(message.begin(), message.begin() + 40);
  const Bytes second(message.begin() + 40, message.end());
  Bytes stream = cat({record(kHandshake, first), record(kHandshake, second, 0x0303),
                      record(kApplicationData, Bytes(20, 0x99), 0x0303)});
  stream.insert(stream.end(), {0x17, 0x03, 0x03, 0x00});  // a record cut short
  ASSERT_OK_AND_ASSIGN(Records split, split_records(stream));
  ASSERT_EQ(split.records.size(), 3u);
  EXPECT_EQ(split.records[0].version, 0x0301);
  EXPECT_EQ(split.records[2].content_type, kApplicationData);
  EXPECT_EQ(split.incomplete_tail, 4u);
  ASSERT_OK_AND_ASSIGN(auto messages, plaintext_handshake(split.records));
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].type, kClientHello);
  ASSERT_OK(parse_client_hello(messages[0].body));
}

TEST(Wire, RefusesWhatIsNotTls) {
  const Bytes http = {'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P'};
  EXPECT_ERROR(split_records(http), ErrorCode::bad_input);
  Bytes huge = {kHandshake, 0x03, 0x03, 0xFF, 0xFF};
  EXPECT_ERROR(split_records(huge), ErrorCode::bad_input);
  // The version is shown in hexadecimal, as TLS writes it.
  const Bytes v = {kHandshake, 0x07, 0x71, 0x00, 0x01, 0x00};
  auto bad = split_records(v);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("version 0x0771"), std::string::npos)
      << bad.error().message();
}

TEST(Wire, KeepsWholeRecordsBeforeBytesThatAreNotTls) {
  Bytes stream = {kAlert, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
  for (char c : std::string("GET / HTTP/1.1"))
    stream.push_back(static_cast<uint8_t>(c));
  ASSERT_OK_AND_ASSIGN(auto split, split_records(stream));
  ASSERT_EQ(split.records.size(), 1u);
  EXPECT_EQ(split.records[0].content_type, kAlert);
  EXPECT_EQ(split.incomplete_tail, 14u);
  EXPECT_NE(split.not_tls.find("not a TLS record (content type 71, version 0x4554)"),
            std::string::npos)
      << split.not_tls;
}

TEST(Wire, ReadsServerHelloAndKeyExchange) {
  Bytes body;
  put16(body, 0x0303);
  body.insert(body.end(), 32, 0x01);
  body.push_back(0);
  put16(body, 0x1302);
  body.push_back(0);
  Bytes sv;
  put16(sv, 0x0304);
  Bytes ks;
  put16(ks, 0x0017);
  auto key = vec(2, Bytes(65, 4));
  ks.insert(ks.end(), key.begin(), key.end());
  auto exts = vec(2, cat({ext(43, sv), ext(51, ks)}));
  body.insert(body.end(), exts.begin(), exts.end());
  ASSERT_OK_AND_ASSIGN(ServerHello hello, parse_server_hello(body));
  EXPECT_EQ(hello.cipher_suite, 0x1302);
  EXPECT_EQ(hello.negotiated_version(), 0x0304);
  EXPECT_EQ(hello.key_share_group, 0x0017);
  EXPECT_FALSE(hello.hello_retry_request);
  const Bytes ske = {0x03, 0x00, 0x1d, 0x20};
  EXPECT_EQ(server_key_exchange_group(ske).value(), 0x001d);
  EXPECT_ERROR(server_key_exchange_group(Bytes{0x01}), ErrorCode::not_found);
}

}  // namespace
}  // namespace polytls::wire
