// polytls/kit/backend_kit.hpp: a header-only kit for backend authors.
//
// A backend sees only `polytls/abi/` and this kit, never the core's
// internals. The kit holds what every backend would otherwise write again:
// the exception guard that keeps C++ exceptions from crossing the C ABI,
// `Owned<>` for library objects, error and sink helpers, and secure wiping.
#ifndef POLYTLS_KIT_BACKEND_KIT_HPP
#define POLYTLS_KIT_BACKEND_KIT_HPP

#include <algorithm>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "polytls/abi/backend.h"

namespace polytls::kit {

// Owned is a unique_ptr that frees through the library's own free function,
// as bssl::UniquePtr does: `Owned<X509, X509_free> cert{X509_new()};`.
template <class T, auto Free>
struct FreeDeleter {
  void operator()(T *p) const noexcept {
    if (p != nullptr) Free(p);
  }
};
template <class T, auto Free>
using Owned = std::unique_ptr<T, FreeDeleter<T, Free>>;

// wipe overwrites `n` bytes at `p` with zeros in a way the compiler keeps.
inline void wipe(void *p, std::size_t n) noexcept {
  if (p == nullptr || n == 0) return;
  volatile unsigned char *v = static_cast<volatile unsigned char *>(p);
  while (n-- > 0)
    *v++ = 0;
}

// SecretBytes is a byte vector wiped before its memory is released.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::size_t n) : bytes_(n) {}
  SecretBytes(const SecretBytes &) = delete;
  SecretBytes &operator=(const SecretBytes &) = delete;
  SecretBytes(SecretBytes &&) noexcept = default;
  SecretBytes &operator=(SecretBytes &&other) noexcept {
    wipe(bytes_.data(), bytes_.size());
    bytes_ = std::move(other.bytes_);
    return *this;
  }
  ~SecretBytes() { wipe(bytes_.data(), bytes_.size()); }

  unsigned char *data() noexcept { return bytes_.data(); }
  const unsigned char *data() const noexcept { return bytes_.data(); }
  std::size_t size() const noexcept { return bytes_.size(); }
  // resize wipes the old storage if it has to move.
  void resize(std::size_t n) {
    if (n <= bytes_.capacity()) {
      bytes_.resize(n);
      return;
    }
    std::vector<unsigned char> bigger(n);
    if (!bytes_.empty()) std::memcpy(bigger.data(), bytes_.data(), bytes_.size());
    wipe(bytes_.data(), bytes_.size());
    bytes_ = std::move(bigger);
  }

 private:
  std::vector<unsigned char> bytes_;
};

// set_error records `library_code` and a printf-style detail in `err` (which
// may be NULL) and returns `status`, so a backend can write
// `return set_error(err, POLYTLS_ERR_BAD_INPUT, rc, "bad key: %s", text);`.
[[gnu::format(printf, 4, 5)]] inline polytls_status set_error(polytls_error *err,
                                                              polytls_status status,
                                                              int64_t library_code,
                                                              const char *format, ...) noexcept {
  if (err == nullptr) return status;
  if (err->struct_size >= offsetof(polytls_error, detail) + sizeof(err->detail)) {
    err->library_code = library_code;
    std::va_list args;
    va_start(args, format);
    std::vsnprintf(err->detail, sizeof(err->detail), format, args);
    va_end(args);
  }
  return status;
}

// escaped_exception, called from a catch block, turns the exception being
// handled into POLYTLS_ERR_INTERNAL with its `what()` in `err`. It is one
// function for all of a backend's guards (it rethrows to tell the kinds
// apart), so each guard catches with `catch (...)` alone.
[[gnu::cold, gnu::noinline]] inline polytls_status escaped_exception(polytls_error *err) noexcept {
  try {
    throw;
  } catch (const std::bad_alloc &) {
    return set_error(err, POLYTLS_ERR_INTERNAL, 0, "out of memory");
  } catch (const std::exception &e) {
    return set_error(err, POLYTLS_ERR_INTERNAL, 0, "unexpected exception: %s", e.what());
  } catch (...) {
    return set_error(err, POLYTLS_ERR_INTERNAL, 0, "unexpected exception");
  }
}

// guard runs `body` (which returns a polytls_status) and turns any escaped
// exception into POLYTLS_ERR_INTERNAL with its `what()` in `err`. Every
// function a backend exposes through its table runs its body inside it.
template <class Body>
polytls_status guard(polytls_error *err, Body &&body) noexcept {
  try {
    return body();
  } catch (...) {
    return escaped_exception(err);
  }
}

