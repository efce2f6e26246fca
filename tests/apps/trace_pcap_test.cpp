// The packet-analyser view (--trace) and the pcap writer (--pcap) of the
// apps, on a real handshake recorded by a tap, on every backend and version:
// the trace shows what was negotiated and nothing in plaintext; tshark reads
// the pcap, sees the same handshake, and decrypts it with the key log.
#include <gtest/gtest.h>

#include <fstream>
#include <mutex>

#include "pcap.hpp"
#include "tls_support.hpp"
#include "trace.hpp"

namespace polytls::test {
namespace {

using TraceParam = std::tuple<std::string, TlsVersion>;

constexpr const char *kSecretPath = "/polytls-trace-secret";

struct Recorded {
  std::vector<TapTransport::Segment> segments;
  std::vector<std::string> keylog;
  SessionInfo info;
  std::chrono::steady_clock::time_point start;
};

class TracePcapTest : public ::testing::TestWithParam<TraceParam> {
 protected:
  Backend b() const { return backend(std::get<0>(GetParam())); }
  TlsVersion version() const { return std::get<1>(GetParam()); }

  // record runs one HTTPS-like exchange over memory, the client tapped.
  Recorded record() {
    Recorded out;
    out.start = std::chrono::steady_clock::now();
    const Pki &p = pki(std::get<0>(GetParam()), KeyType::ecdsa_p256);
    TlsServerConfig sc;
    sc.chain = copies(p.server, b());
    sc.key = copy_key(p.server_key, b());
    sc.min_version = sc.max_version = version();
    TlsClientConfig cc;
    cc.anchors = copies(p.ca, b());
    cc.min_version = cc.max_version = version();
    cc.alpn = {"http/1.1"};
    sc.alpn = {"http/1.1"};
    auto lines = std::make_shared<std::vector<std::string>>();
    auto mutex = std::make_shared<std::mutex>();
    // A key log where the backend writes one for this version (asking for
    // one it cannot write makes the context fail as unsupported).
    if (b().supports(version() == TlsVersion::tls12 ? Capability::keylog_tls12
                                                    : Capability::keylog_tls13)) {
      cc.keylog = [lines, mutex](std::string_view line) {
        std::lock_guard lock(*mutex);
        lines->emplace_back(line);
      };
    }
    auto cctx = b().make_client_context(std::move(cc));
    auto sctx = b().make_server_context(std::move(sc));
    EXPECT_TRUE(cctx && sctx) << (cctx ? "" : cctx.error().to_string())
                              << (sctx ? "" : sctx.error().to_string());
    if (!cctx || !sctx) return out;
    auto pair = connect_memory(*cctx, *sctx, {.host = "localhost"});
    EXPECT_TRUE(pair.has_value());
    if (!pair) return out;
    HandshakeOutcome hs = pump(pair->client, pair->server);
    EXPECT_TRUE(hs.both_ok()) << (hs.client ? "" : hs.client.error().to_string())
                              << (hs.server ? "" : hs.server.error().to_string());
    if (!hs.both_ok()) return out;
    const std::string request =
        std::string("GET ") + kSecretPath + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
    auto got = transfer(pair->client, pair->server, bytes(request));
    EXPECT_TRUE(got.has_value());
    const std::string answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    auto back = transfer(pair->server, pair->client, bytes(answer));
    EXPECT_TRUE(back.has_value());
    out.info = pair->client.info().value();
    out.segments = pair->tap->segments();
    std::lock_guard lock(*mutex);
    out.keylog = *lines;
    return out;
  }
};

bool any_line(const std::vector<std::string> &lines, const std::string &needle) {
  for (const auto &l : lines) {
    if (l.find(needle) != std::string::npos) return true;
  }
  return false;
}

std::string joined(const std::vector<std::string> &lines) {
  std::string out;
  for (const auto &l : lines)
    out += l + "\n";
  return out;
}

TEST_P(TracePcapTest, TraceShowsTheHandshakeAndOnlyEncryptedData) {
  const Recorded rec = record();
  ASSERT_FALSE(rec.segments.empty());
  const auto lines = app::trace_lines(rec.segments);
  const std::string all = joined(lines);

  EXPECT_TRUE(any_line(lines, "client > server  Handshake (22)")) << all;
  EXPECT_TRUE(any_line(lines, "ClientHello (1)")) << all;
  EXPECT_TRUE(any_line(lines, "legacy_version      TLS 1.2 (0x0303)")) << all;
  EXPECT_TRUE(any_line(lines, "server_name         localhost")) << all;
  EXPECT_TRUE(any_line(lines, "alpn                http/1.1")) << all;
  EXPECT_TRUE(any_line(lines, "ServerHello (2)")) << all;
  // What the wire says was chosen is what the session reports.
  EXPECT_TRUE(any_line(lines, "cipher_suite        " + rec.info.cipher_suite_name)) << all;
  EXPECT_TRUE(any_line(lines, "=> " + app::version_text(static_cast<uint16_t>(version())))) << all;
  if (version() == TlsVersion::tls13) {
    EXPECT_TRUE(any_line(lines, "supported_versions  TLS 1.3 (0x0304)")) << all;
    if (!rec.info.group_name.empty()) {
      EXPECT_TRUE(any_line(lines, "key_share           " + rec.info.group_name)) << all;
    }
    // TLS 1.3 hides the certificate: no plaintext Certificate message.
    EXPECT_FALSE(any_line(lines, "Certificate (11)")) << all;
  } else {
    EXPECT_TRUE(any_line(lines, "Certificate (11)")) << all;
    EXPECT_TRUE(any_line(lines, "ChangeCipherSpec (20)")) << all;
    EXPECT_TRUE(any_line(lines, "encrypted handshake (Finished)")) << all;
    if (!rec.info.group_name.empty()) {
      EXPECT_TRUE(any_line(lines, "ECDHE group         " + rec.info.group_name)) << all;
    }
  }
  EXPECT_TRUE(any_line(lines, "server > client  ApplicationData (23)")) << all;
  EXPECT_TRUE(any_line(lines, "client > server  ApplicationData (23)")) << all;
  EXPECT_FALSE(any_line(lines, kSecretPath)) << all;
  EXPECT_FALSE(any_line(lines, "not TLS")) << all;
}

TEST_P(TracePcapTest, PcapOpensInTsharkAndDecryptsWithTheKeyLog) {
  const Recorded rec = record();
  ASSERT_FALSE(rec.segments.empty());
  ASSERT_OK_AND_ASSIGN(app::Endpoint local, app::Endpoint::parse("127.0.0.1", 50123));
  ASSERT_OK_AND_ASSIGN(app::Endpoint remote, app::Endpoint::parse("127.0.0.1", 4433));
  app::PcapCapture capture{.local = local,
                           .remote = remote,
                           .segments = rec.segments,
                           .start_steady = rec.start,
                           .start_wall = std::chrono::system_clock::now(),
                           .closed = true};
  ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> pcap, app::pcap_bytes(capture));

