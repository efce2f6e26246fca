// der.hpp: the core's DER reader and writer (X.690), the one place where
// backend-neutral ASN.1 is read or written.
//
// Reader is a bounded cursor over a byte span: every read checks the
// remaining length, so malformed input is an Error, never undefined
// behaviour. Writer functions return complete TLVs.
#ifndef POLYTLS_CORE_DER_HPP
#define POLYTLS_CORE_DER_HPP

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "polytls/result.hpp"

namespace polytls::der {

using Bytes = std::vector<uint8_t>;
using View = std::span<const uint8_t>;

// Tags used by polytls.
inline constexpr uint8_t kBoolean = 0x01;
inline constexpr uint8_t kInteger = 0x02;
inline constexpr uint8_t kBitString = 0x03;
inline constexpr uint8_t kOctetString = 0x04;
inline constexpr uint8_t kNull = 0x05;
inline constexpr uint8_t kOid = 0x06;
inline constexpr uint8_t kUtf8String = 0x0c;
inline constexpr uint8_t kPrintableString = 0x13;
inline constexpr uint8_t kIa5String = 0x16;
inline constexpr uint8_t kUtcTime = 0x17;
inline constexpr uint8_t kGeneralizedTime = 0x18;
inline constexpr uint8_t kSequence = 0x30;
inline constexpr uint8_t kSet = 0x31;
// context_tag builds a context-specific tag [n] (n < 31).
constexpr uint8_t context_tag(uint8_t n, bool constructed) noexcept {
  return static_cast<uint8_t>(0x80 | (constructed ? 0x20 : 0x00) | n);
}

// Tlv is one element read: its tag, its contents, and the whole encoding.
struct Tlv {
  uint8_t tag = 0;
  View content;
  View encoding;
};

// Reader reads consecutive TLVs from a span.
class Reader {
 public:
  explicit Reader(View data) noexcept : data_(data) {}

  bool empty() const noexcept { return pos_ >= data_.size(); }
  std::size_t remaining() const noexcept { return data_.size() - pos_; }
  // peek_tag returns the next tag, or 0 at the end.
  uint8_t peek_tag() const noexcept { return empty() ? 0 : data_[pos_]; }

  // read returns the next TLV. Truncation, indefinite or over-long lengths
  // and multi-byte tags are `bad_input`.
  Result<Tlv> read();
  // expect reads the next TLV and checks its tag.
  Result<Tlv> expect(uint8_t tag, std::string_view what);
  // expect_end fails unless every byte was read.
  Result<void> expect_end(std::string_view what) const;

 private:
  View data_;
  std::size_t pos_ = 0;
};

// parse_single reads exactly one TLV spanning all of `data`.
Result<Tlv> parse_single(View data, uint8_t tag, std::string_view what);

// read_small_unsigned reads a non-negative INTEGER's contents that fits in 64 bits.
Result<uint64_t> read_small_unsigned(const Tlv &integer, std::string_view what);

// ---- writing ----
Bytes tlv(uint8_t tag, View content);
Bytes sequence(std::initializer_list<View> parts);
Bytes set(std::initializer_list<View> parts);
Bytes concat(std::initializer_list<View> parts);
// unsigned_integer encodes a big-endian magnitude as a positive INTEGER
// (leading zeros dropped, a 0x00 added when the top bit is set).
Bytes unsigned_integer(View magnitude);
Bytes small_integer(uint64_t value);
Bytes octet_string(View content);
// bit_string encodes whole bytes (no unused bits).
Bytes bit_string(View content);
Bytes null();
Bytes utf8_string(std::string_view text);
// oid encodes a dotted object identifier ("1.2.840.113549.1.1.1"); it
// must be valid (the core only passes constants).
Bytes oid(std::string_view dotted);
// oid_to_string renders an OID's contents as dotted text.
std::string oid_to_string(View content);

inline View view(const Bytes &bytes) noexcept {
  return {bytes.data(), bytes.size()};
}
inline View view(std::string_view text) noexcept {
  return {reinterpret_cast<const uint8_t *>(text.data()), text.size()};
}

}  // namespace polytls::der

#endif  // POLYTLS_CORE_DER_HPP
