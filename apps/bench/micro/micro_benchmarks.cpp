// micro_benchmarks.cpp: Google Benchmark micro-benchmarks of polytls's own
// hot paths, no TLS library work inside the timed loops:
//
//   http/...   the HTTP/1.1 layer of polytls-server and polytls-client
//              (apps/http): request heads, response heads, chunked bodies;
//   wire/...   the TLS record and handshake reader (polytls/wire.hpp) that
//              polytls-client --trace uses;
//   trace/...  the --trace listing itself (apps/common/trace.hpp).
//
// TLS inputs come in two kinds: `synthetic` (built here: a browser-like TLS
// 1.3 ClientHello with GREASE, SNI, ALPN, groups, key shares, versions and
// signature algorithms, and a matching server flight) and `captured` (the
// bytes of one real handshake and a 1 MiB download on the default backend,
// over an in-memory pair with a TapTransport, run once at start-up).
//
// Every benchmark checks what it parses, once before timing and on every
// iteration, and calls SkipWithError on a failure, so it cannot measure an
// error path unnoticed; the program then exits with status 1. A smoke run
// (a few seconds): polytls-microbench --benchmark_min_time=0.01
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http.hpp"
#include "polytls/backend.hpp"
#include "polytls/certificate_spec.hpp"
#include "polytls/registry.hpp"
#include "polytls/subject_alt_name.hpp"
#include "polytls/tls.hpp"
#include "polytls/transport.hpp"
#include "polytls/wire.hpp"
#include "trace.hpp"

namespace {

using polytls::ErrorCode;
using polytls::Result;
using polytls::TapTransport;
using Bytes = std::vector<uint8_t>;
using Segments = std::vector<TapTransport::Segment>;

// ---- Failures ---------------------------------------------------------------

std::atomic<int> g_failures{0};

// fail marks the benchmark as failed (it is reported as an error and the
// program exits with status 1).
void fail(benchmark::State &state, const std::string &why) {
  g_failures.fetch_add(1, std::memory_order_relaxed);
  state.SkipWithError(why.c_str());
}

void set_throughput(benchmark::State &state, std::size_t bytes_per_iteration,
                    std::size_t items_per_iteration) {
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes_per_iteration));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(items_per_iteration));
}

// ---- HTTP inputs ------------------------------------------------------------

// A request head as a desktop browser sends it for a script.
const std::string kBrowserGet =
    "GET /assets/app.3f2a9c.js?v=20240517 HTTP/1.1\r\n"
    "Host: www.example.com\r\n"
    "Connection: keep-alive\r\n"
    "sec-ch-ua: \"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\n"
    "sec-ch-ua-mobile: ?0\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36\r\n"
    "sec-ch-ua-platform: \"Linux\"\r\n"
    "Accept: */*\r\n"
    "Sec-Fetch-Site: same-origin\r\n"
    "Sec-Fetch-Mode: no-cors\r\n"
    "Sec-Fetch-Dest: script\r\n"
    "Referer: https://www.example.com/products/index.html\r\n"
    "Accept-Encoding: gzip, deflate, br, zstd\r\n"
    "Accept-Language: en-US,en;q=0.9,pt-BR;q=0.8,pt;q=0.7\r\n"
    "Cookie: session=8f14e45fceea167a5a36dedd4bea2543; _ga=GA1.1.123456789.1700000000; "
    "theme=dark; consent=1\r\n"
    "If-None-Match: \"5e1f-61a3b2c4d5e6f\"\r\n"
    "If-Modified-Since: Fri, 17 May 2024 10:00:00 GMT\r\n"
    "\r\n";
constexpr std::size_t kBrowserGetHeaders = 16;

const std::string kMinimalGet = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

// many_headers is a request head at the limits the server enforces: 100
// header fields (the most it takes) in a little under 16 KiB (its largest).
std::string many_headers() {
  const polytls::http::Limits limits;
  std::string head = "GET /search?q=polytls HTTP/1.1\r\nHost: www.example.com\r\n";
  const std::string last = "Accept: */*\r\n\r\n";
  const std::size_t custom = limits.max_headers - 2;  // besides Host and Accept
  const std::size_t line = (limits.max_header_bytes - 64 - head.size() - last.size()) / custom;
  for (std::size_t i = 1; i <= custom; ++i) {
    std::string name = "X-Custom-Field-" + std::to_string(i);
    std::string value(line - name.size() - 4, ' ');  // "name: value\r\n"
    for (std::size_t k = 0; k < value.size(); ++k)
      value[k] = static_cast<char>('a' + (i * 7 + k) % 26);
    head += name + ": " + value + "\r\n";
  }
  return head + last;
}
const std::string kManyHeaders = many_headers();
const std::size_t kManyHeadersCount = polytls::http::Limits{}.max_headers;

