// http.cpp: the HTTP/1.1 layer of the apps.
#include "http.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <system_error>

namespace polytls::http {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// is_tchar: RFC 9110 token characters.
bool is_tchar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}
bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar);
}

// has_token tells whether a comma-separated header value lists `token`.
bool has_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const auto comma = value.find(',');
    if (iequals(trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// Lines splits a head into lines ending in LF (with an optional CR).
struct Lines {
  std::string_view rest;
  std::optional<std::string_view> next() {
    const auto lf = rest.find('\n');
    if (lf == std::string_view::npos) return std::nullopt;
    std::string_view line = rest.substr(0, lf);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    rest.remove_prefix(lf + 1);
    return line;
  }
};

// head_end finds the end of a head (the empty line): the offset just past
// it, or npos.
std::size_t head_end(std::string_view buffer) {
  std::size_t at = 0;
  while (true) {
    const auto lf = buffer.find('\n', at);
    if (lf == std::string_view::npos) return std::string_view::npos;
    const std::string_view line = buffer.substr(at, lf - at);
    if (line.empty() || line == "\r") return lf + 1;
    at = lf + 1;
  }
}

struct HeaderError {
  int status;
  std::string why;
};

// parse_headers reads header fields; refuses folding, bad names, and too many.
std::optional<HeaderError> parse_headers(Lines &lines, const Limits &limits,
                                         std::vector<Header> &out) {
  while (auto line = lines.next()) {
    if (line->empty()) return std::nullopt;
    if (line->front() == ' ' || line->front() == '\t') {
      return HeaderError{400, "obsolete line folding in a header"};
    }
    const auto colon = line->find(':');
    if (colon == std::string_view::npos) return HeaderError{400, "a header line without ':'"};
    const std::string_view name = line->substr(0, colon);
    if (!is_token(name)) return HeaderError{400, "an invalid header name"};
    const std::string_view value = trim(line->substr(colon + 1));
    for (char c : value) {
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) {
        return HeaderError{400, "a control character in a header value"};
      }
    }
    if (out.size() == limits.max_headers) return HeaderError{431, "too many header fields"};
    out.push_back({std::string(name), std::string(value)});
  }
  return HeaderError{400, "the head does not end"};
}

std::optional<std::size_t> parse_size(std::string_view text) {
  std::size_t n = 0;
  if (text.empty()) return std::nullopt;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return n;
}

std::string http_date() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

}  // namespace

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

const std::string *find_header(const std::vector<Header> &headers, std::string_view name) {
  for (const Header &h : headers) {
    if (iequals(h.name, name)) return &h.value;
  }
  return nullptr;
}

