#include "polytls/wire.hpp"

#include <array>
#include <cstdio>
#include <cstring>

namespace polytls::wire {
namespace {

// Cursor reads big-endian integers and length-prefixed vectors, bounded.
class Cursor {
 public:
  explicit Cursor(std::span<const uint8_t> data) : data_(data) {}
  bool empty() const { return pos_ >= data_.size(); }
  std::size_t remaining() const { return data_.size() - pos_; }

  Result<uint32_t> number(std::size_t bytes, const char *what) {
    if (remaining() < bytes) return truncated(what);
    uint32_t v = 0;
    for (std::size_t i = 0; i < bytes; ++i)
      v = (v << 8) | data_[pos_++];
    return v;
  }
  Result<std::span<const uint8_t>> bytes(std::size_t n, const char *what) {
    if (remaining() < n) return truncated(what);
    auto out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  // vector reads a length prefix of `prefix` bytes and that many bytes.
  Result<std::span<const uint8_t>> vector(std::size_t prefix, const char *what) {
    POLYTLS_TRY(uint32_t n, number(prefix, what));
    return bytes(n, what);
  }

 private:
  static Error truncated(const char *what) {
    return Error(ErrorCode::bad_input, std::string("TLS ") + what + ": truncated");
  }
  std::span<const uint8_t> data_;
  std::size_t pos_ = 0;
};

Result<std::vector<uint16_t>> u16_list(std::span<const uint8_t> data, const char *what) {
  if (data.size() % 2 != 0) {
    return Error(ErrorCode::bad_input, std::string("TLS ") + what + ": odd length");
  }
  std::vector<uint16_t> out;
  for (std::size_t i = 0; i < data.size(); i += 2) {
    out.push_back(static_cast<uint16_t>((data[i] << 8) | data[i + 1]));
  }
  return out;
}

Result<std::vector<std::string>> alpn_list(std::span<const uint8_t> ext) {
  Cursor c(ext);
  POLYTLS_TRY(auto list, c.vector(2, "ALPN"));
  Cursor names(list);
  std::vector<std::string> out;
  while (!names.empty()) {
    POLYTLS_TRY(auto name, names.vector(1, "ALPN protocol"));
    out.emplace_back(name.begin(), name.end());
  }
  return out;
}

constexpr uint16_t kExtServerName = 0;
constexpr uint16_t kExtSupportedGroups = 10;
constexpr uint16_t kExtAlpn = 16;
constexpr uint16_t kExtSupportedVersions = 43;
constexpr uint16_t kExtKeyShare = 51;

// The fixed random of a HelloRetryRequest (RFC 8446 4.1.3).
constexpr std::array<uint8_t, 32> kHelloRetryRandom = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

}  // namespace

Result<Records> split_records(std::span<const uint8_t> stream) {
  Records out;
  std::size_t pos = 0;
  while (pos < stream.size()) {
    if (stream.size() - pos < 5) break;
    const uint8_t type = stream[pos];
    const uint16_t version = static_cast<uint16_t>((stream[pos + 1] << 8) | stream[pos + 2]);
    const std::size_t len = static_cast<std::size_t>((stream[pos + 3] << 8) | stream[pos + 4]);
    if (type < kChangeCipherSpec || type > kApplicationData || (version >> 8) != 0x03) {
      char why[64];
      std::snprintf(why, sizeof why, "not a TLS record (content type %u, version 0x%04x)",
                    static_cast<unsigned>(type), static_cast<unsigned>(version));
      if (out.records.empty()) return Error(ErrorCode::bad_input, why);
      out.not_tls = why;  // whole records came first: keep them
      break;
    }
    if (len > 16384 + 2048) {
      if (out.records.empty()) return Error(ErrorCode::bad_input, "TLS record longer than allowed");
      out.not_tls = "TLS record longer than allowed";
      break;
    }
    if (stream.size() - pos - 5 < len) break;
    out.records.push_back(Record{type, version, stream.subspan(pos + 5, len)});
    pos += 5 + len;
  }
  out.incomplete_tail = stream.size() - pos;
  return out;
}

Result<std::vector<HandshakeMessage>> plaintext_handshake(std::span<const Record> records) {
  std::vector<uint8_t> joined;
  for (const Record &r : records) {
    if (r.content_type != kHandshake) break;
    joined.insert(joined.end(), r.fragment.begin(), r.fragment.end());
  }
  std::vector<HandshakeMessage> out;
  Cursor c(joined);
  while (c.remaining() >= 4) {
    POLYTLS_TRY(uint32_t type, c.number(1, "handshake type"));
    POLYTLS_TRY(uint32_t len, c.number(3, "handshake length"));
    if (c.remaining() < len) break;  // encrypted or incomplete from here on
    POLYTLS_TRY(auto body, c.bytes(len, "handshake body"));
    out.push_back(HandshakeMessage{static_cast<uint8_t>(type), {body.begin(), body.end()}});
  }
  return out;
}

Result<ClientHello> parse_client_hello(std::span<const uint8_t> body) {
  ClientHello hello;
  Cursor c(body);
  POLYTLS_TRY(uint32_t version, c.number(2, "ClientHello version"));
  hello.legacy_version = static_cast<uint16_t>(version);
  POLYTLS_TRY(auto random, c.bytes(32, "ClientHello random"));
  POLYTLS_TRY(auto session_id, c.vector(1, "ClientHello session id"));
  POLYTLS_TRY(auto suites, c.vector(2, "ClientHello cipher suites"));
  POLYTLS_TRY(hello.cipher_suites, u16_list(suites, "cipher suites"));
  POLYTLS_TRY(auto compression, c.vector(1, "ClientHello compression"));
  (void)random, (void)session_id, (void)compression;
  if (c.empty()) return hello;
  POLYTLS_TRY(auto extensions, c.vector(2, "ClientHello extensions"));
  Cursor e(extensions);
  while (!e.empty()) {
    POLYTLS_TRY(uint32_t type, e.number(2, "extension type"));
    POLYTLS_TRY(auto ext, e.vector(2, "extension"));
    Cursor x(ext);
    switch (type) {
      case kExtServerName: {
        POLYTLS_TRY(auto list, x.vector(2, "server_name"));
        Cursor names(list);
        while (!names.empty()) {
          POLYTLS_TRY(uint32_t kind, names.number(1, "server_name type"));
          POLYTLS_TRY(auto name, names.vector(2, "server_name"));
          if (kind == 0) hello.server_name.assign(name.begin(), name.end());
        }
        break;
      }
      case kExtSupportedGroups: {
        POLYTLS_TRY(auto list, x.vector(2, "supported_groups"));
        POLYTLS_TRY(hello.groups, u16_list(list, "supported_groups"));
        break;
      }
      case kExtAlpn: {
        POLYTLS_TRY(hello.alpn, alpn_list(ext));
        break;
      }
      case kExtSupportedVersions: {
        POLYTLS_TRY(auto list, x.vector(1, "supported_versions"));
        POLYTLS_TRY(hello.supported_versions, u16_list(list, "supported_versions"));
        break;
      }
      case kExtKeyShare: {
        POLYTLS_TRY(auto shares, x.vector(2, "key_share"));
        Cursor s(shares);
        while (!s.empty()) {
          POLYTLS_TRY(uint32_t group, s.number(2, "key_share group"));
          POLYTLS_TRY(auto key, s.vector(2, "key_share key"));
          (void)key;
          hello.key_share_groups.push_back(static_cast<uint16_t>(group));
        }
        break;
      }
      default: break;
    }
  }
  return hello;
}

Result<ServerHello> parse_server_hello(std::span<const uint8_t> body) {
  ServerHello hello;
  Cursor c(body);
  POLYTLS_TRY(uint32_t version, c.number(2, "ServerHello version"));
  hello.legacy_version = static_cast<uint16_t>(version);
  POLYTLS_TRY(auto random, c.bytes(32, "ServerHello random"));
  hello.hello_retry_request = std::equal(random.begin(), random.end(), kHelloRetryRandom.begin());
  POLYTLS_TRY(auto session_id, c.vector(1, "ServerHello session id"));
  POLYTLS_TRY(uint32_t suite, c.number(2, "ServerHello cipher suite"));
  hello.cipher_suite = static_cast<uint16_t>(suite);
  POLYTLS_TRY(uint32_t compression, c.number(1, "ServerHello compression"));
  (void)session_id, (void)compression;
  if (c.empty()) return hello;
  POLYTLS_TRY(auto extensions, c.vector(2, "ServerHello extensions"));
  Cursor e(extensions);
  while (!e.empty()) {
    POLYTLS_TRY(uint32_t type, e.number(2, "extension type"));
    POLYTLS_TRY(auto ext, e.vector(2, "extension"));
    Cursor x(ext);
    if (type == kExtSupportedVersions) {
      POLYTLS_TRY(uint32_t v, x.number(2, "supported_versions"));
      hello.selected_version = static_cast<uint16_t>(v);
    } else if (type == kExtKeyShare) {
      POLYTLS_TRY(uint32_t group, x.number(2, "key_share group"));
      hello.key_share_group = static_cast<uint16_t>(group);
    } else if (type == kExtAlpn) {
      POLYTLS_TRY(auto protocols, alpn_list(ext));
      if (!protocols.empty()) hello.alpn = protocols.front();
    }
  }
  return hello;
}

Result<uint16_t> server_key_exchange_group(std::span<const uint8_t> body) {
  Cursor c(body);
  POLYTLS_TRY(uint32_t curve_type, c.number(1, "ServerKeyExchange curve type"));
  if (curve_type != 3) {
    return Error(ErrorCode::not_found, "ServerKeyExchange does not use a named curve");
  }
  POLYTLS_TRY(uint32_t group, c.number(2, "ServerKeyExchange named curve"));
  return static_cast<uint16_t>(group);
}

}  // namespace polytls::wire