const std::string kResponseHead =
    "HTTP/1.1 200 OK\r\n"
    "Server: nginx/1.24.0\r\n"
    "Date: Fri, 17 May 2024 10:00:00 GMT\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Content-Length: 48213\r\n"
    "Last-Modified: Thu, 16 May 2024 08:12:45 GMT\r\n"
    "Connection: keep-alive\r\n"
    "ETag: \"6645c1bd-bc55\"\r\n"
    "Cache-Control: public, max-age=3600\r\n"
    "Strict-Transport-Security: max-age=63072000; includeSubDomains; preload\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "X-Frame-Options: SAMEORIGIN\r\n"
    "Vary: Accept-Encoding\r\n"
    "Accept-Ranges: bytes\r\n"
    "\r\n";

const std::string kChunkedResponseHead =
    "HTTP/1.1 200 OK\r\n"
    "Server: polytls-bench\r\n"
    "Date: Fri, 17 May 2024 10:00:00 GMT\r\n"
    "Content-Type: application/json\r\n"
    "Transfer-Encoding: chunked\r\n"
    "Connection: keep-alive\r\n"
    "Cache-Control: no-store\r\n"
    "\r\n";

// pseudo_random returns `n` deterministic bytes (xorshift).
Bytes pseudo_random(std::size_t n, uint32_t seed) {
  Bytes out(n);
  uint32_t x = seed * 2654435761u + 1;
  for (auto &b : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b = static_cast<uint8_t>(x);
  }
  return out;
}

// body_text is `n` bytes of printable text (a body to encode as chunks).
std::string body_text(std::size_t n) {
  const Bytes r = pseudo_random(n, 7);
  std::string out(n, ' ');
  for (std::size_t i = 0; i < n; ++i)
    out[i] = static_cast<char>(' ' + r[i] % 95);
  return out;
}

// chunked encodes `body` in chunks of `chunk` bytes (with a chunk extension
// on the first one), a last chunk and an empty trailer.
std::string chunked(std::string_view body, std::size_t chunk) {
  std::string out;
  char size[32];
  bool first = true;
  while (!body.empty()) {
    const std::size_t n = std::min(chunk, body.size());
    std::snprintf(size, sizeof size, "%zx", n);
    out += size;
    if (first) out += ";name=value";
    first = false;
    out += "\r\n";
    out.append(body.substr(0, n));
    out += "\r\n";
    body.remove_prefix(n);
  }
  out += "0\r\n\r\n";
  return out;
}

// ---- HTTP benchmarks ----------------------------------------------------------

