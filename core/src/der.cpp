#include "der.hpp"

#include <charconv>
#include <cstdio>

namespace polytls::der {
namespace {

Error bad(std::string_view what, std::string_view why) {
  return Error(ErrorCode::bad_input, std::string(what) + ": " + std::string(why));
}

void append_length(Bytes &out, std::size_t len) {
  if (len < 0x80) {
    out.push_back(static_cast<uint8_t>(len));
    return;
  }
  uint8_t buf[sizeof(std::size_t)];
  int n = 0;
  for (std::size_t v = len; v != 0; v >>= 8)
    buf[n++] = static_cast<uint8_t>(v & 0xff);
  out.push_back(static_cast<uint8_t>(0x80 | n));
  while (n-- > 0)
    out.push_back(buf[n]);
}

}  // namespace

Result<Tlv> Reader::read() {
  const std::size_t start = pos_;
  if (remaining() < 2) return bad("DER", "truncated element");
  const uint8_t tag = data_[pos_++];
  if ((tag & 0x1f) == 0x1f) return bad("DER", "multi-byte tags are not supported");
  const uint8_t first = data_[pos_++];
  std::size_t len = 0;
  if (first < 0x80) {
    len = first;
  } else {
    const int n = first & 0x7f;
    if (n == 0) return bad("DER", "indefinite length is not DER");
    if (n > 4) return bad("DER", "length too large");
    if (remaining() < static_cast<std::size_t>(n)) return bad("DER", "truncated length");
    for (int i = 0; i < n; ++i)
      len = (len << 8) | data_[pos_++];
    if (len < 0x80) return bad("DER", "non-minimal length encoding");
  }
  if (len > remaining()) return bad("DER", "element longer than its data (truncated?)");
  Tlv tlv;
  tlv.tag = tag;
  tlv.content = data_.subspan(pos_, len);
  pos_ += len;
  tlv.encoding = data_.subspan(start, pos_ - start);
  return tlv;
}

Result<Tlv> Reader::expect(uint8_t tag, std::string_view what) {
  if (empty()) return bad(what, "missing");
  if (peek_tag() != tag) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "unexpected tag 0x%02x (wanted 0x%02x)", peek_tag(), tag);
    return bad(what, buf);
  }
  return read();
}

Result<void> Reader::expect_end(std::string_view what) const {
  if (!empty()) return bad(what, "unexpected trailing data");
  return ok();
}

Result<Tlv> parse_single(View data, uint8_t tag, std::string_view what) {
  Reader reader(data);
  POLYTLS_TRY(Tlv tlv, reader.expect(tag, what));
  POLYTLS_CHECK(reader.expect_end(what));
  return tlv;
}

Result<uint64_t> read_small_unsigned(const Tlv &integer, std::string_view what) {
  if (integer.tag != kInteger || integer.content.empty()) return bad(what, "not an INTEGER");
  if (integer.content[0] & 0x80) return bad(what, "negative INTEGER");
  View digits = integer.content;
  while (digits.size() > 1 && digits[0] == 0)
    digits = digits.subspan(1);
  if (digits.size() > 8) return bad(what, "INTEGER too large");
  uint64_t value = 0;
  for (uint8_t b : digits)
    value = (value << 8) | b;
  return value;
}

Bytes tlv(uint8_t tag, View content) {
  Bytes out;
  out.reserve(content.size() + 6);
  out.push_back(tag);
  append_length(out, content.size());
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

Bytes concat(std::initializer_list<View> parts) {
  Bytes out;
  for (View part : parts)
    out.insert(out.end(), part.begin(), part.end());
  return out;
}

Bytes sequence(std::initializer_list<View> parts) {
  const Bytes body = concat(parts);
  return tlv(kSequence, body);
}

Bytes set(std::initializer_list<View> parts) {
  const Bytes body = concat(parts);
  return tlv(kSet, body);
}

Bytes unsigned_integer(View magnitude) {
  while (!magnitude.empty() && magnitude[0] == 0)
    magnitude = magnitude.subspan(1);
  Bytes body;
  if (magnitude.empty() || (magnitude[0] & 0x80)) body.push_back(0);
  body.insert(body.end(), magnitude.begin(), magnitude.end());
  return tlv(kInteger, body);
}

Bytes small_integer(uint64_t value) {
  Bytes magnitude;
  for (int shift = 56; shift >= 0; shift -= 8) {
    magnitude.push_back(static_cast<uint8_t>((value >> shift) & 0xff));
  }
  return unsigned_integer(magnitude);
}

Bytes octet_string(View content) {
  return tlv(kOctetString, content);
}

Bytes bit_string(View content) {
  Bytes body;
  body.reserve(content.size() + 1);
  body.push_back(0);
  body.insert(body.end(), content.begin(), content.end());
  return tlv(kBitString, body);
}

Bytes null() {
  return Bytes{kNull, 0x00};
}

Bytes utf8_string(std::string_view text) {
  return tlv(kUtf8String, view(text));
}

Bytes oid(std::string_view dotted) {
  std::vector<uint64_t> arcs;
  while (!dotted.empty()) {
    const auto dot = dotted.find('.');
    const std::string_view part = dotted.substr(0, dot);
    uint64_t value = 0;
    std::from_chars(part.data(), part.data() + part.size(), value);
    arcs.push_back(value);
    if (dot == std::string_view::npos) break;
    dotted.remove_prefix(dot + 1);
  }
  Bytes body;
  auto put_arc = [&body](uint64_t v) {
    uint8_t tmp[10];
    int n = 0;
    do {
      tmp[n++] = static_cast<uint8_t>(v & 0x7f);
      v >>= 7;
    } while (v != 0);
    while (n-- > 0)
      body.push_back(static_cast<uint8_t>(tmp[n] | (n > 0 ? 0x80 : 0x00)));
  };
  if (arcs.size() >= 2) {
    put_arc(arcs[0] * 40 + arcs[1]);
    for (std::size_t i = 2; i < arcs.size(); ++i)
      put_arc(arcs[i]);
  }
  return tlv(kOid, body);
}

std::string oid_to_string(View content) {
  std::string out;
  uint64_t value = 0;
  bool first = true;
  for (uint8_t b : content) {
    value = (value << 7) | (b & 0x7f);
    if (b & 0x80) continue;
    if (first) {
      const uint64_t top = value < 80 ? value / 40 : 2;
      out += std::to_string(top) + "." + std::to_string(value - top * 40);
      first = false;
    } else {
      out += "." + std::to_string(value);
    }
    value = 0;
  }
  return out;
}

}  // namespace polytls::der
