/* The ABI headers compile as C11, and their layout seen from C is the layout
 * seen from C++ (abi_layout_test.cpp compares the two). */
#include <stddef.h>

#include "polytls/abi/backend.h"

_Static_assert(sizeof(polytls_status) == 4, "polytls_status is 32 bits");
_Static_assert(offsetof(polytls_backend_v1, abi_version) == 0, "abi_version comes first");
_Static_assert(offsetof(polytls_backend_v1, struct_size) == 4, "struct_size comes second");

size_t polytls_c_sizeof_backend_v1(void);
size_t polytls_c_offsetof_cert_free(void);
size_t polytls_c_sizeof_cert_request_v1(void);
size_t polytls_c_sizeof_caps_v1(void);
size_t polytls_c_sizeof_error(void);
size_t polytls_c_sizeof_tls_config_v1(void);
size_t polytls_c_offsetof_tls_config_groups(void);

size_t polytls_c_sizeof_backend_v1(void) {
  return sizeof(polytls_backend_v1);
}
size_t polytls_c_offsetof_cert_free(void) {
  return offsetof(polytls_backend_v1, cert_free);
}
size_t polytls_c_sizeof_cert_request_v1(void) {
  return sizeof(polytls_cert_request_v1);
}
size_t polytls_c_sizeof_caps_v1(void) {
  return sizeof(polytls_caps_v1);
}
size_t polytls_c_sizeof_error(void) {
  return sizeof(polytls_error);
}
size_t polytls_c_sizeof_tls_config_v1(void) {
  return sizeof(polytls_tls_config_v1);
}
size_t polytls_c_offsetof_tls_config_groups(void) {
  return offsetof(polytls_tls_config_v1, groups);
}