ParseResult parse_request(std::string_view buffer, const Limits &limits) {
  ParseResult r;
  // Tolerate empty lines before the request line (RFC 9112 section 2.2).
  std::size_t start = 0;
  while (start < buffer.size() && (buffer[start] == '\r' || buffer[start] == '\n'))
    ++start;
  if (start >= limits.max_header_bytes) {
    r.status = ParseStatus::error;
    r.error_status = 400;
    r.error = "only empty lines";
    return r;
  }
  buffer.remove_prefix(start);
  const std::size_t end = head_end(buffer.substr(0, limits.max_header_bytes));
  if (end == std::string_view::npos) {
    if (buffer.size() >= limits.max_header_bytes) {
      r.status = ParseStatus::error;
      r.error_status = 431;
      r.error = "the request head is over " + std::to_string(limits.max_header_bytes) + " bytes";
    }
    return r;
  }
  auto fail = [&](int status, std::string why) {
    r.status = ParseStatus::error;
    r.error_status = status;
    r.error = std::move(why);
    return r;
  };
  Lines lines{buffer.substr(0, end)};
  std::optional<std::string_view> line = lines.next();
  if (!line || line->empty()) return fail(400, "no request line");

  // method SP request-target SP HTTP-version
  const auto sp1 = line->find(' ');
  const auto sp2 = sp1 == std::string_view::npos ? sp1 : line->find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line->find(' ', sp2 + 1) != std::string_view::npos) {
    return fail(400, "a malformed request line");
  }
  const std::string_view method = line->substr(0, sp1);
  const std::string_view target = line->substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line->substr(sp2 + 1);
  if (!is_token(method)) return fail(400, "an invalid method");
  if (target.empty() || std::any_of(target.begin(), target.end(), [](char c) {
        return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f;
      })) {
    return fail(400, "an invalid request target");
  }
  if (version.size() != 8 || !version.starts_with("HTTP/") || version[6] != '.' ||
      !std::isdigit(static_cast<unsigned char>(version[5])) ||
      !std::isdigit(static_cast<unsigned char>(version[7]))) {
    return fail(400, "an invalid HTTP version");
  }
  if (version[5] != '1' || (version[7] != '0' && version[7] != '1')) {
    return fail(505, "only HTTP/1.0 and HTTP/1.1 are served");
  }
  r.request.method = std::string(method);
  r.request.target = std::string(target);
  r.request.path = r.request.target.substr(0, r.request.target.find('?'));
  r.request.minor_version = version[7] - '0';

  if (auto e = parse_headers(lines, limits, r.request.headers)) return fail(e->status, e->why);
  const auto &headers = r.request.headers;

  if (r.request.minor_version == 1) {
    int hosts = 0;
    for (const Header &h : headers)
      hosts += iequals(h.name, "host") ? 1 : 0;
    if (hosts != 1) return fail(400, "an HTTP/1.1 request needs exactly one Host header");
  }
  if (find_header(headers, "transfer-encoding") != nullptr) {
    return fail(501, "request bodies with Transfer-Encoding are not supported");
  }
  std::optional<std::size_t> length;
  for (const Header &h : headers) {
    if (!iequals(h.name, "content-length")) continue;
    auto n = parse_size(h.value);
    if (!n || (length && *length != *n)) return fail(400, "an invalid Content-Length");
    length = n;
  }
  r.request.content_length = length.value_or(0);
  if (r.request.content_length > limits.max_body_bytes) {
    return fail(413,
                "the request body is over " + std::to_string(limits.max_body_bytes) + " bytes");
  }
  const std::string *connection = find_header(headers, "connection");
  if (r.request.minor_version == 0) {
    r.request.keep_alive = connection != nullptr && has_token(*connection, "keep-alive");
  } else {
    r.request.keep_alive = connection == nullptr || !has_token(*connection, "close");
  }
  r.status = ParseStatus::complete;
  r.consumed = start + end;
  return r;
}

std::string_view reason_phrase(int status) noexcept {
  switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

std::string serialize(const Response &response, bool keep_alive, bool head_only) {
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " +
                    std::string(reason_phrase(response.status)) + "\r\n";
  out += "Date: " + http_date() + "\r\n";
  for (const Header &h : response.headers)
    out += h.name + ": " + h.value + "\r\n";
  out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  out += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  out += "\r\n";
  if (!head_only) out += response.body;
  return out;
}

Response error_response(int status, std::string_view detail) {
  Response r;
  r.status = status;
  r.headers.push_back({"Content-Type", "text/plain; charset=utf-8"});
  r.body = std::to_string(status) + " " + std::string(reason_phrase(status));
  if (!detail.empty()) r.body += ": " + std::string(detail);
  r.body += "\n";
  return r;
}

std::string Url::authority() const {
  const bool v6 = host.find(':') != std::string::npos;
  std::string out = v6 ? "[" + host + "]" : host;
  if (port != 443) out += ":" + std::to_string(port);
  return out;
}

Result<Url> parse_url(std::string_view text) {
  auto bad = [&](std::string why) {
    return Error(ErrorCode::bad_input, "not an https URL (" + why + "): " + std::string(text));
  };
  constexpr std::string_view kScheme = "https://";
  if (text.size() < kScheme.size() || !iequals(text.substr(0, kScheme.size()), kScheme)) {
    return bad("it must start with https://");
  }
  std::string_view rest = text.substr(kScheme.size());
  const auto slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  std::string_view target = slash == std::string_view::npos ? "/" : rest.substr(slash);
  if (const auto hash = target.find('#'); hash != std::string_view::npos) {
    target = target.substr(0, hash);
  }
  if (authority.find('@') != std::string_view::npos)
    return bad("user information is not supported");
  Url url;
  std::string_view port;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad("an unclosed [");
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("junk after ]");
      port = after.substr(1);
    }
  } else {
    const auto colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (url.host.empty()) return bad("no host");
  for (char c : url.host) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == '/' || c == '[' || c == ']') {
      return bad("an invalid host");
    }
  }
  if (!port.empty() || authority.ends_with(':')) {
    auto n = parse_size(port);
    if (!n || *n == 0 || *n > 65535) return bad("an invalid port");
    url.port = static_cast<uint16_t>(*n);
  }
  if (target.empty() || target.front() == '?')
    url.target = "/" + std::string(target);
  else
    url.target = std::string(target);
  for (char c : url.target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return bad("a space or control character");
  }
  return url;
}

