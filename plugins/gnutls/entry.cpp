// The GnuTLS plugin's entry point: the one symbol libpolytls-gnutls.so
// exports. The core calls it with its ABI version; a core of another version
// gets NULL and refuses the plugin.
#include "internal.hpp"

extern "C" POLYTLS_PLUGIN_EXPORT const polytls_backend_v1 *polytls_backend_entry(
    uint32_t core_abi_version) {
  if (core_abi_version != POLYTLS_ABI_VERSION) return nullptr;
  return polytls::gnutls::backend_table();
}
