// polytls/capabilities.hpp: what a backend can do, as data.
#ifndef POLYTLS_CAPABILITIES_HPP
#define POLYTLS_CAPABILITIES_HPP

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "polytls/algorithms.hpp"

namespace polytls {

// Capability is one feature a backend may have. Values are the bit numbers
// of the ABI's POLYTLS_FEATURE_* constants.
enum class Capability : uint32_t {
  key_generate = 0,
  key_write_pkcs8 = 1,
  key_write_encrypted = 2,
  key_read_encrypted = 3,
  cert_create = 4,
  cert_verify = 5,
  pbkdf2 = 6,
  cipher = 7,
  tls12 = 16,
  tls13 = 17,
  alpn = 18,
  sni = 19,
  resumption = 20,
  keylog_tls12 = 21,
  keylog_tls13 = 22,
  client_auth = 23,
  tls_select = 24,  // honours TlsServerConfig/TlsClientConfig cipher_suites and groups
};

// kAllCapabilities lists every Capability in display order.
inline constexpr std::array<Capability, 17> kAllCapabilities = {Capability::key_generate,
                                                                Capability::key_write_pkcs8,
                                                                Capability::key_write_encrypted,
                                                                Capability::key_read_encrypted,
                                                                Capability::cert_create,
                                                                Capability::cert_verify,
                                                                Capability::pbkdf2,
                                                                Capability::cipher,
                                                                Capability::tls12,
                                                                Capability::tls13,
                                                                Capability::alpn,
                                                                Capability::sni,
                                                                Capability::resumption,
                                                                Capability::keylog_tls12,
                                                                Capability::keylog_tls13,
                                                                Capability::client_auth,
                                                                Capability::tls_select};

// to_string names a capability as messages and JSON do: "key_write_encrypted".
std::string_view to_string(Capability capability) noexcept;

// Capabilities is a backend's capability set, read from its dispatch table.
struct Capabilities {
  std::string library_name;     // "OpenSSL"
  std::string build_version;    // version of the headers the backend was built with
  std::string runtime_version;  // version text of the library loaded at run time
  uint64_t features = 0;        // POLYTLS_FEATURE_* bits
  uint32_t key_algorithms = 0;  // bit (1 << KeyAlgorithm)
  uint32_t curves = 0;          // bit (1 << EcCurve)
  uint32_t rsa_min_bits = 0;
  uint32_t rsa_max_bits = 0;
  uint32_t tls_min_version = 0;  // 0x0303 = TLS 1.2, 0 = no TLS
  uint32_t tls_max_version = 0;

  // has reports whether `capability` is in the set.
  bool has(Capability capability) const noexcept;
  // supports reports whether keys of `type` can be generated.
  bool supports(KeyType type) const noexcept;
  // key_types lists the KeyTypes that can be generated.
  std::vector<KeyType> key_types() const;
  // feature_names lists the capabilities present, by name.
  std::vector<std::string_view> feature_names() const;
};

}  // namespace polytls

#endif  // POLYTLS_CAPABILITIES_HPP