  // The file itself: pcap magic, RAW link type, and every payload byte the
  // tap saw, in TCP segments of at most kPcapMaxPayload bytes.
  ASSERT_GT(pcap.size(), 24u);
  EXPECT_EQ(pcap[0], 0xd4);
  EXPECT_EQ(pcap[3], 0xa1);
  EXPECT_EQ(pcap[20], 101);
  std::size_t payload = 0, packets = 0;
  for (std::size_t at = 24; at + 16 <= pcap.size();) {
    const uint32_t len = pcap[at + 8] | pcap[at + 9] << 8 | pcap[at + 10] << 16 |
                         static_cast<uint32_t>(pcap[at + 11]) << 24;
    ASSERT_LE(at + 16 + len, pcap.size());
    ASSERT_GE(len, 40u);
    EXPECT_EQ(pcap[at + 16] >> 4, 4);
    payload += len - 40;
    EXPECT_LE(len - 40, app::kPcapMaxPayload);
    ++packets;
    at += 16 + len;
  }
  std::size_t tapped = 0;
  for (const auto &s : rec.segments)
    tapped += s.bytes.size();
  EXPECT_EQ(payload, tapped);
  EXPECT_GE(packets, 6u + rec.segments.size());

  const auto tshark = find_program("tshark");
  if (!tshark) GTEST_SKIP() << "tshark is not installed (.ci/setup installs it)";
  const TempDir dir;
  const auto file = dir / "conn.pcap";
  const auto keys = dir / "keys.log";
  ASSERT_OK(write_file(file, std::span<const uint8_t>(pcap)));
  std::string keylog;
  for (const auto &l : rec.keylog)
    keylog += l + "\n";
  write_text(keys, keylog);

  // tshark sees the handshake (and checks the TCP/IP framing: no malformed
  // packets, no bad checksums)...
  ProcessResult hs = run({tshark->string(), "-r", file.string(), "-o", "tcp.check_checksum:TRUE",
                          "-o", "ip.check_checksum:TRUE", "-d", "tcp.port==4433,tls", "-T",
                          "fields", "-e", "tls.handshake.type", "-e", "_ws.expert.message"},
                         {}, std::chrono::seconds(60));
  ASSERT_EQ(hs.exit_code, 0) << hs.err;
  EXPECT_NE(hs.out.find('1'), std::string::npos) << hs.out;
  EXPECT_EQ(hs.out.find("checksum"), std::string::npos) << hs.out;
  EXPECT_EQ(hs.out.find("Malformed"), std::string::npos) << hs.out;

