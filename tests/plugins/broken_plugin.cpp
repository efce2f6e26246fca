// Broken plugins for the loader tests. One source, built several times with
// POLYTLS_BROKEN set to the kind of breakage.
#include "polytls/abi/backend.h"

namespace {

const char *version() {
  return "1.0";
}
polytls_status init(const polytls_host_v1 *, void **ctx, polytls_error *) {
  *ctx = nullptr;
  return POLYTLS_OK;
}
void shutdown(void *) {}
void key_free(polytls_key *) {}
void cert_free(polytls_cert *) {}

polytls_caps_v1 make_caps() {
  polytls_caps_v1 c{};
  c.struct_size = sizeof c;
  c.library_name = "Broken";
  c.build_version = "1.0";
  return c;
}
const polytls_caps_v1 kCaps = make_caps();

polytls_backend_v1 make_table() {
  polytls_backend_v1 t{};
  t.abi_version = POLYTLS_ABI_VERSION;
  t.struct_size = sizeof t;
  t.name = "broken";
  t.caps = &kCaps;
  t.library_version = version;
  t.init = init;
  t.shutdown = shutdown;
  t.key_free = key_free;
  t.cert_free = cert_free;
#if POLYTLS_BROKEN == 1  // a newer ABI
  t.abi_version = POLYTLS_ABI_VERSION + 1;
#elif POLYTLS_BROKEN == 2  // a table too small
  t.struct_size = 40;
#elif POLYTLS_BROKEN == 3  // the name of a real backend
  t.name = "openssl";
#endif
  return t;
}
const polytls_backend_v1 kTable = make_table();

}  // namespace

#if POLYTLS_BROKEN != 4  // 4: no entry point at all
extern "C" POLYTLS_PLUGIN_EXPORT const polytls_backend_v1 *polytls_backend_entry(uint32_t abi) {
#if POLYTLS_BROKEN == 5  // refuses this core's ABI
  (void)abi;
  return nullptr;
#else
  (void)abi;
  return &kTable;
#endif
}
#else
extern "C" POLYTLS_PLUGIN_EXPORT int polytls_something_else(void) {
  return 0;
}
#endif