std::string request_text(const Url &url, std::string_view user_agent) {
  return "GET " + url.target + " HTTP/1.1\r\nHost: " + url.authority() +
         "\r\nUser-Agent: " + std::string(user_agent) +
         "\r\nAccept: */*\r\nConnection: close\r\n\r\n";
}

ResponseParse parse_response_head(std::string_view buffer, const Limits &limits) {
  ResponseParse r;
  const std::size_t end = head_end(buffer.substr(0, limits.max_header_bytes));
  auto fail = [&](std::string why) {
    r.status = ParseStatus::error;
    r.error = std::move(why);
    return r;
  };
  if (end == std::string_view::npos) {
    if (buffer.size() >= limits.max_header_bytes) return fail("the response head is too long");
    if (buffer.size() >= 5 && !buffer.starts_with("HTTP/")) return fail("the answer is not HTTP");
    return r;
  }
  Lines lines{buffer.substr(0, end)};
  auto status_line = lines.next();
  if (!status_line || status_line->size() < 12 || !status_line->starts_with("HTTP/1.") ||
      (*status_line)[8] != ' ' || (status_line->size() > 12 && (*status_line)[12] != ' ')) {
    return fail("a malformed status line");
  }
  auto code = parse_size(status_line->substr(9, 3));
  if (!code || *code < 100 || *code > 599) return fail("a malformed status code");
  r.head.status = static_cast<int>(*code);
  r.head.reason = std::string(trim(status_line->substr(12)));
  if (auto e = parse_headers(lines, limits, r.head.headers)) return fail(e->why);
  if (const auto *te = find_header(r.head.headers, "transfer-encoding")) {
    if (!has_token(*te, "chunked")) return fail("an unsupported Transfer-Encoding");
    r.head.chunked = true;
  } else if (const auto *cl = find_header(r.head.headers, "content-length")) {
    auto n = parse_size(*cl);
    if (!n) return fail("an invalid Content-Length");
    r.head.content_length = n;
  }
  const std::string *connection = find_header(r.head.headers, "connection");
  r.head.keep_alive =
      !(connection != nullptr && has_token(*connection, "close")) && (*status_line)[7] == '1';
  r.status = ParseStatus::complete;
  r.consumed = end;
  return r;
}