// bytes views a borrowed `polytls_data` as a span.
inline std::span<const unsigned char> bytes(polytls_data d) noexcept {
  if (d.data == nullptr) return {};
  return {d.data, d.len};
}

// text views a borrowed `polytls_data` as a string_view.
inline std::string_view text(polytls_data d) noexcept {
  if (d.data == nullptr) return {};
  return {reinterpret_cast<const char *>(d.data), d.len};
}

// write_to sends `data` to `sink`, returning the sink's status.
inline polytls_status write_to(const polytls_sink *sink, const void *data,
                               std::size_t len) noexcept {
  if (sink == nullptr || sink->write == nullptr) return POLYTLS_ERR_INTERNAL;
  return sink->write(sink->user, static_cast<const uint8_t *>(data), len);
}

// report sends one inspected field to `visitor`, returning its status.
inline polytls_status report(const polytls_cert_visitor *visitor, uint32_t kind, uint32_t sub,
                             const void *data, std::size_t len, int64_t number = 0) noexcept {
  if (visitor == nullptr || visitor->field == nullptr) return POLYTLS_ERR_INTERNAL;
  polytls_cert_field field{};
  field.kind = kind;
  field.sub = sub;
  field.data.data = static_cast<const uint8_t *>(data);
  field.data.len = len;
  field.number = number;
  return visitor->field(visitor->user, &field);
}
inline polytls_status report_number(const polytls_cert_visitor *visitor, uint32_t kind,
                                    uint32_t sub, int64_t number) noexcept {
  return report(visitor, kind, sub, nullptr, 0, number);
}

// Handles: a backend keeps its own object types and casts them to the
// opaque ABI handles. `to_handle<polytls_key>(impl)` and
// `from_handle<KeyImpl>(key)` keep the casts in one place.
template <class Handle, class Impl>
Handle *to_handle(Impl *impl) noexcept {
  return reinterpret_cast<Handle *>(impl);
}
template <class Impl, class Handle>
Impl *from_handle(Handle *handle) noexcept {
  return reinterpret_cast<Impl *>(handle);
}
template <class Impl, class Handle>
const Impl *from_handle(const Handle *handle) noexcept {
  return reinterpret_cast<const Impl *>(handle);
}

// fits_struct tells whether a caller-sized struct reaches `member_end`
// bytes, so a backend never writes past a smaller (older) caller's struct.
constexpr bool fits_struct(uint32_t struct_size, std::size_t member_end) noexcept {
  return struct_size >= member_end;
}

// unix_seconds converts a proleptic Gregorian UTC date and time to seconds
// since 1970-01-01, without mktime or the local time zone (certificate
// times are UTC). Fields are not range-checked.
constexpr int64_t unix_seconds(int64_t year, int64_t month, int64_t day, int64_t hour,
                               int64_t minute, int64_t second) noexcept {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t yoe = year - era * 400;
  const int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = era * 146097 + doe - 719468;
  return days * 86400 + hour * 3600 + minute * 60 + second;
}

// append_utf8 appends code point `cp` as UTF-8; surrogates and values above
// U+10FFFF become U+FFFD.
inline void append_utf8(std::string &out, uint32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// bmp_to_utf8 converts a BMPString (UTF-16BE, surrogate pairs joined) to UTF-8.
inline std::string bmp_to_utf8(std::span<const unsigned char> p) {
  std::string out;
  for (std::size_t i = 0; i + 1 < p.size(); i += 2) {
    uint32_t unit = (uint32_t{p[i]} << 8) | p[i + 1];
    if (unit >= 0xD800 && unit <= 0xDBFF && i + 3 < p.size()) {
      const uint32_t low = (uint32_t{p[i + 2]} << 8) | p[i + 3];
      if (low >= 0xDC00 && low <= 0xDFFF) {
        unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
        i += 2;
      }
    }
    append_utf8(out, unit);
  }
  return out;
}

// universal_to_utf8 converts a UniversalString (UCS-4BE) to UTF-8.
inline std::string universal_to_utf8(std::span<const unsigned char> p) {
  std::string out;
  for (std::size_t i = 0; i + 3 < p.size(); i += 4) {
    append_utf8(out, (uint32_t{p[i]} << 24) | (uint32_t{p[i + 1]} << 16) |
                         (uint32_t{p[i + 2]} << 8) | p[i + 3]);
  }
  return out;
}

// check_signature_digest applies the ABI's digest rules for key_sign and
// key_verify: Ed25519 only with POLYTLS_DIGEST_NONE; RSA and ECDSA with
// SHA-256/384/512, and SHA-1 too when `verifying`. Anything else is
// POLYTLS_ERR_BAD_INPUT with the reason in `err`.
inline polytls_status check_signature_digest(uint32_t key_algorithm, uint32_t digest,
                                             bool verifying, polytls_error *err) noexcept {
  if (key_algorithm == POLYTLS_KEY_ED25519) {
    if (digest == POLYTLS_DIGEST_NONE) return POLYTLS_OK;
    return set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                     "Ed25519 signs the message itself: the digest must be NONE");
  }
  switch (digest) {
    case POLYTLS_DIGEST_SHA256:
    case POLYTLS_DIGEST_SHA384:
    case POLYTLS_DIGEST_SHA512: return POLYTLS_OK;
    case POLYTLS_DIGEST_SHA1:
      if (verifying) return POLYTLS_OK;
      return set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                       "SHA-1 is accepted for verification only, not for signing");
    case POLYTLS_DIGEST_NONE:
      return set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                       "RSA and ECDSA signatures need a digest (SHA-256, SHA-384, SHA-512)");
    default: return set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "unknown digest %u", digest);
  }
}

