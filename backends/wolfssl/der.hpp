// der.hpp: the little DER framing the wolfSSL backend needs around wolfCrypt:
// checking that an input is exactly one well-formed TLV (wolfCrypt's decoders
// accept trailing bytes), reading the algorithm OID of a PKCS#8 / SPKI
// structure before choosing wolfCrypt's decoder, and re-encoding one
// certificate extension (see x509.cpp, basicConstraints). Key and
// certificate contents are always decoded by wolfCrypt itself.
#ifndef POLYTLS_BACKENDS_WOLFSSL_DER_HPP
#define POLYTLS_BACKENDS_WOLFSSL_DER_HPP

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace polytls::wolfssl::der {

using ByteView = std::span<const std::uint8_t>;

inline constexpr std::uint8_t kInteger = 0x02;
inline constexpr std::uint8_t kBitString = 0x03;
inline constexpr std::uint8_t kOctetString = 0x04;
inline constexpr std::uint8_t kNull = 0x05;
inline constexpr std::uint8_t kOid = 0x06;
inline constexpr std::uint8_t kSequence = 0x30;
inline constexpr std::uint8_t kBoolean = 0x01;

// OID contents (without tag and length).
inline constexpr std::uint8_t kOidRsaEncryption[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                                     0x0d, 0x01, 0x01, 0x01};
inline constexpr std::uint8_t kOidEcPublicKey[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
inline constexpr std::uint8_t kOidEd25519[] = {0x2b, 0x65, 0x70};
inline constexpr std::uint8_t kOidBasicConstraints[] = {0x55, 0x1d, 0x13};

// Tlv is one element: `tag`, its contents `value`, and `whole` (tag, length
// and contents).
struct Tlv {
  std::uint8_t tag = 0;
  ByteView value;
  ByteView whole;
};

// read reads the element at the start of `in` (single-byte tag, definite
// length in minimal form). Returns false if it is malformed or truncated.
inline bool read(ByteView in, Tlv &out) noexcept {
  if (in.size() < 2) return false;
  const std::uint8_t tag = in[0];
  if ((tag & 0x1f) == 0x1f) return false;  // multi-byte tags: not used here
  std::size_t pos = 1;
  std::size_t len = in[pos++];
  if (len & 0x80) {
    const std::size_t n = len & 0x7f;
    if (n == 0 || n > sizeof(std::size_t) || in.size() - pos < n) return false;
    len = 0;
    for (std::size_t i = 0; i < n; ++i)
      len = (len << 8) | in[pos++];
    if (len < 0x80 || (n > 1 && in[pos - n] == 0)) return false;  // not minimal
  }
  if (in.size() - pos < len) return false;
  out.tag = tag;
  out.value = in.subspan(pos, len);
  out.whole = in.subspan(0, pos + len);
  return true;
}

// read_exact reads `in` as exactly one element (no trailing bytes).
inline bool read_exact(ByteView in, Tlv &out) noexcept {
  return read(in, out) && out.whole.size() == in.size();
}

// Reader walks the elements of a constructed value in order.
class Reader {
 public:
  explicit Reader(ByteView in) noexcept : rest_(in) {}
  bool next(Tlv &out) noexcept {
    if (!read(rest_, out)) return false;
    rest_ = rest_.subspan(out.whole.size());
    return true;
  }
  bool empty() const noexcept { return rest_.empty(); }

 private:
  ByteView rest_;
};

inline bool equals(ByteView a, ByteView b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// append_tlv appends tag, DER length and `value` to `out`.
inline void append_tlv(std::vector<std::uint8_t> &out, std::uint8_t tag, ByteView value) {
  out.push_back(tag);
  const std::size_t len = value.size();
  if (len < 0x80) {
    out.push_back(static_cast<std::uint8_t>(len));
  } else {
    std::uint8_t buf[sizeof(std::size_t)];
    std::size_t n = 0;
    for (std::size_t v = len; v != 0; v >>= 8)
      buf[n++] = static_cast<std::uint8_t>(v & 0xff);
    out.push_back(static_cast<std::uint8_t>(0x80 | n));
    while (n > 0)
      out.push_back(buf[--n]);
  }
  out.insert(out.end(), value.begin(), value.end());
}

}  // namespace polytls::wolfssl::der

#endif  // POLYTLS_BACKENDS_WOLFSSL_DER_HPP