bool ChunkedDecoder::feed(std::string_view bytes, std::string &out) {
  auto fail = [&](std::string why) {
    state_ = State::failed;
    error_ = std::move(why);
    return false;
  };
  while (!bytes.empty()) {
    switch (state_) {
      case State::size:
      case State::data_crlf:
      case State::trailer: {
        const auto lf = bytes.find('\n');
        line_.append(bytes.substr(0, lf));
        if (line_.size() > 4096) return fail("a chunk line is too long");
        if (lf == std::string_view::npos) return true;
        bytes.remove_prefix(lf + 1);
        if (!line_.empty() && line_.back() == '\r') line_.pop_back();
        const std::string line = std::move(line_);
        line_.clear();
        if (state_ == State::data_crlf) {
          if (!line.empty()) return fail("a chunk does not end with CRLF");
          state_ = State::size;
        } else if (state_ == State::trailer) {
          if (line.empty()) state_ = State::done;
        } else {
          const std::string_view hex = trim(std::string_view(line).substr(0, line.find(';')));
          std::size_t n = 0;
          auto [ptr, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), n, 16);
          if (hex.empty() || ec != std::errc() || ptr != hex.data() + hex.size()) {
            return fail("an invalid chunk size");
          }
          remaining_ = n;
          state_ = n == 0 ? State::trailer : State::data;
        }
        break;
      }
      case State::data: {
        const std::size_t n = std::min(remaining_, bytes.size());
        out.append(bytes.substr(0, n));
        bytes.remove_prefix(n);
        remaining_ -= n;
        if (remaining_ == 0) state_ = State::data_crlf;
        break;
      }
      case State::done: return true;  // anything after the body is ignored
      case State::failed: return false;
    }
  }
  return true;
}

Result<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    unsigned value = 0;
    if (i + 2 >= text.size()) {
      return Error(ErrorCode::bad_input, "a truncated %-escape");
    }
    auto [ptr, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
    if (ec != std::errc() || ptr != text.data() + i + 3) {
      return Error(ErrorCode::bad_input, "an invalid %-escape");
    }
    if (value == 0) return Error(ErrorCode::bad_input, "a NUL byte in the path");
    out += static_cast<char>(value);
    i += 2;
  }
  return out;
}

Result<std::filesystem::path> resolve_static(const std::filesystem::path &root,
                                             std::string_view path) {
  POLYTLS_TRY(std::string decoded, percent_decode(path));
  if (decoded.empty() || decoded.front() != '/') {
    return Error(ErrorCode::bad_input, "the path must start with /");
  }
  // Refuse any ".." segment outright (before the file system sees it) and
  // backslashes, which some clients treat as separators.
  std::string_view rest(decoded);
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    if (segment == "..") return Error(ErrorCode::bad_input, "the path leaves the root");
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (decoded.find('\\') != std::string::npos) {
    return Error(ErrorCode::bad_input, "a backslash in the path");
  }
  std::error_code ec;
  const std::filesystem::path base = std::filesystem::canonical(root, ec);
  if (ec) return Error(ErrorCode::not_found, "the root " + root.string() + ": " + ec.message());
  std::filesystem::path file = base / std::filesystem::path(decoded).relative_path();
  if (std::filesystem::is_directory(file, ec)) file /= "index.html";
  const std::filesystem::path real = std::filesystem::canonical(file, ec);
  if (ec) return Error(ErrorCode::not_found, "no such file");
  // After symbolic links, the file must still be inside the root.
  const auto [root_end, real_it] =
      std::mismatch(base.begin(), base.end(), real.begin(), real.end());
  if (root_end != base.end()) return Error(ErrorCode::bad_input, "the path leaves the root");
  (void)real_it;
  if (!std::filesystem::is_regular_file(real, ec)) return Error(ErrorCode::not_found, "not a file");
  return real;
}

std::string_view content_type(const std::filesystem::path &file) noexcept {
  struct Type {
    std::string_view extension;
    std::string_view type;
  };
  static constexpr Type kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".json", "application/json"},
      {".txt", "text/plain; charset=utf-8"},
      {".md", "text/markdown; charset=utf-8"},
      {".xml", "application/xml"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/vnd.microsoft.icon"},
      {".pdf", "application/pdf"},
      {".wasm", "application/wasm"},
      {".woff2", "font/woff2"},
      {".pem", "application/x-pem-file"},
  };
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const Type &t : kTypes) {
    if (t.extension == ext) return t.type;
  }
  return "application/octet-stream";
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace polytls::http