// TlsRange is the version range a backend serves for one context.
struct TlsRange {
  uint32_t lo = 0;
  uint32_t hi = 0;
  bool client = false;
};

// check_tls_config does the checks every tls_context_new starts with: the
// arguments and the config's size, the role, a non-empty version range
// clamped to TLS 1.2..`library_max` (`unsupported`, naming `library`, when
// nothing is left), verify_peer and resumption values, a chain that comes
// with its key, and a server that has both. On success `range` holds the
// versions to serve.
inline polytls_status check_tls_config(const polytls_tls_config_v1 *config, const void *out_context,
                                       const char *library, uint32_t library_max, TlsRange &range,
                                       polytls_error *err) noexcept {
  if (config == nullptr || out_context == nullptr ||
      !fits_struct(config->struct_size,
                   offsetof(polytls_tls_config_v1, keylog_user) + sizeof(config->keylog_user))) {
    return set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "tls_context_new: bad arguments");
  }
  const polytls_tls_config_v1 &c = *config;
  if (c.role != POLYTLS_ROLE_CLIENT && c.role != POLYTLS_ROLE_SERVER) {
    return set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "unknown TLS role %u", c.role);
  }
  const bool client = c.role == POLYTLS_ROLE_CLIENT;
  if (c.min_version > c.max_version) {
    return set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "TLS version range 0x%04x..0x%04x is empty",
                     c.min_version, c.max_version);
  }
  // Never below TLS 1.2.
  const uint32_t lo = c.min_version > POLYTLS_TLS1_2 ? c.min_version : POLYTLS_TLS1_2;
  const uint32_t hi = c.max_version < library_max ? c.max_version : library_max;
  if (lo > hi) {
    return set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                     "TLS versions 0x%04x..0x%04x: the %s backend serves TLS 1.2 (0x0303) to "
                     "0x%04x only",
                     c.min_version, c.max_version, library, library_max);
  }
  if ((client && c.verify_peer > 1) || (!client && c.verify_peer > POLYTLS_CLIENT_AUTH_REQUIRE)) {
    return set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "bad verify_peer value %u", c.verify_peer);
  }
  if (c.resumption > 1) {
    return set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "bad resumption value %u", c.resumption);
  }
  if ((c.chain_count > 0 && (c.chain == nullptr || c.key == nullptr)) ||
      (c.chain_count == 0 && c.key != nullptr)) {
    return set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                     "a certificate chain and its key come together");
  }
  if (!client && c.chain_count == 0) {
    return set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                     "a TLS server needs a certificate chain and its key");
  }
  range = TlsRange{lo, hi, client};
  return POLYTLS_OK;
}

// keylog_line formats one NSS key log line: "<label> <client random hex>
// <secret hex>" (labels: CLIENT_RANDOM for a TLS 1.2 master secret;
// CLIENT_HANDSHAKE_TRAFFIC_SECRET, SERVER_HANDSHAKE_TRAFFIC_SECRET,
// CLIENT_TRAFFIC_SECRET_0, SERVER_TRAFFIC_SECRET_0, EXPORTER_SECRET for TLS 1.3).
inline std::string keylog_line(std::string_view label, std::span<const unsigned char> client_random,
                               std::span<const unsigned char> secret) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string line(label);
  auto hex = [&line](std::span<const unsigned char> bytes) {
    line.push_back(' ');
    for (unsigned char b : bytes) {
      line.push_back(kHex[b >> 4]);
      line.push_back(kHex[b & 15]);
    }
  };
  hex(client_random);
  hex(secret);
  return line;
}

