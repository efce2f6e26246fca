#include "polytls/certificate_spec.hpp"

namespace polytls {

std::vector<std::string_view> key_usage::names(uint32_t bits) {
  static constexpr std::string_view kNames[] = {
      "digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement",
      "keyCertSign",      "cRLSign",        "encipherOnly",    "decipherOnly"};
  std::vector<std::string_view> out;
  for (uint32_t i = 0; i < std::size(kNames); ++i) {
    if (bits & (1u << i)) out.push_back(kNames[i]);
  }
  return out;
}

std::vector<std::string_view> ext_key_usage::names(uint32_t bits) {
  static constexpr std::string_view kNames[] = {"serverAuth",      "clientAuth",   "codeSigning",
                                                "emailProtection", "timeStamping", "OCSPSigning"};
  std::vector<std::string_view> out;
  for (uint32_t i = 0; i < std::size(kNames); ++i) {
    if (bits & (1u << i)) out.push_back(kNames[i]);
  }
  return out;
}

}  // namespace polytls
