// engine.cpp: what every Engine checks of a Case the same way.
#include "engine.hpp"

#include "polytls/kit/backend_kit.hpp"

#include <algorithm>
#include <string>

namespace polytls::bench {

namespace {

bool is_rsa(KeyType type) noexcept {
  return type == KeyType::rsa2048 || type == KeyType::rsa3072 || type == KeyType::rsa4096;
}

}  // namespace

bool needs_rsa(uint16_t suite) noexcept {
  for (const kit::TlsSuite &s : kit::kTlsSuites) {
    if (s.iana == suite) return s.kx == kit::TlsSuiteKx::kEcdheRsa;
  }
  return false;
}

Result<void> check_case(const Case &c) {
  if (c.identity == nullptr) return Error(ErrorCode::bad_input, "the case has no identity");
  const auto groups = secure_groups();
  for (uint16_t g : {c.group, c.client_extra_group}) {
    if (g != 0 && std::find(groups.begin(), groups.end(), g) == groups.end()) {
      return Error(ErrorCode::bad_input, "group " + std::to_string(g) +
                                             " is not one polytls allows (x25519, secp256r1, "
                                             "secp384r1)");
    }
  }
  if (c.group == 0) return Error(ErrorCode::bad_input, "the case has no group");
  if (c.cipher_suite == 0) return {};
  const auto suites = secure_cipher_suites(c.version);
  if (std::find(suites.begin(), suites.end(), c.cipher_suite) == suites.end()) {
    return Error(ErrorCode::bad_input, "cipher suite " + std::to_string(c.cipher_suite) +
                                           " is not one polytls allows for this version");
  }
  if (c.version == TlsVersion::tls12 && needs_rsa(c.cipher_suite) != is_rsa(c.identity->key_type)) {
    return Error(ErrorCode::unsupported,
                 std::string(cipher_suite_name(c.cipher_suite)) + " needs a certificate with " +
                     (needs_rsa(c.cipher_suite) ? "an RSA key" : "an ECDSA or EdDSA key") +
                     ", and this case's key is " + std::string(to_string(c.identity->key_type)));
  }
  return {};
}

}  // namespace polytls::bench