// ---- TLS: cipher suite and group selection (POLYTLS_FEATURE_TLS_SELECT) ----
//
// The suites and groups polytls allows, with the names libraries know them
// by, so each backend maps polytls_tls_config_v1.cipher_suites and .groups
// to its library's own identifiers from one table.

// TlsSuiteKx is a TLS 1.2 suite's key exchange (kTls13 for TLS 1.3 suites).
enum class TlsSuiteKx : uint8_t { kTls13, kEcdheEcdsa, kEcdheRsa };
// TlsSuiteCipher is a suite's AEAD.
enum class TlsSuiteCipher : uint8_t { kAes128Gcm, kAes256Gcm, kChacha20Poly1305 };

struct TlsSuite {
  uint16_t iana;
  uint32_t version;  // POLYTLS_TLS1_2 or POLYTLS_TLS1_3
  TlsSuiteKx kx;
  TlsSuiteCipher cipher;
  const char *iana_name;
  const char *openssl_name;  // OpenSSL's name (the IANA name for TLS 1.3)
};

// kTlsSuites: the allowed suites, in polytls' default order of preference.
inline constexpr TlsSuite kTlsSuites[] = {
    {0x1301, POLYTLS_TLS1_3, TlsSuiteKx::kTls13, TlsSuiteCipher::kAes128Gcm,
     "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256"},
    {0x1302, POLYTLS_TLS1_3, TlsSuiteKx::kTls13, TlsSuiteCipher::kAes256Gcm,
     "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384"},
    {0x1303, POLYTLS_TLS1_3, TlsSuiteKx::kTls13, TlsSuiteCipher::kChacha20Poly1305,
     "TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256"},
    {0xC02B, POLYTLS_TLS1_2, TlsSuiteKx::kEcdheEcdsa, TlsSuiteCipher::kAes128Gcm,
     "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"},
    {0xC02F, POLYTLS_TLS1_2, TlsSuiteKx::kEcdheRsa, TlsSuiteCipher::kAes128Gcm,
     "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"},
    {0xC02C, POLYTLS_TLS1_2, TlsSuiteKx::kEcdheEcdsa, TlsSuiteCipher::kAes256Gcm,
     "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"},
    {0xC030, POLYTLS_TLS1_2, TlsSuiteKx::kEcdheRsa, TlsSuiteCipher::kAes256Gcm,
     "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"},
    {0xCCA9, POLYTLS_TLS1_2, TlsSuiteKx::kEcdheEcdsa, TlsSuiteCipher::kChacha20Poly1305,
     "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"},
    {0xCCA8, POLYTLS_TLS1_2, TlsSuiteKx::kEcdheRsa, TlsSuiteCipher::kChacha20Poly1305,
     "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305"},
};

struct TlsGroup {
  uint16_t iana;
  const char *name;  // IANA name: "x25519", "secp256r1", "secp384r1"
};

// kTlsGroups: the allowed key-exchange groups, in polytls' default order.
inline constexpr TlsGroup kTlsGroups[] = {
    {0x001d, "x25519"},
    {0x0017, "secp256r1"},
    {0x0018, "secp384r1"},
};

// find_tls_suite / find_tls_group return the entry, or NULL when the number
// is not one polytls allows.
inline const TlsSuite *find_tls_suite(uint16_t iana) noexcept {
  for (const TlsSuite &s : kTlsSuites) {
    if (s.iana == iana) return &s;
  }
  return nullptr;
}
inline const TlsGroup *find_tls_group(uint16_t iana) noexcept {
  for (const TlsGroup &g : kTlsGroups) {
    if (g.iana == iana) return &g;
  }
  return nullptr;
}

// u16_list decodes a list of big-endian uint16 (polytls_tls_config_v1's
// cipher_suites and groups); false when the length is odd.
inline bool u16_list(polytls_data d, std::vector<uint16_t> &out) {
  out.clear();
  if (d.len % 2 != 0 || (d.len > 0 && d.data == nullptr)) return false;
  for (std::size_t i = 0; i < d.len; i += 2) {
    out.push_back(static_cast<uint16_t>((d.data[i] << 8) | d.data[i + 1]));
  }
  return true;
}

