#include "polytls/transport.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "polytls/kit/backend_kit.hpp"
#include "polytls/tcp.hpp"
#include "polytls/tls.hpp"
#include "support.hpp"

namespace polytls {
namespace {

std::vector<uint8_t> bytes_of(std::string_view text) {
  return {text.begin(), text.end()};
}

TEST(MemoryTransport, CarriesBytesBothWaysAndSaysWantRead) {
  auto [a, b] = make_memory_pair();
  uint8_t buf[16];
  EXPECT_ERROR(b->recv(buf), ErrorCode::want_read);
  ASSERT_OK(a->send(bytes_of("hello")));
  ASSERT_OK_AND_ASSIGN(std::size_t n, b->recv(buf));
  EXPECT_EQ(std::string(reinterpret_cast<char *>(buf), n), "hello");
  ASSERT_OK(b->send(bytes_of("back")));
  EXPECT_EQ(a->pending(), 4u);
  ASSERT_OK_AND_ASSIGN(std::size_t m, a->recv(std::span<uint8_t>(buf, 2)));
  EXPECT_EQ(m, 2u);
  EXPECT_EQ(a->pending(), 2u);
}

TEST(MemoryTransport, EndOfStreamAfterTheRestIsRead) {
  auto [a, b] = make_memory_pair();
  ASSERT_OK(a->send(bytes_of("last words")));
  a.reset();
  uint8_t buf[64];
  ASSERT_OK_AND_ASSIGN(std::size_t n, b->recv(buf));
  EXPECT_EQ(n, 10u);
  ASSERT_OK_AND_ASSIGN(std::size_t end, b->recv(buf));
  EXPECT_EQ(end, 0u);
}

TEST(MemoryTransport, BlockingModeWaitsBoundedByItsTimeout) {
  auto pair = make_memory_pair({.blocking = true, .timeout = std::chrono::milliseconds(50)});
  MemoryTransport &a = *pair.first;
  MemoryTransport &b = *pair.second;
  uint8_t buf[8];
  const auto start = std::chrono::steady_clock::now();
  EXPECT_ERROR(b.recv(buf), ErrorCode::timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(40));
  std::thread writer([&a] { (void)a.send(bytes_of("x")); });
  auto got = b.recv(buf);
  writer.join();
  ASSERT_OK(got);
  EXPECT_EQ(*got, 1u);
}

TEST(MemoryTransport, MaxChunkSplitsReads) {
  auto [a, b] = make_memory_pair({.max_chunk = 3});
  ASSERT_OK(a->send(bytes_of("abcdefg")));
  uint8_t buf[16];
  EXPECT_EQ(b->recv(buf).value(), 3u);
  EXPECT_EQ(b->recv(buf).value(), 3u);
  EXPECT_EQ(b->recv(buf).value(), 1u);
}

TEST(TapTransport, RecordsBothDirectionsInOrder) {
  auto [a, b] = make_memory_pair();
  TapTransport tap(std::move(a));
  uint8_t buf[8];
  ASSERT_OK(tap.send(bytes_of("ping")));
  EXPECT_ERROR(tap.recv(buf), ErrorCode::want_read);  // failed calls record nothing
  ASSERT_OK(b->send(bytes_of("pong")));
  ASSERT_OK(tap.recv(buf));
  ASSERT_EQ(tap.segments().size(), 2u);
  EXPECT_EQ(tap.segments()[0].direction, TapTransport::Direction::sent);
  EXPECT_EQ(tap.bytes(TapTransport::Direction::sent), bytes_of("ping"));
  EXPECT_EQ(tap.bytes(TapTransport::Direction::received), bytes_of("pong"));
}

class TcpTest : public ::testing::TestWithParam<const char *> {};

TEST_P(TcpTest, ConnectsSendsAndEnds) {
  auto listener = TcpListener::bind(GetParam(), 0);
  if (!listener && listener.error().message().find("Cannot assign") != std::string::npos) {
    GTEST_SKIP() << GetParam() << " is not configured on this machine";
  }
  ASSERT_OK(listener);
  ASSERT_NE(listener->port(), 0);
  std::optional<Result<TcpStream>> accepted;
  std::thread server([&] { accepted.emplace(listener->accept(std::chrono::seconds(5))); });
  ASSERT_OK_AND_ASSIGN(TcpStream client, TcpStream::connect(GetParam(), listener->port()));
  server.join();
  ASSERT_OK(*accepted);
  TcpStream &peer = **accepted;
  EXPECT_NE(client.peer_address().find(std::to_string(listener->port())), std::string::npos);
  ASSERT_OK(client.send(bytes_of("over tcp")));
  uint8_t buf[32];
  ASSERT_OK_AND_ASSIGN(std::size_t n, peer.recv(buf));
  EXPECT_EQ(std::string(reinterpret_cast<char *>(buf), n), "over tcp");

  ASSERT_OK(peer.set_blocking(false));
  EXPECT_ERROR(peer.recv(buf), ErrorCode::want_read);
  ASSERT_OK(peer.set_blocking(true));
  peer.set_io_timeout(std::chrono::milliseconds(50));
  EXPECT_ERROR(peer.recv(buf), ErrorCode::timeout);
  ASSERT_OK(client.shutdown_write());
  peer.set_io_timeout(std::chrono::seconds(5));
  EXPECT_EQ(peer.recv(buf).value(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Loopback, TcpTest, ::testing::Values("127.0.0.1", "::1"),
                         [](const auto &p) {
                           return std::string(p.param[0] == ':' ? "ipv6" : "ipv4");
                         });

TEST(Tcp, ReportsRefusedTimeoutsAndUnknownHosts) {
  // A port that was just free: nothing listens there.
  uint16_t port = 0;
  {
    auto listener = TcpListener::bind("127.0.0.1", 0);
    ASSERT_OK(listener);
    port = listener->port();
  }
  EXPECT_ERROR(TcpStream::connect("127.0.0.1", port, std::chrono::seconds(2)), ErrorCode::io);
  EXPECT_ERROR(TcpStream::connect("no-such-host.invalid", 443, std::chrono::seconds(2)),
               ErrorCode::not_found);
  auto listener = TcpListener::bind("127.0.0.1", 0);
  ASSERT_OK(listener);
  EXPECT_ERROR(listener->accept(std::chrono::milliseconds(30)), ErrorCode::timeout);
  auto taken = TcpListener::bind("127.0.0.1", listener->port());
  EXPECT_ERROR(taken, ErrorCode::io);
}

// "localhost" names are the loopback (RFC 6761), whatever /etc/hosts says
// or whether it exists: listening on one and connecting to others works.
TEST(Tcp, LocalhostNamesAreTheLoopback) {
  ASSERT_OK_AND_ASSIGN(TcpListener listener, TcpListener::bind("localhost", 0));
  for (const char *name : {"localhost", "LOCALHOST", "app.localhost", "localhost."}) {
    SCOPED_TRACE(name);
    std::optional<Result<TcpStream>> accepted;
    std::thread server([&] { accepted.emplace(listener.accept(std::chrono::seconds(5))); });
    auto client = TcpStream::connect(name, listener.port(), std::chrono::seconds(5));
    server.join();
    ASSERT_OK(client);
    ASSERT_OK(*accepted);
    EXPECT_EQ(client->peer_address(), "127.0.0.1:" + std::to_string(listener.port()));
  }
}

TEST(TlsNames, ParsesVersionsPinsAndNamesSuites) {
  EXPECT_EQ(parse_tls_version("1.2").value(), TlsVersion::tls12);
  EXPECT_EQ(parse_tls_version("TLSv1.3").value(), TlsVersion::tls13);
  EXPECT_ERROR(parse_tls_version("1.1"), ErrorCode::bad_input);
  EXPECT_EQ(cipher_suite_name(0x1301), "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(cipher_suite_name(0xC02F), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  EXPECT_EQ(cipher_suite_name(0x0001), "");
  EXPECT_EQ(group_name(0x001d), "x25519");
  EXPECT_EQ(group_name(0x0017), "secp256r1");
  // sha256//BASE64 and hex forms of the same 32 bytes.
  ASSERT_OK_AND_ASSIGN(auto from_b64,
                       parse_pin("sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="));
  ASSERT_OK_AND_ASSIGN(
      auto from_hex, parse_pin("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
  EXPECT_EQ(from_b64, from_hex);
  EXPECT_EQ(from_hex[31], 0x1f);
  for (const char *bad :
       {"", "sha256//", "sha256//AAEC", "md5//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"}) {
    EXPECT_ERROR(parse_pin(bad), ErrorCode::bad_input) << bad;
  }
}

TEST(TlsNames, ParsesCipherSuitesInEveryForm) {
  EXPECT_EQ(parse_cipher_suite("TLS_AES_128_GCM_SHA256").value(), 0x1301);
  EXPECT_EQ(parse_cipher_suite("tls_chacha20_poly1305_sha256").value(), 0x1303);
  EXPECT_EQ(parse_cipher_suite("0x1302").value(), 0x1302);
  EXPECT_EQ(parse_cipher_suite("0XC02b").value(), 0xC02B);
  EXPECT_EQ(parse_cipher_suite("49199").value(), 0xC02F);
  EXPECT_EQ(parse_cipher_suite("ECDHE-RSA-AES128-GCM-SHA256").value(), 0xC02F);
  EXPECT_EQ(parse_cipher_suite("ECDHE-ECDSA-CHACHA20-POLY1305").value(), 0xCCA9);
  EXPECT_EQ(parse_cipher_suite("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384").value(), 0xC030);
  EXPECT_EQ(parse_cipher_suite(" AES128-SHA ").value(), 0x002F) << "known, refused later";
  for (const char *bad : {"", "0x", "0x10000", "70000", "AES-128-GCM", "TLS_AES_128", "0x13g1"}) {
    auto r = parse_cipher_suite(bad);
    EXPECT_ERROR(r, ErrorCode::bad_input) << bad;
    if (!r) {
      EXPECT_NE(r.error().message().find("unknown cipher suite"), std::string::npos);
    }
  }
  ASSERT_OK_AND_ASSIGN(
      auto list, parse_cipher_suites("TLS_AES_256_GCM_SHA384, 0x1301,ECDHE-RSA-AES256-GCM-SHA384"));
  EXPECT_EQ(list, (std::vector<uint16_t>{0x1302, 0x1301, 0xC030}));
  EXPECT_ERROR(parse_cipher_suites("0x1301,,0x1302"), ErrorCode::bad_input);
  EXPECT_ERROR(parse_cipher_suites(""), ErrorCode::bad_input);
}

TEST(TlsNames, ParsesGroupsInEveryForm) {
  EXPECT_EQ(parse_group("x25519").value(), 0x001d);
  EXPECT_EQ(parse_group("X25519").value(), 0x001d);
  EXPECT_EQ(parse_group("secp256r1").value(), 0x0017);
  EXPECT_EQ(parse_group("P-256").value(), 0x0017);
  EXPECT_EQ(parse_group("prime256v1").value(), 0x0017);
  EXPECT_EQ(parse_group("p-384").value(), 0x0018);
  EXPECT_EQ(parse_group("secp384r1").value(), 0x0018);
  EXPECT_EQ(parse_group("0x001d").value(), 0x001d);
  EXPECT_EQ(parse_group("23").value(), 0x0017);
  EXPECT_EQ(parse_group("secp521r1").value(), 0x0019) << "known, refused later";
  for (const char *bad : {"", "curve25519", "P256", "0xzz", "x25519,"}) {
    EXPECT_ERROR(parse_group(bad), ErrorCode::bad_input) << bad;
  }
  ASSERT_OK_AND_ASSIGN(auto list, parse_groups("P-384,x25519"));
  EXPECT_EQ(list, (std::vector<uint16_t>{0x0018, 0x001d}));
}

TEST(TlsNames, TheSecureSetsAreThoseTheDocsName) {
  EXPECT_EQ(std::vector<uint16_t>(secure_cipher_suites(TlsVersion::tls13).begin(),
                                  secure_cipher_suites(TlsVersion::tls13).end()),
            (std::vector<uint16_t>{0x1301, 0x1302, 0x1303}));
  EXPECT_EQ(std::vector<uint16_t>(secure_cipher_suites(TlsVersion::tls12).begin(),
                                  secure_cipher_suites(TlsVersion::tls12).end()),
            (std::vector<uint16_t>{0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8}));
  EXPECT_EQ(std::vector<uint16_t>(secure_groups().begin(), secure_groups().end()),
            (std::vector<uint16_t>{0x001d, 0x0017, 0x0018}));
  EXPECT_EQ(cipher_suite_version(0x1303), TlsVersion::tls13);
  EXPECT_EQ(cipher_suite_version(0xCCA8), TlsVersion::tls12);
  EXPECT_EQ(cipher_suite_version(0x002F), std::nullopt);
  // The backend kit's table agrees, with the names OpenSSL knows.
  for (TlsVersion v : {TlsVersion::tls12, TlsVersion::tls13}) {
    for (uint16_t suite : secure_cipher_suites(v)) {
      const kit::TlsSuite *entry = kit::find_tls_suite(suite);
      ASSERT_NE(entry, nullptr) << suite;
      EXPECT_EQ(entry->version, static_cast<uint32_t>(v));
      EXPECT_EQ(entry->iana_name, cipher_suite_name(suite));
      EXPECT_EQ(parse_cipher_suite(entry->openssl_name).value(), suite);
    }
  }
  EXPECT_EQ(std::size(kit::kTlsSuites), 9u);
  for (uint16_t group : secure_groups()) {
    ASSERT_NE(kit::find_tls_group(group), nullptr);
    EXPECT_EQ(kit::find_tls_group(group)->name, group_name(group));
  }
  EXPECT_EQ(kit::find_tls_group(0x0019), nullptr);
}

}  // namespace
}  // namespace polytls