// bm_parse_request parses one whole request head per iteration.
void bm_parse_request(benchmark::State &state, const std::string *head, std::size_t headers) {
  namespace http = polytls::http;
  {
    const http::ParseResult r = http::parse_request(*head);
    if (r.status != http::ParseStatus::complete || r.consumed != head->size() ||
        r.request.headers.size() != headers ||
        http::find_header(r.request.headers, "host") == nullptr) {
      return fail(state, "parse_request did not read the head (" +
                             std::to_string(r.request.headers.size()) + " headers): " + r.error);
    }
    state.SetLabel(std::to_string(head->size()) + " B, " + std::to_string(headers) + " headers");
  }
  for (auto _ : state) {
    http::ParseResult r = http::parse_request(*head);
    if (r.status != http::ParseStatus::complete) {
      fail(state, "parse_request: " + r.error);
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  set_throughput(state, head->size(), 1);
}

// bm_parse_request_pieces feeds a head in pieces of `piece` bytes the way
// polytls-server does (append what a read returned, parse the buffer
// again): the parser is not incremental, each call starts over.
void bm_parse_request_pieces(benchmark::State &state, const std::string *head) {
  namespace http = polytls::http;
  const auto piece = static_cast<std::size_t>(state.range(0));
  const std::size_t parses = (head->size() + piece - 1) / piece;
  auto feed = [&](std::string &in) -> http::ParseResult {
    in.clear();
    http::ParseResult r;
    for (std::size_t at = 0; at < head->size(); at += piece) {
      in.append(*head, at, piece);
      r = http::parse_request(in);
      const bool last = at + piece >= head->size();
      if (r.status != (last ? http::ParseStatus::complete : http::ParseStatus::need_more)) {
        if (r.status == http::ParseStatus::complete) r.error = "complete before the end";
        r.status = http::ParseStatus::error;
        return r;
      }
    }
    return r;
  };
  std::string in;
  in.reserve(head->size());
  {
    const http::ParseResult r = feed(in);
    if (r.status != http::ParseStatus::complete || r.consumed != head->size()) {
      return fail(state, "parse_request in pieces: " + r.error);
    }
    state.SetLabel(std::to_string(head->size()) + " B in " + std::to_string(parses) + " parses");
  }
  for (auto _ : state) {
    http::ParseResult r = feed(in);
    if (r.status != http::ParseStatus::complete) {
      fail(state, "parse_request in pieces: " + r.error);
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  // Bytes of the head (not bytes scanned): the rate shows the re-parsing.
  set_throughput(state, head->size(), 1);
}

void bm_parse_response_head(benchmark::State &state, const std::string *head, bool is_chunked) {
  namespace http = polytls::http;
  {
    const http::ResponseParse r = http::parse_response_head(*head);
    if (r.status != http::ParseStatus::complete || r.consumed != head->size() ||
        r.head.status != 200 || r.head.chunked != is_chunked ||
        r.head.content_length.has_value() == is_chunked) {
      return fail(state, "parse_response_head did not read the head: " + r.error);
    }
    state.SetLabel(std::to_string(head->size()) + " B, " + std::to_string(r.head.headers.size()) +
                   " headers");
  }
  for (auto _ : state) {
    http::ResponseParse r = http::parse_response_head(*head);
    if (r.status != http::ParseStatus::complete) {
      fail(state, "parse_response_head: " + r.error);
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  set_throughput(state, head->size(), 1);
}

// bm_chunked_decode decodes a 256 KiB body sent in chunks of range(0)
// bytes, fed to the decoder range(1) bytes at a time (polytls-client feeds
// whatever one read returned: up to 16 KiB).
void bm_chunked_decode(benchmark::State &state) {
  namespace http = polytls::http;
  static const std::string body = body_text(256 * 1024);
  const auto chunk = static_cast<std::size_t>(state.range(0));
  const auto piece = static_cast<std::size_t>(state.range(1));
  const std::string encoded = chunked(body, chunk);
  std::string out;
  out.reserve(body.size());
  auto decode = [&](std::string &error) {
    out.clear();
    http::ChunkedDecoder decoder;
    for (std::size_t at = 0; at < encoded.size(); at += piece) {
      if (!decoder.feed(std::string_view(encoded).substr(at, piece), out)) {
        error = decoder.error();
        return false;
      }
    }
    if (!decoder.done()) error = "the body did not end";
    return decoder.done();
  };
  std::string error;
  if (!decode(error) || out != body) return fail(state, "ChunkedDecoder: " + error);
  state.SetLabel(std::to_string(encoded.size()) + " B encoded");
  for (auto _ : state) {
    if (!decode(error) || out.size() != body.size()) {
      fail(state, "ChunkedDecoder: " + error);
      break;
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_throughput(state, encoded.size(), (body.size() + chunk - 1) / chunk);
}

// ---- TLS inputs: builders ---------------------------------------------------

void put16(Bytes &b, uint32_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
void put24(Bytes &b, uint32_t v) {
  b.push_back(static_cast<uint8_t>(v >> 16));
  put16(b, v);
}
void append(Bytes &b, const Bytes &more) {
  b.insert(b.end(), more.begin(), more.end());
}
Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes &p : parts)
    append(out, p);
  return out;
}
Bytes text(std::string_view s) {
  return Bytes(s.begin(), s.end());
}
Bytes u16s(std::initializer_list<uint16_t> values) {
  Bytes out;
  for (uint16_t v : values)
    put16(out, v);
  return out;
}
// vec is a TLS vector: a `prefix`-byte length, then the bytes.
Bytes vec(std::size_t prefix, const Bytes &body) {
  Bytes out;
  if (prefix == 1) out.push_back(static_cast<uint8_t>(body.size()));
  if (prefix == 2) put16(out, static_cast<uint32_t>(body.size()));
  append(out, body);
  return out;
}
Bytes ext(uint16_t type, const Bytes &body) {
  Bytes out;
  put16(out, type);
  append(out, vec(2, body));
  return out;
}
Bytes handshake(uint8_t type, const Bytes &body) {
  Bytes out = {type};
  put24(out, static_cast<uint32_t>(body.size()));
  append(out, body);
  return out;
}
Bytes record(uint8_t type, const Bytes &fragment, uint16_t version = 0x0303) {
  Bytes out = {type};
  put16(out, version);
  put16(out, static_cast<uint32_t>(fragment.size()));
  append(out, fragment);
  return out;
}

// browser_client_hello is a ClientHello body as a current browser sends it
// for TLS 1.3: GREASE values, 15 suites, SNI, extended_master_secret,
// renegotiation_info, supported_groups, ec_point_formats, session_ticket,
// ALPN (h2, http/1.1), status_request, signature_algorithms, SCT,
// key_share, psk_key_exchange_modes, supported_versions,
// compress_certificate, application_settings, and padding to 512 bytes.
// `post_quantum` adds an X25519MLKEM768 key share (1216 bytes), as browsers
// send since 2024.
Bytes browser_client_hello(bool post_quantum) {
  Bytes body;
  put16(body, 0x0303);
  append(body, pseudo_random(32, 1));
  append(body, vec(1, pseudo_random(32, 2)));
  append(body, vec(2, u16s({0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
                            0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035})));
  append(body, vec(1, {0x00}));
  Bytes shares = cat({u16s({0x2a2a}), vec(2, {0x00})});
  if (post_quantum) append(shares, cat({u16s({0x11ec}), vec(2, pseudo_random(1216, 3))}));
  append(shares, cat({u16s({0x001d}), vec(2, pseudo_random(32, 4))}));
  const Bytes groups = post_quantum ? u16s({0x2a2a, 0x11ec, 0x001d, 0x0017, 0x0018})
                                    : u16s({0x2a2a, 0x001d, 0x0017, 0x0018});
  Bytes exts = cat({
      ext(0x1a1a, {}),
      ext(0, vec(2, cat({Bytes{0x00}, vec(2, text("www.example.com"))}))),
      ext(23, {}),
      ext(0xff01, {0x00}),
      ext(10, vec(2, groups)),
      ext(11, vec(1, {0x00})),
      ext(35, {}),
      ext(16, vec(2, cat({vec(1, text("h2")), vec(1, text("http/1.1"))}))),
      ext(5, {0x01, 0x00, 0x00, 0x00, 0x00}),
      ext(13, vec(2, u16s({0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601}))),
      ext(18, {}),
      ext(51, vec(2, shares)),
      ext(45, vec(1, {0x01})),
      ext(43, vec(1, u16s({0x6a6a, 0x0304, 0x0303}))),
      ext(27, vec(1, u16s({0x0002}))),
      ext(17513, vec(2, vec(1, text("h2")))),
      ext(0x3a3a, {0x00}),
  });
  // Padding (RFC 7685) brings a message between 256 and 511 bytes to 512.
  const std::size_t message = 4 + body.size() + 2 + exts.size();
  if (message >= 256 && message + 4 < 512) append(exts, ext(21, Bytes(512 - message - 4, 0)));
  append(body, vec(2, exts));
  return body;
}

// server_hello is the TLS 1.3 answer: TLS_AES_128_GCM_SHA256, x25519.
Bytes server_hello() {
  Bytes body;
  put16(body, 0x0303);
  append(body, pseudo_random(32, 5));
  append(body, vec(1, pseudo_random(32, 2)));  // the session id echoed
  put16(body, 0x1301);
  body.push_back(0x00);
  append(body, vec(2, cat({ext(43, u16s({0x0304})),
                           ext(51, cat({u16s({0x001d}), vec(2, pseudo_random(32, 6))}))})));
  return body;
}

// app_data_stream is `records` full TLS 1.3 application-data records: 16 KiB
// of plaintext, its content type byte and a 16-byte tag each.
Bytes app_data_stream(std::size_t records) {
  Bytes out;
  const Bytes fragment = pseudo_random(16384 + 1 + 16, 8);
  for (std::size_t i = 0; i < records; ++i)
    append(out, record(polytls::wire::kApplicationData, fragment));
  return out;
}

// TlsInput is what the wire and trace benchmarks read, from either source.
struct TlsInput {
  std::string name;           // "synthetic", "captured"
  std::string backend;        // for captured input
  std::string server_name;    // the SNI the ClientHello must carry
  uint16_t version = 0x0304;  // what the ServerHello must select
  Bytes client_hello;         // handshake message bodies
  Bytes server_hello;
  Bytes client_flight;  // the client's bytes of the handshake (records)
  Bytes server_flight;  // the server's bytes of the handshake (records)
  Bytes app_data;       // records of application data (server to client)
  std::size_t app_data_records = 0;
  Segments handshake;        // tapped segments of the handshake
  Segments download;         // ... and of the handshake and the download
  std::string error;         // why captured input is missing
  bool unavailable = false;  // this build cannot capture (no TLS server): skip
};

TapTransport::Segment segment(TapTransport::Direction direction,
                              std::chrono::steady_clock::time_point when, Bytes bytes) {
  return TapTransport::Segment{direction, when, std::move(bytes)};
}

TlsInput synthetic_input() {
  using D = TapTransport::Direction;
  using std::chrono::microseconds;
  namespace wire = polytls::wire;
  TlsInput in;
  in.name = "synthetic";
  in.server_name = "www.example.com";
  in.client_hello = browser_client_hello(false);
  in.server_hello = server_hello();
  const Bytes ccs = record(wire::kChangeCipherSpec, {0x01});
  in.client_flight =
      cat({record(wire::kHandshake, handshake(wire::kClientHello, in.client_hello), 0x0301), ccs,
           record(wire::kApplicationData, pseudo_random(53, 9))});
  // ServerHello, the compatibility ChangeCipherSpec, then EncryptedExtensions,
  // Certificate, CertificateVerify and Finished as one encrypted record.
  in.server_flight = cat({record(wire::kHandshake, handshake(wire::kServerHello, in.server_hello)),
                          ccs, record(wire::kApplicationData, pseudo_random(2100, 10))});
  in.app_data_records = 64;
  in.app_data = app_data_stream(in.app_data_records);
  const auto t0 = std::chrono::steady_clock::now();
  in.handshake = {
      segment(
          D::sent, t0,
          cat({record(wire::kHandshake, handshake(wire::kClientHello, in.client_hello), 0x0301)})),
      segment(D::received, t0 + microseconds(900), in.server_flight),
      segment(D::sent, t0 + microseconds(950),
              cat({ccs, record(wire::kApplicationData, pseudo_random(53, 9))})),
  };
  in.download = in.handshake;
  in.download.push_back(segment(D::sent, t0 + microseconds(1000),
                                record(wire::kApplicationData, pseudo_random(120, 11))));
  in.download.push_back(segment(D::received, t0 + microseconds(1500),
                                cat({record(wire::kApplicationData, pseudo_random(250, 12)),
                                     record(wire::kApplicationData, pseudo_random(250, 13))})));
  // The download arrives in pieces that do not respect record boundaries.
  std::size_t at = 0;
  for (int i = 0; at < in.app_data.size(); ++i) {
    const std::size_t n = std::min<std::size_t>(in.app_data.size() - at, 9000 + 1000 * (i % 8));
    in.download.push_back(
        segment(D::received, t0 + microseconds(2000 + 10 * i),
                Bytes(in.app_data.begin() + static_cast<std::ptrdiff_t>(at),
                      in.app_data.begin() + static_cast<std::ptrdiff_t>(at + n))));
    at += n;
  }
  return in;
}

// ---- TLS inputs: a real handshake ---------------------------------------------

bool is_want(const polytls::Error &e) {
  return e.code() == ErrorCode::want_read || e.code() == ErrorCode::want_write;
}

// pump drives both handshakes over the non-blocking pair until both are done.
Result<void> pump(polytls::Session &client, polytls::Session &server) {
  bool client_done = false, server_done = false;
  for (int round = 0; round < 1000 && !(client_done && server_done); ++round) {
    if (!client_done) {
      auto r = client.handshake();
      if (r) client_done = true;
      if (!r && !is_want(r.error())) return r.error().with_context("client handshake");
    }
    if (!server_done) {
      auto r = server.handshake();
      if (r) server_done = true;
      if (!r && !is_want(r.error())) return r.error().with_context("server handshake");
    }
  }
  if (!(client_done && server_done)) {
    return polytls::Error(ErrorCode::timeout, "the handshake did not finish");
  }
  return polytls::ok();
}

// download writes `data` on the server and reads it all on the client.
Result<void> download(polytls::Session &server, polytls::Session &client,
                      std::span<const uint8_t> data) {
  Bytes buffer(16384);
  std::size_t sent = 0, got = 0;
  for (int round = 0; got < data.size(); ++round) {
    if (round > 100000) return polytls::Error(ErrorCode::timeout, "the download did not finish");
    if (sent < data.size()) {
      auto w = server.write(data.subspan(sent));
      if (w) sent += *w;
      if (!w && !is_want(w.error())) return w.error().with_context("server write");
    }
    auto r = client.read(buffer);
    if (r) got += *r;
    if (!r && !is_want(r.error())) return r.error().with_context("client read");
  }
  return polytls::ok();
}

Bytes joined(const Segments &segments, TapTransport::Direction direction, std::size_t from = 0) {
  Bytes out;
  for (std::size_t i = from; i < segments.size(); ++i) {
    if (segments[i].direction == direction) append(out, segments[i].bytes);
  }
  return out;
}

// first_message returns the body of the first plaintext handshake message
// of `type` in a stream of records.
Result<Bytes> first_message(const Bytes &stream, uint8_t type) {
  POLYTLS_TRY(polytls::wire::Records split, polytls::wire::split_records(stream));
  POLYTLS_TRY(auto messages, polytls::wire::plaintext_handshake(split.records));
  for (auto &m : messages) {
    if (m.type == type) return std::move(m.body);
  }
  return polytls::Error(ErrorCode::not_found,
                        "no handshake message of type " + std::to_string(type) + " in the stream");
}

// capture runs one handshake (ALPN h2 and http/1.1, SNI localhost, the
// highest version both sides have) and a 1 MiB download on the default
// backend (POLYTLS_BACKEND chooses another), recording the client's side.
Result<TlsInput> capture() {
  using D = TapTransport::Direction;
  TlsInput in;
  in.name = "captured";
  in.server_name = "localhost";
  POLYTLS_TRY(polytls::Backend backend, polytls::default_backend());
  in.backend = backend.name();
  POLYTLS_TRY(polytls::Key key, backend.generate_key(polytls::KeyType::ecdsa_p256));
  polytls::CertificateSpec spec;
  spec.subject.add(polytls::NameAttribute::common_name, "localhost");
  POLYTLS_TRY(auto san, polytls::SubjectAltName::parse("DNS:localhost"));
  spec.subject_alt_names.push_back(std::move(san));
  POLYTLS_TRY(polytls::Certificate certificate, backend.self_sign(spec, key));
  POLYTLS_TRY(polytls::Certificate anchor, backend.load_certificate(certificate.der()));

  const bool tls13 = backend.supports(polytls::Capability::tls13);
  const auto version = tls13 ? polytls::TlsVersion::tls13 : polytls::TlsVersion::tls12;
  polytls::TlsServerConfig server_config;
  server_config.chain.push_back(std::move(certificate));
  server_config.key = std::move(key);
  server_config.max_version = version;
  server_config.alpn = {"http/1.1"};
  polytls::TlsClientConfig client_config;
  client_config.anchors.push_back(std::move(anchor));
  client_config.max_version = version;
  client_config.alpn = {"h2", "http/1.1"};
  POLYTLS_TRY(polytls::TlsContext server_context,
              backend.make_server_context(std::move(server_config)));
  POLYTLS_TRY(polytls::TlsContext client_context,
              backend.make_client_context(std::move(client_config)));

  auto [a, b] = polytls::make_memory_pair();
  auto tap = std::make_unique<TapTransport>(std::move(a));
  const TapTransport *recording = tap.get();
  POLYTLS_TRY(polytls::Session client,
              client_context.connect(std::move(tap), {.host = "localhost"}));
  POLYTLS_TRY(polytls::Session server, server_context.accept(std::move(b)));
  POLYTLS_CHECK(pump(client, server));
  POLYTLS_TRY(polytls::SessionInfo info, client.info());
  in.version = static_cast<uint16_t>(info.version);
  in.handshake = recording->segments();
  in.app_data_records = 64;
  POLYTLS_CHECK(download(server, client, pseudo_random(in.app_data_records * 16384, 14)));
  in.download = recording->segments();

  in.client_flight = joined(in.handshake, D::sent);
  in.server_flight = joined(in.handshake, D::received);
  in.app_data = joined(in.download, D::received, in.handshake.size());
  POLYTLS_TRY(in.client_hello, first_message(in.client_flight, polytls::wire::kClientHello));
  POLYTLS_TRY(in.server_hello, first_message(in.server_flight, polytls::wire::kServerHello));
  // Whole records only (a read can leave a record half received).
  POLYTLS_TRY(polytls::wire::Records split, polytls::wire::split_records(in.app_data));
  in.app_data.resize(in.app_data.size() - split.incomplete_tail);
  in.app_data_records = split.records.size();
  return in;
}

TlsInput captured_input() {
  auto captured = capture();
  if (captured) return std::move(captured).value();
  TlsInput in;
  in.name = "captured";
  in.error = "no captured handshake: " + captured.error().to_string();
  // A build without TLS servers cannot capture: that is no failure.
  in.unavailable = captured.error().code() == ErrorCode::unsupported;
  return in;
}

// ---- TLS checks ---------------------------------------------------------------

template <class T>
bool contains(const std::vector<T> &values, const T &value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// client_hello_problem says what is missing from a parsed ClientHello ("" if
// it has everything the input carries).
std::string client_hello_problem(const TlsInput &in, const polytls::wire::ClientHello &h) {
  if (h.server_name != in.server_name) return "SNI \"" + h.server_name + "\"";
  if (!contains(h.alpn, std::string("http/1.1"))) return "no ALPN http/1.1";
  if (h.cipher_suites.empty() || h.groups.empty()) return "no cipher suites or groups";
  if (in.version == 0x0304) {
    if (!contains(h.supported_versions, uint16_t{0x0304}))
      return "no TLS 1.3 in supported_versions";
    if (h.key_share_groups.empty()) return "no key_share";
  }
  return {};
}

std::string server_hello_problem(const TlsInput &in, const polytls::wire::ServerHello &h) {
  if (h.negotiated_version() != in.version)
    return "version " + polytls::app::version_text(h.negotiated_version());
  if (h.hello_retry_request) return "a HelloRetryRequest";
  if (in.version == 0x0304 && !h.key_share_group) return "no key_share";
  if (h.cipher_suite == 0) return "no cipher suite";
  return {};
}

// trace_problem checks a listing: both hellos read, nothing that is not TLS.
std::string trace_problem(const std::vector<std::string> &lines, std::size_t app_data_records) {
  std::size_t client_hello = 0, server_hello = 0, app_data = 0;
  for (const std::string &line : lines) {
    for (std::string_view bad : {"unreadable", "not TLS", "cut off"}) {
      if (line.find(bad) != std::string::npos) return "the listing says: " + line;
    }
    client_hello += line.find("ClientHello (1)") != std::string::npos;
    server_hello += line.find("ServerHello (2)") != std::string::npos;
    app_data += line.find("ApplicationData (23)") != std::string::npos;
  }
  if (client_hello != 1 || server_hello != 1) return "no ClientHello or ServerHello listed";
  if (app_data < app_data_records)
    return "only " + std::to_string(app_data) + " ApplicationData records listed";
  return {};
}

std::size_t total_bytes(const Segments &segments) {
  std::size_t n = 0;
  for (const auto &s : segments)
    n += s.bytes.size();
  return n;
}

// ---- TLS benchmarks -----------------------------------------------------------

void bm_parse_client_hello(benchmark::State &state, const TlsInput *in, const Bytes *body) {
  namespace wire = polytls::wire;
  {
    auto hello = wire::parse_client_hello(*body);
    if (!hello) return fail(state, "parse_client_hello: " + hello.error().to_string());
    if (auto why = client_hello_problem(*in, *hello); !why.empty()) {
      return fail(state, "parse_client_hello: " + why);
    }
    state.SetLabel(in->backend + (in->backend.empty() ? "" : ", ") + std::to_string(body->size()) +
                   " B");
  }
  for (auto _ : state) {
    auto hello = wire::parse_client_hello(*body);
    if (!hello) {
      fail(state, "parse_client_hello: " + hello.error().to_string());
      break;
    }
    benchmark::DoNotOptimize(hello);
  }
  set_throughput(state, body->size(), 1);
}

void bm_parse_server_hello(benchmark::State &state, const TlsInput *in) {
  namespace wire = polytls::wire;
  {
    auto hello = wire::parse_server_hello(in->server_hello);
    if (!hello) return fail(state, "parse_server_hello: " + hello.error().to_string());
    if (auto why = server_hello_problem(*in, *hello); !why.empty()) {
      return fail(state, "parse_server_hello: " + why);
    }
    state.SetLabel(in->backend + (in->backend.empty() ? "" : ", ") +
                   std::to_string(in->server_hello.size()) + " B");
  }
  for (auto _ : state) {
    auto hello = wire::parse_server_hello(in->server_hello);
    if (!hello) {
      fail(state, "parse_server_hello: " + hello.error().to_string());
      break;
    }
    benchmark::DoNotOptimize(hello);
  }
  set_throughput(state, in->server_hello.size(), 1);
}

// read_flight is the path from wire bytes to a hello: cut the stream into
// records, join the plaintext handshake, find the hello and parse it.
template <class Parse>
Result<std::size_t> read_flight(const Bytes &stream, uint8_t type, Parse parse) {
  namespace wire = polytls::wire;
  POLYTLS_TRY(wire::Records split, wire::split_records(stream));
  POLYTLS_TRY(auto messages, wire::plaintext_handshake(split.records));
  for (const auto &m : messages) {
    if (m.type != type) continue;
    auto hello = parse(m.body);
    if (!hello) return hello.error();
    benchmark::DoNotOptimize(hello);
    return split.records.size();
  }
  return polytls::Error(ErrorCode::not_found, "the hello is missing");
}

void bm_client_flight(benchmark::State &state, const TlsInput *in) {
  auto parse = [](std::span<const uint8_t> body) {
    return polytls::wire::parse_client_hello(body);
  };
  std::size_t records = 0;
  {
    auto n = read_flight(in->client_flight, polytls::wire::kClientHello, parse);
    if (!n) return fail(state, "client flight: " + n.error().to_string());
    records = *n;
    state.SetLabel(in->backend + (in->backend.empty() ? "" : ", ") +
                   std::to_string(in->client_flight.size()) + " B, " + std::to_string(records) +
                   " records");
  }
  for (auto _ : state) {
    auto n = read_flight(in->client_flight, polytls::wire::kClientHello, parse);
    if (!n) {
      fail(state, "client flight: " + n.error().to_string());
      break;
    }
  }
  set_throughput(state, in->client_flight.size(), records);
}

void bm_server_flight(benchmark::State &state, const TlsInput *in) {
  auto parse = [](std::span<const uint8_t> body) {
    return polytls::wire::parse_server_hello(body);
  };
  std::size_t records = 0;
  {
    auto n = read_flight(in->server_flight, polytls::wire::kServerHello, parse);
    if (!n) return fail(state, "server flight: " + n.error().to_string());
    records = *n;
    state.SetLabel(in->backend + (in->backend.empty() ? "" : ", ") +
                   std::to_string(in->server_flight.size()) + " B, " + std::to_string(records) +
                   " records");
  }
  for (auto _ : state) {
    auto n = read_flight(in->server_flight, polytls::wire::kServerHello, parse);
    if (!n) {
      fail(state, "server flight: " + n.error().to_string());
      break;
    }
  }
  set_throughput(state, in->server_flight.size(), records);
}

// bm_split_app_data cuts a stream of application-data records.
void bm_split_app_data(benchmark::State &state, const TlsInput *in) {
  namespace wire = polytls::wire;
  {
    auto split = wire::split_records(in->app_data);
    if (!split) return fail(state, "split_records: " + split.error().to_string());
    if (split->records.size() != in->app_data_records || split->incomplete_tail != 0 ||
        split->records.back().content_type != wire::kApplicationData) {
      return fail(state, "split_records did not find the records");
    }
    state.SetLabel(in->backend + (in->backend.empty() ? "" : ", ") +
                   std::to_string(in->app_data_records) + " records, " +
                   std::to_string(in->app_data.size()) + " B");
  }
  for (auto _ : state) {
    auto split = wire::split_records(in->app_data);
    if (!split || split->records.size() != in->app_data_records) {
      fail(state, "split_records failed");
      break;
    }
    benchmark::DoNotOptimize(split);
  }
  set_throughput(state, in->app_data.size(), in->app_data_records);
}

// bm_trace renders the --trace listing of recorded segments.
void bm_trace(benchmark::State &state, const TlsInput *in, const Segments *segments,
              std::size_t app_data_records) {
  const std::size_t bytes = total_bytes(*segments);
  std::size_t lines = 0;
  {
    const auto listing = polytls::app::trace_lines(*segments);
    if (auto why = trace_problem(listing, app_data_records); !why.empty()) {
      return fail(state, "trace_lines: " + why);
    }
    lines = listing.size();
    state.SetLabel(in->backend + (in->backend.empty() ? "" : ", ") +
                   std::to_string(segments->size()) + " segments, " + std::to_string(bytes) +
                   " B, " + std::to_string(lines) + " lines");
  }
  for (auto _ : state) {
    auto listing = polytls::app::trace_lines(*segments);
    if (listing.size() != lines) {
      fail(state, "trace_lines: a different listing");
      break;
    }
    benchmark::DoNotOptimize(listing);
  }
  // Items are listing lines.
  set_throughput(state, bytes, lines);
}

// ---- Registration -------------------------------------------------------------

void register_http() {
  using benchmark::RegisterBenchmark;
  RegisterBenchmark("http/parse_request/browser_get", bm_parse_request, &kBrowserGet,
                    kBrowserGetHeaders);
  RegisterBenchmark("http/parse_request/minimal", bm_parse_request, &kMinimalGet, std::size_t{1});
  RegisterBenchmark("http/parse_request/many_headers", bm_parse_request, &kManyHeaders,
                    kManyHeadersCount);
  RegisterBenchmark("http/parse_request_pieces/browser_get", bm_parse_request_pieces, &kBrowserGet)
      ->ArgName("piece")
      ->Arg(1)
      ->Arg(64)
      ->Arg(512);
  RegisterBenchmark("http/parse_request_pieces/many_headers", bm_parse_request_pieces,
                    &kManyHeaders)
      ->ArgName("piece")
      ->Arg(1)
      ->Arg(64)
      ->Arg(1024)
      ->Arg(16384);
  RegisterBenchmark("http/parse_response_head/content_length", bm_parse_response_head,
                    &kResponseHead, false);
  RegisterBenchmark("http/parse_response_head/chunked", bm_parse_response_head,
                    &kChunkedResponseHead, true);
  RegisterBenchmark("http/chunked_decode", bm_chunked_decode)
      ->ArgNames({"chunk", "feed"})
      ->Args({64, 16384})
      ->Args({4096, 16384})
      ->Args({16384, 16384})
      ->Args({4096, 7});
}

void register_tls(const TlsInput *in) {
  using benchmark::RegisterBenchmark;
  const std::string suffix = "/" + in->name;
  auto name = [&](std::string_view what) { return std::string(what) + suffix; };
  if (!in->error.empty()) {
    // Listed, so that a missing capture shows (and fails unless unavailable).
    RegisterBenchmark(name("wire/capture").c_str(), [in](benchmark::State &state) {
      if (in->unavailable) {
        state.SkipWithError(in->error.c_str());
      } else {
        fail(state, in->error);
      }
    });
    return;
  }
  RegisterBenchmark(name("wire/parse_client_hello").c_str(), bm_parse_client_hello, in,
                    &in->client_hello);
  RegisterBenchmark(name("wire/parse_server_hello").c_str(), bm_parse_server_hello, in);
  RegisterBenchmark(name("wire/client_flight").c_str(), bm_client_flight, in);
  RegisterBenchmark(name("wire/server_flight").c_str(), bm_server_flight, in);
  RegisterBenchmark(name("wire/split_records_app_data").c_str(), bm_split_app_data, in);
  RegisterBenchmark(name("trace/handshake").c_str(), bm_trace, in, &in->handshake, std::size_t{0});
  RegisterBenchmark(name("trace/download").c_str(), bm_trace, in, &in->download,
                    in->app_data_records);
}

}  // namespace

int main(int argc, char **argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  static const TlsInput synthetic = synthetic_input();
  static const TlsInput captured = captured_input();
  static const TlsInput synthetic_pq = [] {
    TlsInput in = synthetic_input();
    in.name = "synthetic_mlkem";
    in.client_hello = browser_client_hello(true);
    return in;
  }();
  benchmark::AddCustomContext(
      "polytls_capture", captured.error.empty() ? captured.backend + ", " +
                                                      polytls::app::version_text(captured.version)
                                                : captured.error);

  register_http();
  register_tls(&synthetic);
  benchmark::RegisterBenchmark("wire/parse_client_hello/synthetic_mlkem", bm_parse_client_hello,
                               &synthetic_pq, &synthetic_pq.client_hello);
  register_tls(&captured);

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  const int failures = g_failures.load();
  if (failures != 0) {
    std::fprintf(stderr, "polytls-microbench: %d benchmark run(s) failed their checks\n", failures);
    return 1;
  }
  return 0;
}