// TlsSelection is a context's decoded selection: the allowed suites of the
// versions in its range and the groups, by preference; each empty when the
// config says "the defaults".
struct TlsSelection {
  std::vector<const TlsSuite *> suites;
  std::vector<const TlsGroup *> groups;

  bool has_suites(uint32_t version) const noexcept {
    for (const TlsSuite *s : suites) {
      if (s->version == version) return true;
    }
    return false;
  }
};

// read_tls_selection decodes and checks the selection of `config` (which
// must reach `groups`; an older, shorter config selects nothing): every
// entry known and allowed, no duplicates, suites of other versions than
// min..max skipped. A number that is not an allowed suite or group is
// POLYTLS_ERR_UNSUPPORTED naming it.
inline polytls_status read_tls_selection(const polytls_tls_config_v1 &config, TlsSelection &out,
                                         polytls_error *err) {
  out = {};
  if (!fits_struct(config.struct_size,
                   offsetof(polytls_tls_config_v1, groups) + sizeof(polytls_data))) {
    return POLYTLS_OK;
  }
  std::vector<uint16_t> numbers;
  if (!u16_list(config.cipher_suites, numbers)) {
    return set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                     "the cipher suite list is not a list of 16-bit numbers");
  }
  for (uint16_t n : numbers) {
    const TlsSuite *suite = find_tls_suite(n);
    if (suite == nullptr) {
      return set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                       "cipher suite 0x%04x is not one polytls allows", n);
    }
    for (const TlsSuite *seen : out.suites) {
      if (seen == suite) {
        return set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cipher suite %s is listed twice",
                         suite->iana_name);
      }
    }
    if (suite->version < config.min_version || suite->version > config.max_version) continue;
    out.suites.push_back(suite);
  }
  if (!u16_list(config.groups, numbers)) {
    return set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                     "the group list is not a list of 16-bit numbers");
  }
  for (uint16_t n : numbers) {
    const TlsGroup *group = find_tls_group(n);
    if (group == nullptr) {
      return set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                       "key exchange group 0x%04x is not one polytls allows", n);
    }
    for (const TlsGroup *seen : out.groups) {
      if (seen == group) {
        return set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "group %s is listed twice", group->name);
      }
    }
    out.groups.push_back(group);
  }
  if (!out.suites.empty()) {
    for (uint32_t v = config.min_version; v <= config.max_version; ++v) {
      if (!out.has_suites(v)) {
        return set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                         "the cipher suites include none for TLS version 0x%04x", v);
      }
    }
  }
  return POLYTLS_OK;
}

// LendingCache keeps up to `capacity` values a backend made from some bytes
// (a decoded session, a parsed certificate), so that the next connection
// with the same bytes does not make them again, and lends each to one user
// at a time: take() moves the entry out of the cache, give_back() returns
// it as the newest. A value the library may change while it is used (or
// that is not safe to share between threads) is then never used by two
// connections at once. When full, the oldest entry goes; an entry whose
// bytes are already cached (two connections made the same value at once)
// is dropped. Values are destroyed outside the lock.
template <class Value>
class LendingCache {
 public:
  struct Entry {
    std::vector<unsigned char> key;
    Value value;
  };

  explicit LendingCache(std::size_t capacity) : capacity_(capacity) {}

  // take moves out the entry made from `key`, if the cache has it.
  std::optional<Entry> take(std::span<const unsigned char> key) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (std::equal(it->key.begin(), it->key.end(), key.begin(), key.end())) {
        std::optional<Entry> out(std::move(*it));
        entries_.erase(it);
        return out;
      }
    }
    return std::nullopt;
  }

  // give_back caches `entry` (again) as the newest.
  void give_back(Entry entry) {
    std::optional<Entry> dropped;  // destroyed after the lock is released
    std::lock_guard<std::mutex> lock(mutex_);
    for (const Entry &have : entries_) {
      if (have.key == entry.key) {
        dropped.emplace(std::move(entry));
        return;
      }
    }
    if (entries_.size() >= capacity_) {
      dropped.emplace(std::move(entries_.front()));
      entries_.erase(entries_.begin());
    }
    entries_.push_back(std::move(entry));
  }

 private:
  std::mutex mutex_;
  const std::size_t capacity_;
  std::vector<Entry> entries_;  // oldest first
};

}  // namespace polytls::kit

#endif  // POLYTLS_KIT_BACKEND_KIT_HPP
