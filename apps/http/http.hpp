// http.hpp: the small HTTP/1.1 layer of polytls-server and polytls-client:
// a bounded request parser, response and request writers, a response
// parser for the client, https URLs, static-file paths confined to a root,
// and content types. It knows nothing of TLS: it works on bytes.
#ifndef POLYTLS_APPS_HTTP_HPP
#define POLYTLS_APPS_HTTP_HPP

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "polytls/result.hpp"

namespace polytls::http {

struct Header {
  std::string name;
  std::string value;
};

// find_header returns the first header of that name (case-insensitive).
const std::string *find_header(const std::vector<Header> &headers, std::string_view name);

// Limits bound what a peer can make us hold.
struct Limits {
  std::size_t max_header_bytes = 16 * 1024;  // request or status line and headers
  std::size_t max_headers = 100;
  std::size_t max_body_bytes = 1024 * 1024;  // a request body we read (and discard)
};

// Request is a parsed request head.
struct Request {
  std::string method;
  std::string target;  // as sent: "/a%20b?x=1"
  std::string path;    // target before '?', still percent-encoded
  int minor_version = 1;
  std::vector<Header> headers;
  std::size_t content_length = 0;  // body bytes that follow the head
  bool keep_alive = true;          // what the client asked for
};

// ParseStatus says how parsing a request head went.
enum class ParseStatus {
  complete,   // a request head; `consumed` bytes were used
  need_more,  // no complete head yet (and within the limits)
  error,      // a malformed or refused request: answer `error_status`, then close
};

struct ParseResult {
  ParseStatus status = ParseStatus::need_more;
  Request request;
  std::size_t consumed = 0;
  int error_status = 0;  // 400, 413, 431, 501, 505
  std::string error;     // why, for the log and the answer
};

// parse_request reads one request head from the start of `buffer`. Lines
// end in CRLF (a bare LF is accepted); obsolete line folding, a missing Host
// on HTTP/1.1, conflicting or invalid Content-Length, Transfer-Encoding
// (not implemented), and versions other than 1.0/1.1 are refused.
ParseResult parse_request(std::string_view buffer, const Limits &limits = {});

// Response is an answer to write.
struct Response {
  int status = 200;
  std::vector<Header> headers;  // besides Content-Length, Connection, Date
  std::string body;
};

// reason_phrase is the standard phrase for a status ("Not Found").
std::string_view reason_phrase(int status) noexcept;

// serialize writes a response head and body. `head_only` (a HEAD request)
// keeps the Content-Length of the body but leaves the body out.
std::string serialize(const Response &response, bool keep_alive, bool head_only = false);

// error_response is a small text/plain answer for a status.
Response error_response(int status, std::string_view detail = {});

// Url is an https URL.
struct Url {
  std::string host;  // a name, an IPv4 address, or an IPv6 address without brackets
  uint16_t port = 443;
  std::string target = "/";  // path and query
  // authority renders host[:port] for the Host header ("[::1]:4433").
  std::string authority() const;
};

// parse_url reads "https://host[:port][/path][?query]". Only https.
Result<Url> parse_url(std::string_view text);

// request_text is the GET request polytls-client sends.
std::string request_text(const Url &url, std::string_view user_agent);

// ResponseHead is a parsed status line and headers.
struct ResponseHead {
  int status = 0;
  std::string reason;
  std::vector<Header> headers;
  std::optional<std::size_t> content_length;
  bool chunked = false;
  bool keep_alive = true;
};

// parse_response_head reads a response head from the start of `buffer`:
// `need_more` until it is complete; `error` when it is not HTTP/1.x.
struct ResponseParse {
  ParseStatus status = ParseStatus::need_more;
  ResponseHead head;
  std::size_t consumed = 0;
  std::string error;
};
ResponseParse parse_response_head(std::string_view buffer, const Limits &limits = {});

// ChunkedDecoder undoes Transfer-Encoding: chunked incrementally.
class ChunkedDecoder {
 public:
  // feed consumes bytes, appending the decoded body to `out`. Returns false
  // on malformed input (error() says why).
  bool feed(std::string_view bytes, std::string &out);
  bool done() const noexcept { return state_ == State::done; }
  const std::string &error() const noexcept { return error_; }

 private:
  enum class State { size, data, data_crlf, trailer, done, failed };
  State state_ = State::size;
  std::string line_;
  std::size_t remaining_ = 0;
  std::string error_;
};

// percent_decode decodes %XX escapes; malformed escapes and %00 are errors.
Result<std::string> percent_decode(std::string_view text);

// resolve_static maps a request path to a regular file under `root`: the
// path is decoded, must be absolute, may not contain "..", and the file
// (after symbolic links) must stay inside the root; a directory means its
// index.html. `not_found` if there is no such file, `bad_input` for a path
// that tries to leave the root or is malformed.
Result<std::filesystem::path> resolve_static(const std::filesystem::path &root,
                                             std::string_view path);

// content_type is the media type for a file name ("text/html; charset=utf-8").
std::string_view content_type(const std::filesystem::path &file) noexcept;

// trim drops spaces and tabs at both ends.
std::string_view trim(std::string_view s);

// html_escape escapes text for an HTML page.
std::string html_escape(std::string_view text);

}  // namespace polytls::http

#endif  // POLYTLS_APPS_HTTP_HPP