  // ...and, with the key log, the request inside (when the backend logs keys
  // for this version).
  const bool can_log = !rec.keylog.empty();
  if (!can_log) GTEST_SKIP() << "this backend writes no key log for this version";
  ProcessResult seen = run({tshark->string(), "-r", file.string(), "-d", "tcp.port==4433,tls", "-d",
                            "tls.port==4433,http", "-o", "tls.keylog_file:" + keys.string(), "-Y",
                            "http.request", "-T", "fields", "-e", "http.request.uri"},
                           {}, std::chrono::seconds(60));
  EXPECT_EQ(seen.exit_code, 0) << seen.err;
  EXPECT_NE(seen.out.find(kSecretPath), std::string::npos) << seen.out << seen.err;
}

TapTransport::Segment segment(TapTransport::Direction d, std::vector<uint8_t> b) {
  return {d, std::chrono::steady_clock::now(), std::move(b)};
}

TEST(Trace, ShowsBytesThatAreNotTlsAndRecordsCutOff) {
  const std::string http = "GET / HTTP/1.1\r\n\r\n";
  std::vector<TapTransport::Segment> segments = {
      segment(TapTransport::Direction::sent, {http.begin(), http.end()}),
      // A handshake record header promising 512 bytes, then only 3 of them.
      segment(TapTransport::Direction::received, {22, 3, 3, 2, 0, 1, 0, 0}),
  };
  const auto lines = app::trace_lines(segments);
  const std::string all = joined(lines);
  EXPECT_TRUE(any_line(lines, "client > server  18 bytes that are not TLS")) << all;
  EXPECT_TRUE(any_line(lines, "server > client  8 bytes of a record cut off")) << all;
  EXPECT_FALSE(any_line(lines, "ClientHello")) << all;
}

TEST(Trace, ListsRecordsThatCameBeforeBytesThatAreNotTls) {
  // One segment: a whole plaintext alert record, then an HTTP request.
  std::vector<uint8_t> bytes = {21, 3, 3, 0, 2, 2, 40};
  const std::string http = "GET / HTTP/1.1\r\n";
  bytes.insert(bytes.end(), http.begin(), http.end());
  const std::vector<TapTransport::Segment> segments = {
      segment(TapTransport::Direction::sent, bytes)};
  const auto lines = app::trace_lines(segments);
  const std::string all = joined(lines);
  EXPECT_TRUE(any_line(lines, "handshake_failure")) << all;
  EXPECT_TRUE(any_line(lines, "client > server  16 bytes that are not TLS")) << all;
}

TEST(Trace, ShowsPlaintextAlerts) {
  std::vector<TapTransport::Segment> segments = {
      segment(TapTransport::Direction::received, {21, 3, 3, 0, 2, 2, 40})};
  const auto lines = app::trace_lines(segments);
  EXPECT_TRUE(
      any_line(lines, "Alert (21)  TLS 1.2 (0x0303)  2 bytes  fatal handshake_failure (40)"))
      << joined(lines);
}

TEST(Pcap, RefusesEndpointsOfDifferentFamilies) {
  ASSERT_OK_AND_ASSIGN(app::Endpoint v4, app::Endpoint::parse("127.0.0.1", 1));
  ASSERT_OK_AND_ASSIGN(app::Endpoint v6, app::Endpoint::parse("::1", 2));
  EXPECT_TRUE(v6.ipv6);
  app::PcapCapture capture;
  capture.local = v4;
  capture.remote = v6;
  EXPECT_ERROR(app::pcap_bytes(capture), ErrorCode::bad_input);
  EXPECT_ERROR(app::Endpoint::parse("localhost", 1), ErrorCode::bad_input);
}

std::vector<TraceParam> params() {
  std::vector<TraceParam> out;
  for (const auto &name : backend_names()) {
    const Backend be = backend(name);
    for (TlsVersion v : {TlsVersion::tls12, TlsVersion::tls13}) {
      if (supports_version(be, v)) out.emplace_back(name, v);
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Backends, TracePcapTest, ::testing::ValuesIn(params()),
                         [](const ::testing::TestParamInfo<TraceParam> &param) {
                           return param_name(std::get<0>(param.param)) +
                                  (std::get<1>(param.param) == TlsVersion::tls12 ? "_tls12"
                                                                                 : "_tls13");
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(TracePcapTest);

}  // namespace
}  // namespace polytls::test
