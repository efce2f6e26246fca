// The polytls plugin template: a backend that loads and does nothing.
//
// Copy plugins/template/ to plugins/<yourlib>/, rename "template", link your
// library in CMakeLists.txt, and fill in the members one by one (see
// docs/writing-a-backend.md). Every member here answers
// POLYTLS_ERR_UNSUPPORTED; members that a capability bit promises are left
// NULL until you implement them and set the bit, because a bit and its
// member must agree (the registry refuses a table whose bit promises a
// missing member).
#include "polytls/abi/backend.h"
#include "polytls/kit/backend_kit.hpp"

namespace polytls::templ {
namespace {

constexpr const char *kName = "template";

polytls_status unsupported(polytls_error *err, const char *what) noexcept {
  return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0, "%s: %s is not implemented yet", kName,
                        what);
}

// The library this backend wraps: name and version numbers.
const char *library_version() noexcept {
  return "0.0.0";
}

// A capability set with no feature, no key type and no TLS.
constexpr polytls_caps_v1 kCaps = {
    .struct_size = sizeof(polytls_caps_v1),
    .reserved = 0,
    .features = 0,
    .key_algorithms = 0,
    .curves = 0,
    .rsa_min_bits = 0,
    .rsa_max_bits = 0,
    .tls_min_version = 0,
    .tls_max_version = 0,
    .library_name = "Template",
    .build_version = "0.0.0",
};

// The context: put the library's global state here (random generator, ...).
struct Context {};

polytls_status init(const polytls_host_v1 *, void **out_ctx, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    *out_ctx = new Context();
    return POLYTLS_OK;
  });
}

void shutdown(void *ctx) noexcept {
  delete static_cast<Context *>(ctx);
}

polytls_status digest(void *, uint32_t, polytls_data, const polytls_sink *,
                      polytls_error *err) noexcept {
  return unsupported(err, "digest");
}

polytls_status key_import(void *, uint32_t, polytls_data, polytls_data, polytls_key **,
                          polytls_error *err) noexcept {
  return unsupported(err, "key_import");
}

polytls_status key_export(void *, const polytls_key *, uint32_t, polytls_data, const polytls_sink *,
                          polytls_error *err) noexcept {
  return unsupported(err, "key_export");
}

polytls_status key_describe(void *, const polytls_key *, polytls_key_info *,
                            polytls_error *err) noexcept {
  return unsupported(err, "key_describe");
}

polytls_status key_sign(void *, const polytls_key *, uint32_t, polytls_data, const polytls_sink *,
                        polytls_error *err) noexcept {
  return unsupported(err, "key_sign");
}

polytls_status key_verify(void *, const polytls_key *, uint32_t, polytls_data, polytls_data,
                          polytls_error *err) noexcept {
  return unsupported(err, "key_verify");
}

// Keys and certificates are your own types, cast to the opaque handles with
// kit::to_handle / kit::from_handle; the frees accept NULL.
void key_free(polytls_key *) noexcept {}
void cert_free(polytls_cert *) noexcept {}

polytls_status cert_import(void *, polytls_data, polytls_cert **, polytls_error *err) noexcept {
  return unsupported(err, "cert_import");
}

polytls_status cert_export(void *, const polytls_cert *, const polytls_sink *,
                           polytls_error *err) noexcept {
  return unsupported(err, "cert_export");
}

polytls_status cert_inspect(void *, const polytls_cert *, const polytls_cert_visitor *,
                            polytls_error *err) noexcept {
  return unsupported(err, "cert_inspect");
}

polytls_status cert_public_key(void *, const polytls_cert *, polytls_key **,
                               polytls_error *err) noexcept {
  return unsupported(err, "cert_public_key");
}

constexpr polytls_backend_v1 kTable = {
    .abi_version = POLYTLS_ABI_VERSION,
    .struct_size = sizeof(polytls_backend_v1),
    .name = kName,
    .caps = &kCaps,
    .library_version = library_version,
    .init = init,
    .shutdown = shutdown,
    .digest = digest,
    .pbkdf2_hmac = nullptr,   // with POLYTLS_FEATURE_PBKDF2
    .cipher = nullptr,        // with POLYTLS_FEATURE_CIPHER
    .key_generate = nullptr,  // with POLYTLS_FEATURE_KEY_GENERATE
    .key_import = key_import,
    .key_export = key_export,
    .key_describe = key_describe,
    .key_sign = key_sign,
    .key_verify = key_verify,
    .key_free = key_free,
    .cert_create = nullptr,  // with POLYTLS_FEATURE_CERT_CREATE
    .cert_import = cert_import,
    .cert_export = cert_export,
    .cert_inspect = cert_inspect,
    .cert_public_key = cert_public_key,
    .cert_verify = nullptr,  // with POLYTLS_FEATURE_CERT_VERIFY
    .cert_free = cert_free,
    // TLS: all eleven together, with POLYTLS_FEATURE_TLS12 and/or TLS13.
    .tls_context_new = nullptr,
    .tls_context_free = nullptr,
    .tls_session_new = nullptr,
    .tls_handshake = nullptr,
    .tls_read = nullptr,
    .tls_write = nullptr,
    .tls_close = nullptr,
    .tls_describe = nullptr,
    .tls_peer_chain = nullptr,
    .tls_export_session = nullptr,
    .tls_session_free = nullptr,
};

}  // namespace
}  // namespace polytls::templ

// polytls_backend_entry is the plugin's one exported symbol.
extern "C" POLYTLS_PLUGIN_EXPORT const polytls_backend_v1 *polytls_backend_entry(
    uint32_t core_abi_version) {
  if (core_abi_version != POLYTLS_ABI_VERSION) return nullptr;
  return &polytls::templ::kTable;
}
