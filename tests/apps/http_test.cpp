// The apps' HTTP/1.1 layer: request heads (good, malformed, over the
// limits), answers, https URLs, response heads, chunked bodies, and static
// paths that must never leave their root.
#include <gtest/gtest.h>

#include <fstream>

#include "http.hpp"
#include "support.hpp"

namespace polytls::test {
namespace {

using http::ParseStatus;

http::ParseResult parse(std::string_view text, const http::Limits &limits = {}) {
  return http::parse_request(text, limits);
}

TEST(HttpRequest, ParsesAGetWithHeaders) {
  const std::string text =
      "GET /a%20b?x=1 HTTP/1.1\r\nHost: localhost:4433\r\nUser-Agent: t\r\n"
      "Accept: */*\r\n\r\nNEXT";
  auto r = parse(text);
  ASSERT_EQ(r.status, ParseStatus::complete) << r.error;
  EXPECT_EQ(r.consumed, text.size() - 4);
  EXPECT_EQ(r.request.method, "GET");
  EXPECT_EQ(r.request.target, "/a%20b?x=1");
  EXPECT_EQ(r.request.path, "/a%20b");
  EXPECT_EQ(r.request.minor_version, 1);
  ASSERT_NE(http::find_header(r.request.headers, "HOST"), nullptr);
  EXPECT_EQ(*http::find_header(r.request.headers, "host"), "localhost:4433");
  EXPECT_TRUE(r.request.keep_alive);
  EXPECT_EQ(r.request.content_length, 0u);
}

TEST(HttpRequest, WaitsForTheWholeHead) {
  const std::string text = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  for (std::size_t n = 0; n < text.size(); ++n) {
    EXPECT_EQ(parse(text.substr(0, n)).status, ParseStatus::need_more) << n;
  }
  EXPECT_EQ(parse(text).status, ParseStatus::complete);
}

TEST(HttpRequest, AcceptsBareLineFeedsAndLeadingEmptyLines) {
  auto r = parse("\r\nGET / HTTP/1.1\nHost: x\n\n");
  ASSERT_EQ(r.status, ParseStatus::complete) << r.error;
  EXPECT_EQ(r.request.path, "/");
}

TEST(HttpRequest, KeepAliveFollowsVersionAndConnection) {
  EXPECT_FALSE(parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").request.keep_alive);
  EXPECT_FALSE(parse("GET / HTTP/1.0\r\n\r\n").request.keep_alive);
  EXPECT_TRUE(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").request.keep_alive);
  EXPECT_FALSE(
      parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade, close\r\n\r\n").request.keep_alive);
}

TEST(HttpRequest, RefusesMalformedRequestsWithTheRightStatus) {
  struct Case {
    std::string text;
    int status;
  };
  const Case cases[] = {
      {"GET /\r\n\r\n", 400},
      {"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n", 400},
      {"G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},
      {"GET / HTTP/1.2\r\nHost: x\r\n\r\n", 505},
      {"GET / HTTPS/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\n\r\n", 400},                        // no Host
      {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},  // two Hosts
      {"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400},  // obs-fold
      {"GET / HTTP/1.1\r\nHost x\r\n\r\n", 400},              // no colon
      {"GET / HTTP/1.1\r\nBad Name: v\r\nHost: x\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: x\r\nX: a\x01z\r\n\r\n", 400},  // control character
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 501},
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n", 413},
  };
  for (const Case &c : cases) {
    auto r = parse(c.text);
    EXPECT_EQ(r.status, ParseStatus::error) << c.text;
    EXPECT_EQ(r.error_status, c.status) << c.text << " -> " << r.error;
    EXPECT_FALSE(r.error.empty());
  }
}

TEST(HttpRequest, BoundsTheHeadAndTheNumberOfHeaders) {
  http::Limits limits;
  limits.max_header_bytes = 256;
  limits.max_headers = 3;
  // A head that never ends is refused once it reaches the limit, not held.
  std::string endless = "GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(300, 'a');
  EXPECT_EQ(parse(endless.substr(0, 200), limits).status, ParseStatus::need_more);
  auto r = parse(endless, limits);
  EXPECT_EQ(r.status, ParseStatus::error);
  EXPECT_EQ(r.error_status, 431);
  EXPECT_EQ(parse(std::string(300, '\n'), limits).error_status, 400);
  auto many = parse("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits);
  EXPECT_EQ(many.status, ParseStatus::error);
  EXPECT_EQ(many.error_status, 431);
}

TEST(HttpRequest, ReportsTheBodyLength) {
  auto r = parse("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  ASSERT_EQ(r.status, ParseStatus::complete) << r.error;
  EXPECT_EQ(r.request.content_length, 5u);
}

TEST(HttpResponse, SerializesWithLengthDateAndConnection) {
  http::Response resp;
  resp.headers.push_back({"Content-Type", "text/plain"});
  resp.body = "hello";
  const std::string text = http::serialize(resp, true);
  EXPECT_TRUE(text.starts_with("HTTP/1.1 200 OK\r\n")) << text;
  EXPECT_NE(text.find("\r\nContent-Length: 5\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\nConnection: keep-alive\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\nDate: "), std::string::npos);
  EXPECT_TRUE(text.ends_with("\r\n\r\nhello"));
  const std::string head = http::serialize(resp, false, true);
  EXPECT_NE(head.find("Content-Length: 5"), std::string::npos);
  EXPECT_NE(head.find("Connection: close"), std::string::npos);
  EXPECT_TRUE(head.ends_with("\r\n\r\n"));

  auto parsed = http::parse_response_head(text);
  ASSERT_EQ(parsed.status, ParseStatus::complete) << parsed.error;
  EXPECT_EQ(parsed.head.status, 200);
  EXPECT_EQ(parsed.head.reason, "OK");
  EXPECT_EQ(parsed.head.content_length, 5u);
  EXPECT_EQ(text.substr(parsed.consumed), "hello");
}

TEST(HttpResponse, ErrorAnswersSayTheStatus) {
  auto r = http::error_response(404, "no such file");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "404 Not Found: no such file\n");
  EXPECT_EQ(http::reason_phrase(431), "Request Header Fields Too Large");
}

TEST(HttpResponse, RefusesWhatIsNotHttp) {
  EXPECT_EQ(http::parse_response_head("SSH-2.0-OpenSSH\r\n").status, ParseStatus::error);
  EXPECT_EQ(http::parse_response_head("HTTP/1.1 2000 OK\r\n\r\n").status, ParseStatus::error);
  EXPECT_EQ(http::parse_response_head("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n").status,
            ParseStatus::error);
  EXPECT_EQ(http::parse_response_head("HTTP/1.1 200 OK\r\n").status, ParseStatus::need_more);
}

TEST(HttpChunked, DecodesInPiecesAndRefusesGarbage) {
  const std::string body = "4\r\nWiki\r\n6;ext=1\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\n\r\n";
  for (std::size_t step : {1u, 3u, 1000u}) {
    http::ChunkedDecoder d;
    std::string out;
    for (std::size_t at = 0; at < body.size(); at += step) {
      ASSERT_TRUE(d.feed(std::string_view(body).substr(at, step), out)) << d.error();
    }
    EXPECT_TRUE(d.done());
    EXPECT_EQ(out, "Wikipedia in \r\n\r\nchunks.");
  }
  http::ChunkedDecoder bad;
  std::string out;
  EXPECT_FALSE(bad.feed("zz\r\n", out));
  EXPECT_FALSE(bad.error().empty());
  http::ChunkedDecoder no_crlf;
  EXPECT_FALSE(no_crlf.feed("2\r\nabXY\r\n", out));
}

TEST(HttpUrl, ParsesHostsPortsAndTargets) {
  ASSERT_OK_AND_ASSIGN(http::Url a, http::parse_url("https://localhost:4433/x/y?q=1#frag"));
  EXPECT_EQ(a.host, "localhost");
  EXPECT_EQ(a.port, 4433);
  EXPECT_EQ(a.target, "/x/y?q=1");
  EXPECT_EQ(a.authority(), "localhost:4433");
  ASSERT_OK_AND_ASSIGN(http::Url b, http::parse_url("https://[::1]:8443"));
  EXPECT_EQ(b.host, "::1");
  EXPECT_EQ(b.port, 8443);
  EXPECT_EQ(b.target, "/");
  EXPECT_EQ(b.authority(), "[::1]:8443");
  ASSERT_OK_AND_ASSIGN(http::Url c, http::parse_url("HTTPS://example.test?x"));
  EXPECT_EQ(c.port, 443);
  EXPECT_EQ(c.target, "/?x");
  EXPECT_EQ(c.authority(), "example.test");
  const std::string request = http::request_text(a, "polytls-client/1");
  EXPECT_TRUE(request.starts_with("GET /x/y?q=1 HTTP/1.1\r\nHost: localhost:4433\r\n"));
  EXPECT_TRUE(request.ends_with("\r\n\r\n"));

  for (const char *bad : {"http://localhost/", "localhost:4433", "https://", "https://:4433/",
                          "https://host:0/", "https://host:65536/", "https://host:x/",
                          "https://[::1/", "https://user@host/", "https://host/a b"}) {
    EXPECT_ERROR(http::parse_url(bad), ErrorCode::bad_input) << bad;
  }
}

TEST(HttpPaths, DecodesPercentEscapes) {
  ASSERT_OK_AND_ASSIGN(std::string s, http::percent_decode("/a%20b%2Fc"));
  EXPECT_EQ(s, "/a b/c");
  EXPECT_ERROR(http::percent_decode("/a%2"), ErrorCode::bad_input);
  EXPECT_ERROR(http::percent_decode("/a%zz"), ErrorCode::bad_input);
  EXPECT_ERROR(http::percent_decode("/a%00"), ErrorCode::bad_input);
}

TEST(HttpPaths, StaticFilesNeverLeaveTheRoot) {
  TempDir dir;
  const auto root = dir / "www";
  std::filesystem::create_directories(root / "sub");
  write_text(root / "index.html", "<p>home</p>");
  write_text(root / "sub" / "a b.txt", "text");
  write_text(dir / "secret.txt", "secret");
  std::filesystem::create_symlink(dir / "secret.txt", root / "link.txt");

  ASSERT_OK_AND_ASSIGN(auto index, http::resolve_static(root, "/"));
  EXPECT_EQ(index.filename(), "index.html");
  ASSERT_OK_AND_ASSIGN(auto spaced, http::resolve_static(root, "/sub/a%20b.txt"));
  EXPECT_EQ(read_text(spaced), "text");
  EXPECT_ERROR(http::resolve_static(root, "/missing.html"), ErrorCode::not_found);
  EXPECT_ERROR(http::resolve_static(root, "/sub"), ErrorCode::not_found);  // no index.html
  for (const char *escape : {"/../secret.txt", "/sub/../../secret.txt", "/%2e%2e/secret.txt",
                             "/sub/%2E%2E/%2e%2e/secret.txt", "/..", "/link.txt",
                             "/sub\\..\\..\\secret.txt", "relative.txt"}) {
    EXPECT_ERROR(http::resolve_static(root, escape), ErrorCode::bad_input) << escape;
  }
}

TEST(HttpPaths, ContentTypesByExtension) {
  EXPECT_EQ(http::content_type("a/index.HTML"), "text/html; charset=utf-8");
  EXPECT_EQ(http::content_type("x.css"), "text/css; charset=utf-8");
  EXPECT_EQ(http::content_type("x.png"), "image/png");
  EXPECT_EQ(http::content_type("x.json"), "application/json");
  EXPECT_EQ(http::content_type("x"), "application/octet-stream");
  EXPECT_EQ(http::html_escape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
}

}  // namespace
}  // namespace polytls::test
