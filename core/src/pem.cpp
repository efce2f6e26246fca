#include "polytls/pem.hpp"

#include <array>
#include <string>

#include "text.hpp"

namespace polytls {
namespace {

using detail::ends_with;
using detail::slice;
using detail::starts_with;

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kEnd = "-----END ";
constexpr std::string_view kDashes = "-----";
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

Error bad(std::size_t line, std::string_view why, std::string_view more = {},
          std::string_view end = {}) {
  return Error(ErrorCode::bad_input,
               detail::cat({"PEM line ", detail::Decimal(line), ": ", why, more, end}));
}

// decode_base64 decodes the body of one block; padding only at the end.
Result<std::vector<uint8_t>> decode_base64(std::string_view body, std::size_t first_line) {
  std::vector<uint8_t> out;
  out.reserve(body.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  std::size_t symbols = 0;
  std::size_t padding = 0;
  std::size_t line = first_line;
  for (char c : body) {
    if (c == '\n') {
      ++line;
      continue;
    }
    if (c == '\r' || c == ' ' || c == '\t') continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    const int v = base64_value(c);
    if (v < 0) return bad(line, "invalid base64 character '", std::string_view(&c, 1), "'");
    if (padding > 0) return bad(line, "base64 data after '=' padding");
    ++symbols;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>((acc >> bits) & 0xff));
    }
  }
  // Every quantum has four symbols, the last one padded with at most two '='.
  if (padding > 2 || (symbols + padding) % 4 != 0 || symbols % 4 == 1) {
    return bad(line, "truncated base64 data");
  }
  if (out.empty()) return bad(line, "empty PEM block");
  return out;
}

}  // namespace

Result<std::vector<PemBlock>> pem_decode(std::string_view text) {
  std::vector<PemBlock> blocks;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  auto next_line = [&](std::string_view &line) {
    if (pos >= text.size()) return false;
    const std::size_t nl = text.find('\n', pos);
    line = trim(slice(text, pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    return true;
  };

  std::string_view line;
  while (next_line(line)) {
    if (!starts_with(line, kBegin)) continue;
    if (!ends_with(line, kDashes) || line.size() < kBegin.size() + kDashes.size()) {
      return bad(line_no, "malformed BEGIN line");
    }
    PemBlock block;
    block.label =
        std::string(slice(line, kBegin.size(), line.size() - kBegin.size() - kDashes.size()));
    const std::size_t begin_line = line_no;
    std::string body;
    bool closed = false;
    bool in_headers = true;
    while (next_line(line)) {
      if (starts_with(line, kEnd)) {
        // The END line must be "-----END " + label + "-----".
        if (line.size() != kEnd.size() + block.label.size() + kDashes.size() ||
            !ends_with(line, kDashes) ||
            slice(line, kEnd.size(), block.label.size()) != block.label) {
          return bad(line_no, "END line does not match BEGIN ", block.label);
        }
        closed = true;
        break;
      }
      if (starts_with(line, kBegin)) return bad(line_no, "BEGIN inside block ", block.label);
      if (in_headers && line.find(':') != std::string_view::npos) {
        const auto colon = line.find(':');
        block.headers.emplace_back(std::string(trim(slice(line, 0, colon))),
                                   std::string(trim(slice(line, colon + 1))));
        continue;
      }
      if (in_headers && line.empty() && !block.headers.empty()) continue;
      in_headers = false;
      body += line;
      body += '\n';
    }
    if (!closed) return bad(begin_line, "block ", block.label, " is not closed (truncated?)");
    auto der = decode_base64(body, begin_line + 1 + block.headers.size());
    if (!der) return der.error();
    block.der = std::move(der).value();
    blocks.push_back(std::move(block));
  }
  if (blocks.empty()) return Error(ErrorCode::bad_input, "no PEM block found");
  return blocks;
}

std::string pem_encode(std::string_view label, std::span<const uint8_t> der) {
  std::string out;
  out.reserve(der.size() * 4 / 3 + der.size() / 48 + 64);
  out += kBegin;
  out += label;
  out += kDashes;
  out += '\n';
  std::size_t column = 0;
  auto put = [&](char c) {
    out += c;
    if (++column == 64) {
      out += '\n';
      column = 0;
    }
  };
  std::size_t i = 0;
  for (; i + 3 <= der.size(); i += 3) {
    const uint32_t v = (uint32_t{der[i]} << 16) | (uint32_t{der[i + 1]} << 8) | der[i + 2];
    put(kAlphabet[(v >> 18) & 63]);
    put(kAlphabet[(v >> 12) & 63]);
    put(kAlphabet[(v >> 6) & 63]);
    put(kAlphabet[v & 63]);
  }
  if (der.size() - i == 1) {
    const uint32_t v = uint32_t{der[i]} << 16;
    put(kAlphabet[(v >> 18) & 63]);
    put(kAlphabet[(v >> 12) & 63]);
    put('=');
    put('=');
  } else if (der.size() - i == 2) {
    const uint32_t v = (uint32_t{der[i]} << 16) | (uint32_t{der[i + 1]} << 8);
    put(kAlphabet[(v >> 18) & 63]);
    put(kAlphabet[(v >> 12) & 63]);
    put(kAlphabet[(v >> 6) & 63]);
    put('=');
  }
  if (column != 0) out += '\n';
  out += kEnd;
  out += label;
  out += kDashes;
  out += '\n';
  return out;
}

bool looks_like_pem(std::span<const uint8_t> data) noexcept {
  const std::string_view text(reinterpret_cast<const char *>(data.data()), data.size());
  return text.find(kBegin) != std::string_view::npos;
}

}  // namespace polytls
